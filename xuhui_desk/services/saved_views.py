"""Saved views of the queue: named filters a specialist picks again with one choice.

What it promises:

* A view is a name and the queue's filter as plain values (:class:`ViewFilter`: status,
  category, department, urgency, channel, "my requests", the received range and its dates,
  overdue only, the search text). "My requests" is stored as a switch, not as a name, so a
  view follows whoever is the current specialist when it is picked.
* Views live in the station's ``settings`` table as one JSON list (key :data:`SETTING_KEY`),
  in the order they were saved; no migration. A damaged list reads as no views (they are a
  convenience) and is replaced by the next save.
* Names are 1–40 characters (cleaned like every text) and unique, compared without case and
  width differences; :func:`save_view` replaces a view of the same name, :func:`rename_view`
  refuses a name another view has. Problems raise :class:`~xuhui_desk.validation.ValidationFailed`
  with messages from ``resources/messages/validation.toml``; nothing is changed then.
* At most :data:`MAX_VIEWS` views are kept.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from xuhui_desk.db import Database
from xuhui_desk.models import Setting
from xuhui_desk.validation import Issue, ValidationFailed, check_text, clean_text, to_halfwidth

SETTING_KEY = "queue_saved_views"
MAX_VIEWS = 50
NAME_FIELD = "view_name"


@dataclass(frozen=True)
class ViewFilter:
    """The queue's filter widgets as plain values (codes, not labels; dates as ``YYYY-MM-DD``)."""

    status: str = "open"
    category: str = ""
    department: str = ""
    urgency: str = ""
    channel: str = ""
    mine: bool = False
    overdue_only: bool = False
    #: A choice of the "received" filter (any, today, week, month, custom) and a custom range's days.
    received: str = "any"
    date_from: str = ""
    date_to: str = ""
    search: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ViewFilter:
        """Known keys only, each of the right type (an older or damaged entry loses what it cannot give)."""
        defaults = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name, getattr(defaults, f.name))
            expected = type(getattr(defaults, f.name))
            values[f.name] = value if isinstance(value, expected) else getattr(defaults, f.name)
        return cls(**values)


@dataclass(frozen=True)
class SavedView:
    name: str
    filter: ViewFilter = field(default_factory=ViewFilter)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "filter": self.filter.to_dict()}


def _same(a: str, b: str) -> bool:
    return to_halfwidth(a).casefold() == to_halfwidth(b).casefold()


def _read(session: Any) -> list[SavedView]:
    row = session.get(Setting, SETTING_KEY)
    if row is None:
        return []
    try:
        raw = json.loads(row.value)
    except ValueError:
        return []
    views = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]:
            flt = entry.get("filter")
            views.append(SavedView(entry["name"], ViewFilter.from_dict(flt if isinstance(flt, dict) else {})))
    return views


def _write(session: Any, views: list[SavedView]) -> None:
    value = json.dumps([v.to_dict() for v in views], ensure_ascii=False)
    row = session.get(Setting, SETTING_KEY)
    if row is None:
        session.add(Setting(key=SETTING_KEY, value=value))
    else:
        row.value = value


def _checked_name(name: str) -> str:
    name = clean_text(name)
    issues = check_text(name, NAME_FIELD, required=True)
    if issues:
        raise ValidationFailed(issues)
    return name


def saved_views(db: Database) -> list[SavedView]:
    """The saved views, in the order they were saved."""
    with db.session() as session:
        return _read(session)


def save_view(db: Database, name: str, flt: ViewFilter) -> SavedView:
    """Save ``flt`` under ``name``: a view of the same name is replaced in place, a new one is
    added at the end (at most :data:`MAX_VIEWS`). Returns the view as stored."""
    name = _checked_name(name)
    with db.write() as session:
        views = _read(session)
        view = SavedView(name, flt)
        for i, existing in enumerate(views):
            if _same(existing.name, name):
                views[i] = view
                break
        else:
            if len(views) >= MAX_VIEWS:
                raise ValidationFailed([Issue(NAME_FIELD, "view.too_many", params={"limit": MAX_VIEWS})])
            views.append(view)
        _write(session, views)
    return view


def rename_view(db: Database, old: str, new: str) -> SavedView:
    """Give the view ``old`` the name ``new`` (its place and filter kept). Refuses a name another
    view has, and an unknown ``old``."""
    new = _checked_name(new)
    with db.write() as session:
        views = _read(session)
        index = next((i for i, v in enumerate(views) if _same(v.name, old)), None)
        if index is None:
            raise ValidationFailed([Issue(NAME_FIELD, "view.unknown", params={"name": old[:40]})])
        if any(_same(v.name, new) for i, v in enumerate(views) if i != index):
            raise ValidationFailed([Issue(NAME_FIELD, "view.exists", params={"name": new})])
        views[index] = SavedView(new, views[index].filter)
        _write(session, views)
        return views[index]


def delete_view(db: Database, name: str) -> bool:
    """Delete the view ``name``; false when there was none."""
    with db.write() as session:
        views = _read(session)
        kept = [v for v in views if not _same(v.name, name)]
        if len(kept) == len(views):
            return False
        _write(session, kept)
    return True
