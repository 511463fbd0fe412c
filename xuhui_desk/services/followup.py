"""Following a request up after intake: contacts with the company, planned callbacks, the
ready-made reply texts, and who the current specialist is.

What it promises:

* :func:`record_contact` writes one ``contact`` timeline event (channel, summary, optional
  callback day) with the current specialist as its actor, in one transaction with the
  callbacks it opens and closes; it syncs to the hub like every event. Bad input (unknown
  channel, empty or too long summary, a malformed or past callback day, an unknown request)
  raises before anything is written.
* A planned callback is open until a later contact on the same request or an explicit
  :func:`complete_callbacks`; open callbacks live in the ``callbacks`` table (migration 0010),
  indexed by day so that Today reads only the open ones.
* Reply texts (:func:`reply_templates`) come from ``resources/replies/replies.toml`` in the
  station's language until the lead edits a category (:func:`set_reply_templates`); the
  edited list is kept in the station database.
* :func:`switch_specialist` changes the ``specialist`` setting every action takes its actor from.

Everything returned is a plain frozen dataclass with ``to_dict()`` for ``--json``.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xuhui_desk import record_rules
from xuhui_desk.db import Database
from xuhui_desk.models import Callback, EventKind, ReplyTemplate, Setting, utcnow
from xuhui_desk.resources import resource_path
from xuhui_desk.services.timefmt import SHANGHAI, iso_local
from xuhui_desk.services.workflow import _event, _touch, find_request
from xuhui_desk.validation import Issue, ValidationFailed, check_text, clean_text

#: How the specialist reached the company (the ``contact`` event's ``channel``).
CONTACT_CHANNELS = record_rules.CONTACT_CHANNELS
#: A callback is planned at most this far ahead (the hub accepts dates up to its due horizon).
CALLBACK_AHEAD = timedelta(days=365)
#: The setting remembering who worked at this desk, for the specialist switcher.
KNOWN_SPECIALISTS_KEY = "known_specialists"
KNOWN_SPECIALISTS_MAX = 20


class FollowupError(ValueError):
    """A follow-up action that cannot be done now; the message says why."""


# --- contacts and callbacks ------------------------------------------------------------------


@dataclass(frozen=True)
class ContactResult:
    """What :func:`record_contact` wrote."""

    tracking_no: str
    request_uuid: str
    event_uuid: str
    channel: str
    summary: str
    callback_on: str | None
    actor: str
    occurred_at: datetime
    #: Open callbacks of the request this contact closed.
    callbacks_closed: int

    def to_dict(self) -> dict[str, Any]:
        return {"tracking_no": self.tracking_no, "request_uuid": self.request_uuid, "event_uuid": self.event_uuid,
                "channel": self.channel, "summary": self.summary, "callback_on": self.callback_on,
                "actor": self.actor, "occurred_at": iso_local(self.occurred_at),
                "callbacks_closed": self.callbacks_closed}


def shanghai_day(now: datetime) -> date:
    """The Shanghai calendar day of the aware moment ``now``."""
    return now.astimezone(SHANGHAI).date()


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse_callback_day(value: str | date | None, now: datetime) -> date | None:
    """``value`` as a callback day: None or "" for none; else a ``YYYY-MM-DD`` date from today
    (Shanghai) up to :data:`CALLBACK_AHEAD` ahead. Raises :class:`ValidationFailed`."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        day = value
    else:
        text = clean_text(str(value))
        parsed = _iso_day(text)
        if parsed is None:
            raise ValidationFailed([Issue("callback_on", "date.invalid", params={"value": text[:40]})])
        day = parsed
    today = shanghai_day(now)
    if day < today:
        raise ValidationFailed([Issue("callback_on", "callback.past", params={"today": today.isoformat()})])
    latest = today + CALLBACK_AHEAD
    if day > latest:
        raise ValidationFailed([Issue("callback_on", "callback.too_far", params={"latest": latest.isoformat()})])
    return day


