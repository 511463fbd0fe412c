"""What the hub does with its data: station tokens, applying pushed batches, the change
feed, and district staff's updates. The HTTP API and the ``xuhui-hub`` command both call
these functions; none of them keeps state between calls (several processes may serve one
database).

Promises
--------
* A batch is applied in one transaction together with the answer given for it; the same
  batch id sent again gets that same answer (and a batch id reused for other content is
  refused with :class:`BatchConflict`). Records are idempotent by ``uuid`` + ``revision``.
* Field ownership (docs/sync.md): the station's recorded fields are taken from the newest
  station revision; ``department`` once set by the district is the hub's; a status change made
  at the station is applied only if it starts from the status the hub still has
  (compare-and-set on ``status_base``), otherwise the district's status stands and a hub
  timeline event records that. Timeline events are history: they change no field.
* Every hub-side change of a request's hub-owned state appends one entry to that station's
  change feed, after taking the station's lock, so feed sequences commit in order.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import Session, joinedload

from xuhui_desk import record_rules
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import (
    HubBatch,
    HubChange,
    HubEnterprise,
    HubEvent,
    HubMeta,
    HubPolicyPush,
    HubPolicyPushItem,
    HubRequest,
    HubStation,
)
from xuhui_desk.models import Channel, EventKind, Origin, Status, Urgency, new_uuid, utcnow
from xuhui_desk.services.prepared_statements import PreparedInsert
from xuhui_desk.sync_protocol import (
    ACCEPTED,
    DEPARTMENT_KEY,
    DUPLICATE,
    ENTERPRISE,
    ENTERPRISE_UNKNOWN,
    EVENT,
    FROM_KEY,
    POLICY_PUSH,
    REASON_DISTRICT_KEPT,
    REJECTED,
    REQUEST,
    REQUEST_UNKNOWN,
    REVISION_CONFLICT,
    STATUS_KEY,
    FieldError,
    Record,
    WireError,
    change_payload,
    change_to_wire,
    content_hash,
    content_hash_of,
    from_wire,
    record_identity,
    result,
    to_wire,
    wire_time,
)
from xuhui_desk.validation import Issue, check_phone, check_text, check_uscc, clean_text, errors

TOKEN_PREFIX = "xh1_"
STATION_CODE = re.compile(r"^[A-Z0-9]{2,12}$")
# Used with fullmatch (``$`` would let a trailing newline through); the lengths are the columns'.
_CODE = re.compile(r"[a-z][a-z0-9_]{1,15}")
#: Longest tracking number (the column's length).
_TRACKING_NO_MAX = 32
MESSAGE_LANGUAGE = "zh_CN"
#: Statuses in which a district reply moves the request to ``replied``.
_REPLY_MOVES = (Status.NEW, Status.ROUTED, Status.IN_PROGRESS)


class HubError(Exception):
    """A refusal with a message for the user."""


class StationExists(HubError):
    pass


class UnknownStation(HubError, LookupError):
    pass


class UnknownRequest(HubError, LookupError):
    pass


class InvalidUpdate(HubError, ValueError):
    pass


class BatchConflict(HubError):
    """A batch id already used for different records: never retry it."""


class TokenRevoked(HubError):
    pass


@dataclass(frozen=True)
class StationRef:
    id: int
    code: str
    token_hash: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A 256-bit random bearer token; the prefix keeps it from ever starting with '-'."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hub_id(db: HubDatabase) -> str:
    with db.session() as s:
        row = s.get(HubMeta, "hub_id")
        return row.value if row is not None else ""


# --- stations ---------------------------------------------------------------------------------

def add_station(db: HubDatabase, code: str, name: str = "", *, rotate: bool = False) -> str:
    """Register a station (or give a revoked one a new token) and return its token.

    The token is shown once: only its hash is stored. An active station keeps its token
    unless ``rotate`` is given, which replaces it (the old one stops working at once).
    """
    code = clean_text(code).upper()
    if not STATION_CODE.match(code):
        raise HubError(f"invalid station code {code!r}: 2 to 12 capital letters or digits, e.g. XH03")
    now = utcnow()
    token = new_token()
    with db.write() as s:
        station = s.scalars(select(HubStation).where(HubStation.code == code)).first()
        if station is None:
            station = HubStation(code=code, name=clean_text(name), created_at=now)
            s.add(station)
        elif station.revoked_at is None and station.token_hash and not rotate:
            raise StationExists(f"station {code} already has a token; use --rotate to replace it, "
                                f"or `xuhui-hub station revoke {code}` first")
        if name:
            station.name = clean_text(name)
        station.token_hash = hash_token(token)
        station.token_issued_at = now
        station.revoked_at = None
    return token


def revoke_station(db: HubDatabase, code: str) -> None:
    """The station's token stops working at once; its data stays."""
    with db.write() as s:
        station = s.scalars(select(HubStation).where(HubStation.code == code.upper())).first()
        if station is None:
            raise UnknownStation(f"no station {code}")
        station.token_hash = None
        station.revoked_at = utcnow()


def list_stations(db: HubDatabase) -> list[dict[str, Any]]:
    from xuhui_desk.services.timefmt import iso_local

    with db.session() as s:
        rows = s.scalars(select(HubStation).order_by(HubStation.code)).all()
        return [{"code": r.code, "name": r.name, "active": r.revoked_at is None and bool(r.token_hash),
                 "created_at": iso_local(r.created_at),
                 "last_seen_at": iso_local(r.last_seen_at) if r.last_seen_at else None} for r in rows]


def authenticate(db: HubDatabase, token: str) -> StationRef | None:
    """The station a bearer token belongs to, or ``None`` (unknown or revoked)."""
    if not token:
        return None
    digest = hash_token(token)
    with db.session() as s:
        station = s.scalars(
            select(HubStation).where(HubStation.token_hash == digest, HubStation.revoked_at.is_(None))
        ).first()
        return StationRef(station.id, station.code, digest) if station is not None else None


