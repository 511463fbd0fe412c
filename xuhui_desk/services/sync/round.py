"""One sync round with the district hub (:func:`run_sync`): it pushes what this station recorded
and pulls what the district changed. No Qt: the GUI runs it on a worker thread.

A round promises:

1. **Recover.** Whatever a crashed round left ``sending`` goes back to ``pending`` first.
2. **Check.** ``GET /health``: the hub's protocol (too old a client → sync *paused*, intake
   untouched), the clock skew (stored, warned about), the hub's limits and identity.
3. **Push** (:mod:`.push`) enterprises, then requests, then timeline events, then policy pushes,
   in bounded batches.
4. **Pull** (:mod:`.pull`) the station's change feed page by page; then the district's calendar
   (services/calendar_updates.py) and policy catalogue (services/policy_feed.py).

Transient failures (connection errors, 5xx, 429) are retried with exponential back-off and
jitter (:mod:`.client`); 401/403/409 are never retried. Every call has a timeout. Nothing is
ordered by the station's clock: pushes go in local row order, pulls by the hub's sequence.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, update

from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, Origin, PolicyPush, Request, RequestEvent, SyncBatch, SyncState, utcnow
from xuhui_desk.services.policies import META_CATALOGUE_VERSION
from xuhui_desk.services.sync.context import RoundContext
from xuhui_desk.services.sync.errors import SyncFailure, TooLarge, UpgradeRequired, pause_text, skew_text
from xuhui_desk.services.sync.options import SyncOptions, SyncProgress, SyncSummary
from xuhui_desk.services.sync.pull import Puller
from xuhui_desk.services.sync.push import Pusher
from xuhui_desk.services.sync.state import (
    BATCH_SENDING,
    META_CURSOR,
    META_HUB_ID,
    META_LAST_ATTEMPT,
    META_LAST_ERROR,
    META_LAST_ERROR_KIND,
    META_LAST_SUCCESS,
    META_LAST_SUMMARY,
    META_PAUSED,
    META_PAUSED_PROTOCOL,
    META_SKEW,
    UNSYNCED,
    count_records,
    get_meta,
    pulled_quarantine_count,
    put_meta,
    recover,
)
from xuhui_desk.sync_protocol import HEALTH_PATH, MIN_HUB_PROTOCOL, PROTOCOL_VERSION, parse_time

if TYPE_CHECKING:
    import httpx


def check(ctx: RoundContext) -> None:
    """``GET /health``: the hub's protocol (too old a client → :class:`UpgradeRequired`), the clock
    skew (stored, warned about), the hub's limits (lowering the batch limits) and identity (another
    hub: everything is sent again)."""
    from xuhui_desk.services.station import require_station

    ctx.report("checking", message="contacting the district hub")
    with ctx.db.session() as s:
        ctx.station_code = require_station(s).code
    started = time.monotonic()
    local_before = ctx.clock()
    try:
        resp = ctx.hub.call("GET", HEALTH_PATH, timeout=ctx.options.health_timeout)
    except TooLarge as exc:
        raise SyncFailure(SyncErrorKind.PROTOCOL, f"unexpected answer from the hub: {exc}") from exc
    rtt = time.monotonic() - started
    body = ctx.hub.json(resp)
    if not isinstance(body, dict) or "server_time" not in body:
        raise SyncFailure(SyncErrorKind.PROTOCOL, f"{ctx.hub.url} does not look like a xuhui district hub")
    try:
        server_time = parse_time(str(body["server_time"]))
    except ValueError as exc:
        raise SyncFailure(SyncErrorKind.PROTOCOL, "the hub sent an unreadable time") from exc
    # The hub's clock read half-way through the call, against ours at the same moment.
    skew = (local_before + timedelta(seconds=rtt / 2) - server_time).total_seconds()
    ctx.summary.skew_seconds = round(skew, 3)
    if abs(skew) > ctx.options.skew_warning_seconds:
        ctx.summary.skew_warning = skew_text(skew)
        ctx.summary.errors.append(ctx.summary.skew_warning)
    min_client = int(body.get("min_client_protocol") or 1)
    hub_protocol = int(body.get("protocol") or 1)
    sent_limits = body.get("limits")
    limits: dict[str, Any] = sent_limits if isinstance(sent_limits, dict) else {}
    if limits.get("max_batch_records"):
        ctx.max_records = max(1, min(ctx.max_records, int(limits["max_batch_records"])))
    if limits.get("max_body_bytes"):
        ctx.max_bytes = max(1024, min(ctx.max_bytes, int(int(limits["max_body_bytes"]) * 0.9)))
    if limits.get("max_decoded_bytes"):  # batches are measured decoded (before gzip)
        ctx.max_bytes = max(1024, min(ctx.max_bytes, int(int(limits["max_decoded_bytes"]) * 0.9)))
    hub_id = str(body.get("hub_id") or "")
    with ctx.db.write() as s:
        put_meta(s, META_SKEW, f"{skew:.3f}")
        stored = get_meta(s, META_HUB_ID)
        if hub_id and stored and stored != hub_id:
            # Another hub (or a rebuilt one): its feed starts over, and it has none of our records.
            ctx.summary.errors.append("the district hub changed; everything is sent to it again")
            put_meta(s, META_CURSOR, "0")
            put_meta(s, META_CATALOGUE_VERSION, None)  # its catalogue is fetched whole
            for model in (Enterprise, Request, PolicyPush):
                s.execute(update(model).where(model.sync_state == SyncState.SYNCED)
                          .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
            s.execute(update(RequestEvent).where(RequestEvent.sync_state == SyncState.SYNCED,
                                                 RequestEvent.origin == Origin.STATION)
                      .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
        if hub_id:
            put_meta(s, META_HUB_ID, hub_id)
    if min_client > PROTOCOL_VERSION:
        raise UpgradeRequired(f"the district hub needs sync protocol {min_client}; this program speaks "
                               f"{PROTOCOL_VERSION}", min_client)
    if hub_protocol < MIN_HUB_PROTOCOL:
        raise SyncFailure(SyncErrorKind.PROTOCOL,
                          f"the district hub speaks protocol {hub_protocol}, too old for this "
                          f"program (needs {MIN_HUB_PROTOCOL})")
    with ctx.db.write() as s:
        if get_meta(s, META_PAUSED):
            put_meta(s, META_PAUSED, None)
            put_meta(s, META_PAUSED_PROTOCOL, None)


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
            summary.pending, _ = count_records(s, UNSYNCED)
            summary.in_error, _ = count_records(s, [SyncState.ERROR])
            summary.in_error += pulled_quarantine_count(s)
        return summary
    rnd = RoundContext(db, url, token, options or SyncOptions(), notify, stop, transport, clock, sleep)
    summary = rnd.summary
    summary.insecure = hub_url_insecure(url)
    leased = False
    try:
        rnd.acquire()
        leased = True
        recover(db, now=clock())
        check(rnd)
        Pusher(rnd).run()
        Puller(rnd).run()
        from xuhui_desk.services import calendar_updates  # the district's calendar years (docs/calendar.md)
        summary.errors += calendar_updates.pull_from_hub(db, rnd.hub.client, clock(), auth=rnd.hub.auth)
        from xuhui_desk.services import policy_feed  # the district's policies (docs/policies-station.md)
        policies = policy_feed.pull_from_hub(db, rnd.hub.client, clock(), auth=rnd.hub.auth)
        summary.errors += policies.messages
        summary.policies_changed = policies.changed
        from xuhui_desk.services import attachment_sync  # files after their records (docs/attachments.md)
        summary.errors += attachment_sync.push_files(db, rnd.hub.client, auth=rnd.hub.auth, cancel=stop).messages
    except SyncFailure as exc:
        summary.ok, summary.error, summary.error_kind = False, exc.message, exc.kind
    except TooLarge as exc:  # only a push may be too large; anything else is a confused hub or proxy
        summary.ok, summary.error_kind = False, SyncErrorKind.PROTOCOL
        summary.error = f"the hub refused a call as too large (HTTP 413: {exc})"
    except NotInitialised as exc:
        summary.ok, summary.error, summary.error_kind = False, str(exc), SyncErrorKind.CONFIG
    except UpgradeRequired as exc:
        summary.ok, summary.error_kind = False, SyncErrorKind.UPGRADE
        summary.paused = summary.error = pause_text(exc.min_protocol, str(exc))
        with db.write() as s:
            put_meta(s, META_PAUSED, summary.paused)
            put_meta(s, META_PAUSED_PROTOCOL, str(exc.min_protocol or ""))
    finally:
        rnd.hub.close()
        if leased:
            rnd.release()
    summary.finished_at = clock()
    with db.write() as s:
        summary.pending, _ = count_records(s, UNSYNCED)
        summary.in_error, _ = count_records(s, [SyncState.ERROR])
        summary.in_error += pulled_quarantine_count(s)
        if summary.error_kind == SyncErrorKind.BUSY:
            return summary
        put_meta(s, META_LAST_ATTEMPT, summary.finished_at.isoformat())
        if summary.ok:
            put_meta(s, META_LAST_SUCCESS, summary.finished_at.isoformat())
            put_meta(s, META_LAST_ERROR, None)
            put_meta(s, META_LAST_ERROR_KIND, None)
        else:
            put_meta(s, META_LAST_ERROR, summary.error)
            put_meta(s, META_LAST_ERROR_KIND, summary.error_kind)
        put_meta(s, META_LAST_SUMMARY, json.dumps(summary.to_dict(), ensure_ascii=False))
        # Keep the outbox log bounded: finished batches older than 30 days go.
        s.execute(delete(SyncBatch).where(SyncBatch.state != BATCH_SENDING,
                                          SyncBatch.finished_at < summary.finished_at - timedelta(days=30)))
    notify(SyncProgress("finished", summary.pushed, summary.pushed,
                        summary.error or f"pushed {summary.pushed}, pulled {summary.pulled}"))
    return summary