def check_contact(channel: str, summary: str, callback_on: str | date | None, now: datetime
                  ) -> tuple[str, str, date | None]:
    """The cleaned channel, summary and callback day of a contact, or :class:`ValidationFailed`
    listing every problem at once (for a form to show next to its fields)."""
    issues: list[Issue] = []
    channel = clean_text(channel or "").lower()
    if channel not in CONTACT_CHANNELS:
        issues.append(Issue("contact_channel", "choice.invalid",
                            params={"value": channel[:40], "choices": ", ".join(CONTACT_CHANNELS)}))
    summary = clean_text(summary, multiline=True)
    issues += check_text(summary, "summary", required=True)
    day: date | None = None
    try:
        day = parse_callback_day(callback_on, now)
    except ValidationFailed as exc:
        issues += exc.issues
    if issues:
        raise ValidationFailed(issues)
    return channel, summary, day


def _current_specialist(session: Session) -> str:
    from xuhui_desk.services.station import get_setting

    return get_setting(session, "specialist")


def _close_open_callbacks(session: Session, request_id: int, actor: str, now: datetime,
                          event_uuid: str | None) -> int:
    result = session.execute(
        update(Callback).where(Callback.request_id == request_id, Callback.done_at.is_(None))
        .values(done_at=now, done_by=actor, done_event_uuid=event_uuid)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def record_contact(db: Database, key: str, channel: str, summary: str, callback_on: str | date | None = None,
                   *, actor: str = "", now: datetime | None = None) -> ContactResult:
    """Record a contact with the company on the request ``key`` (tracking number or uuid): a
    ``contact`` event by ``actor`` (default: the current specialist), closing the request's open
    callbacks and, with ``callback_on``, planning the next one. All in one transaction; nothing
    is written when anything is wrong (ValidationFailed, RequestNotFound)."""
    now = now or utcnow()
    channel, summary, day = check_contact(channel, summary, callback_on, now)
    actor = clean_text(actor)
    with db.write() as session:
        request = find_request(session, key)
        actor = actor or _current_specialist(session)
        issues = check_text(actor, "specialist")
        if issues:
            raise ValidationFailed(issues)
        data: dict[str, Any] = {"channel": channel, "summary": summary}
        if day is not None:
            data["callback_on"] = day.isoformat()
        event = _event(request, EventKind.CONTACT, actor, now, **data)
        session.flush()  # the event's uuid, for the callbacks that refer to it
        closed = _close_open_callbacks(session, request.id, actor, now, event.uuid)
        if day is not None:
            session.add(Callback(request_id=request.id, event_uuid=event.uuid, due_on=day.isoformat(),
                                 specialist=actor, planned_at=now))
        _touch(request, now)
        return ContactResult(request.tracking_no, request.uuid, event.uuid, channel, summary,
                             data.get("callback_on"), actor, now, closed)


def complete_callbacks(db: Database, key: str, *, actor: str = "", now: datetime | None = None) -> int:
    """Mark the open callbacks of request ``key`` done without a new contact (the company called
    in, or the call is no longer needed); returns how many. FollowupError when none is open."""
    now = now or utcnow()
    with db.write() as session:
        request = find_request(session, key)
        actor = clean_text(actor) or _current_specialist(session)
        closed = _close_open_callbacks(session, request.id, actor, now, None)
        if not closed:
            raise FollowupError(f"{request.tracking_no} has no open callback")
        return closed


@dataclass(frozen=True)
class OpenCallback:
    """A planned callback not done yet."""

    request_uuid: str
    tracking_no: str
    due_on: str
    specialist: str
    planned_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"request_uuid": self.request_uuid, "tracking_no": self.tracking_no, "due_on": self.due_on,
                "specialist": self.specialist, "planned_at": iso_local(self.planned_at)}


def open_callbacks(db: Database, key: str) -> list[OpenCallback]:
    """The open callbacks of request ``key``, earliest first."""
    with db.session() as session:
        request = find_request(session, key)
        rows = session.scalars(select(Callback).where(Callback.request_id == request.id, Callback.done_at.is_(None))
                               .order_by(Callback.due_on, Callback.id)).all()
        return [OpenCallback(request.uuid, request.tracking_no, c.due_on, c.specialist, c.planned_at) for c in rows]


# --- ready-made reply texts ------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyText:
    """One ready-made reply text of a category; ``edited`` when the station's lead wrote it."""

    category: str
    position: int
    title: str
    text: str
    edited: bool

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "position": self.position, "title": self.title, "text": self.text,
                "edited": self.edited}