# --- push -------------------------------------------------------------------------------------

def _issues(issues: Iterable[Issue]) -> list[FieldError]:
    return [FieldError(i.field, i.code, dict(i.params), i.message(MESSAGE_LANGUAGE)) for i in errors(list(issues))]


# The codes a pushed request may carry, listed once (not per record).
_CHANNELS = tuple(c.value for c in Channel)
_URGENCIES = tuple(u.value for u in Urgency)
_STATUSES = tuple(s.value for s in Status)


def _choice(value: str | None, choices: tuple[str, ...], field_name: str) -> list[Issue]:
    if value in choices:  # a tuple: no copy on the way that passes
        return []
    options = list(choices)
    return [Issue(field_name, "choice.invalid", params={"value": str(value), "choices": ", ".join(options)})]


def _error(field_name: str, code: str, message: str, **params: Any) -> FieldError:
    return FieldError(field_name, code, params, message)


def _worded(errors: Iterable[FieldError]) -> list[FieldError]:
    """Shared-rule errors with their message from the catalog (the station words them itself
    when it knows the code; an older station shows this one)."""
    return [record_rules.with_message(e, MESSAGE_LANGUAGE) for e in errors]


#: The answer to a uuid the station cannot use — the same whether another station holds it or
#: this one uses it for another record, so that it tells nothing about other stations' data.
def _uuid_taken() -> FieldError:
    return record_rules.with_message(FieldError("uuid", "uuid.taken"), MESSAGE_LANGUAGE)


def _chunks(items: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    """Sorted keys to look up, ``size`` at a time. A key holding a NUL matches nothing (and
    PostgreSQL refuses NUL in a text parameter), so it is left out."""
    keys = sorted(k for k in items if "\x00" not in k)
    for i in range(0, len(keys), size):
        yield keys[i:i + size]


class _Pending:
    """A row this batch inserts at its end, in one Core ``executemany`` per table (the ORM's unit
    of work costs several times more per row). Reading and writing a column goes to ``values``;
    ``parent`` is the row it belongs to (a request's enterprise, an event's request), an ORM row
    or another pending one, whose ``id`` is known once that one is inserted."""

    __slots__ = ("id", "parent", "values")

    def __init__(self, values: dict[str, Any], parent: Any = None) -> None:
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "parent", parent)
        object.__setattr__(self, "id", None)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__slots__:
            object.__setattr__(self, name, value)
        else:
            self.values[name] = value


@cache
def _prefetch_statements() -> tuple[Any, Any, Any, Any]:
    """What :meth:`_BatchApplier._prefetch` reads, by a list of keys (``:keys``, an expanding
    parameter): built once, not per batch (building an ``IN`` of 500 literal values each time
    cost more than running it)."""
    e, r, ev = HubEnterprise.__table__.c, HubRequest.__table__.c, HubEvent.__table__.c
    keys: Any = bindparam("keys", expanding=True)
    request_columns = (r.id, r.uuid, r.station_id, r.tracking_no, r.revision, r.content_hash)
    return (select(e.id, e.uuid, e.station_id, e.revision, e.content_hash).where(e.uuid.in_(keys)),
            select(*request_columns).where(r.uuid.in_(keys)),
            select(*request_columns).where(r.tracking_no.in_(keys)),
            select(ev.id, ev.uuid, ev.request_id).where(ev.uuid.in_(keys)))


@cache
def _bulk_insert_for(model: Any, columns: tuple[str, ...]) -> PreparedInsert:
    return PreparedInsert(model.__table__, columns)


def _bulk_insert(model: Any, first_row: dict[str, Any]) -> PreparedInsert:
    """The insert of a batch's new ``model`` rows, all made with the same keys as ``first_row``
    (compiled once per set of columns and dialect)."""
    return _bulk_insert_for(model, tuple(first_row))


@cache
def _id_statement(model: Any) -> Any:
    """``uuid, id`` of the rows with the uuids ``:keys`` (an expanding parameter): built once."""
    c = model.__table__.c
    return select(c.uuid, c.id).where(c.uuid.in_(bindparam("keys", expanding=True)))


