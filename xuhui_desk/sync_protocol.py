"""The sync protocol between a workstation and the district hub: versions, headers and JSON shapes.

Both ends import this module; it holds no Qt, no pydantic and no database code, only
plain dicts in and out. ``docs/sync.md`` describes the protocol in prose.

Wire conventions
----------------
* Every record carries ``type`` (``enterprise`` / ``request`` / ``event``), its client-made
  ``uuid`` and the station's ``revision`` (events are immutable: always revision 1).
* Times are ISO 8601 with an offset, sent in UTC (``2026-11-26T01:02:03.000000+00:00``).
  A station's times are information only: nothing is ever ordered by them.
* The hub answers a pushed batch record by record (:data:`ACCEPTED`, :data:`DUPLICATE`,
  :data:`REJECTED` with field errors) and serves a per-station change feed ordered by a
  hub sequence (``seq``), read with a cursor.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The protocol this program speaks. Bump when a change is not backward compatible.
PROTOCOL_VERSION = 1
#: The oldest client protocol a hub of this version accepts by default (configurable on the hub).
MIN_CLIENT_PROTOCOL = 1
#: The oldest hub protocol this client can talk to.
MIN_HUB_PROTOCOL = 1

API_PREFIX = "/api/v1"
HEALTH_PATH = f"{API_PREFIX}/health"
PUSH_PATH = f"{API_PREFIX}/sync/push"
PULL_PATH = f"{API_PREFIX}/sync/pull"
#: The district's policy catalogue for stations (``?since=N``; docs/policies.md).
POLICIES_PATH = f"{API_PREFIX}/policies"

PROTOCOL_HEADER = "X-Xuhui-Protocol"
CLIENT_HEADER = "X-Xuhui-Client"

# Per-record results.
ACCEPTED = "accepted"
DUPLICATE = "duplicate"
REJECTED = "rejected"
RESULT_STATUSES = (ACCEPTED, DUPLICATE, REJECTED)

# Record types, in the order a station pushes them (parents before children).
ENTERPRISE = "enterprise"
REQUEST = "request"
EVENT = "event"
#: A list of policies handed to a company (issue 15): immutable, always revision 1.
POLICY_PUSH = "policy_push"
RECORD_TYPES = (ENTERPRISE, REQUEST, EVENT, POLICY_PUSH)

# Error codes of a rejected record that are not about the record's own content.
#: The hub holds a newer (or different) revision: the station re-bases above ``hub_revision``.
REVISION_CONFLICT = "revision.conflict"
#: The parent (enterprise of a request, request of an event) is not on the hub yet: try later.
ENTERPRISE_UNKNOWN = "enterprise.unknown"
REQUEST_UNKNOWN = "request.unknown"
PARENT_UNKNOWN = (ENTERPRISE_UNKNOWN, REQUEST_UNKNOWN)

# Error bodies (``{"error": code, "message": text}``) of whole-request failures.
ERR_UPGRADE_REQUIRED = "upgrade_required"  # 426
ERR_UNAUTHORIZED = "unauthorized"  # 401
ERR_FORBIDDEN = "forbidden"  # 403
ERR_BATCH_CONFLICT = "batch_conflict"  # 409: a batch id reused with other content
ERR_TOO_LARGE = "too_large"  # 413
ERR_BAD_REQUEST = "bad_request"  # 400
ERR_BUSY = "busy"  # 503: retry later

_UUID = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]{7,35}")  # used with fullmatch (no trailing newline)
#: The largest revision a record may carry: the hub keeps revisions in 32-bit integer columns
#: (PostgreSQL ``integer``); no station comes anywhere near it.
MAX_REVISION = 2**31 - 1
#: The largest change-feed cursor (the hub's sequences are 64-bit).
MAX_CURSOR = 2**63 - 1


# --- times ------------------------------------------------------------------------------------

def wire_time(value: datetime) -> str:
    """An aware datetime as the protocol's UTC ISO 8601 text."""
    if value.tzinfo is None:
        raise ValueError("naive datetime cannot go on the wire")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    """The protocol's ISO 8601 text (an offset is required) as an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("time without an offset")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError(f"time out of range in UTC: {text}") from exc


# --- record shapes ----------------------------------------------------------------------------

# Field kinds: "str" (required text, may be empty), "str?" (text or null), "int?", "time",
# "time?", "dict", "dict?" (an object or null), "list" (an array; null reads as empty).
ENTERPRISE_FIELDS: dict[str, str] = {
    "name": "str",
    "uscc": "str?",
    "contact_name": "str",
    "phone": "str",
    "park": "str",
    "building": "str",
    "first_seen_at": "time",
    "updated_at": "time",
    # The company's profile for policy matching (``policies.CompanyProfile.to_json()``): only the
    # known facts; absent or null = nothing known.
    "profile": "dict?",
}

REQUEST_FIELDS: dict[str, str] = {
    "tracking_no": "str",
    "enterprise_uuid": "str",
    "channel": "str",
    "category": "str",
    "subcategory": "str?",
    "department": "str?",
    "description": "str",
    "urgency": "str",
    "status": "str",
    "sla_due_at": "time?",
    "specialist": "str",
    "created_at": "time",
    "updated_at": "time",
    "first_response_at": "time?",
    "resolved_at": "time?",
    "rating": "int?",
    "rating_comment": "str?",
    "linked_request_uuid": "str?",
    "suggested_category": "str?",
    # The status the station's not-yet-sent status changes started from (null: no change made
    # at the station; the status above is then merely the hub's value it holds). The hub applies
    # the station's status only when this still is the hub's status (compare-and-set).
    "status_base": "str?",
}

EVENT_FIELDS: dict[str, str] = {
    "request_uuid": "str",
    "kind": "str",
    "actor": "str",
    "origin": "str",
    "occurred_at": "time",
    "data": "dict",
}

#: A ``policy_push``: which policies (``[{"id", "version"}, …]``, 1 to
#: :data:`MAX_PUSH_POLICIES`) a specialist handed a company, how (:data:`PUSH_CHANNELS`) and when;
#: ``request_uuid`` when it was during an intake.
POLICY_PUSH_FIELDS: dict[str, str] = {
    "enterprise_uuid": "str",
    "pushed_by": "str",
    "pushed_at": "time",
    "channel": "str",
    "policies": "list",
    "request_uuid": "str?",
}
PUSH_CHANNELS = ("print_thermal", "print_a5", "told")
MAX_PUSH_POLICIES = 50

FIELDS: dict[str, dict[str, str]] = {ENTERPRISE: ENTERPRISE_FIELDS, REQUEST: REQUEST_FIELDS, EVENT: EVENT_FIELDS,
                                     POLICY_PUSH: POLICY_PUSH_FIELDS}

#: Request fields the hub owns: a station's value is only its proposal (see docs/sync.md).
HUB_OWNED_REQUEST_FIELDS = ("department", "status")
#: Keys of a timeline event's ``data`` naming a status / department it set (and ``from``, the
#: status it left): a station's unsent events with ``status`` give its ``status_base``.
STATUS_KEY = "status"
FROM_KEY = "from"
DEPARTMENT_KEY = "department"
#: ``data["reason"]`` of the hub event recording that a station's status change lost to a
#: district change it had not seen yet.
REASON_DISTRICT_KEPT = "district_status_kept"
#: Event kinds whose ``data`` repeats the request's initial values rather than changing them.
INITIAL_EVENT_KINDS = frozenset({"created"})


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    message: str = ""

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "code": self.code}
        if self.params:
            out["params"] = self.params
        if self.message:
            out["message"] = self.message
        return out

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> FieldError:
        params = raw.get("params")
        return cls(str(raw.get("field", "")), str(raw.get("code", "")),
                   dict(params) if isinstance(params, dict) else {}, str(raw.get("message", "")))


class WireError(ValueError):
    """A record or message that does not have the protocol's shape; ``errors`` says where."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in errors))


