"""What the console knows about each station's syncing: its last pull and the cursor it pulled
from, recorded by a small ASGI wrapper around the sync API's pull (the API itself is unchanged).

A station's pull request carries the cursor up to which it has applied the feed (it moves the
cursor only after applying); the entries above it that existed at its last pull were handed to it
then. So "records waiting" counts the station's feed entries above that cursor made since its last
pull: what its next sync will fetch. "Last sync" is the later of its last push
(``stations.last_seen_at``) and pull.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import store
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import ConsoleStationPull, HubChange, HubStation
from xuhui_desk.models import utcnow
from xuhui_desk.sync_protocol import MAX_CURSOR, PULL_PATH

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


def record_pull(db: HubDatabase, token: str, cursor: int, now: datetime | None = None) -> None:
    """Note that the station holding ``token`` pulled from ``cursor`` (a revoked token: nothing)."""
    station = store.authenticate(db, token)
    if station is None:
        return
    now = now or utcnow()
    with db.write() as s:
        row = s.get(ConsoleStationPull, station.id)
        if row is None:
            s.add(ConsoleStationPull(station_id=station.id, last_pull_at=now, cursor=cursor))
        else:
            row.last_pull_at = now
            # A station restored from a backup pulls from an older cursor: that is what it has.
            row.cursor = cursor


class PullRecorder:
    """Pure ASGI wrapper: after a successful ``GET /api/v1/sync/pull`` records the pull (see
    :func:`record_pull`); every other request passes through untouched."""

    def __init__(self, app: Callable[..., Awaitable[None]], db: HubDatabase) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope.get("type") != "http" or scope.get("path") != PULL_PATH or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status != 200:
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        scheme, _, token = headers.get("authorization", "").partition(" ")
        raw = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("cursor", ["0"])[0]
        if scheme.lower() != "bearer" or not raw.isdigit() or int(raw) > MAX_CURSOR:
            return
        try:
            await run_in_threadpool(record_pull, self.db, token.strip(), int(raw))
        except Exception:  # bookkeeping for the console must never fail a station's sync
            return


def waiting_changes(db: HubDatabase, cap: int = 1000) -> dict[int, tuple[datetime | None, int]]:
    """Per station id: (last sync, feed entries not yet applied there, counted up to ``cap + 1``)."""
    out: dict[int, tuple[datetime | None, int]] = {}
    with db.session() as s:
        stations = s.execute(select(HubStation.id, HubStation.last_seen_at)).all()
        pulls = {r.station_id: r for r in s.scalars(select(ConsoleStationPull))}
        for station_id, pushed_at in stations:
            pull = pulls.get(station_id)
            waiting = select(HubChange.seq).where(HubChange.station_id == station_id)
            if pull is not None:
                waiting = waiting.where(HubChange.seq > pull.cursor, HubChange.created_at >= pull.last_pull_at)
            count = s.scalar(select(func.count()).select_from(waiting.limit(cap + 1).subquery())) or 0
            times = [t for t in (pushed_at, pull.last_pull_at if pull is not None else None) if t is not None]
            out[station_id] = (max(times) if times else None, int(count))
    return out