class _BatchApplier:
    """Applies the records of one batch inside the caller's transaction.

    New rows (the common case: a station sending what it recorded) are collected as
    :class:`_Pending` and inserted at the end with Core, enterprises before requests before
    events; what the checks read of rows the hub already holds is prefetched as Core rows, and a
    row the batch changes is loaded and updated through the ORM (:meth:`_orm`: a row created in
    this same batch is inserted first).
    """

    def __init__(self, session: Session, station: Any, now: datetime, *,
                 skew_seconds: float | None = None,
                 max_record_bytes: int = record_rules.MAX_RECORD_BYTES) -> None:
        self.s = session
        self.station = station
        self.now = now
        self.window = record_rules.time_window(now, skew_seconds)
        self.max_record_bytes = max_record_bytes
        # Rows by uuid (tracking number): a prefetched Core row, an ORM object, or a _Pending.
        self.enterprises: dict[str, Any] = {}
        self.requests: dict[str, Any] = {}
        self.by_tracking: dict[str, Any] = {}
        self.events: dict[str, Any] = {}
        #: Policy pushes by uuid: (station id, content hash) of those held or added by this batch.
        self.pushes: dict[str, tuple[int, str]] = {}
        self.new_pushes: list[tuple[HubPolicyPush, Any]] = []
        #: Rows to insert at the end, per table, in the order the records came.
        self.new_enterprises: list[_Pending] = []
        self.new_requests: list[_Pending] = []
        self.new_events: list[_Pending] = []
        #: Requests whose hub-owned state this batch may change: (row, status before, department before).
        self.touched: dict[str, tuple[HubRequest, str, str | None]] = {}
        #: Hub timeline events this batch added, per request uuid (they go into its feed entry).
        self.hub_events: dict[str, list[HubEvent]] = {}
        #: The newest station ``reply`` event of this batch per request uuid: (request row, when, text).
        self.replies: dict[str, tuple[Any, datetime, str]] = {}
        self.tracking_re = re.compile(rf"{re.escape(station.code)}-[0-9]{{8}}-[0-9]{{3,}}")

    # Loading everything the batch refers to in a few queries keeps a 500-record batch fast. What
    # is loaded are Core rows with the columns the checks read (an ORM object costs several times
    # more); a row the batch changes is loaded as an ORM object then (:meth:`_orm`).
    def _prefetch(self, records: list[Record]) -> None:
        ent_ids = {r.uuid for r in records if r.type == ENTERPRISE}
        ent_ids |= {r.values["enterprise_uuid"] for r in records if r.type in (REQUEST, POLICY_PUSH)}
        req_ids = {r.uuid for r in records if r.type == REQUEST}
        req_ids |= {r.values["request_uuid"] for r in records
                    if r.type == EVENT or (r.type == POLICY_PUSH and r.values["request_uuid"])}
        ev_ids = {r.uuid for r in records if r.type == EVENT}
        tracking = {r.values["tracking_no"] for r in records if r.type == REQUEST}
        enterprises, requests, by_tracking, events = _prefetch_statements()
        for part in _chunks(ent_ids):
            self.enterprises.update((row.uuid, row) for row in self.s.execute(enterprises, {"keys": part}))
        for part in _chunks(req_ids):
            self.requests.update((row.uuid, row) for row in self.s.execute(requests, {"keys": part}))
        for part in _chunks(tracking):
            self.by_tracking.update((row.tracking_no, row) for row in self.s.execute(by_tracking, {"keys": part}))
        for part in _chunks(ev_ids):
            self.events.update((row.uuid, row) for row in self.s.execute(events, {"keys": part}))
        pp = HubPolicyPush.__table__.c
        for part in _chunks({r.uuid for r in records if r.type == POLICY_PUSH}):
            self.pushes.update((row.uuid, (row.station_id, row.content_hash)) for row in self.s.execute(
                select(pp.uuid, pp.station_id, pp.content_hash).where(pp.uuid.in_(part))))

    def apply(self, raws: list[Any], sizes: list[int] | None = None,
              encodings: list[bytes] | None = None) -> list[dict[str, Any]]:
        """One result per record of ``raws``. ``encodings``: each raw record's ``canonical_json``,
        when the caller made them (its size, and its content hash without encoding it again)."""
        if encodings is not None and len(encodings) == len(raws):
            sizes = [len(e) for e in encodings]
        else:
            encodings = None
        parsed: list[tuple[Record, Any, bytes | None] | dict[str, Any]] = []
        for index, raw in enumerate(raws):
            if sizes is not None and len(sizes) == len(raws):  # as record_rules.check_record_size
                size = sizes[index]
                too_large = ([] if size <= self.max_record_bytes else
                             [FieldError("record", "record.too_large", {"size": size, "limit": self.max_record_bytes})])
            else:
                too_large = record_rules.check_record_size(raw, self.max_record_bytes)
            try:
                if too_large:
                    raise WireError(_worded(too_large))
                parsed.append((from_wire(raw), raw, encodings[index] if encodings is not None else None))
            except WireError as exc:
                rtype, ruuid, rrev = record_identity(raw)
                parsed.append(result(rtype, ruuid.lower(), rrev, REJECTED, exc.errors))
        self._prefetch([p[0] for p in parsed if isinstance(p, tuple)])
        out: list[dict[str, Any]] = []
        for item in parsed:
            if not isinstance(item, tuple):
                out.append(item)
                continue
            rec, raw, encoded = item
            if rec.type == ENTERPRISE:
                out.append(self._enterprise(rec, raw, encoded))
            elif rec.type == REQUEST:
                out.append(self._request(rec, raw, encoded))
            elif rec.type == POLICY_PUSH:
                out.append(self._policy_push(rec, raw, encoded))
            else:
                out.append(self._event(rec))
        self._insert_pending()
        self._copy_replies()
        for push, enterprise in self.new_pushes:  # after the enterprises they refer to
            push.enterprise_id = enterprise.id
            self.s.add(push)
        self.finish()
        self.s.flush()
        return out

    def _insert_pending(self) -> None:
        """Insert the batch's new rows: one DBAPI ``executemany`` per table, every column's values
        through its type's bind processor once per batch (:class:`PreparedInsert`); the ids of the
        rows a later table refers to (enterprises, requests) are read back by uuid."""
        conn = None
        for model, pending, parent_key in ((HubEnterprise, self.new_enterprises, None),
                                           (HubRequest, self.new_requests, "enterprise_id"),
                                           (HubEvent, self.new_events, "request_id")):
            if not pending:
                continue
            conn = conn or self.s.connection()
            rows = []
            for row in pending:
                if parent_key is not None:
                    row.values[parent_key] = row.parent.id
                rows.append(row.values)
            _bulk_insert(model, rows[0]).executemany(conn, rows)
            if model is not HubEvent:
                self._read_ids(model, pending)
            pending.clear()

    def _read_ids(self, model: Any, pending: list[_Pending]) -> None:
        """The ids of rows just inserted, by their uuids (unique), one query per 500 rows: a DBAPI
        ``executemany`` returns no rows (SQLite's cannot run ``RETURNING``)."""
        by_uuid = {row.values["uuid"]: row for row in pending}
        statement = _id_statement(model)
        for part in _chunks(by_uuid):
            for uuid, row_id in self.s.execute(statement, {"keys": part}):
                by_uuid[uuid].id = row_id
        missing = [u for u, row in by_uuid.items() if row.id is None]
        if missing:  # cannot happen: the uuids were inserted in this transaction
            raise RuntimeError(f"inserted {model.__tablename__} rows not found: {missing[:3]}")

    def _orm(self, model: Any, row: Any) -> Any:
        """``row`` (a prefetched Core row, or one this batch inserts) as an ORM object, to change
        it; what is pending is inserted first, so that the object can be loaded."""
        if isinstance(row, model):
            return row
        if row.id is None:
            self._insert_pending()
        obj = self.s.get(model, row.id)
        assert obj is not None
        if model is HubEnterprise:
            self.enterprises[obj.uuid] = obj
        else:
            self.requests[obj.uuid] = obj
            self.by_tracking[obj.tracking_no] = obj
        return obj

    def _owned_elsewhere(self, row: Any) -> bool:
        return row is not None and row.station_id != self.station.id

    # -- enterprises
    def _enterprise(self, rec: Record, raw: Any, encoded: bytes | None) -> dict[str, Any]:
        v = dict(rec.values)
        # What is validated is what is stored: the cleaned texts (no control characters).
        for name in ("name", "contact_name", "park", "building"):
            v[name] = clean_text(v[name])
        uscc, uscc_issues = check_uscc(v["uscc"] or "")
        phone, phone_issues = check_phone(v["phone"])
        issues = check_text(v["name"], "enterprise_name", required=True, minimum=2)
        issues += uscc_issues + phone_issues
        for name in ("contact_name", "park", "building"):
            issues += check_text(v[name], name)
        errs = _issues(issues)
        errs += _worded(e for name in ("first_seen_at", "updated_at") for e in self.window.check(name, v[name]))
        errs += _worded(record_rules.check_profile(v["profile"], today=self.window.latest.date()))
        existing = self.enterprises.get(rec.uuid)
        if self._owned_elsewhere(existing):
            errs.append(_uuid_taken())
        if errs:
            return result(ENTERPRISE, rec.uuid, rec.revision, REJECTED, errs)
        v["uscc"] = uscc or None
        v["phone"] = phone
        v["profile"] = _profile_text(v["profile"], self.window.latest.date())
        digest = _content_hash(rec, raw, encoded)
        if existing is None:
            row = _Pending({"uuid": rec.uuid, "station_id": self.station.id, "revision": rec.revision,
                            "content_hash": digest, "received_at": self.now, "changed_at": self.now, **v})
            self.new_enterprises.append(row)
            self.enterprises[rec.uuid] = row
            return result(ENTERPRISE, rec.uuid, rec.revision, ACCEPTED)
        verdict = _revision_verdict(existing.revision, existing.content_hash, rec.revision, digest)
        if verdict != ACCEPTED:
            return _verdict_result(ENTERPRISE, rec, verdict, existing.revision)
        if not isinstance(existing, _Pending):  # a row inserted with this batch is changed in place
            existing = self._orm(HubEnterprise, existing)
        for key, value in v.items():
            setattr(existing, key, value)
        existing.revision = rec.revision
        existing.content_hash = digest
        existing.changed_at = self.now
        return result(ENTERPRISE, rec.uuid, rec.revision, ACCEPTED)

    # -- policy pushes (issue 15): immutable, one per uuid, for an enterprise of this station
    def _policy_push(self, rec: Record, raw: Any, encoded: bytes | None) -> dict[str, Any]:
        v = dict(rec.values)
        v["pushed_by"] = clean_text(v["pushed_by"])
        errs = _worded(record_rules.check_policy_push(v, window=self.window))
        if rec.revision != 1:
            errs.append(_error("revision", "wire.revision", "政策推送记录不可修改，版本号只能为 1",
                               minimum=1, maximum=1))
        digest = _content_hash(rec, raw, encoded)
        held = self.pushes.get(rec.uuid)
        if held is not None:
            if held == (self.station.id, digest) and not errs:
                return result(POLICY_PUSH, rec.uuid, rec.revision, DUPLICATE)
            if held != (self.station.id, digest):
                errs.append(_uuid_taken())
        enterprise = self.enterprises.get(v["enterprise_uuid"])
        if enterprise is None or self._owned_elsewhere(enterprise):
            errs.append(_error("enterprise_uuid", ENTERPRISE_UNKNOWN, "所属企业尚未同步到区级平台"))
        if v["request_uuid"]:
            request = self.requests.get(v["request_uuid"])
            if request is None or self._owned_elsewhere(request):
                errs.append(_error("request_uuid", REQUEST_UNKNOWN, "所属诉求尚未同步到区级平台"))
        if errs:
            return result(POLICY_PUSH, rec.uuid, rec.revision, REJECTED, errs)
        push = HubPolicyPush(uuid=rec.uuid, station_id=self.station.id, request_uuid=v["request_uuid"],
                             pushed_by=v["pushed_by"], pushed_at=v["pushed_at"], channel=v["channel"],
                             content_hash=digest, received_at=self.now,
                             items=[HubPolicyPushItem(policy_id=p["id"], policy_version=p["version"], state="pushed")
                                    for p in v["policies"]])
        self.new_pushes.append((push, enterprise))
        self.pushes[rec.uuid] = (self.station.id, digest)
        return result(POLICY_PUSH, rec.uuid, rec.revision, ACCEPTED)

    # -- requests
    def _validate_request(self, v: dict[str, Any]) -> list[FieldError]:
        """Field errors of a request's values; cleans its texts in ``v`` first (what is
        validated is what is stored)."""
        v["description"] = clean_text(v["description"], multiline=True)
        v["specialist"] = clean_text(v["specialist"])
        if v["rating_comment"] is not None:
            v["rating_comment"] = clean_text(v["rating_comment"], multiline=True)
        for name in ("subcategory", "department", "suggested_category", "linked_request_uuid"):
            if v[name] is not None:
                v[name] = clean_text(v[name])
        issues: list[Issue] = []
        issues += _choice(v["channel"], _CHANNELS, "channel")
        issues += _choice(v["urgency"], _URGENCIES, "urgency")
        issues += _choice(v["status"], _STATUSES, "status")
        issues += check_text(v["description"], "description", required=True, minimum=4)
        issues += check_text(v["specialist"], "specialist")
        issues += check_text(v["rating_comment"] or "", "comment")
        if v["rating"] is not None and not 1 <= v["rating"] <= 5:
            issues.append(Issue("rating", "rating.range"))
        errs = _issues(issues)
        if not _CODE.fullmatch(v["category"] or ""):
            errs.append(_error("category", "category.invalid", "诉求类别代码无效", value=v["category"][:100]))
        for name, limit in (("subcategory", 32), ("department", 32), ("suggested_category", 16),
                            ("linked_request_uuid", 36)):
            if v[name] is not None and len(v[name]) > limit:
                errs.append(_error(name, "text.too_long", f"{name} 过长", limit=limit))
        window = self.window
        timing = [e for name in ("created_at", "updated_at", "first_response_at", "resolved_at")
                  for e in window.check(name, v[name])]
        timing += window.check("sla_due_at", v["sla_due_at"], due=True)
        base = v["status_base"]
        if base not in (None, "") and base not in record_rules.STATUSES:
            timing.append(FieldError("status_base", "status.unknown", {"value": str(base)[:40]}))
        elif base and v["status"] in record_rules.STATUSES and not record_rules.reachable(base, v["status"]):
            timing.append(FieldError("status", "status.transition", {"source": base, "target": v["status"]}))
        errs += _worded(timing)
        if len(v["tracking_no"]) > _TRACKING_NO_MAX or not self.tracking_re.fullmatch(v["tracking_no"]):
            code = self.station.code
            errs.append(_error("tracking_no", "tracking_no.station",
                               f"受理编号应以本服务站代码 {code} 开头（如 {code}-20260101-001）"))
        return errs

    def _request(self, rec: Record, raw: Any, encoded: bytes | None) -> dict[str, Any]:
        v = dict(rec.values)
        errs = self._validate_request(v)
        existing = self.requests.get(rec.uuid)
        if self._owned_elsewhere(existing):
            errs.append(_uuid_taken())
        enterprise = self.enterprises.get(v["enterprise_uuid"])
        if enterprise is None or self._owned_elsewhere(enterprise):
            errs.append(_error("enterprise_uuid", ENTERPRISE_UNKNOWN, "所属企业尚未同步到区级平台"))
        holder = self.by_tracking.get(v["tracking_no"])
        # Only a number of this station's own form can be "taken" (by another of its own
        # requests); another station's number is answered as malformed, never as existing.
        if (holder is not None and holder.uuid != rec.uuid and holder.station_id == self.station.id
                and self.tracking_re.fullmatch(v["tracking_no"])):
            errs.append(_error("tracking_no", "tracking_no.taken", "该受理编号已被另一条诉求使用"))
        if errs:
            return result(REQUEST, rec.uuid, rec.revision, REJECTED, errs)
        assert enterprise is not None
        digest = _content_hash(rec, raw, encoded)
        station_fields = {k: v[k] for k in v if k not in ("enterprise_uuid", "status", "department", "status_base")}
        if existing is None:
            row = _Pending({"uuid": rec.uuid, "station_id": self.station.id, "enterprise_id": None,
                            "station_status": v["status"], "station_department": v["department"],
                            "status": v["status"], "department": v["department"], "department_by_district": False,
                            "reply": None, "revision": rec.revision, "content_hash": digest,
                            "received_at": self.now, "changed_at": self.now, **station_fields}, enterprise)
            self.new_requests.append(row)
            self.requests[rec.uuid] = row
            self.by_tracking[row.tracking_no] = row
            return result(REQUEST, rec.uuid, rec.revision, ACCEPTED)
        verdict = _revision_verdict(existing.revision, existing.content_hash, rec.revision, digest)
        if verdict != ACCEPTED:
            return _verdict_result(REQUEST, rec, verdict, existing.revision)
        existing = self._orm(HubRequest, existing)
        enterprise = self._orm(HubEnterprise, enterprise)
        self._touch(existing)
        for key, value in station_fields.items():
            setattr(existing, key, value)
        existing.enterprise = enterprise
        existing.station_status = v["status"]
        existing.station_department = v["department"]
        if not existing.department_by_district:
            existing.department = v["department"]
        base = rec.values.get("status_base")
        if base is not None and v["status"] != existing.status:
            if base in ("", existing.status):
                # A change made at the station, from the status the hub still has.
                existing.status = v["status"]
            else:
                # The district changed the status meanwhile: the hub's status stands, and the
                # timeline says so after the station's own (unapplied) change.
                self._event_now(existing, EventKind.STATUS_CHANGED,
                                {FROM_KEY: v["status"], STATUS_KEY: existing.status, "reason": REASON_DISTRICT_KEPT})
        existing.revision = rec.revision
        existing.content_hash = digest
        existing.changed_at = self.now
        self.by_tracking[existing.tracking_no] = existing
        return result(REQUEST, rec.uuid, rec.revision, ACCEPTED)

    def _event_now(self, request: HubRequest, kind: str, data: dict[str, Any]) -> None:
        row = HubEvent(uuid=new_uuid(), request=request, kind=kind, actor="", origin=Origin.HUB,
                       occurred_at=self.now, data=data, received_at=self.now)
        self.s.add(row)
        self.hub_events.setdefault(request.uuid, []).append(row)

    # -- events
    def _event(self, rec: Record) -> dict[str, Any]:
        v = dict(rec.values)
        v["actor"] = clean_text(v["actor"])
        request = self.requests.get(v["request_uuid"])
        existing = self.events.get(rec.uuid)
        errs: list[FieldError] = []
        if request is None or self._owned_elsewhere(request):
            errs.append(_error("request_uuid", REQUEST_UNKNOWN, "所属诉求尚未同步到区级平台"))
        elif existing is not None:
            same = (existing.parent.uuid == request.uuid if isinstance(existing, _Pending)
                    else request.id is not None and existing.request_id == request.id)
            if not same:
                errs.append(_uuid_taken())
            else:
                return result(EVENT, rec.uuid, rec.revision, DUPLICATE)
        errs += _worded(record_rules.check_event(v, origin=Origin.STATION.value, window=self.window))
        if errs:
            return result(EVENT, rec.uuid, rec.revision, REJECTED, errs)
        assert request is not None
        row = _Pending({"uuid": rec.uuid, "request_id": None, "kind": v["kind"], "actor": v["actor"],
                        "origin": v["origin"], "occurred_at": v["occurred_at"], "data": v["data"],
                        "received_at": self.now}, request)
        self.new_events.append(row)
        self.events[rec.uuid] = row
        if v["kind"] == EventKind.REPLY:
            known = self.replies.get(request.uuid)
            if known is None or v["occurred_at"] >= known[1]:
                self.replies[request.uuid] = (request, v["occurred_at"], v["data"]["text"])
        return result(EVENT, rec.uuid, rec.revision, ACCEPTED)

    def _copy_replies(self) -> None:
        """The request list's reply column (``HubRequest.reply``) follows the newest ``reply`` event
        of a request's timeline, whoever wrote it: a reply the station recorded (pushed as an
        event) is copied there, unless the timeline already holds a later reply (the district's,
        say, or one pushed earlier with a later time). Runs after the batch's events are inserted."""
        e = HubEvent.__table__.c
        for request, occurred_at, text in self.replies.values():
            later = exists().where(e.request_id == request.id, e.kind == EventKind.REPLY.value,
                                   e.occurred_at > occurred_at)
            # A plain statement: the ORM copy of a request this batch changed has no reply to sync.
            self.s.execute(update(HubRequest).where(HubRequest.id == request.id, ~later).values(reply=text)
                           .execution_options(synchronize_session=False))

    def _touch(self, request: HubRequest) -> None:
        self.touched.setdefault(request.uuid, (request, request.status, request.department))

    def finish(self) -> None:
        """One feed entry per request whose hub-owned state changed in this batch (superseding
        older entries the station may not have pulled yet), or whose station copy is now
        known to differ from the hub's (a correction)."""
        for request, status, department in self.touched.values():
            after = (request.status, request.department)
            events = self.hub_events.get(request.uuid, [])
            if events or after != (status, department) or after != (request.station_status,
                                                                     request.station_department):
                request.changed_at = self.now
                append_change(self.s, request, events, self.now)


