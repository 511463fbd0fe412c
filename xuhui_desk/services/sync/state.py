"""The station's sync bookkeeping, read and repaired without the network: the ``sync_meta``
keys (cursor, lease, last round, quarantined pulls), the status bar's :class:`SyncStatus`,
the quarantined records (:func:`rejected_records`, :func:`resend`) and the recovery of what a
crashed round left ``sending`` (:func:`recover`)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.models import (
    Enterprise,
    Origin,
    PolicyPush,
    Request,
    RequestEvent,
    SyncBatch,
    SyncMeta,
    SyncState,
    utcnow,
)
from xuhui_desk.services.prepared_statements import PreparedStatement
from xuhui_desk.services.sync.errors import error_kind
from xuhui_desk.sync_protocol import ENTERPRISE, EVENT, POLICY_PUSH, REQUEST, FieldError, parse_time

# --- bookkeeping keys (table sync_meta) ---------------------------------------------------------
META_CURSOR = "pull_cursor"
META_HUB_ID = "hub_id"
META_LAST_SUCCESS = "last_success_at"
META_LAST_ATTEMPT = "last_attempt_at"
META_LAST_ERROR = "last_error"
META_LAST_ERROR_KIND = "last_error_kind"
META_LAST_SUMMARY = "last_summary"
META_SKEW = "clock_skew_seconds"
META_PAUSED = "paused_reason"
META_PAUSED_PROTOCOL = "paused_min_protocol"
META_LEASE = "round_lease"
META_EVENT_ERROR = "event_error:"
#: A change pulled from the hub that failed the checks and was not applied (key + its seq).
META_PULL_QUARANTINE = "pull_quarantine:"

# Batch states in sync_batches.
BATCH_SENDING = "sending"
BATCH_DONE = "done"
BATCH_SPLIT = "split"
BATCH_FAILED = "failed"
BATCH_INTERRUPTED = "interrupted"

# Kinds of quarantine (sync_error["kind"]).
Q_REJECTED = "rejected"
Q_TOO_LARGE = "too_large"
Q_TIMEOUT = "timeout"
#: A change from the hub's feed that was not applied (listed with the refused records).
Q_PULLED = "pulled"
#: RejectedRecord.type of such a change.
PULLED_CHANGE = "change"

MODELS: dict[str, Any] = {ENTERPRISE: Enterprise, REQUEST: Request, EVENT: RequestEvent, POLICY_PUSH: PolicyPush}
#: Push order: parents before children (a policy push names its enterprise and maybe its request).
STAGES = (ENTERPRISE, REQUEST, EVENT, POLICY_PUSH)
UNSYNCED = (SyncState.PENDING, SyncState.SENDING)



@dataclass
class SyncStatus:
    """What the status bar shows: read from the database, no network."""

    configured: bool
    pending: int
    pending_requests: int
    in_error: int
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    last_error_kind: SyncErrorKind | None
    skew_seconds: float | None
    paused: str | None
    cursor: int
    running: bool
    #: The configured hub is reached without TLS (``http://`` to another computer, allowed by the
    #: ``allow_insecure_hub`` setting): the GUI shows a lasting warning.
    insecure: bool = False


@dataclass
class RejectedRecord:
    """A quarantined record with the hub's reason, for the "rejected records" panel."""

    type: str
    uuid: str
    label: str
    tracking_no: str | None
    kind: str
    reason: str
    fields: list[FieldError]

    def message(self, language: str = "zh_CN") -> str:
        """The reason in ``language``: field errors rendered from the station's own message
        catalog when it knows the code, else as the hub worded them (Simplified Chinese)."""
        from xuhui_desk.validation import Issue

        if not self.fields:
            return self.reason
        parts = []
        for f in self.fields:
            try:
                text = Issue(f.field, f.code, params=dict(f.params)).message(language)
            except (KeyError, IndexError, ValueError):
                text = f.code
            parts.append(text if text != f.code else (f.message or f"{f.field}: {f.code}"))
        return ("；" if language == "zh_CN" else "; ").join(parts)


# --- sync_meta -----------------------------------------------------------------------------------

def get_meta(session: Session, key: str) -> str | None:
    """A ``sync_meta`` value (None when absent or empty)."""
    row = session.get(SyncMeta, key)
    return row.value if row is not None and row.value != "" else None


@cache
def _meta_upsert() -> PreparedStatement:
    table = SyncMeta.__table__
    assert isinstance(table, Table)  # a declared model maps to a table (typed FromClause)
    statement = sqlite_insert(table).values(key=bindparam("key"), value=bindparam("value"))
    return PreparedStatement(statement.on_conflict_do_update(index_elements=[table.c.key],
                                                             set_={"value": statement.excluded.value}),
                             ["key", "value"])


def write_meta(session: Session, key: str, value: str) -> None:
    """Set a ``sync_meta`` value in the caller's transaction, as :func:`put_meta` does but in one
    statement on the transaction's cursor, without reading the row first (the push extends its
    lease with every batch). A row this session holds as an object is changed through it."""
    held = session.identity_map.get(identity_key(SyncMeta, key))
    if held is not None:
        held.value = value
        return
    _meta_upsert().execute(session.connection(), {"key": key, "value": value}).close()


