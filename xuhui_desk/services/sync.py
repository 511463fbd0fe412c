"""Sync with the district hub: one round pushes what this station recorded and pulls what the
district changed. No Qt: the GUI runs :func:`run_sync` on a worker thread.

A round (:func:`run_sync`) promises:

1. **Recover.** Whatever a crashed round left ``sending`` goes back to ``pending`` first.
2. **Check.** ``GET /health``: the hub's protocol (too old a client → sync *paused*, intake
   untouched), the clock skew (stored, warned about), the hub's limits and identity.
3. **Push** enterprises, then requests, then timeline events, in bounded batches (count and
   bytes, gzip bodies). Each batch is recorded in ``sync_batches``; its id is the hub's
   idempotency key and a retried batch reuses it, byte for byte. Records go
   ``pending → sending → synced / error``; a record edited while its batch was in flight
   (its revision moved on) stays ``pending``. A 413 or a timeout splits the batch; a single
   record that still fails is quarantined (``error`` with the reason in ``sync_error``) and
   not sent again until it is edited or :func:`resend` is called.
4. **Pull** the station's change feed page by page; each page's rows and the cursor after it
   are saved in one transaction. The hub owns status and department changes made in the
   district and its replies; the station keeps every field it recorded and any status or
   department change of its own not yet on the hub. Timeline events merge by uuid.

Transient failures (connection errors, 5xx, 429) are retried with exponential back-off and
jitter; 401/403/409 are never retried. Every call has a timeout. Nothing is ordered by the
station's clock: pushes go in local row order, pulls by the hub's sequence.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from xuhui_desk import __version__, record_rules
from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.models import (
    Enterprise,
    Origin,
    Request,
    RequestEvent,
    Status,
    SyncBatch,
    SyncMeta,
    SyncState,
    new_uuid,
    utcnow,
)
from xuhui_desk.sync_protocol import (
    ACCEPTED,
    CLIENT_HEADER,
    DUPLICATE,
    ENTERPRISE,
    ENTERPRISE_FIELDS,
    ERR_UPGRADE_REQUIRED,
    EVENT,
    FROM_KEY,
    HEALTH_PATH,
    INITIAL_EVENT_KINDS,
    MIN_HUB_PROTOCOL,
    PARENT_UNKNOWN,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PULL_PATH,
    PUSH_PATH,
    REQUEST,
    REQUEST_FIELDS,
    REVISION_CONFLICT,
    STATUS_KEY,
    Change,
    FieldError,
    RecordResult,
    WireError,
    compact_json,
    parse_pull_response,
    parse_push_response,
    parse_time,
    push_body,
    to_wire,
)

if TYPE_CHECKING:
    import httpx

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

_MODELS: dict[str, Any] = {ENTERPRISE: Enterprise, REQUEST: Request, EVENT: RequestEvent}
#: Push order: parents before children.
_STAGES = (ENTERPRISE, REQUEST, EVENT)
_UNSYNCED = (SyncState.PENDING, SyncState.SENDING)
_STATUSES = frozenset(s.value for s in Status)


# --- public data ---------------------------------------------------------------------------------

@dataclass
class SyncOptions:
    """Engineering limits of a round (the hub's advertised limits lower them further)."""

    batch_records: int = 200
    batch_bytes: int = 256 * 1024
    pull_limit: int = 500
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    health_timeout: float = 5.0
    #: Attempts per call for transient failures (connection errors, 5xx, 429).
    attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    #: A single record timing out is quarantined at most this often per round, then the round stops.
    max_timeout_quarantines: int = 3
    #: Push passes per round (records re-queued in a pass — edited in flight, re-based — go in the next).
    passes: int = 3
    gzip_min_bytes: int = 1024
    skew_warning_seconds: float = 120.0
    #: A crashed round's lease is taken over after this long even if its process id seems alive.
    lease_seconds: float = 600.0


@dataclass(frozen=True)
class SyncProgress:
    """Reported to the ``progress`` callback (on the syncing thread)."""

    phase: str  # "checking", "pushing", "pulling", "finished"
    done: int = 0
    total: int = 0
    message: str = ""


@dataclass
class SyncSummary:
    """What a round did. ``ok`` is False when the round stopped early; ``error`` says why."""

    ok: bool = True
    pushed: int = 0
    duplicates: int = 0
    rejected: int = 0
    pulled: int = 0
    #: Records still waiting to be sent after the round (enterprises, requests, timeline events).
    pending: int = 0
    #: Records quarantined (sync_state "error"), now in total.
    in_error: int = 0
    batches: int = 0
    rebased: int = 0
    error: str | None = None
    #: A :class:`~xuhui_desk.codes.SyncErrorKind`, or None.
    error_kind: SyncErrorKind | None = None
    errors: list[str] = field(default_factory=list)
    skew_seconds: float | None = None
    skew_warning: str | None = None
    paused: str | None = None
    #: Changes from the hub's feed that failed the checks and were quarantined (not applied).
    quarantined: int = 0
    #: The round talked to the hub without TLS (allowed by the ``allow_insecure_hub`` setting).
    insecure: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("started_at", "finished_at"):
            value = out[key]
            out[key] = value.isoformat() if value is not None else None
        return out


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


def _error_kind(stored: str | None) -> SyncErrorKind | None:
    """A stored kind as the enum (None for none, or for one an older or newer program wrote)."""
    try:
        return SyncErrorKind(stored) if stored else None
    except ValueError:
        return None


class SyncFailure(Exception):
    """Why a round stopped (``kind`` as in :attr:`SyncSummary.error_kind`)."""

    def __init__(self, kind: SyncErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _TooLarge(Exception):
    pass


class _Timeout(Exception):
    pass


class _UpgradeRequired(Exception):
    def __init__(self, message: str, min_protocol: int | None) -> None:
        super().__init__(message)
        self.min_protocol = min_protocol


# --- sync_meta -----------------------------------------------------------------------------------

def _get(session: Session, key: str) -> str | None:
    row = session.get(SyncMeta, key)
    return row.value if row is not None and row.value != "" else None


def _put(session: Session, key: str, value: str | None) -> None:
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
        for model in (Enterprise, Request, RequestEvent):
            res = s.execute(update(model).where(model.sync_state == SyncState.SENDING)
                            .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
            count += res.rowcount or 0  # type: ignore[attr-defined]
        s.execute(update(SyncBatch).where(SyncBatch.state == BATCH_SENDING)
                  .values(state=BATCH_INTERRUPTED, finished_at=now, error="the round was interrupted")
                  .execution_options(synchronize_session=False))
    return count


def _count(s: Session, states: Iterable[str]) -> tuple[int, int]:
    states = list(states)
    requests = s.scalar(select(func.count()).where(Request.sync_state.in_(states))) or 0
    others = (s.scalar(select(func.count()).where(Enterprise.sync_state.in_(states))) or 0) + (
        s.scalar(select(func.count()).where(RequestEvent.sync_state.in_(states),
                                            RequestEvent.origin == Origin.STATION)) or 0)
    return requests + others, requests


def _lease_holder_alive(s: Session, now: datetime) -> bool:
    raw = _get(s, META_LEASE)
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
        pending, pending_requests = _count(s, _UNSYNCED)
        in_error, _ = _count(s, [SyncState.ERROR])
        in_error += _pulled_quarantine_count(s)
        return SyncStatus(
            configured=bool(get_setting(s, "hub_url") and get_setting(s, "hub_token")),
            insecure=hub_url_insecure(get_setting(s, "hub_url")),
            pending=pending,
            pending_requests=pending_requests,
            in_error=in_error,
            last_success_at=_time_or_none(_get(s, META_LAST_SUCCESS)),
            last_attempt_at=_time_or_none(_get(s, META_LAST_ATTEMPT)),
            last_error=_get(s, META_LAST_ERROR),
            last_error_kind=_error_kind(_get(s, META_LAST_ERROR_KIND)),
            skew_seconds=_float_or_none(_get(s, META_SKEW)),
            paused=_get(s, META_PAUSED),
            cursor=int(_get(s, META_CURSOR) or 0),
            running=_lease_holder_alive(s, utcnow()),
        )


def _parse_error(raw: str | None) -> tuple[str, str, list[FieldError]]:
    if not raw:
        return Q_REJECTED, "", []
    try:
        data = json.loads(raw)
        return (str(data.get("kind", Q_REJECTED)), str(data.get("message", "")),
                [FieldError.from_wire(e) for e in data.get("errors", []) if isinstance(e, dict)])
    except (ValueError, AttributeError):
        return Q_REJECTED, raw, []


def _error_json(kind: str, message: str, errors: list[FieldError] | None = None) -> str:
    return json.dumps({"kind": kind, "message": message, "errors": [e.to_wire() for e in errors or []]},
                      ensure_ascii=False)


def sync_error_message(raw: str | None, language: str = "zh_CN") -> str:
    """A record's stored ``sync_error`` (JSON) as the sentence the specialist reads."""
    kind, message, fields = _parse_error(raw)
    return RejectedRecord("", "", "", None, kind, message, fields).message(language)


def _pulled_quarantine_count(s: Session) -> int:
    return s.scalar(select(func.count()).where(SyncMeta.key.like(META_PULL_QUARANTINE + "%"))) or 0


def rejected_records(db: Database) -> list[RejectedRecord]:
    """Every quarantined record with the reason (requests first, in local order), then the
    changes from the hub that were not applied (type ``change``, kind ``pulled``)."""
    out: list[RejectedRecord] = []
    with db.session() as s:
        for r in s.scalars(select(Request).where(Request.sync_state == SyncState.ERROR).order_by(Request.id)):
            kind, message, fields = _parse_error(r.sync_error)
            out.append(RejectedRecord(REQUEST, r.uuid, f"{r.tracking_no} {r.enterprise.name}", r.tracking_no,
                                      kind, message, fields))
        for e in s.scalars(select(Enterprise).where(Enterprise.sync_state == SyncState.ERROR)
                           .order_by(Enterprise.id)):
            kind, message, fields = _parse_error(e.sync_error)
            out.append(RejectedRecord(ENTERPRISE, e.uuid, e.name, None, kind, message, fields))
        rows = s.execute(select(RequestEvent, Request.tracking_no).join(Request)
                         .where(RequestEvent.sync_state == SyncState.ERROR).order_by(RequestEvent.id)).all()
        for ev, tracking_no in rows:
            kind, message, fields = _parse_error(_get(s, META_EVENT_ERROR + ev.uuid))
            out.append(RejectedRecord(EVENT, ev.uuid, f"{tracking_no} {ev.kind}", tracking_no, kind,
                                      message or "the hub refused this timeline entry", fields))
        rows = s.scalars(select(SyncMeta).where(SyncMeta.key.like(META_PULL_QUARANTINE + "%")))
        for row in sorted(rows, key=lambda r: int(r.key.rsplit(":", 1)[1] or 0)):
            try:
                entry = json.loads(row.value)
                fields = [FieldError.from_wire(e) for e in entry.get("errors", []) if isinstance(e, dict)]
            except (ValueError, AttributeError):
                continue
            tracking_no = str(entry.get("tracking_no") or "") or None
            out.append(RejectedRecord(PULLED_CHANGE, str(entry.get("request_uuid", "")),
                                      f"{tracking_no or entry.get('request_uuid')} ← hub", tracking_no, Q_PULLED,
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
        for row in [*requests, *enterprises.values()]:
            row.sync_state = SyncState.PENDING
            row.sync_error = None
            count += 1
        for ev in events:
            ev.sync_state = SyncState.PENDING
            _put(s, META_EVENT_ERROR + ev.uuid, None)
            count += 1
    return count


# --- HTTP ----------------------------------------------------------------------------------------

def _message_of(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])
    except ValueError:
        pass
    text = resp.text.strip().replace("\n", " ")
    return text[:200] or resp.reason_phrase


class _HubClient:
    """One round's connection to the hub (keep-alive), with retries and back-off."""

    def __init__(self, url: str, token: str, options: SyncOptions, transport: httpx.BaseTransport | None,
                 sleep: Callable[[float], None], cancel: Callable[[], bool]) -> None:
        import httpx

        self.httpx = httpx
        self.options = options
        self.sleep = sleep
        self.cancel = cancel
        self.rng = random.Random()
        self.url = url.rstrip("/")
        # The token goes only with the calls that need it (push, pull), never to /health.
        self.auth = {"Authorization": f"Bearer {token}"}
        self.client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(connect=options.connect_timeout, read=options.read_timeout,
                                  write=options.read_timeout, pool=options.connect_timeout),
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION), CLIENT_HEADER: f"xuhui-desk/{__version__}",
                     "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.client.close()

    def _backoff(self, attempt: int, retry_after: str | None = None) -> None:
        cap = min(self.options.backoff_max, self.options.backoff_base * (2 ** attempt))
        delay = cap / 2 + self.rng.uniform(0, cap / 2)  # "equal jitter": spread out, never zero
        if retry_after and retry_after.isdigit():
            delay = max(delay, min(float(retry_after), self.options.backoff_max))
        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            if self.cancel():
                raise SyncFailure(SyncErrorKind.CANCELLED, "sync was cancelled")
            self.sleep(min(left, 0.2))

    def call(self, method: str, path: str, *, content: bytes | None = None, headers: dict[str, str] | None = None,
             params: dict[str, Any] | None = None, timeout: float | None = None,
             split_on_timeout: bool = False, auth: bool = False) -> httpx.Response:
        """A 2xx response, after retrying transient failures; raises SyncFailure otherwise.
        ``auth``: send the station's token (only push and pull need it)."""
        httpx = self.httpx
        if auth:
            headers = {**(headers or {}), **self.auth}
        last = ""
        last_kind = SyncErrorKind.UNREACHABLE
        for attempt in range(max(1, self.options.attempts)):
            if self.cancel():
                raise SyncFailure(SyncErrorKind.CANCELLED, "sync was cancelled")
            retry_after = None
            try:
                kwargs: dict[str, Any] = {"content": content, "headers": headers, "params": params}
                if timeout is not None:
                    kwargs["timeout"] = httpx.Timeout(timeout, connect=min(timeout, self.options.connect_timeout))
                resp = self.client.request(method, path, **kwargs)
            except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
                if split_on_timeout:
                    raise _Timeout(str(exc) or type(exc).__name__) from exc
                waited = timeout if timeout is not None else self.options.read_timeout
                last, last_kind = f"the hub did not answer within {waited:g} s", SyncErrorKind.TIMEOUT
            except httpx.TimeoutException:
                last, last_kind = f"cannot connect to the hub at {self.url} (timed out)", SyncErrorKind.UNREACHABLE
            except httpx.TransportError as exc:
                # Refused, reset, or the connection dropped before the answer (the hub may have
                # committed: a retry of the same batch id gets the answer it stored).
                last = f"cannot reach the hub at {self.url}: {exc or type(exc).__name__}"
                last_kind = SyncErrorKind.UNREACHABLE
            else:
                status = resp.status_code
                if 200 <= status < 300:
                    return resp
                message = _message_of(resp)
                if status in (401, 403):
                    raise SyncFailure(SyncErrorKind.AUTH, f"the hub refused this station (HTTP {status}: {message}). "
                                              "Ask the district for a new token and set it in the settings "
                                              "(xuhui-desk settings set hub_token TOKEN); nothing was lost")
                if status == 409:
                    raise SyncFailure(SyncErrorKind.CONFLICT,
                                      f"the hub refused the batch as a conflict (HTTP 409: {message})")
                if status == 413:
                    raise _TooLarge(message)
                if status == 426:
                    min_protocol = None
                    try:
                        body = resp.json()
                        if isinstance(body, dict) and body.get("error") == ERR_UPGRADE_REQUIRED:
                            min_protocol = int(body.get("min_protocol") or 0) or None
                    except (ValueError, TypeError):
                        pass
                    raise _UpgradeRequired(message, min_protocol)
                if status in (429, 500, 502, 503, 504):
                    last, last_kind = f"the hub answered HTTP {status}: {message}", SyncErrorKind.SERVER
                    retry_after = resp.headers.get("retry-after")
                else:
                    raise SyncFailure(SyncErrorKind.PROTOCOL, f"the hub refused the call {method} {path} "
                                                  f"(HTTP {status}: {message})")
            if attempt + 1 < self.options.attempts:
                self._backoff(attempt, retry_after)
        raise SyncFailure(last_kind, last + f" (tried {self.options.attempts} times)")

    def json(self, resp: httpx.Response) -> Any:
        try:
            return resp.json()
        except ValueError as exc:
            raise SyncFailure(SyncErrorKind.PROTOCOL,
                              "the hub's answer is not valid JSON (is the hub URL right, or is a proxy "
                              f"answering instead?): {resp.text[:80]!r}") from exc

    def healthy(self) -> bool:
        """A quick probe: does the hub answer at all right now?"""
        try:
            resp = self.client.get(HEALTH_PATH, timeout=self.options.health_timeout)
        except self.httpx.HTTPError:
            return False
        return resp.status_code == 200


# --- the round -----------------------------------------------------------------------------------

@dataclass
class _Item:
    type: str
    uuid: str
    revision: int
    wire: dict[str, Any]
    size: int


# UUIDs go out in lower case (the hub compares them case-insensitively too): a uuid written in
# upper case by some import is still one record, not two.
def _enterprise_wire(e: Enterprise) -> dict[str, Any]:
    return to_wire(ENTERPRISE, e.uuid.lower(), e.revision, {f: getattr(e, f) for f in ENTERPRISE_FIELDS})


def _request_wire(r: Request) -> dict[str, Any]:
    values = {f: getattr(r, f) for f in REQUEST_FIELDS if f not in ("enterprise_uuid", "status_base")}
    values["enterprise_uuid"] = r.enterprise.uuid.lower()
    if r.linked_request_uuid:
        values["linked_request_uuid"] = r.linked_request_uuid.lower()
    values["status_base"] = None  # filled in by _add_status_bases
    return to_wire(REQUEST, r.uuid.lower(), r.revision, values)


def _event_wire(e: RequestEvent, request_uuid: str) -> dict[str, Any]:
    return to_wire(EVENT, e.uuid.lower(), 1, {"request_uuid": request_uuid.lower(), "kind": e.kind,
                                              "actor": e.actor, "origin": e.origin,
                                              "occurred_at": e.occurred_at, "data": e.data})


class _Round:
    def __init__(self, db: Database, url: str, token: str, options: SyncOptions,
                 progress: Callable[[SyncProgress], None], cancel: Callable[[], bool],
                 transport: httpx.BaseTransport | None, clock: Callable[[], datetime],
                 sleep: Callable[[float], None]) -> None:
        self.db = db
        self.options = options
        self.progress = progress
        self.cancel = cancel
        self.clock = clock
        self.summary = SyncSummary(started_at=clock())
        self.hub = _HubClient(url, token, options, transport, sleep, cancel)
        self.max_records = options.batch_records
        self.max_bytes = options.batch_bytes
        self.station_code = ""
        self.timeout_quarantines = 0
        self.push_total = 0
        self.push_done = 0
        self.owner = new_uuid()
        #: Parents (type, uuid) this round sent again because the hub said it did not know them.
        self.reseeded: set[tuple[str, str]] = set()

    # -- lease: one round at a time per station database, across threads and processes
    def acquire(self) -> None:
        now = self.clock()
        with self.db.write() as s:
            if _lease_holder_alive(s, now):
                raise SyncFailure(SyncErrorKind.BUSY, "another sync of this station is running; try again when it ends")
            self._write_lease(s, now)

    def _write_lease(self, s: Session, now: datetime) -> None:
        expires = now + timedelta(seconds=self.options.lease_seconds)
        _put(s, META_LEASE, json.dumps({"owner": self.owner, "pid": os.getpid(), "expires": expires.isoformat()}))

    def release(self) -> None:
        with self.db.write() as s:
            raw = _get(s, META_LEASE)
            if raw and self.owner in raw:
                _put(s, META_LEASE, None)

    def report(self, phase: str, done: int = 0, total: int = 0, message: str = "") -> None:
        self.progress(SyncProgress(phase, done, total, message))

    def check_cancel(self) -> None:
        if self.cancel():
            raise SyncFailure(SyncErrorKind.CANCELLED, "sync was cancelled; what was sent is kept, the rest waits")

    # -- check
    def check(self) -> None:
        from xuhui_desk.services.station import require_station

        self.report("checking", message="contacting the district hub")
        with self.db.session() as s:
            self.station_code = require_station(s).code
        started = time.monotonic()
        local_before = self.clock()
        try:
            resp = self.hub.call("GET", HEALTH_PATH, timeout=self.options.health_timeout)
        except _TooLarge as exc:
            raise SyncFailure(SyncErrorKind.PROTOCOL, f"unexpected answer from the hub: {exc}") from exc
        rtt = time.monotonic() - started
        body = self.hub.json(resp)
        if not isinstance(body, dict) or "server_time" not in body:
            raise SyncFailure(SyncErrorKind.PROTOCOL, f"{self.hub.url} does not look like a xuhui district hub")
        try:
            server_time = parse_time(str(body["server_time"]))
        except ValueError as exc:
            raise SyncFailure(SyncErrorKind.PROTOCOL, "the hub sent an unreadable time") from exc
        # The hub's clock read half-way through the call, against ours at the same moment.
        skew = (local_before + timedelta(seconds=rtt / 2) - server_time).total_seconds()
        self.summary.skew_seconds = round(skew, 3)
        if abs(skew) > self.options.skew_warning_seconds:
            self.summary.skew_warning = _skew_text(skew)
            self.summary.errors.append(self.summary.skew_warning)
        min_client = int(body.get("min_client_protocol") or 1)
        hub_protocol = int(body.get("protocol") or 1)
        limits = body.get("limits") if isinstance(body.get("limits"), dict) else {}
        if limits.get("max_batch_records"):
            self.max_records = max(1, min(self.max_records, int(limits["max_batch_records"])))
        if limits.get("max_body_bytes"):
            self.max_bytes = max(1024, min(self.max_bytes, int(int(limits["max_body_bytes"]) * 0.9)))
        if limits.get("max_decoded_bytes"):  # batches are measured decoded (before gzip)
            self.max_bytes = max(1024, min(self.max_bytes, int(int(limits["max_decoded_bytes"]) * 0.9)))
        hub_id = str(body.get("hub_id") or "")
        with self.db.write() as s:
            _put(s, META_SKEW, f"{skew:.3f}")
            stored = _get(s, META_HUB_ID)
            if hub_id and stored and stored != hub_id:
                # Another hub (or a rebuilt one): its feed starts over, and it has none of our records.
                self.summary.errors.append("the district hub changed; everything is sent to it again")
                _put(s, META_CURSOR, "0")
                for model in (Enterprise, Request):
                    s.execute(update(model).where(model.sync_state == SyncState.SYNCED)
                              .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
                s.execute(update(RequestEvent).where(RequestEvent.sync_state == SyncState.SYNCED,
                                                     RequestEvent.origin == Origin.STATION)
                          .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
            if hub_id:
                _put(s, META_HUB_ID, hub_id)
        if min_client > PROTOCOL_VERSION:
            raise _UpgradeRequired(f"the district hub needs sync protocol {min_client}; this program speaks "
                                   f"{PROTOCOL_VERSION}", min_client)
        if hub_protocol < MIN_HUB_PROTOCOL:
            raise SyncFailure(SyncErrorKind.PROTOCOL,
                              f"the district hub speaks protocol {hub_protocol}, too old for this "
                              f"program (needs {MIN_HUB_PROTOCOL})")
        with self.db.write() as s:
            if _get(s, META_PAUSED):
                _put(s, META_PAUSED, None)
                _put(s, META_PAUSED_PROTOCOL, None)

    # -- push
    def push(self) -> None:
        with self.db.session() as s:
            self.push_total, _ = _count(s, [SyncState.PENDING])
        self.report("pushing", 0, self.push_total)
        for _ in range(max(1, self.options.passes)):
            before = self.summary.pushed + self.summary.duplicates + self.summary.rebased + len(self.reseeded)
            cursors = dict.fromkeys(_STAGES, 0)
            stage = 0
            sent_any = False
            while stage < len(_STAGES):
                self.check_cancel()
                items, stage = self._claim(cursors, stage)
                if not items:
                    break
                sent_any = True
                try:
                    self._send(items)
                finally:
                    self._release(items)
            progressed = (self.summary.pushed + self.summary.duplicates + self.summary.rebased
                          + len(self.reseeded) > before)
            if not sent_any or not progressed:
                break

    def _select(self, s: Session, stage: str, after_id: int, limit: int) -> list[tuple[Any, str | None]]:
        if stage == ENTERPRISE:
            rows = s.scalars(select(Enterprise).where(Enterprise.sync_state == SyncState.PENDING,
                                                      Enterprise.id > after_id)
                             .order_by(Enterprise.id).limit(limit))
            return [(r, None) for r in rows]
        if stage == REQUEST:
            rows = s.scalars(select(Request).join(Enterprise, Enterprise.id == Request.enterprise_id)
                             .where(Request.sync_state == SyncState.PENDING, Request.id > after_id,
                                    Enterprise.sync_state != SyncState.ERROR)
                             .order_by(Request.id).limit(limit))
            return [(r, None) for r in rows.unique()]
        pairs = s.execute(select(RequestEvent, Request.uuid).join(Request, Request.id == RequestEvent.request_id)
                          .where(RequestEvent.sync_state == SyncState.PENDING, RequestEvent.id > after_id,
                                 RequestEvent.origin == Origin.STATION, Request.sync_state != SyncState.ERROR)
                          .order_by(RequestEvent.id).limit(limit)).all()
        return [(ev, ruuid) for ev, ruuid in pairs]

    def _claim(self, cursors: dict[str, int], stage: int) -> tuple[list[_Item], int]:
        """Mark the next batch of pending records ``sending`` (read and marked under one lock).

        Enterprises, then requests, then timeline events, in local row order — parents always
        before their children; one batch may run on from one kind into the next.
        """
        items: list[_Item] = []
        total = 0
        with self.db.write() as s:
            while stage < len(_STAGES) and len(items) < self.max_records:
                kind = _STAGES[stage]
                want = self.max_records - len(items)
                rows = self._select(s, kind, cursors[kind], want)
                taken: list[tuple[Any, _Item]] = []
                full = False
                for row, parent_uuid in rows:
                    if kind == ENTERPRISE:
                        wire = _enterprise_wire(row)
                    elif kind == REQUEST:
                        wire = _request_wire(row)
                    else:
                        wire = _event_wire(row, str(parent_uuid))
                    size = len(compact_json(wire)) + 1
                    if (items or taken) and total + size > self.max_bytes:
                        full = True
                        break
                    taken.append((row, _Item(kind, row.uuid, wire["revision"], wire, size)))
                    total += size
                    cursors[kind] = row.id
                if taken:
                    if kind == REQUEST:
                        self._add_status_bases(s, taken)
                    model = _MODELS[kind]
                    s.execute(update(model).where(model.uuid.in_([i.uuid for _, i in taken]),
                                                  model.sync_state == SyncState.PENDING)
                              .values(sync_state=SyncState.SENDING).execution_options(synchronize_session=False))
                    items += [i for _, i in taken]
                if full or len(rows) == want:
                    break  # this batch is full; the stage goes on in the next one
                stage += 1
        return items, stage

    @staticmethod
    def _add_status_bases(s: Session, taken: list[tuple[Any, _Item]]) -> None:
        """``status_base``: where this station's unsent status changes of a request started (the
        ``from`` of its oldest unsent own status event), or None when it made none — then the
        status it sends is only the hub's, adopted earlier, and must not undo a newer one."""
        ids = {row.id: item for row, item in taken}
        for request_id, kind, data in s.execute(
            select(RequestEvent.request_id, RequestEvent.kind, RequestEvent.data)
            .where(RequestEvent.request_id.in_(list(ids)), RequestEvent.origin == Origin.STATION,
                   RequestEvent.sync_state != SyncState.SYNCED)
            .order_by(RequestEvent.id)):
            item = ids[request_id]
            if (item.wire.get("status_base") is None and kind not in INITIAL_EVENT_KINDS
                    and isinstance(data, dict) and STATUS_KEY in data):
                base = data.get(FROM_KEY)
                item.wire["status_base"] = base if isinstance(base, str) else ""

    def _release(self, items: list[_Item]) -> None:
        """Whatever of ``items`` is still ``sending`` (no answer came for it) goes back to pending."""
        with self.db.write() as s:
            for kind in _STAGES:
                model = _MODELS[kind]
                uuids = [i.uuid for i in items if i.type == kind]
                for i in range(0, len(uuids), 500):
                    s.execute(update(model).where(model.uuid.in_(uuids[i:i + 500]),
                                                  model.sync_state == SyncState.SENDING)
                              .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))

    def _send(self, items: list[_Item]) -> None:
        queue: deque[list[_Item]] = deque([items])
        while queue:
            self.check_cancel()
            chunk = queue.popleft()
            batch_id = new_uuid()
            body = compact_json(push_body(batch_id, self.station_code, [i.wire for i in chunk],
                                          clock_skew_seconds=self.summary.skew_seconds))
            with self.db.write() as s:
                s.add(SyncBatch(id=batch_id, created_at=self.clock(), state=BATCH_SENDING,
                                record_count=len(chunk), byte_count=len(body)))
                self._write_lease(s, self.clock())
            self.summary.batches += 1
            headers = {"Content-Type": "application/json"}
            content = body
            if len(body) >= self.options.gzip_min_bytes:
                content = gzip.compress(body, compresslevel=6, mtime=0)
                headers["Content-Encoding"] = "gzip"
            try:
                resp = self.hub.call("POST", PUSH_PATH, content=content, headers=headers, split_on_timeout=True,
                                     auth=True)
                _, results = parse_push_response(self.hub.json(resp))
            except _TooLarge:
                self._finish_batch(batch_id, BATCH_SPLIT, "413: too large for the hub")
                # Shrink the rest of the round's batches too, so one 413 does not repeat per batch.
                self.max_bytes = max(1024, min(self.max_bytes, sum(i.size for i in chunk) // 2))
                self.max_records = max(1, min(self.max_records, max(1, len(chunk) // 2)))
                if len(chunk) == 1:
                    self._quarantine(chunk[0], Q_TOO_LARGE,
                                     f"this record is too large for the hub ({chunk[0].size} bytes)")
                else:
                    queue.extendleft([chunk[len(chunk) // 2:], chunk[:len(chunk) // 2]])
                continue
            except _Timeout:
                self._finish_batch(batch_id, BATCH_FAILED, "timed out")
                if not self.hub.healthy():
                    raise SyncFailure(SyncErrorKind.TIMEOUT, f"the hub stopped answering ({self.hub.url}); "
                                                 "nothing was lost, the records wait for the next sync") from None
                if len(chunk) == 1:
                    if self.timeout_quarantines >= self.options.max_timeout_quarantines:
                        raise SyncFailure(SyncErrorKind.TIMEOUT, "the hub keeps timing out on single records; "
                                                     "try again later") from None
                    self.timeout_quarantines += 1
                    self._quarantine(chunk[0], Q_TIMEOUT, "the hub did not answer in time for this record alone")
                else:
                    self.max_records = max(1, min(self.max_records, max(1, len(chunk) // 2)))
                    queue.extendleft([chunk[len(chunk) // 2:], chunk[:len(chunk) // 2]])
                continue
            except WireError as exc:
                self._finish_batch(batch_id, BATCH_FAILED, "malformed answer")
                raise SyncFailure(SyncErrorKind.PROTOCOL, f"the hub's answer to a batch is malformed: {exc}") from exc
            except SyncFailure as exc:
                self._finish_batch(batch_id, BATCH_FAILED, exc.message)
                raise
            except _UpgradeRequired:
                self._finish_batch(batch_id, BATCH_FAILED, "upgrade required")
                raise
            self._apply_results(batch_id, chunk, results)

    def _finish_batch(self, batch_id: str, state: str, error: str | None = None) -> None:
        with self.db.write() as s:
            s.execute(update(SyncBatch).where(SyncBatch.id == batch_id)
                      .values(state=state, finished_at=self.clock(), error=error)
                      .execution_options(synchronize_session=False))

    def _quarantine(self, item: _Item, kind: str, message: str, errors: list[FieldError] | None = None) -> None:
        model = _MODELS[item.type]
        with self.db.write() as s:
            self._mark_error(s, model, item, kind, message, errors)
        self.summary.rejected += 1
        self.summary.errors.append(f"{item.type} {item.wire.get('tracking_no') or item.uuid}: {message}")

    def _mark_error(self, s: Session, model: Any, item: _Item, kind: str, message: str,
                    errors: list[FieldError] | None) -> None:
        text = _error_json(kind, message, errors)
        if item.type == EVENT:
            res = s.execute(update(model).where(model.uuid == item.uuid, model.sync_state == SyncState.SENDING)
                            .values(sync_state=SyncState.ERROR).execution_options(synchronize_session=False))
            if res.rowcount:  # type: ignore[attr-defined]
                _put(s, META_EVENT_ERROR + item.uuid, text)
            return
        # An edit made while the batch was in flight may have fixed it: then it stays pending.
        s.execute(update(model).where(model.uuid == item.uuid, model.revision == item.revision,
                                      model.sync_state == SyncState.SENDING)
                  .values(sync_state=SyncState.ERROR, sync_error=text).execution_options(synchronize_session=False))

    def _reseed_parent(self, s: Session, item: _Item, r: RecordResult, acknowledged: set[tuple[str, str]]) -> None:
        """The hub does not know ``item``'s parent (after a hub reset or a restored hub backup,
        say). If this station holds the parent as sent, send it again — a request with its
        enterprise — in the round's next pass; if the hub still does not know it after that,
        the record is refused with the reason in words, never left pending forever."""
        if item.type == EVENT:
            parent_type, model, parent_uuid = REQUEST, Request, str(item.wire.get("request_uuid", ""))
        else:
            parent_type, model, parent_uuid = ENTERPRISE, Enterprise, str(item.wire.get("enterprise_uuid", ""))
        parent = s.scalars(select(model).where(func.lower(model.uuid) == parent_uuid.lower())).first()
        # A parent the hub acknowledged in this very batch, yet "unknown" for its child: the hub
        # will not place the child whatever is re-sent.
        lost = parent is None or (parent_type, parent_uuid.lower()) in acknowledged
        if not lost and parent.sync_state in (SyncState.PENDING, SyncState.SENDING, SyncState.ERROR):
            return  # on its way (parents go first), or itself refused and listed: the child waits
        if lost or (parent_type, parent_uuid) in self.reseeded:
            error = FieldError("request_uuid" if item.type == EVENT else "enterprise_uuid", "request.parent_lost")
            error = record_rules.with_message(error)
            self._mark_error(s, _MODELS[item.type], item, Q_REJECTED, error.message, [*r.errors, error])
            self.summary.rejected += 1
            self.summary.errors.append(f"{item.type} {item.wire.get('tracking_no') or item.uuid}: {error.message}")
            return
        assert parent is not None
        self.reseeded.add((parent_type, parent_uuid))
        parent.sync_state = SyncState.PENDING
        # The hub lost the request (the event's parent, or the request whose enterprise it lost)
        # with its timeline: what of that timeline it had acknowledged goes again too.
        request = parent if isinstance(parent, Request) else s.scalars(
            select(Request).where(Request.uuid == item.uuid)).first()
        if request is not None and request.synced_revision is not None:
            s.execute(update(RequestEvent).where(RequestEvent.request_id == request.id,
                                                 RequestEvent.origin == Origin.STATION,
                                                 RequestEvent.sync_state == SyncState.SYNCED)
                      .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
        if isinstance(parent, Request) and parent.enterprise.sync_state == SyncState.SYNCED:
            parent.enterprise.sync_state = SyncState.PENDING
            self.reseeded.add((ENTERPRISE, parent.enterprise.uuid.lower()))

    def _apply_results(self, batch_id: str, chunk: list[_Item], results: list[RecordResult]) -> None:
        by_key = {(r.type, r.uuid.lower()): r for r in results}
        acknowledged = {key for key, r in by_key.items() if r.status in (ACCEPTED, DUPLICATE)}
        synced: dict[str, list[dict[str, Any]]] = {}
        rejected: list[tuple[_Item, RecordResult]] = []
        with self.db.write() as s:
            for item in chunk:
                r = by_key.get((item.type, item.uuid.lower()))
                if r is None:
                    continue  # not answered: released back to pending
                model = _MODELS[item.type]
                if r.status in (ACCEPTED, DUPLICATE):
                    synced.setdefault(item.type, []).append({"u": item.uuid, "r": item.revision})
                    if r.status == ACCEPTED:
                        self.summary.pushed += 1
                    else:
                        self.summary.duplicates += 1
                elif r.errors and r.error_codes <= set(PARENT_UNKNOWN):
                    # Its parent is not on the hub (yet): released, sent again in a later pass —
                    # after the parent, which is re-sent if the hub lost it.
                    self._reseed_parent(s, item, r, acknowledged)
                elif REVISION_CONFLICT in r.error_codes and item.type != EVENT and r.hub_revision is not None:
                    # The hub holds a newer revision (this station was restored from a backup, say):
                    # continue above it, so that what the station holds now is sent and kept.
                    s.execute(update(model).where(model.uuid == item.uuid)
                              .values(revision=case((model.revision <= r.hub_revision, r.hub_revision + 1),
                                                    else_=model.revision),
                                      sync_state=SyncState.PENDING)
                              .execution_options(synchronize_session=False))
                    self.summary.rebased += 1
                else:
                    message = "；".join(e.message or f"{e.field}: {e.code}" for e in r.errors) or "rejected by the hub"
                    self._mark_error(s, model, item, Q_REJECTED, message, r.errors)
                    rejected.append((item, r))
            for rtype, params in synced.items():
                self._mark_synced(s, rtype, params)
            s.execute(update(SyncBatch).where(SyncBatch.id == batch_id)
                      .values(state=BATCH_DONE, finished_at=self.clock()).execution_options(synchronize_session=False))
        for item, r in rejected:
            self.summary.rejected += 1
            label = item.wire.get("tracking_no") or item.wire.get("name") or item.uuid
            self.summary.errors.append(f"{item.type} {label} rejected by the hub: "
                                       + "; ".join(e.message or e.code for e in r.errors))
        self.push_done += len(chunk)
        self.report("pushing", min(self.push_done, self.push_total), self.push_total)

    @staticmethod
    def _mark_synced(s: Session, rtype: str, params: list[dict[str, Any]]) -> None:
        """Acknowledged records (``u`` uuid, ``r`` revision sent), in one executemany statement.

        A record edited while in flight (its revision moved on) stays pending; the hub has
        seen the revision sent either way (``synced_revision``).
        """
        table = _MODELS[rtype].__table__
        c = table.c
        if rtype == EVENT:
            s.execute(table.update().where(c.uuid == bindparam("u"), c.sync_state == SyncState.SENDING)
                      .values(sync_state=SyncState.SYNCED), params)
            s.execute(delete(SyncMeta).where(SyncMeta.key.in_([META_EVENT_ERROR + p["u"] for p in params])))
            return
        now_synced = and_(c.revision == bindparam("r"), c.sync_state == SyncState.SENDING)
        s.execute(
            table.update().where(c.uuid == bindparam("u")).values(
                sync_state=case((now_synced, SyncState.SYNCED.value), else_=c.sync_state),
                sync_error=case((now_synced, None), else_=c.sync_error),
                synced_revision=case((or_(c.synced_revision.is_(None), c.synced_revision < bindparam("r")),
                                      bindparam("r")), else_=c.synced_revision),
            ),
            params,
        )

    # -- pull
    def pull(self) -> None:
        with self.db.session() as s:
            cursor = int(_get(s, META_CURSOR) or 0)
        self.report("pulling", 0, 0)
        while True:
            self.check_cancel()
            resp = self.hub.call("GET", PULL_PATH, params={"cursor": cursor, "limit": self.options.pull_limit},
                                 auth=True)
            try:
                changes, next_cursor, has_more = parse_pull_response(self.hub.json(resp))
            except WireError as exc:
                raise SyncFailure(SyncErrorKind.PROTOCOL, f"the hub's change feed is malformed: {exc}") from exc
            if next_cursor < cursor:
                raise SyncFailure(SyncErrorKind.PROTOCOL,
                                  f"the hub's feed went backwards (cursor {cursor} → {next_cursor})")
            with self.db.write() as s:
                self._apply_changes(s, changes)
                _put(s, META_CURSOR, str(next_cursor))
                self._write_lease(s, self.clock())
            self.summary.pulled += len(changes)
            self.report("pulling", self.summary.pulled, 0)
            if not has_more or not changes:
                break
            cursor = next_cursor

    def _apply_changes(self, s: Session, changes: list[Change]) -> None:
        if not changes:
            return
        uuids = sorted({c.request_uuid for c in changes})
        requests: dict[str, Request] = {}
        for i in range(0, len(uuids), 500):
            requests.update((r.uuid, r) for r in s.scalars(select(Request).where(Request.uuid.in_(uuids[i:i + 500]))))
        ids = [r.id for r in requests.values()]
        # A status change made here and not yet sent is kept (it goes to the hub next, which
        # applies it or answers why not); otherwise the hub's status is the truth. The
        # department is the hub's once the district assigned one.
        own_status: set[int] = set()
        for i in range(0, len(ids), 500):
            for request_id, kind, data in s.execute(
                select(RequestEvent.request_id, RequestEvent.kind, RequestEvent.data).where(
                    RequestEvent.request_id.in_(ids[i:i + 500]), RequestEvent.origin == Origin.STATION,
                    RequestEvent.sync_state != SyncState.SYNCED)):
                if kind in INITIAL_EVENT_KINDS or not isinstance(data, dict):
                    continue
                if STATUS_KEY in data:
                    own_status.add(request_id)
        event_ids = sorted({e.uuid for c in changes for e in c.events})
        known: set[str] = set()
        for i in range(0, len(event_ids), 500):
            known.update(s.scalars(select(RequestEvent.uuid).where(RequestEvent.uuid.in_(event_ids[i:i + 500]))))
        unknown = 0
        window = record_rules.time_window(self.clock(), self.summary.skew_seconds)
        for change in changes:
            request = requests.get(change.request_uuid)
            if request is None:
                unknown += 1
                continue
            problems = _change_problems(change, request, window)
            if problems:
                self._quarantine_change(s, change, problems)
                continue
            for ev in change.events:
                if ev.uuid in known:
                    continue
                known.add(ev.uuid)
                v = ev.values
                s.add(RequestEvent(uuid=ev.uuid, request_id=request.id, kind=v["kind"], actor=v["actor"],
                                   origin=v["origin"], occurred_at=v["occurred_at"], data=v["data"],
                                   sync_state=SyncState.SYNCED))
                if v["origin"] == Origin.HUB:
                    _adopt_hub_event(request, v["kind"], v["data"])
            if request.id not in own_status and change.status in _STATUSES:
                request.status = change.status
            if change.department_by_district and change.department:
                request.department = change.department
        if unknown:
            self.summary.errors.append(f"{unknown} change(s) from the hub concern requests this station does not have")

    def _quarantine_change(self, s: Session, change: Change, problems: list[FieldError]) -> None:
        """Keep a faulty change from the hub out of the database, and listed (rejected_records)."""
        entry = {"seq": change.seq, "request_uuid": change.request_uuid, "tracking_no": change.tracking_no[:40],
                 "errors": [record_rules.with_message(p).to_wire() for p in problems[:10]]}
        _put(s, f"{META_PULL_QUARANTINE}{change.seq}", json.dumps(entry, ensure_ascii=False))
        self.summary.quarantined += 1
        self.summary.errors.append(f"an update from the hub for {change.tracking_no[:40] or change.request_uuid} "
                                   "is faulty and was not applied: "
                                   + "; ".join(f"{p.field}: {p.code}" for p in problems[:5]))


def _change_problems(change: Change, request: Request, window: record_rules.TimeWindow) -> list[FieldError]:
    """What is wrong with a change pulled from the hub for ``request`` — checked as strictly as
    the hub checks what a station pushes: status, department, ownership, and every event (a hub
    event, of a known kind with its data, plausible time and size)."""
    problems = list(change.problems)
    if change.status not in record_rules.STATUSES:
        problems.append(FieldError("status", "status.unknown", {"value": change.status[:40]}))
    problems += record_rules.check_department("department", change.department)
    if change.tracking_no != request.tracking_no:
        problems.append(FieldError("tracking_no", "wire.change", {"value": change.tracking_no[:40]}))
    for ev in change.events:
        if ev.type != EVENT:
            problems.append(FieldError("events", "wire.type", {"expected": "event"}))
            continue
        if ev.values.get("request_uuid") != change.request_uuid:
            problems.append(FieldError("request_uuid", "wire.change"))
        problems += record_rules.check_record_size(to_wire(EVENT, ev.uuid, 1, ev.values))
        problems += record_rules.check_event(ev.values, origin=Origin.HUB.value, window=window)
    return problems


def _adopt_hub_event(request: Request, kind: str, data: dict[str, Any]) -> None:
    """A rating given on the hub's public tracking page, and the rectification a low one starts,
    set what the workflow sets when the rating is given at the counter (``workflow.rate``): the
    request's rating and comment, its new due time, and "not resolved" again."""
    if kind == "rated" and isinstance(data.get("rating"), int) and not isinstance(data.get("rating"), bool):
        request.rating = data["rating"]
        request.rating_comment = str(data.get("comment") or "") or None
    elif kind == "rectification" and isinstance(data.get("due"), str):
        try:
            due = datetime.fromisoformat(data["due"])
        except ValueError:
            return
        if due.tzinfo is not None:
            request.sla_due_at = due
        request.resolved_at = None


def _skew_text(skew: float) -> str:
    ahead = "ahead of" if skew > 0 else "behind"
    amount = abs(skew)
    if amount >= 2 * 86400:
        shown = f"{amount / 86400:.0f} days"
    elif amount >= 2 * 3600:
        shown = f"{amount / 3600:.1f} hours"
    else:
        shown = f"{amount / 60:.0f} minutes" if amount >= 120 else f"{amount:.0f} seconds"
    return (f"this computer's clock is {shown} {ahead} the district hub's; times recorded here will be off "
            "until the system clock is corrected (sync itself is not affected)")


def _pause_text(min_protocol: int | None, message: str) -> str:
    need = f" (protocol {min_protocol} or newer)" if min_protocol else ""
    return (f"sync is paused: the district hub requires a newer version of this program{need}. "
            f"Install the update; intake and everything else keep working. Hub said: {message}")


def run_sync(
    db: Database,
    *,
    url: str | None = None,
    token: str | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    options: SyncOptions | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncSummary:
    """Run one sync round (see the module doc) and return its summary; never raises for a
    network or hub problem (``summary.ok`` is False and ``summary.error`` says what to do).

    ``url``/``token`` default to the ``hub_url``/``hub_token`` settings. ``progress`` is called on
    this thread; ``cancel`` is polled between batches and during back-off.
    """
    from xuhui_desk.services.station import (
        NotInitialised,
        check_hub_url,
        get_setting,
        hub_url_insecure,
        insecure_hub_allowed,
    )

    with db.session() as s:
        url = (url or get_setting(s, "hub_url")).strip()
        token = (token or get_setting(s, "hub_token")).strip()
        allow_insecure = insecure_hub_allowed(s)
    notify = progress or (lambda _p: None)
    stop = cancel or (lambda: False)
    refusal = None
    if not url or not token:
        missing = "hub_url" if not url else "hub_token"
        refusal = (f"sync is not set up: {missing} is empty "
                   f"(xuhui-desk settings set {missing} VALUE, or the settings dialog)")
    elif issues := check_hub_url(url, allow_insecure):
        # The token and the data go only to a hub reached over TLS (or on this computer).
        refusal = issues[0].message()
    if refusal is not None:
        summary = SyncSummary(ok=False, error_kind=SyncErrorKind.CONFIG, started_at=clock(), finished_at=clock(),
                              error=refusal)
        with db.session() as s:
            summary.pending, _ = _count(s, _UNSYNCED)
            summary.in_error, _ = _count(s, [SyncState.ERROR])
            summary.in_error += _pulled_quarantine_count(s)
        return summary
    rnd = _Round(db, url, token, options or SyncOptions(), notify, stop, transport, clock, sleep)
    summary = rnd.summary
    summary.insecure = hub_url_insecure(url)
    leased = False
    try:
        rnd.acquire()
        leased = True
        recover(db, now=clock())
        rnd.check()
        rnd.push()
        rnd.pull()
        from xuhui_desk.services import calendar_updates  # the district's calendar years (docs/calendar.md)
        summary.errors += calendar_updates.pull_from_hub(db, rnd.hub.client, clock(), auth=rnd.hub.auth)
        from xuhui_desk.services import attachment_sync  # files after their records (docs/attachments.md)
        summary.errors += attachment_sync.push_files(db, rnd.hub.client, auth=rnd.hub.auth, cancel=stop).messages
    except SyncFailure as exc:
        summary.ok, summary.error, summary.error_kind = False, exc.message, exc.kind
    except _TooLarge as exc:  # only a push may be too large; anything else is a confused hub or proxy
        summary.ok, summary.error_kind = False, SyncErrorKind.PROTOCOL
        summary.error = f"the hub refused a call as too large (HTTP 413: {exc})"
    except NotInitialised as exc:
        summary.ok, summary.error, summary.error_kind = False, str(exc), SyncErrorKind.CONFIG
    except _UpgradeRequired as exc:
        summary.ok, summary.error_kind = False, SyncErrorKind.UPGRADE
        summary.paused = summary.error = _pause_text(exc.min_protocol, str(exc))
        with db.write() as s:
            _put(s, META_PAUSED, summary.paused)
            _put(s, META_PAUSED_PROTOCOL, str(exc.min_protocol or ""))
    finally:
        rnd.hub.close()
        if leased:
            rnd.release()
    summary.finished_at = clock()
    with db.write() as s:
        summary.pending, _ = _count(s, _UNSYNCED)
        summary.in_error, _ = _count(s, [SyncState.ERROR])
        summary.in_error += _pulled_quarantine_count(s)
        if summary.error_kind == SyncErrorKind.BUSY:
            return summary
        _put(s, META_LAST_ATTEMPT, summary.finished_at.isoformat())
        if summary.ok:
            _put(s, META_LAST_SUCCESS, summary.finished_at.isoformat())
            _put(s, META_LAST_ERROR, None)
            _put(s, META_LAST_ERROR_KIND, None)
        else:
            _put(s, META_LAST_ERROR, summary.error)
            _put(s, META_LAST_ERROR_KIND, summary.error_kind)
        _put(s, META_LAST_SUMMARY, json.dumps(summary.to_dict(), ensure_ascii=False))
        # Keep the outbox log bounded: finished batches older than 30 days go.
        s.execute(delete(SyncBatch).where(SyncBatch.state != BATCH_SENDING,
                                          SyncBatch.finished_at < summary.finished_at - timedelta(days=30)))
    notify(SyncProgress("finished", summary.pushed, summary.pushed,
                        summary.error or f"pushed {summary.pushed}, pulled {summary.pulled}"))
    return summary


__all__ = [
    "RejectedRecord",
    "SyncFailure",
    "SyncOptions",
    "SyncProgress",
    "SyncStatus",
    "SyncSummary",
    "recover",
    "rejected_records",
    "resend",
    "run_sync",
    "sync_status",
]