@dataclass(frozen=True)
class Record:
    """One record as parsed from the wire: Python values (datetimes, dicts), not text."""

    type: str
    uuid: str
    revision: int
    values: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.type, self.uuid, self.revision)


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    return _ENCODERS.get(kind.rstrip("?"), _encode_text)(value)


def _encode_text(value: Any) -> str:
    return value if type(value) is str else str(value)


_ENCODERS: dict[str, Any] = {"str": _encode_text, "time": wire_time, "dict": dict, "list": list, "int": int}

# Each record type's fields as (name, base kind, optional), made once per shape: to_wire and
# from_wire run for every record of every batch on both ends (benchmarks/sync_benchmark.py), so
# the kind strings are not re-parsed per field. Rebuilt when FIELDS gives another shape.
_PLANS: dict[str, tuple[dict[str, str], int, tuple[tuple[str, str, bool], ...]]] = {}


def _plan(record_type: str) -> tuple[tuple[str, str, bool], ...]:
    spec = FIELDS[record_type]
    found = _PLANS.get(record_type)
    if found is None or found[0] is not spec or found[1] != len(spec):
        found = (spec, len(spec), tuple((name, kind.rstrip("?"), kind.endswith("?")) for name, kind in spec.items()))
        _PLANS[record_type] = found
    return found[2]