def put_meta(session: Session, key: str, value: str | None) -> None:
    """Set a ``sync_meta`` value in the caller's transaction (None deletes it)."""
    row = session.get(SyncMeta, key)
    if value is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(SyncMeta(key=key, value=value))
    else:
        row.value = value


def _time_or_none(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_time(text)
    except ValueError:
        return None


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


# --- recovery, status, resending -----------------------------------------------------------------

def recover(db: Database, *, now: datetime | None = None) -> int:
    """Put back to ``pending`` every record a crashed round left ``sending``; returns how many.

    Only call it when no round is running (:func:`run_sync` does, under its lease).
    """
    now = now or utcnow()
    count = 0
    with db.write() as s:
        for model in (Enterprise, Request, RequestEvent, PolicyPush):
            res = s.execute(update(model).where(model.sync_state == SyncState.SENDING)
                            .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
            count += res.rowcount or 0  # type: ignore[attr-defined]
        s.execute(update(SyncBatch).where(SyncBatch.state == BATCH_SENDING)
                  .values(state=BATCH_INTERRUPTED, finished_at=now, error="the round was interrupted")
                  .execution_options(synchronize_session=False))
    return count


def count_records(s: Session, states: Iterable[str]) -> tuple[int, int]:
    """Records in ``states`` (enterprises, requests, this station's events and policy pushes), and
    the requests alone."""
    states = list(states)
    requests = s.scalar(select(func.count()).where(Request.sync_state.in_(states))) or 0
    others = (s.scalar(select(func.count()).where(Enterprise.sync_state.in_(states))) or 0) + (
        s.scalar(select(func.count()).where(RequestEvent.sync_state.in_(states),
                                            RequestEvent.origin == Origin.STATION)) or 0) + (
        s.scalar(select(func.count()).where(PolicyPush.sync_state.in_(states))) or 0)
    return requests + others, requests


def lease_holder_alive(s: Session, now: datetime) -> bool:
    """Whether a live round holds the lease (not expired, its process still running)."""
    raw = get_meta(s, META_LEASE)
    if not raw:
        return False
    try:
        lease = json.loads(raw)
        expires = parse_time(lease["expires"])
        pid = int(lease["pid"])
    except (ValueError, KeyError, TypeError):
        return False
    if expires <= now:
        return False
    if pid == os.getpid():
        return True
    return _pid_alive(pid)


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) is not a probe there; rely on the expiry
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sync_status(db: Database) -> SyncStatus:
    """Pending and quarantined counts, last sync, skew, pause reason — no network."""
    from xuhui_desk.services.station import get_setting, hub_url_insecure

    with db.session() as s:
        pending, pending_requests = count_records(s, UNSYNCED)
        in_error, _ = count_records(s, [SyncState.ERROR])
        in_error += pulled_quarantine_count(s)
        return SyncStatus(
            configured=bool(get_setting(s, "hub_url") and get_setting(s, "hub_token")),
            insecure=hub_url_insecure(get_setting(s, "hub_url")),
            pending=pending,
            pending_requests=pending_requests,
            in_error=in_error,
            last_success_at=_time_or_none(get_meta(s, META_LAST_SUCCESS)),
            last_attempt_at=_time_or_none(get_meta(s, META_LAST_ATTEMPT)),
            last_error=get_meta(s, META_LAST_ERROR),
            last_error_kind=error_kind(get_meta(s, META_LAST_ERROR_KIND)),
            skew_seconds=_float_or_none(get_meta(s, META_SKEW)),
            paused=get_meta(s, META_PAUSED),
            cursor=int(get_meta(s, META_CURSOR) or 0),
            running=lease_holder_alive(s, utcnow()),
        )


def parse_error(raw: str | None) -> tuple[str, str, list[FieldError]]:
    """A stored ``sync_error`` (JSON) as (kind, message, field errors); text that is not JSON is the message."""
    if not raw:
        return Q_REJECTED, "", []
    try:
        data = json.loads(raw)
        return (str(data.get("kind", Q_REJECTED)), str(data.get("message", "")),
                [FieldError.from_wire(e) for e in data.get("errors", []) if isinstance(e, dict)])
    except (ValueError, AttributeError):
        return Q_REJECTED, raw, []


def error_json(kind: str, message: str, errors: list[FieldError] | None = None) -> str:
    """The ``sync_error`` JSON stored for a quarantined record."""
    return json.dumps({"kind": kind, "message": message, "errors": [e.to_wire() for e in errors or []]},
                      ensure_ascii=False)


def sync_error_message(raw: str | None, language: str = "zh_CN") -> str:
    """A record's stored ``sync_error`` (JSON) as the sentence the specialist reads."""
    kind, message, fields = parse_error(raw)
    return RejectedRecord("", "", "", None, kind, message, fields).message(language)


def pulled_quarantine_count(s: Session) -> int:
    """Changes from the hub kept out of the database (listed with the refused records)."""
    return s.scalar(select(func.count()).where(SyncMeta.key.like(META_PULL_QUARANTINE + "%"))) or 0


def rejected_records(db: Database) -> list[RejectedRecord]:
    """Every quarantined record with the reason (requests first, in local order), then the
    changes from the hub that were not applied (type ``change``, kind ``pulled``)."""
    out: list[RejectedRecord] = []
    with db.session() as s:
        for r in s.scalars(select(Request).where(Request.sync_state == SyncState.ERROR).order_by(Request.id)):
            kind, message, fields = parse_error(r.sync_error)
            out.append(RejectedRecord(REQUEST, r.uuid, f"{r.tracking_no} {r.enterprise.name}", r.tracking_no,
                                      kind, message, fields))
        for e in s.scalars(select(Enterprise).where(Enterprise.sync_state == SyncState.ERROR)
                           .order_by(Enterprise.id)):
            kind, message, fields = parse_error(e.sync_error)
            out.append(RejectedRecord(ENTERPRISE, e.uuid, e.name, None, kind, message, fields))
        rows = s.execute(select(RequestEvent, Request.tracking_no).join(Request)
                         .where(RequestEvent.sync_state == SyncState.ERROR).order_by(RequestEvent.id)).all()
        for ev, tracking_no in rows:
            kind, message, fields = parse_error(get_meta(s, META_EVENT_ERROR + ev.uuid))
            out.append(RejectedRecord(EVENT, ev.uuid, f"{tracking_no} {ev.kind}", tracking_no, kind,
                                      message or "the hub refused this timeline entry", fields))
        for push, company in s.execute(select(PolicyPush, Enterprise.name).join(Enterprise)
                                       .where(PolicyPush.sync_state == SyncState.ERROR).order_by(PolicyPush.id)):
            kind, message, fields = parse_error(push.sync_error)
            out.append(RejectedRecord(POLICY_PUSH, push.uuid, company, None, kind,
                                      message or "the hub refused this policy push", fields))
        quarantined = s.scalars(select(SyncMeta).where(SyncMeta.key.like(META_PULL_QUARANTINE + "%")))
        for meta in sorted(quarantined, key=lambda m: int(m.key.rsplit(":", 1)[1] or 0)):
            try:
                entry = json.loads(meta.value)
                fields = [FieldError.from_wire(e) for e in entry.get("errors", []) if isinstance(e, dict)]
            except (ValueError, AttributeError):
                continue
            pulled_no = str(entry.get("tracking_no") or "") or None
            out.append(RejectedRecord(PULLED_CHANGE, str(entry.get("request_uuid", "")),
                                      f"{pulled_no or entry.get('request_uuid')} ← hub", pulled_no, Q_PULLED,
                                      "this update from the district hub is faulty and was not applied", fields))
    return out


def resend(db: Database, uuids: Iterable[str] | None = None) -> int:
    """Queue quarantined records again (all, or those of ``uuids``); returns how many.

    A request brings its quarantined enterprise and timeline events along. Editing a record
    (workflow) re-queues it too; this is for "resend" after a fix made elsewhere, e.g. at the hub.
    A quarantined change from the hub (nothing to send) is dismissed from the list.
    """
    wanted = set(uuids) if uuids is not None else None
    count = 0
    with db.write() as s:
        for row in list(s.scalars(select(SyncMeta).where(SyncMeta.key.like(META_PULL_QUARANTINE + "%")))):
            try:
                request_uuid = str(json.loads(row.value).get("request_uuid", ""))
            except (ValueError, AttributeError):
                request_uuid = ""
            if wanted is None or request_uuid in wanted:
                s.delete(row)
                count += 1
        requests = [r for r in s.scalars(select(Request).where(Request.sync_state == SyncState.ERROR))
                    if wanted is None or r.uuid in wanted]
        enterprises = {e.id: e for e in s.scalars(select(Enterprise).where(Enterprise.sync_state == SyncState.ERROR))
                       if wanted is None or e.uuid in wanted}
        events = [e for e in s.scalars(select(RequestEvent).where(RequestEvent.sync_state == SyncState.ERROR))
                  if wanted is None or e.uuid in wanted or any(e.request_id == r.id for r in requests)]
        for r in requests:
            if r.enterprise.sync_state == SyncState.ERROR:
                enterprises[r.enterprise.id] = r.enterprise
        records: list[Request | Enterprise] = [*requests, *enterprises.values()]
        for record in records:
            record.sync_state = SyncState.PENDING
            record.sync_error = None
            count += 1
        for ev in events:
            ev.sync_state = SyncState.PENDING
            put_meta(s, META_EVENT_ERROR + ev.uuid, None)
            count += 1
        for push in s.scalars(select(PolicyPush).where(PolicyPush.sync_state == SyncState.ERROR)):
            if wanted is None or push.uuid in wanted:
                if push.enterprise.sync_state == SyncState.ERROR:
                    push.enterprise.sync_state = SyncState.PENDING
                    push.enterprise.sync_error = None
                push.sync_state = SyncState.PENDING
                push.sync_error = None
                count += 1
    return count