def _profile_text(raw: dict[str, Any] | None, today: Any) -> str | None:
    """A checked profile as stored: its normalised JSON (known facts only), or NULL when nothing
    is known."""
    from xuhui_desk.policies import CompanyProfile

    if raw is None:
        return None
    facts = CompanyProfile.from_json(raw, today=today).to_json()
    return json.dumps(facts, ensure_ascii=False, sort_keys=True) if facts else None


def _content_hash(rec: Record, raw: Any, encoded: bytes | None) -> str:
    """The record's content hash (``content_hash(to_wire(...))``): cut from the encoding the push
    handler made already when there is one (``sync_protocol.content_hash_of``)."""
    if encoded is None:
        return content_hash(to_wire(rec.type, rec.uuid, rec.revision, rec.values))
    return content_hash_of(rec, raw, encoded)


def _revision_verdict(stored_rev: int, stored_hash: str, rev: int, digest: str) -> str:
    if rev > stored_rev:
        return ACCEPTED
    if rev == stored_rev and digest == stored_hash:
        return DUPLICATE
    return REJECTED


def _verdict_result(rtype: str, rec: Record, verdict: str, hub_revision: int) -> dict[str, Any]:
    if verdict == DUPLICATE:
        return result(rtype, rec.uuid, rec.revision, DUPLICATE)
    # An older revision, or the same revision with other content (a station restored from a
    # backup): the station re-bases its record above the hub's and sends it again.
    return result(rtype, rec.uuid, rec.revision, REJECTED,
                  [_error("revision", REVISION_CONFLICT, "区级平台已有该记录的较新版本", hub_revision=hub_revision)],
                  hub_revision=hub_revision)