def to_wire(record_type: str, uuid: str, revision: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the JSON-ready dict the protocol sends; ``values`` holds Python values."""
    out: dict[str, Any] = {"type": record_type, "uuid": uuid, "revision": int(revision)}
    get = values.get
    encoder = _ENCODERS.get
    for name, base, _optional in _plan(record_type):
        value = get(name)
        out[name] = None if value is None else encoder(base, _encode_text)(value)
    return out


def _decode(name: str, kind: str, raw: Any, errors: list[FieldError]) -> Any:
    return _decode_as(name, kind.rstrip("?"), kind.endswith("?"), raw, errors)


def _decode_as(name: str, base: str, optional: bool, raw: Any, errors: list[FieldError]) -> Any:
    if raw is None:
        if optional:
            return None
        if base == "dict":
            return {}
        if base == "list":
            return []
        errors.append(FieldError(name, "wire.required"))
        return None
    if base == "str":
        if not isinstance(raw, str):
            errors.append(FieldError(name, "wire.type", {"expected": "string"}))
            return None
        return raw
    if base == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            errors.append(FieldError(name, "wire.type", {"expected": "integer"}))
            return None
        return raw
    if base == "time":
        if not isinstance(raw, str):
            errors.append(FieldError(name, "wire.type", {"expected": "time"}))
            return None
        try:
            return parse_time(raw)
        except ValueError:
            errors.append(FieldError(name, "wire.time"))
            return None
    if base == "dict":
        if not isinstance(raw, dict):
            errors.append(FieldError(name, "wire.type", {"expected": "object"}))
            return None
        return raw
    if base == "list":
        if not isinstance(raw, list):
            errors.append(FieldError(name, "wire.type", {"expected": "array"}))
            return None
        return raw
    raise AssertionError(base)


def record_identity(raw: Any) -> tuple[str, str, int]:
    """``(type, uuid, revision)`` of a raw record as far as it can be read (for answering it)."""
    if not isinstance(raw, dict):
        return ("", "", 0)
    rev = raw.get("revision")
    return (str(raw.get("type", "")), str(raw.get("uuid", "")),
            rev if isinstance(rev, int) and not isinstance(rev, bool) else 0)


def from_wire(raw: Any) -> Record:
    """Parse one record; raises :class:`WireError` listing every shape problem."""
    if not isinstance(raw, dict):
        raise WireError([FieldError("record", "wire.type", {"expected": "object"})])
    errors: list[FieldError] = []
    record_type = raw.get("type")
    if not isinstance(record_type, str) or record_type not in FIELDS:  # a list or object is unhashable
        raise WireError([FieldError("type", "wire.choice", {"value": str(record_type)[:100]})])
    uuid = raw.get("uuid")
    if not isinstance(uuid, str) or not _UUID.fullmatch(uuid):
        errors.append(FieldError("uuid", "wire.uuid"))
    revision = raw.get("revision")
    if isinstance(revision, bool) or not isinstance(revision, int) or not 1 <= revision <= MAX_REVISION:
        errors.append(FieldError("revision", "wire.revision", {"minimum": 1, "maximum": MAX_REVISION}))
    values: dict[str, Any] = {}
    get = raw.get
    for name, base, optional in _plan(record_type):
        value = get(name)
        # A text field holding text (nearly every field of every record) needs no more checking.
        values[name] = value if base == "str" and type(value) is str else _decode_as(name, base, optional, value,
                                                                                    errors)
    if errors:
        raise WireError(errors)
    # UUIDs compare case-insensitively: one record, whatever case a client wrote it in.
    for name in UUID_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = values[name].lower()
    return Record(str(record_type), str(uuid).lower(), int(revision), values)  # type: ignore[arg-type]


#: Fields holding the uuid of another record (lower-cased on the way in, like ``uuid``).
UUID_FIELDS = ("enterprise_uuid", "request_uuid", "linked_request_uuid")


#: Wire fields that are sync bookkeeping, not content (left out of :func:`content_hash`).
_NOT_CONTENT = frozenset({"revision", "status_base"})
#: Optional fields added to a record type after records of it were stored: when null they are
#: left out of :func:`content_hash`, so a record sent again unchanged by a station of either
#: version still hashes as it did (a duplicate, not a revision conflict).
_ADDED_LATER = frozenset({"profile"})


def content_hash(wire: Mapping[str, Any]) -> str:
    """A digest of a wire record's content (without its revision): equal content, equal hash."""
    body = {k: v for k, v in wire.items()
            if k not in _NOT_CONTENT and not (k in _ADDED_LATER and v is None)}
    return hashlib.sha256(canonical_json(body)).hexdigest()


# One encoder each, made once (``json.dumps`` with options builds a new encoder per call).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def canonical_json(value: Any) -> bytes:
    return _CANONICAL.encode(value).encode("utf-8")


# --- a record's content hash from its canonical encoding ---------------------------------------
#
# The hub encodes every pushed record as canonical JSON once (for the batch's hash and the
# record's size). A record sent as ``to_wire`` writes it -- every station does -- is, as a dict,
# the very ``to_wire`` of its parse, so its content hash is the SHA-256 of that same encoding with
# the members :func:`content_hash` leaves out cut away: no second ``to_wire`` and encoding.
# Anything else (a time with ``Z``, an upper-case uuid, a missing or extra key) is hashed the
# long way, so the value never changes (tests/core/test_content_hash_from_encoding.py).

#: A time as ``wire_time`` writes it (hour, minute and second in range, so a text that matches and
#: parses is written back identically).
_WIRE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}\+00:00")