@cache
def shipped_reply_texts() -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
    """The shipped texts: language → category → ((title, text), …)."""
    with resource_path("replies", "replies.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {lang: {cat: tuple((str(e["title"]), str(e["text"])) for e in entries) for cat, entries in table.items()}
            for lang, table in data.items()}


def _categories() -> list[str]:
    from xuhui_desk.services.taxonomy import load_taxonomy

    return [c.code for c in load_taxonomy().categories]


def reply_templates(db: Database, category: str | None = None, language: str | None = None) -> list[ReplyText]:
    """The reply texts of ``category`` (all categories when None), in taxonomy and list order:
    the lead's edited list where there is one, else the shipped texts in ``language`` (default:
    the station's language setting)."""
    from xuhui_desk.services.station import get_setting

    with db.session() as session:
        language = language or get_setting(session, "language")
        stored = session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.category, ReplyTemplate.position)).all()
    edited: dict[str, list[ReplyText]] = {}
    for row in stored:
        edited.setdefault(row.category, []).append(ReplyText(row.category, row.position, row.title, row.text, True))
    shipped = shipped_reply_texts().get(language) or shipped_reply_texts()["zh_CN"]
    out: list[ReplyText] = []
    for code in [category] if category else _categories():
        if code in edited:
            out += edited[code]
        else:
            out += [ReplyText(code, i, title, text, False) for i, (title, text) in enumerate(shipped.get(code, ()))]
    return out


def set_reply_templates(db: Database, category: str, texts: list[tuple[str, str]], *, actor: str = "",
                        now: datetime | None = None) -> list[ReplyText]:
    """Replace the reply texts of ``category`` with ``texts`` ((title, text) pairs, in order);
    an empty list goes back to the shipped texts. Every title (1–50 characters) and text (1–2000)
    is checked first: ValidationFailed lists all problems and nothing is changed."""
    if category not in _categories():
        raise ValidationFailed([Issue("category", "choice.invalid",
                                      params={"value": category[:40], "choices": ", ".join(_categories())})])
    cleaned: list[tuple[str, str]] = []
    issues: list[Issue] = []
    for title, text in texts:
        title, text = clean_text(title), clean_text(text, multiline=True)
        issues += check_text(title, "reply_title", required=True) + check_text(text, "reply_text", required=True)
        cleaned.append((title, text))
    if issues:
        raise ValidationFailed(issues)
    now = now or utcnow()
    with db.write() as session:
        actor = clean_text(actor) or _current_specialist(session)
        for row in session.scalars(select(ReplyTemplate).where(ReplyTemplate.category == category)):
            session.delete(row)
        session.flush()
        for i, (title, text) in enumerate(cleaned):
            session.add(ReplyTemplate(category=category, position=i, title=title, text=text, updated_at=now,
                                      updated_by=actor))
    return reply_templates(db, category)


# --- the current specialist --------------------------------------------------------------------


def current_specialist(db: Database) -> str:
    """Who works at the desk now: the actor of every action that names none."""
    with db.session() as session:
        return _current_specialist(session)


def known_specialists(db: Database) -> list[str]:
    """The specialists who worked at this desk, most recent first (the current one first)."""
    with db.session() as session:
        current = _current_specialist(session)
        row = session.get(Setting, KNOWN_SPECIALISTS_KEY)
    try:
        names = [str(n) for n in json.loads(row.value)] if row is not None else []
    except ValueError:
        names = []  # a damaged list is only a convenience: start a new one
    return ([current] if current else []) + [n for n in names if n != current]


def switch_specialist(db: Database, name: str) -> str:
    """Make ``name`` the current specialist (1–50 characters, no password: the station is one
    desk) and remember it for the switcher; returns the stored name."""
    from xuhui_desk.services.station import set_setting

    name = clean_text(name)
    issues = check_text(name, "specialist", required=True)
    if issues:
        raise ValidationFailed(issues)
    previous = known_specialists(db)
    set_setting(db, "specialist", name)
    names = [name] + [n for n in previous if n != name]
    with db.write() as session:
        row = session.get(Setting, KNOWN_SPECIALISTS_KEY)
        value = json.dumps(names[:KNOWN_SPECIALISTS_MAX], ensure_ascii=False)
        if row is None:
            session.add(Setting(key=KNOWN_SPECIALISTS_KEY, value=value))
        else:
            row.value = value
    return name