def apply_push(db: HubDatabase, station: StationRef, batch_id: str, records: list[Any], body_hash: str,
               *, now: datetime | None = None, skew_seconds: float | None = None,
               max_record_bytes: int = record_rules.MAX_RECORD_BYTES,
               record_sizes: list[int] | None = None, encodings: list[bytes] | None = None) -> dict[str, Any]:
    """Apply a batch (see the module doc) and return the answer: one result per record, in order.

    Every record is checked as strictly as the station checks it (``record_rules``: sizes, times
    in the window around the hub's clock widened by the station's reported ``skew_seconds``,
    statuses and moves, event kinds and their data); a bad one is rejected with its reasons and
    nothing of it is stored. ``record_sizes``: each record's size as compact JSON, when the caller
    has encoded them already (else they are measured here); ``encodings``: each record's
    ``canonical_json`` (then its size, and the content hash is cut from it)."""
    now = now or utcnow()
    statements = _push_statements()
    with db.write() as s:
        db.lock_station(s, station.id)
        # Core statements, not ORM objects: the batch's own bookkeeping costs the same whatever
        # its size, and the ORM's identity map and unit of work would double it.
        current = s.execute(statements.station, {"id": station.id}).first()
        if current is None or current.revoked_at is not None or current.token_hash != station.token_hash:
            raise TokenRevoked("the station's token was revoked")
        prior = s.execute(statements.prior, {"station_id": station.id, "batch_id": batch_id}).first()
        if prior is not None:
            if prior.body_hash != body_hash:
                raise BatchConflict(f"batch {batch_id} was already received with other records; "
                                    "send these records in a new batch")
            return {**prior.response, "replayed": True, "server_time": wire_time(utcnow())}
        results = _BatchApplier(s, current, now, skew_seconds=skew_seconds,
                                max_record_bytes=max_record_bytes).apply(records, record_sizes, encodings)
        response = {"batch_id": batch_id, "results": results}
        conn = s.connection()
        statements.batch.executemany(conn, [{"station_id": station.id, "batch_id": batch_id, "body_hash": body_hash,
                                             "response": response, "received_at": now}])
        s.execute(statements.seen, {"station_id": station.id, "now": now})
    return {**response, "server_time": wire_time(utcnow())}