@dataclass(frozen=True)
class _Shape:
    """What a raw record of one type must look like for :func:`content_hash_of` to cut its encoding."""

    keys: frozenset[str]
    times: tuple[str, ...]
    uuids: tuple[str, ...]
    #: Required objects and arrays: a null one is read as empty, so the raw record differs.
    containers: tuple[str, ...]
    #: The members left out of the hash: always ``revision``; ``status_base`` and the fields added
    #: later when the type has them.
    cut: tuple[str, ...]


_SHAPES: dict[str, tuple[dict[str, str], int, _Shape | None]] = {}


def _shape(record_type: str) -> _Shape | None:
    """The type's :class:`_Shape`, or None when a member to cut could not be found by searching
    from the end (an object or array field sorting after it could hold the same bytes)."""
    spec = FIELDS[record_type]
    found = _SHAPES.get(record_type)
    if found is None or found[0] is not spec or found[1] != len(spec):
        cut = tuple(k for k in ("revision", *sorted(_NOT_CONTENT - {"revision"}), *sorted(_ADDED_LATER))
                    if k == "revision" or k in spec)
        nested = [name for name, kind in spec.items() if kind.rstrip("?") in ("dict", "list")]
        # Canonical JSON sorts keys: a member is the last of its bytes when no nested value follows it.
        searchable = all(name <= key for key in cut for name in nested)
        shape = _Shape(frozenset(("type", "uuid", "revision", *spec)),
                       tuple(name for name, kind in spec.items() if kind.rstrip("?") == "time"),
                       tuple(name for name in UUID_FIELDS if name in spec),
                       tuple(name for name, kind in spec.items() if kind in ("dict", "list")),
                       cut) if searchable else None
        found = (spec, len(spec), shape)
        _SHAPES[record_type] = found
    return found[2]


