"""What a request, an enterprise or a timeline event may hold: the statuses and the moves
between them, the timeline event kinds and the ``data`` each carries, the window of plausible
times and the size of one record.

Both ends use these rules: the station's workflow (its status machine), the hub when it
accepts a push, and the station's sync engine when it accepts the hub's change feed. Standard
library only (no SQLAlchemy, no Qt), so that nothing on either end can disagree about them.

Problems are :class:`~xuhui_desk.sync_protocol.FieldError` s with a code and parameters; the
wording lives in ``resources/messages/validation.toml`` (:func:`field_error_message`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from xuhui_desk.sync_protocol import FieldError, compact_json, parse_time

# --- statuses ---------------------------------------------------------------------------------

STATUSES = ("new", "routed", "in_progress", "replied", "closed", "cancelled")
RESOLVED_STATUSES = frozenset({"replied", "closed"})
#: The status machine: the moves a status change may make (the workflow's TRANSITIONS).
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"routed", "in_progress", "cancelled"}),
    "routed": frozenset({"in_progress", "replied", "cancelled"}),
    "in_progress": frozenset({"replied", "cancelled"}),
    "replied": frozenset({"closed", "in_progress"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
#: A dissatisfied rating reopens a replied or closed request for rectification: the one way
#: back from "closed" (event kind ``rectification``).
REOPEN_KIND = "rectification"
REOPENS_FROM = RESOLVED_STATUSES
REOPENS_TO = "in_progress"


def transition_allowed(kind: str, source: str, target: str) -> bool:
    """Whether a timeline event of ``kind`` may move a request from ``source`` to ``target``."""
    if kind == REOPEN_KIND:
        return source in REOPENS_FROM and target == REOPENS_TO
    return target in TRANSITIONS.get(source, frozenset())


def reachable(source: str, target: str) -> bool:
    """Whether some sequence of allowed moves (rectification included) leads from ``source`` to
    ``target`` — a station that made several changes before syncing sends only the last status."""
    if source == target:
        return True
    seen = {source}
    frontier = [source]
    while frontier:
        status = frontier.pop()
        nxt = set(TRANSITIONS.get(status, ()))
        if status in REOPENS_FROM:
            nxt.add(REOPENS_TO)
        for s in nxt - seen:
            if s == target:
                return True
            seen.add(s)
            frontier.append(s)
    return False


# --- times ------------------------------------------------------------------------------------

#: Nothing this program records happened before this (the service stations opened later).
EARLIEST_TIME = datetime(2020, 1, 1, tzinfo=UTC)
#: How far ahead of the receiver's clock a time may be (clocks drift; time zones get mixed up).
FUTURE_TOLERANCE = timedelta(days=1)
#: A sender's own measured clock skew widens the window by at most this much (a station whose
#: clock is a year ahead still syncs, and is warned about its clock; year 9999 never passes).
MAX_HONOURED_SKEW = timedelta(days=400)
#: A due date lies at most this far ahead (SLA deadlines are days; rectification 15 working days).
DUE_AHEAD = timedelta(days=400)


@dataclass(frozen=True)
class TimeWindow:
    """The plausible times: ``earliest`` ≤ t ≤ ``latest`` (``due_latest`` for due dates)."""

    earliest: datetime
    latest: datetime
    due_latest: datetime

    def check(self, name: str, value: datetime | None, *, due: bool = False) -> list[FieldError]:
        if value is None:
            return []
        latest = self.due_latest if due else self.latest
        if self.earliest <= value <= latest:
            return []
        return [FieldError(name, "time.range", {
            "value": _shown(value), "earliest": self.earliest.date().isoformat(), "latest": latest.date().isoformat()})]


def _shown(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def time_window(now: datetime, skew_seconds: float | None = None) -> TimeWindow:
    """The window around ``now`` (the receiver's clock), widened by a sender's measured skew."""
    skew = timedelta(seconds=min(abs(skew_seconds or 0.0), MAX_HONOURED_SKEW.total_seconds()))
    latest = now + FUTURE_TOLERANCE + skew
    return TimeWindow(EARLIEST_TIME, latest, latest + DUE_AHEAD)


# --- sizes ------------------------------------------------------------------------------------

#: The largest record (compact UTF-8 JSON). A legitimate one is at most ~21 KiB: a 4,000
#: character description and a 1,000 character comment, four bytes a character at worst.
MAX_RECORD_BYTES = 24 * 1024
#: Room for a push body's envelope (protocol, batch id, station, skew) around its records.
ENVELOPE_BYTES = 4 * 1024


def decoded_body_limit(max_batch_records: int, max_record_bytes: int = MAX_RECORD_BYTES) -> int:
    """The largest push body a legitimate batch needs: records × largest record + envelope."""
    return max_batch_records * (max_record_bytes + 1) + ENVELOPE_BYTES


def record_size(raw: Any) -> int:
    return len(compact_json(raw))


def check_record_size(raw: Any, limit: int = MAX_RECORD_BYTES) -> list[FieldError]:
    size = record_size(raw)
    if size <= limit:
        return []
    return [FieldError("record", "record.too_large", {"size": size, "limit": limit})]


# --- attachments ------------------------------------------------------------------------------

#: The kinds of file a request may carry (photos, scans, PDFs), told by their first bytes.
ATTACHMENT_MEDIA_TYPES = ("image/jpeg", "image/png", "image/tiff", "application/pdf")
#: The largest attachment, on both ends (the hub refuses a bigger upload).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_sha256(value: Any) -> bool:
    """Whether ``value`` is a SHA-256 as both ends write it: 64 lower-case hex digits."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


# --- texts and codes --------------------------------------------------------------------------

#: Taxonomy codes, reasons, levels (the hub's category column is 16 wide; reasons up to 32).
CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
DEPARTMENT_MAX = 32
ACTOR_MAX = 50
TEXT_LIMITS = {"note": 2000, "text": 2000, "comment": 1000, "description": 4000}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def check_department(name: str, value: Any) -> list[FieldError]:
    if value is None:
        return []
    if not isinstance(value, str):
        return [FieldError(name, "event.data_type", {"key": name})]
    if not value.strip() or len(value) > DEPARTMENT_MAX or _CONTROL.search(value):
        return [FieldError(name, "text.too_long", {"limit": DEPARTMENT_MAX, "length": len(value)})]
    return []


# --- timeline events --------------------------------------------------------------------------

# Kinds of value in an event's ``data``; a trailing "!" means the key is required.
#   status  one of STATUSES          code    a short lower-case code (CODE)
#   text:N  text of at most N chars  dept    a department (1–32 characters)
#   rating  an integer 1–5           time    an ISO 8601 time inside the window
#   fields  a list of intake field names      before  those fields' previous values
#   date    an ISO date (YYYY-MM-DD) inside the window (up to the due-date horizon)
#   contact_channel  one of CONTACT_CHANNELS
#   sha256  64 lower-case hex digits          filesize  1 – MAX_ATTACHMENT_BYTES
#   media   one of ATTACHMENT_MEDIA_TYPES
#: THE list of timeline event kinds both ends know, with the ``data`` keys each may carry.
#: A new kind (e.g. one the district console writes) is one more entry here; a kind not listed
#: is refused on push and quarantined on pull.
EVENT_KINDS: dict[str, dict[str, str]] = {
    "created": {"category": "code", "department": "dept", "channel": "code", "suggested_category": "code",
                "status": "status"},
    "routed": {"category": "code!", "from_category": "code", "department": "dept", "from_department": "dept"},
    # A district console transfer carries its reason (``note``) and ``reason: transfer``.
    "reassigned": {"department": "dept!", "from_department": "dept", "note": "text:2000", "reason": "code"},
    "status_changed": {"from": "status", "status": "status!", "note": "text:2000", "reason": "code"},
    "note": {"note": "text:2000!"},
    "reply": {"text": "text:2000!"},
    "rated": {"rating": "rating!", "level": "code", "comment": "text:1000"},
    "edited": {"fields": "fields!", "before": "before"},
    "rectification": {"from": "status!", "status": "status!", "due": "time", "reason": "code"},
    # The station recounted a provisional due date on the official calendar (services/calendar_updates.py).
    # The district console asks the station for more information (xuhui_desk/hub/console/actions.py).
    "info_requested": {"text": "text:2000!"},
    "due_recomputed": {"old_due": "time", "new_due": "time!", "provisional": "bool", "via": "code",
                       "source": "text:200"},
    # A contact with the company (services/followup.py): how, what was said, and optionally the
    # day of the next call (a callback, open until a later contact on the request or marked done).
    "contact": {"channel": "contact_channel!", "summary": "text:2000!", "callback_on": "date"},
    # A file attached to the request (services/attachments.py); the file itself follows over the
    # attachment upload calls (docs/attachments.md), the event only names it.
    "attachment": {"sha256": "sha256!", "name": "text:255!", "size": "filesize!", "media_type": "media!"},
}
#: How a specialist reached the company on a ``contact`` event.
CONTACT_CHANNELS = ("phone", "visit", "message")
#: Kinds whose ``data`` repeats the request's initial values (no status move to check).
INITIAL_KINDS = frozenset({"created"})
#: Intake fields an ``edited`` event may name, and the rule of their previous value.
EDITABLE_FIELDS = {"description": "text:4000", "channel": "code", "urgency": "code"}
_KIND = re.compile(r"[a-z][a-z_]{1,23}")
ORIGINS = ("station", "hub")


def _check_value(key: str, rule: str, value: Any, window: TimeWindow) -> list[FieldError]:
    if value is None:
        return []
    if rule == "status":
        if value not in STATUSES:
            return [FieldError(key, "status.unknown", {"value": str(value)[:40]})]
        return []
    if rule == "code":
        if not isinstance(value, str) or not CODE.fullmatch(value):
            return [FieldError(key, "code.invalid", {"value": str(value)[:40]})]
        return []
    if rule == "dept":
        return check_department(key, value)
    if rule == "bool":
        return [] if isinstance(value, bool) else [FieldError(key, "event.data_type", {"key": key})]
    if rule == "rating":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            return [FieldError("rating", "rating.range", {"value": str(value)[:40]})]
        return []
    if rule.startswith("text:"):
        limit = int(rule[5:])
        if not isinstance(value, str):
            return [FieldError(key, "event.data_type", {"key": key})]
        if len(value) > limit:
            return [FieldError(key, "text.too_long", {"limit": limit, "length": len(value)})]
        return []
    if rule == "time":
        try:
            moment = parse_time(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            return [FieldError(key, "event.data_type", {"key": key})]
        return window.check(key, moment, due=True)
    if rule == "contact_channel":
        if value not in CONTACT_CHANNELS:
            return [FieldError(key, "code.invalid", {"value": str(value)[:40]})]
        return []
    if rule == "date":
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None:
            return [FieldError(key, "event.data_type", {"key": key})]
        if not window.earliest.date() <= day <= window.due_latest.date():
            return [FieldError(key, "time.range", {"value": value, "earliest": window.earliest.date().isoformat(),
                                                   "latest": window.due_latest.date().isoformat()})]
        return []
    if rule == "sha256":
        return [] if is_sha256(value) else [FieldError(key, "event.data_type", {"key": key})]
    if rule == "filesize":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ATTACHMENT_BYTES:
            return [FieldError(key, "event.data_type", {"key": key})]
        return []
    if rule == "media":
        return [] if value in ATTACHMENT_MEDIA_TYPES else [FieldError(key, "event.data_type", {"key": key})]
    if rule == "fields":
        if not isinstance(value, list) or not value or any(f not in EDITABLE_FIELDS for f in value):
            return [FieldError(key, "event.data_type", {"key": key})]
        return []
    if rule == "before":
        if not isinstance(value, dict) or any(k not in EDITABLE_FIELDS for k in value):
            return [FieldError(key, "event.data_type", {"key": key})]
        return [e for k, v in value.items() for e in _check_value(k, EDITABLE_FIELDS[k], v, window)]
    raise AssertionError(rule)


def check_event_data(kind: str, data: Mapping[str, Any], *, origin: str, window: TimeWindow) -> list[FieldError]:
    """Problems of a timeline event's ``data``: only the keys its kind knows, each of its rule; a
    station's status move must be one the status machine allows (the hub's may be any: the
    district decides, and records a station change it overruled)."""
    spec = EVENT_KINDS.get(kind)
    if spec is None:
        return [FieldError("kind", "event.kind", {"value": kind[:40]})]
    errors: list[FieldError] = []
    for key in data:
        if key not in spec:
            errors.append(FieldError("data", "event.data_key", {"key": str(key)[:40]}))
    for key, rule in spec.items():
        required = rule.endswith("!")
        value = data.get(key)
        if value is None:
            if required:
                errors.append(FieldError("data", "event.data_missing", {"key": key}))
            continue
        errors += _check_value(key, rule.rstrip("!"), value, window)
    source, target = data.get("from"), data.get("status")
    if (not errors and origin == "station" and kind not in INITIAL_KINDS and isinstance(source, str)
            and isinstance(target, str) and not transition_allowed(kind, source, target)):
        errors.append(FieldError("status", "status.transition", {"source": source, "target": target}))
    return errors


def check_event(values: Mapping[str, Any], *, origin: str, window: TimeWindow) -> list[FieldError]:
    """Problems of a timeline event's values (kind, origin, actor, time, data) coming from
    ``origin`` ("station": a push; "hub": the change feed)."""
    errors: list[FieldError] = []
    kind = values.get("kind")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind) or kind not in EVENT_KINDS:
        errors.append(FieldError("kind", "event.kind", {"value": str(kind)[:40]}))
    if values.get("origin") != origin:
        errors.append(FieldError("origin", "event.origin", {"value": str(values.get("origin"))[:40]}))
    actor = values.get("actor")
    if not isinstance(actor, str) or len(actor) > ACTOR_MAX:
        errors.append(FieldError("actor", "text.too_long", {"limit": ACTOR_MAX, "length": len(str(actor))}))
    errors += window.check("occurred_at", values.get("occurred_at"))
    data = values.get("data")
    if not isinstance(data, dict):
        errors.append(FieldError("data", "event.data_type", {"key": "data"}))
    elif not errors:
        errors += check_event_data(str(kind), data, origin=origin, window=window)
    return errors


def field_error_message(error: FieldError, language: str = "zh_CN") -> str:
    """The sentence for ``error`` from the message catalog (its code when the catalog has none)."""
    from xuhui_desk.validation import Issue

    try:
        text = Issue(error.field, error.code, params=dict(error.params)).message(language)
    except (KeyError, IndexError, ValueError):
        return error.message or f"{error.field}: {error.code}"
    return text if text != error.code else (error.message or f"{error.field}: {error.code}")


def with_message(error: FieldError, language: str = "zh_CN") -> FieldError:
    """``error`` with its catalog message filled in."""
    return FieldError(error.field, error.code, dict(error.params), field_error_message(error, language))


# --- policies (issue 15; docs/policies.md) ----------------------------------------------------

def check_profile(raw: Any, *, today: date | None = None) -> list[FieldError]:
    """Problems of an enterprise record's ``profile`` (:class:`~xuhui_desk.policies.CompanyProfile`
    JSON: only the known facts); ``None`` (nothing known) has none. Each problem names its fact."""
    from xuhui_desk.policies import CompanyProfile, ProfileError

    if raw is None:
        return []
    try:
        CompanyProfile.from_json(raw, today=today)
    except ProfileError as exc:
        return list(exc.issues)
    return []


def check_policy_push(values: Mapping[str, Any], *, window: TimeWindow) -> list[FieldError]:
    """Problems of a ``policy_push`` record's values: who (1–50 characters), how (one of
    ``PUSH_CHANNELS``), when (inside the window), and which policies — 1 to ``MAX_PUSH_POLICIES``
    entries ``{"id": POLICY_ID, "version": 1…}``, each id once."""
    from xuhui_desk.policies import POLICY_ID
    from xuhui_desk.sync_protocol import MAX_PUSH_POLICIES, PUSH_CHANNELS

    errors: list[FieldError] = []
    by = values.get("pushed_by")
    if not isinstance(by, str) or not by.strip() or len(by) > ACTOR_MAX or _CONTROL.search(by):
        errors.append(FieldError("pushed_by", "text.too_long", {"limit": ACTOR_MAX, "length": len(str(by))}))
    channel = values.get("channel")
    if channel not in PUSH_CHANNELS:
        errors.append(FieldError("channel", "policy_push.channel",
                                 {"value": str(channel)[:40], "choices": ", ".join(PUSH_CHANNELS)}))
    errors += window.check("pushed_at", values.get("pushed_at"))
    items = values.get("policies")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_PUSH_POLICIES:
        count = len(items) if isinstance(items, list) else 0
        errors.append(FieldError("policies", "policy_push.count", {"limit": MAX_PUSH_POLICIES, "count": count}))
        return errors
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        pid = item.get("id") if isinstance(item, dict) else None
        version = item.get("version") if isinstance(item, dict) else None
        if (not isinstance(item, dict) or set(item) - {"id", "version"} or not isinstance(pid, str)
                or not POLICY_ID.fullmatch(pid) or isinstance(version, bool) or not isinstance(version, int)
                or not 1 <= version <= 2**31 - 1):
            errors.append(FieldError("policies", "policy_push.item", {"index": index, "value": str(item)[:60]}))
        elif pid in seen:
            errors.append(FieldError("policies", "policy_push.repeated", {"value": pid}))
        else:
            seen.add(pid)
    return errors