@dataclass(frozen=True)
class _PushStatements:
    station: Any
    prior: Any
    batch: PreparedInsert
    seen: Any


@cache
def _push_statements() -> _PushStatements:
    """What :func:`apply_push` runs besides the batch's records, built once."""
    st, b = HubStation.__table__.c, HubBatch.__table__.c
    return _PushStatements(
        station=select(st.id, st.code, st.revoked_at, st.token_hash).where(st.id == bindparam("id")),
        prior=select(b.body_hash, b.response).where(b.station_id == bindparam("station_id"),
                                                    b.batch_id == bindparam("batch_id")),
        batch=PreparedInsert(HubBatch.__table__, ["station_id", "batch_id", "body_hash", "response", "received_at"]),
        seen=update(HubStation).where(st.id == bindparam("station_id")).values(last_seen_at=bindparam("now")))


# --- change feed ------------------------------------------------------------------------------

def event_wire(e: HubEvent, request_uuid: str) -> dict[str, Any]:
    return to_wire(EVENT, e.uuid, 1, {"request_uuid": request_uuid, "kind": e.kind, "actor": e.actor,
                                      "origin": e.origin, "occurred_at": e.occurred_at, "data": e.data})


def append_change(session: Session, request: HubRequest, events: list[HubEvent], now: datetime) -> None:
    """Append the request's current hub-owned state to its station's feed (station lock held)."""
    payload = change_payload(request.uuid, request.tracking_no, request.status, request.department,
                             [event_wire(e, request.uuid) for e in events])
    payload["department_by_district"] = request.department_by_district
    session.add(HubChange(station_id=request.station_id, request=request, payload=payload, created_at=now))