def _member(key: str, value: Any) -> bytes:
    """``,"key":value`` as canonical JSON writes a top-level member that is not the first."""
    # The encoder writes null and an int (a revision) as these; a whole encode() call for them
    # would cost more than the rest of the cut.
    text = b"null" if value is None else str(value).encode("ascii") if type(value) is int else canonical_json(value)
    return b',"' + key.encode("ascii") + b'":' + text


def _content_encoding(record: Record, raw: Any, encoded: bytes) -> bytes | None:
    """``canonical_json`` of the record's hashed content, cut from ``encoded`` (``canonical_json(raw)``),
    or None when ``raw`` is not exactly ``to_wire`` of ``record``."""
    shape = _shape(record.type)
    if shape is None or type(raw) is not dict or raw.keys() != shape.keys or raw["uuid"] != record.uuid:
        return None
    values = record.values
    for name in shape.uuids:
        if raw[name] != values[name]:  # lower-cased on the way in
            return None
    for name in shape.times:
        text = raw[name]
        if text is not None and not _WIRE_TIME.fullmatch(text):
            return None
    for name in shape.containers:
        if raw[name] is None:
            return None
    for key in shape.cut:
        value = raw[key]
        if key in _ADDED_LATER and value is not None:
            continue  # an added-later field is hashed when it holds something
        member = _member(key, value)
        at = encoded.rfind(member)
        end = at + len(member)
        if at < 0 or encoded[end:end + 1] not in (b",", b"}"):
            return None
        encoded = encoded[:at] + encoded[end:]
    return encoded


def content_hash_of(record: Record, raw: Any, encoded: bytes) -> str:
    """``content_hash(to_wire(record.type, record.uuid, record.revision, record.values))`` of a
    record parsed from ``raw`` (``record = from_wire(raw)``), given ``encoded = canonical_json(raw)``:
    the same value, from that encoding when ``raw`` is what ``to_wire`` writes (see above)."""
    content = _content_encoding(record, raw, encoded)
    if content is None:
        return content_hash(to_wire(record.type, record.uuid, record.revision, record.values))
    return hashlib.sha256(content).hexdigest()


def compact_json(value: Any) -> bytes:
    """The bytes a message is sent as (no whitespace, UTF-8)."""
    return _COMPACT.encode(value).encode("utf-8")


# --- messages ---------------------------------------------------------------------------------

def push_body(batch_id: str, station: str, records: list[dict[str, Any]], *,
              clock_skew_seconds: float | None = None) -> dict[str, Any]:
    """``POST /api/v1/sync/push`` body: a batch id (the idempotency key), the station, its records."""
    body: dict[str, Any] = {"protocol": PROTOCOL_VERSION, "batch_id": batch_id, "station": station,
                            "records": records}
    if clock_skew_seconds is not None:
        body["clock_skew_seconds"] = round(clock_skew_seconds, 3)
    return body


#: The keys a push body may have (anything else is refused: nothing unread is carried in).
PUSH_BODY_KEYS = frozenset({"protocol", "batch_id", "station", "clock_skew_seconds", "records"})