def pull(db: HubDatabase, station: StationRef, cursor: int, limit: int) -> dict[str, Any]:
    """The station's changes after ``cursor``, oldest first, at most ``limit``."""
    with db.session() as s:
        rows = s.execute(
            select(HubChange.seq, HubChange.payload)
            .where(HubChange.station_id == station.id, HubChange.seq > cursor)
            .order_by(HubChange.seq)
            .limit(limit + 1)
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    # A JSON column leaves SQLAlchemy's select untyped: the row's fields are read by name.
    changes = [change_to_wire(row.seq, row.payload) for row in rows]
    return {"changes": changes, "next_cursor": rows[-1][0] if rows else cursor, "has_more": has_more,
            "server_time": wire_time(utcnow())}


# --- district staff ---------------------------------------------------------------------------

def district_update(db: HubDatabase, tracking_no: str, *, status: str | None = None,
                    department: str | None = None, reply: str | None = None, actor: str = "",
                    now: datetime | None = None) -> dict[str, Any]:
    """Change a request's district-owned fields; each change becomes a hub timeline event and
    one feed entry for the request's station. A reply moves an open request to ``replied``
    unless another status is given."""
    now = now or utcnow()
    if status is None and department is None and reply is None:
        raise InvalidUpdate("nothing to change: give a status, a department and/or a reply")
    if status is not None and status not in {s.value for s in Status}:
        raise InvalidUpdate(f"unknown status {status!r}; one of: {', '.join(s.value for s in Status)}")
    department = clean_text(department) if department is not None else None
    if department is not None and not 1 <= len(department) <= 32:
        raise InvalidUpdate("the department must be 1 to 32 characters")
    reply = clean_text(reply, multiline=True) if reply is not None else None
    if reply is not None and check_text(reply, "note", required=True):
        raise InvalidUpdate("the reply is empty or longer than 2000 characters")
    actor = clean_text(actor) or "district"
    if "\x00" in tracking_no:  # no tracking number holds one (and PostgreSQL cannot be asked)
        raise UnknownRequest(f"no request {tracking_no!r}")
    with db.write() as s:
        found = s.scalars(select(HubRequest.station_id).where(HubRequest.tracking_no == tracking_no)).first()
        if found is None:
            raise UnknownRequest(f"no request {tracking_no}")
        db.lock_station(s, found)
        req = s.scalars(select(HubRequest).where(HubRequest.tracking_no == tracking_no)
                        .execution_options(populate_existing=True)).one()
        events: list[HubEvent] = []

        def event(kind: str, data: dict[str, Any]) -> None:
            events.append(HubEvent(uuid=new_uuid(), request=req, kind=kind, actor=actor, origin=Origin.HUB,
                                   occurred_at=now, data=data, received_at=now))

        if department is not None:
            if department != req.department:
                event(EventKind.REASSIGNED, {DEPARTMENT_KEY: department, "from_department": req.department})
                req.department = department
            req.department_by_district = True
        if reply is not None:
            event(EventKind.REPLY, {"text": reply})
            req.reply = reply
            if status is None and req.status in _REPLY_MOVES:
                status = Status.REPLIED
        if status is not None and status != req.status:
            event(EventKind.STATUS_CHANGED, {FROM_KEY: req.status, STATUS_KEY: str(status)})
            req.status = str(status)
        if events:
            s.add_all(events)
            s.flush()
            req.changed_at = now
            append_change(s, req, events, now)
        return request_dict(req) | {"events_added": len(events)}


# --- reading ----------------------------------------------------------------------------------

def request_dict(r: HubRequest) -> dict[str, Any]:
    """The keys of ``xuhui-desk list --json`` plus ``station`` and the district's reply."""
    from xuhui_desk.services.search import request_fields
    from xuhui_desk.services.timefmt import iso_local

    return request_fields(r) | {
        "station": r.station.code,
        "sync_state": "synced",
        "reply": r.reply,
        "received_at": iso_local(r.received_at),
    }


@dataclass(frozen=True)
class Skipped:
    """A row a listing or report could not use, and why (the command says which)."""

    tracking_no: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"tracking_no": self.tracking_no, "reason": self.reason}