@dataclass(frozen=True)
class PushBatch:
    batch_id: str
    station: str
    records: list[Any]
    #: The station's own measured clock skew (seconds, + ahead of the hub), if it sent one.
    clock_skew_seconds: float | None = None


def parse_push_body(raw: Any, max_records: int) -> PushBatch:
    """The envelope of a push body; raises :class:`WireError` on a bad one (``wire.too_many``
    when it has more than ``max_records`` records)."""
    if not isinstance(raw, dict):
        raise WireError([FieldError("body", "wire.type", {"expected": "object"})])
    errors: list[FieldError] = []
    unknown = sorted(str(k)[:40] for k in raw if k not in PUSH_BODY_KEYS)
    if unknown:
        errors.append(FieldError("body", "wire.unknown_keys", {"keys": ", ".join(unknown[:5])}))
    batch_id = raw.get("batch_id")
    if not isinstance(batch_id, str) or not _UUID.fullmatch(batch_id):
        errors.append(FieldError("batch_id", "wire.uuid"))
    station = raw.get("station")
    if not isinstance(station, str) or not station:
        errors.append(FieldError("station", "wire.required"))
    records = raw.get("records")
    if not isinstance(records, list):
        errors.append(FieldError("records", "wire.type", {"expected": "array"}))
    elif len(records) > max_records:
        errors.append(FieldError("records", "wire.too_many", {"limit": max_records, "count": len(records)}))
    raw_skew = raw.get("clock_skew_seconds")
    skew: float | None = None
    if raw_skew is not None:
        try:
            if isinstance(raw_skew, bool) or not isinstance(raw_skew, int | float):
                raise TypeError
            skew = float(raw_skew)
        except (TypeError, OverflowError):
            errors.append(FieldError("clock_skew_seconds", "wire.type", {"expected": "number"}))
    if errors:
        raise WireError(errors)
    return PushBatch(str(batch_id), str(station), list(records), skew)  # type: ignore[arg-type]


def result(record_type: str, uuid: str, revision: int, status: str,
           errors: list[FieldError] | None = None, **extra: Any) -> dict[str, Any]:
    """One per-record answer of a push."""
    out: dict[str, Any] = {"type": record_type, "uuid": uuid, "revision": revision, "status": status}
    if errors:
        out["errors"] = [e.to_wire() for e in errors]
    out.update(extra)
    return out


@dataclass(frozen=True)
class RecordResult:
    type: str
    uuid: str
    revision: int
    status: str
    errors: list[FieldError]
    hub_revision: int | None = None

    @property
    def error_codes(self) -> set[str]:
        return {e.code for e in self.errors}


def parse_push_response(raw: Any) -> tuple[str, list[RecordResult]]:
    """``(batch_id, results)`` of a push answer; raises :class:`WireError` when it is not one."""
    if not isinstance(raw, dict) or not isinstance(raw.get("results"), list):
        raise WireError([FieldError("body", "wire.push_response")])
    out: list[RecordResult] = []
    for item in raw["results"]:
        if not isinstance(item, dict) or item.get("status") not in RESULT_STATUSES:
            raise WireError([FieldError("results", "wire.result")])
        errs = item.get("errors") or []
        hub_rev = item.get("hub_revision")
        out.append(RecordResult(
            str(item.get("type", "")), str(item.get("uuid", "")), int(item.get("revision") or 0), item["status"],
            [FieldError.from_wire(e) for e in errs if isinstance(e, dict)],
            hub_rev if isinstance(hub_rev, int) else None,
        ))
    return str(raw.get("batch_id", "")), out


@dataclass(frozen=True)
class Change:
    """One entry of a station's change feed: the hub-owned state of a request after a hub change,
    and the timeline events that change added."""

    seq: int
    request_uuid: str
    tracking_no: str
    status: str
    department: str | None
    events: list[Record]
    #: The district assigned the department (the station then adopts it).
    department_by_district: bool = False
    #: What is malformed about this entry (its events or fields); the station quarantines it
    #: rather than apply it, and the rest of the page goes on.
    problems: tuple[FieldError, ...] = ()


def change_to_wire(seq: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "type": REQUEST, **payload}


def change_payload(request_uuid: str, tracking_no: str, status: str, department: str | None,
                   events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the hub stores for a feed entry (``seq`` is added when it is read)."""
    return {"request_uuid": request_uuid, "tracking_no": tracking_no, "status": status,
            "department": department, "events": events}


def parse_pull_response(raw: Any) -> tuple[list[Change], int, bool]:
    """``(changes, next_cursor, has_more)`` of ``GET /api/v1/sync/pull``; :class:`WireError` if malformed."""
    if not isinstance(raw, dict) or not isinstance(raw.get("changes"), list):
        raise WireError([FieldError("body", "wire.pull_response")])
    next_cursor = raw.get("next_cursor")
    if isinstance(next_cursor, bool) or not isinstance(next_cursor, int) or next_cursor < 0:
        raise WireError([FieldError("next_cursor", "wire.type")])
    changes: list[Change] = []
    last = -1
    for item in raw["changes"]:
        if not isinstance(item, dict):
            raise WireError([FieldError("changes", "wire.type")])
        seq = item.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq <= last:
            raise WireError([FieldError("seq", "wire.order")])
        last = seq
        if not isinstance(item.get("request_uuid"), str):
            raise WireError([FieldError("changes", "wire.change")])
        # Anything else wrong is this entry's problem, not the page's: it is quarantined alone.
        problems: list[FieldError] = []
        status = item.get("status")
        if not isinstance(status, str):
            problems.append(FieldError("status", "wire.type", {"expected": "string"}))
        dept = item.get("department")
        if dept is not None and not isinstance(dept, str):
            problems.append(FieldError("department", "wire.type", {"expected": "string"}))
        raw_events = item.get("events") or []
        events: list[Record] = []
        if not isinstance(raw_events, list):
            problems.append(FieldError("events", "wire.type", {"expected": "array"}))
            raw_events = []
        for raw_event in raw_events:
            try:
                events.append(from_wire(raw_event))
            except WireError as exc:
                problems += exc.errors
        changes.append(Change(seq, item["request_uuid"].lower(), str(item.get("tracking_no", "")),
                              status if isinstance(status, str) else "",
                              dept if isinstance(dept, str) else None, events,
                              item.get("department_by_district") is True, tuple(problems)))
    if changes and next_cursor < changes[-1].seq:
        raise WireError([FieldError("next_cursor", "wire.order")])
    return changes, next_cursor, bool(raw.get("has_more"))


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


# --- OpenAPI fragments (the hub attaches them to its routes) ----------------------------------

_JSON_KIND: dict[str, dict[str, Any]] = {"str": {"type": "string"}, "str?": {"type": ["string", "null"]},
              "int?": {"type": ["integer", "null"]},
              "time": {"type": "string", "format": "date-time"},
              "time?": {"type": ["string", "null"], "format": "date-time"}, "dict": {"type": "object"},
              "dict?": {"type": ["object", "null"]}, "list": {"type": "array"}}


def record_schema(record_type: str) -> dict[str, Any]:
    props: dict[str, Any] = {"type": {"const": record_type}, "uuid": {"type": "string"},
                             "revision": {"type": "integer", "minimum": 1, "maximum": MAX_REVISION}}
    props.update({name: dict(_JSON_KIND[kind]) for name, kind in FIELDS[record_type].items()})
    return {"type": "object", "properties": props, "required": ["type", "uuid", "revision"]}


def push_request_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["batch_id", "station", "records"],
        "properties": {
            "protocol": {"type": "integer"},
            "batch_id": {"type": "string", "description": "idempotency key of the batch"},
            "station": {"type": "string", "description": "the station code the token belongs to"},
            "clock_skew_seconds": {"type": "number"},
            "records": {"type": "array", "items": {"oneOf": [record_schema(t) for t in RECORD_TYPES]}},
        },
    }