#: What a bad row can raise while it is formatted (a time beyond the calendar, a value of the
#: wrong type): the row is skipped and flagged, the listing goes on.
ROW_ERRORS = (ValueError, OverflowError, TypeError, LookupError, AttributeError)


def row_problems(r: HubRequest, now: datetime | None = None) -> list[str]:
    """Why a stored request row is implausible (it may predate the hub's checks, or have been
    written past them): unknown status, rating out of range, times outside the window."""
    window = record_rules.time_window(now or utcnow(), record_rules.MAX_HONOURED_SKEW.total_seconds())
    problems: list[str] = []
    if r.status not in record_rules.STATUSES:
        problems.append(f"unknown status {str(r.status)[:40]!r}")
    if r.rating is not None and (isinstance(r.rating, bool) or not isinstance(r.rating, int)
                                 or not 1 <= r.rating <= 5):
        problems.append(f"rating {str(r.rating)[:20]!r} is not 1–5")
    for name in ("created_at", "updated_at", "first_response_at", "resolved_at", "sla_due_at"):
        for err in window.check(name, getattr(r, name), due=name == "sla_due_at"):
            problems.append(f"{name} {err.params['value']} is outside {err.params['earliest']}–"
                            f"{err.params['latest']}")
    return problems


def list_requests_checked(db: HubDatabase, station: str | None = None, status: str | None = None,
                          ) -> tuple[list[dict[str, Any]], list[Skipped]]:
    """Requests in the order the hub received them (never by a station's clock), and the rows
    skipped because they cannot be used (see :func:`row_problems`) — one bad row never stops
    the listing of every station's requests."""
    out: list[dict[str, Any]] = []
    skipped: list[Skipped] = []
    now = utcnow()
    with db.session() as s:
        stmt = select(HubRequest).order_by(HubRequest.id).options(
            joinedload(HubRequest.station), joinedload(HubRequest.enterprise))
        if station:
            stmt = stmt.join(HubStation, HubStation.id == HubRequest.station_id).where(
                HubStation.code == station.upper())
        if status:
            stmt = stmt.where(HubRequest.status == status)
        for r in s.scalars(stmt).unique():
            problems = row_problems(r, now)
            if problems:
                skipped.append(Skipped(r.tracking_no, "; ".join(problems)))
                continue
            try:
                out.append(request_dict(r))
            except ROW_ERRORS as exc:
                skipped.append(Skipped(r.tracking_no, f"{type(exc).__name__}: {exc}"))
    return out, skipped


def list_requests(db: HubDatabase, station: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Requests in the order the hub received them (never by a station's clock); rows that
    cannot be used are left out (:func:`list_requests_checked` says which)."""
    return list_requests_checked(db, station, status)[0]


def _event_dict(e: HubEvent, now: datetime) -> dict[str, Any]:
    from xuhui_desk.services.timefmt import iso_local

    out = {"uuid": e.uuid, "kind": e.kind, "actor": e.actor, "origin": e.origin,
           "occurred_at": iso_local(e.occurred_at), "received_at": iso_local(e.received_at), "data": e.data}
    values = {"kind": e.kind, "actor": e.actor, "origin": e.origin, "occurred_at": e.occurred_at,
              "data": e.data if isinstance(e.data, dict) else None}
    window = record_rules.time_window(now, record_rules.MAX_HONOURED_SKEW.total_seconds())
    problems = record_rules.check_event(values, origin=str(e.origin), window=window)
    if problems:
        # Shown, flagged, and left out of the figures (see report_rows / timeline_facts).
        out["invalid"] = [f"{p.field}: {p.code}" for p in problems]
    return out


def request_detail(db: HubDatabase, tracking_no: str) -> dict[str, Any]:
    """One request with its timeline in hub arrival order. Implausible values are shown as
    stored and flagged (``problems`` on the request, ``invalid`` on an event), never a crash."""
    now = utcnow()
    with db.session() as s:
        req = s.scalars(select(HubRequest).where(HubRequest.tracking_no == tracking_no)).first()
        if req is None:
            raise UnknownRequest(f"no request {tracking_no}")
        events = s.scalars(select(HubEvent).where(HubEvent.request_id == req.id).order_by(HubEvent.id)).all()
        out = request_dict(req) | {"events": [_event_dict(e, now) for e in events]}
        problems = row_problems(req, now)
        if problems:
            out["problems"] = problems
        return out
