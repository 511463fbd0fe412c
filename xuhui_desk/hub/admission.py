"""Sync-first admission: the district console's pages yield to the stations' sync API.

On a small hub (2 cores) the console's pages and the sync API share the CPU — the hub's Python
and PostgreSQL's queries. Twenty handlers loading pages back to back left a station's pushes
14–18 % of their rate alone (benchmarks/README.md, "District console"). This gate, one per hub
process (an ASGI wrapper around the whole app), gives the sync API the first turn:

* a **sync request** (``/api/v1/sync/…`` push and pull, ``/api/v1/attachments/…`` uploads) is
  counted "in flight" from its first byte to its last, and sync stays "busy" for
  ``sync_linger_seconds`` after the last one ends (a station sending a backlog sends its next
  batch within milliseconds; without the linger pages slipped into every such gap and took the
  cores from the next batch); it never waits here;
* a **console request** (``/console/…`` but its static files and fonts, and the public tracking
  page ``/track…``) first takes one of ``console_concurrency`` slots (at most that many console
  requests do their work at once in this process; the others queue, first come first served),
  then waits while sync is busy — at most until ``console_wait_seconds`` after
  it arrived. Past that it proceeds anyway: a page is delayed, never starved. A page that waited
  is logged at debug level (logger ``xuhui_desk.hub.admission``);
* everything else — ``/api/v1/health`` first of all, the admin and calendar API — passes straight
  through.

Waiting happens on the event loop (asyncio primitives; no worker thread is held), so a waiting
page costs nothing but its socket.

**Across hub processes (PostgreSQL).** Several processes on one database (``serve --workers N``,
or processes behind a proxy) share the host's cores, so a push in flight in any of them makes the
pages of every one of them wait (:class:`SyncAcrossProcesses`): a process with sync requests in
flight holds a *shared* PostgreSQL advisory lock (namespace :data:`SYNC_LOCK_NAMESPACE`, key
derived from the hub's id, so hubs in other schemas of the database are not counted) on a
connection of its own, taken when its first sync request starts and given back when its last one
ends — one lock and one unlock per burst, done by a thread of the gate's so that a sync request
never waits for them; the lock goes with the connection if the process dies. A console request
that finds its own process quiet looks at ``pg_locks`` (does another process hold that lock?) and
waits while one does, within the same bound, and for ``sync_linger_seconds`` after it last saw
one (the gap between a station's batches). Pages never take the lock, so sync never waits for a
page. At most one look per :data:`REMOTE_POLL_SECONDS` per process, whatever the number of pages
waiting. A look that fails (database unreachable) counts as quiet: pages are never held by a
broken check. SQLite (one hub process, or processes on one file that serialise on its write lock
anyway) keeps the per-process gate only.

Settings (``XUHUI_HUB_*`` variables, read by :meth:`AdmissionSettings.from_env`):
``XUHUI_HUB_CONSOLE_WAIT_SECONDS`` (default 1.5; 0 turns the wait for sync off),
``XUHUI_HUB_CONSOLE_CONCURRENCY`` (default 2; 0 means no cap),
``XUHUI_HUB_SYNC_LINGER_SECONDS`` (default 0.05) and ``XUHUI_HUB_SYNC_ACROSS_PROCESSES``
(default 1; 0: each process gates only its own requests, as behind a PgBouncer in transaction
mode, where a session's advisory lock does not hold).
"""

from __future__ import annotations

import asyncio
import logging
import os
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xuhui_desk.sync_protocol import API_PREFIX

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from xuhui_desk.hub.database import HubDatabase

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

WAIT_ENV = "XUHUI_HUB_CONSOLE_WAIT_SECONDS"
CONCURRENCY_ENV = "XUHUI_HUB_CONSOLE_CONCURRENCY"
LINGER_ENV = "XUHUI_HUB_SYNC_LINGER_SECONDS"
ACROSS_ENV = "XUHUI_HUB_SYNC_ACROSS_PROCESSES"

#: Paths of the sync API: counted in flight, never held back.
SYNC_PREFIXES = (f"{API_PREFIX}/sync/", f"{API_PREFIX}/attachments/")
#: Paths of pages that yield to sync.
CONSOLE_PREFIXES = ("/console", "/track")
#: Under /console but cheap (files from disk, no database): not gated.
UNGATED_CONSOLE_PREFIXES = ("/console/static/", "/console/fonts/")
#: Namespace of the "sync in flight" advisory lock (``pg_advisory_lock_shared(ns, key)``; the
#: hub's other advisory locks use 0x5848).
SYNC_LOCK_NAMESPACE = 0x5853  # "XS"
#: How often one process looks whether another has sync in flight, at most.
REMOTE_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class AdmissionSettings:
    """How long a console request waits for the sync API, and how many run at once."""

    #: Longest a console request waits (from its arrival) while sync requests are in flight.
    console_wait_seconds: float = 1.5
    #: Console requests doing their work at once in one hub process (0: no cap).
    console_concurrency: int = 2
    #: Sync counts as busy this long after its last request ended (the gap between a station's
    #: batches).
    sync_linger_seconds: float = 0.05
    #: On PostgreSQL, pages also wait for the sync of the other hub processes on the database.
    across_processes: bool = True

    def __post_init__(self) -> None:
        if self.console_wait_seconds < 0 or self.console_concurrency < 0 or self.sync_linger_seconds < 0:
            raise ValueError("console wait and concurrency must not be negative")

    @classmethod
    def from_env(cls) -> AdmissionSettings:
        """The settings from ``XUHUI_HUB_CONSOLE_WAIT_SECONDS``, ``XUHUI_HUB_CONSOLE_CONCURRENCY``,
        ``XUHUI_HUB_SYNC_LINGER_SECONDS`` and ``XUHUI_HUB_SYNC_ACROSS_PROCESSES`` (unset or empty:
        the defaults)."""
        wait = os.environ.get(WAIT_ENV)
        cap = os.environ.get(CONCURRENCY_ENV)
        linger = os.environ.get(LINGER_ENV)
        across = os.environ.get(ACROSS_ENV, "").strip()
        return cls(console_wait_seconds=float(wait) if wait else cls.console_wait_seconds,
                   console_concurrency=int(cap) if cap else cls.console_concurrency,
                   sync_linger_seconds=float(linger) if linger else cls.sync_linger_seconds,
                   across_processes=across not in ("0", "false", "no", "off") if across else cls.across_processes)


def request_kind(path: str) -> str:
    """``"sync"``, ``"console"`` or ``"other"`` for a request path (see the module's docstring)."""
    if path.startswith(SYNC_PREFIXES):
        return "sync"
    if path.startswith(UNGATED_CONSOLE_PREFIXES):
        return "other"
    if path == "/track" or path.startswith("/track/") or path == "/console" or path.startswith("/console/"):
        return "console"
    return "other"


class SyncAcrossProcesses:
    """The "sync in flight" advisory lock of one hub process on PostgreSQL (see the module doc).

    :meth:`busy` and :meth:`quiet` are called on the event loop and return at once: the lock and
    unlock run in order on a thread of this object's. :meth:`others_busy` is awaited by pages."""

    def __init__(self, db: HubDatabase) -> None:
        self.db = db
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-first-lock")
        self._key: int | None = None
        #: The connection holding the shared lock while this process has sync in flight.
        self._held: Connection | None = None
        #: The last look's answer and when (loop time), and the look under way, if any.
        self._last_look = (-1.0, False)
        self._looking: asyncio.Future[bool] | None = None
        #: Loop time at which another process was last seen with sync in flight.
        self.seen_busy_at = float("-inf")

    def _lock_key(self) -> int:
        if self._key is None:
            from xuhui_desk.hub.store import hub_id

            self._key = zlib.crc32(hub_id(self.db).encode()) & 0x7FFFFFFF
        return self._key

    # -- this process's lock (run on the object's thread, in submission order)
    def _take(self) -> None:
        from sqlalchemy import text

        if self._held is not None:
            return
        conn: Connection | None = None
        try:
            conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("SELECT pg_advisory_lock_shared(:ns, :key)"),
                         {"ns": SYNC_LOCK_NAMESPACE, "key": self._lock_key()})
            self._held = conn
        except Exception as exc:  # pages of other processes then do not wait for this burst
            log.warning("sync-first lock not taken: %s", exc)
            if conn is not None:
                conn.invalidate()
                conn.close()

    def _give_back(self) -> None:
        from sqlalchemy import text

        conn, self._held = self._held, None
        if conn is None:
            return
        try:
            conn.execute(text("SELECT pg_advisory_unlock_shared(:ns, :key)"),
                         {"ns": SYNC_LOCK_NAMESPACE, "key": self._lock_key()})
            conn.close()
        except Exception as exc:  # a broken connection: dropping it ends its locks
            log.warning("sync-first lock not given back cleanly (connection dropped): %s", exc)
            conn.invalidate()
            conn.close()

    def _look(self) -> bool:
        from sqlalchemy import text

        own = -1
        if self._held is not None:
            raw: Any = self._held.connection.dbapi_connection  # psycopg's: its backend's pid
            own = int(raw.info.backend_pid)
        try:
            with self.db.engine.connect() as conn:
                return bool(conn.scalar(text(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    " AND classid = CAST(:ns AS integer)::oid AND objid = CAST(:key AS integer)::oid"
                    " AND objsubid = 2 AND pid <> :own)"),
                    {"ns": SYNC_LOCK_NAMESPACE, "key": self._lock_key(), "own": own}))
        except Exception as exc:  # never hold pages on a broken check
            log.warning("sync-first look at other processes failed: %s", exc)
            return False

    # -- called on the event loop
    def busy(self) -> None:
        """This process's first sync request started: take the shared lock (without waiting)."""
        self._thread.submit(self._take)

    def quiet(self) -> None:
        """This process's last sync request ended: give the lock back (without waiting)."""
        self._thread.submit(self._give_back)

    async def others_busy(self) -> bool:
        """Whether another hub process has sync in flight: one look per :data:`REMOTE_POLL_SECONDS`
        at most (a look under way is shared by every page asking meanwhile; a page giving up
        on it does not cancel it for the others)."""
        loop = asyncio.get_running_loop()
        at, answer = self._last_look
        if loop.time() - at < REMOTE_POLL_SECONDS:
            return answer
        looking = self._looking
        if looking is None:
            looking = self._looking = loop.run_in_executor(self._thread, self._look)

            def looked(done: asyncio.Future[bool]) -> None:
                self._looking = None
                if not done.cancelled():
                    self._last_look = (loop.time(), done.result())
                    if done.result():
                        self.seen_busy_at = loop.time()

            looking.add_done_callback(looked)
        return await asyncio.shield(looking)


class SyncFirstGate:
    """Pure ASGI wrapper applying :class:`AdmissionSettings` to one process's requests.

    The asyncio primitives bind to the loop that serves the app (one per process) on first use.
    """

    def __init__(self, app: ASGIApp, settings: AdmissionSettings | None = None,
                 db: HubDatabase | None = None) -> None:
        self.app = app
        self.settings = settings or AdmissionSettings()
        #: Other hub processes' sync (PostgreSQL only; see the module doc).
        self.across: SyncAcrossProcesses | None = (
            SyncAcrossProcesses(db) if db is not None and db.dialect == "postgresql"
            and self.settings.across_processes else None)
        self._sync_in_flight = 0
        #: Set while no sync request is in flight and the linger after the last one has passed.
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._linger: asyncio.TimerHandle | None = None
        self._slots = (asyncio.Semaphore(self.settings.console_concurrency)
                       if self.settings.console_concurrency else None)

    @property
    def sync_in_flight(self) -> int:
        """Sync requests between their first and last byte right now."""
        return self._sync_in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = request_kind(str(scope.get("path", ""))) if scope.get("type") == "http" else "other"
        if kind == "sync":
            await self._sync(scope, receive, send)
        elif kind == "console":
            await self._console(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _sync(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._sync_in_flight += 1
        if self._sync_in_flight == 1 and self.across is not None:
            self.across.busy()
        self._quiet.clear()
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        try:
            await self.app(scope, receive, send)
        finally:
            self._sync_in_flight -= 1
            if self._sync_in_flight == 0 and self.across is not None:
                # Given back at once (a lock held through the linger could outlive the server's
                # loop); the other processes' pages apply the linger themselves.
                self.across.quiet()
            if self._sync_in_flight == 0:
                if self.settings.sync_linger_seconds:
                    self._linger = asyncio.get_running_loop().call_later(self.settings.sync_linger_seconds,
                                                                         self._end_linger)
                else:
                    self._quiet.set()

    def _end_linger(self) -> None:
        self._linger = None
        if self._sync_in_flight == 0:
            self._quiet.set()

    async def _console(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        deadline = arrived + self.settings.console_wait_seconds
        if self._slots is not None:
            await self._slots.acquire()
        try:
            gave_way = await self._wait_for_quiet(loop, deadline)
            waited = loop.time() - arrived
            if waited >= 0.001 and log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s waited %.3f s (%s)", scope.get("method"), scope.get("path"), waited,
                          "sync finished" if gave_way else "bound reached, sync still in flight")
            await self.app(scope, receive, send)
        finally:
            if self._slots is not None:
                self._slots.release()

    async def _wait_for_quiet(self, loop: asyncio.AbstractEventLoop, deadline: float) -> bool:
        """Wait until sync is quiet in this process and, on PostgreSQL, in every other hub process
        (True), or until ``deadline`` (False)."""
        while True:
            while not self._quiet.is_set():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(self._quiet.wait(), remaining)
                except TimeoutError:
                    return False
            if self.across is None or not self.settings.console_wait_seconds:
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                others = await asyncio.wait_for(self.across.others_busy(), remaining)
            except TimeoutError:
                return False
            lingering = loop.time() - self.across.seen_busy_at < self.settings.sync_linger_seconds
            if not others and not lingering:
                if self._quiet.is_set():
                    return True
                continue  # a sync request of this process started meanwhile
            await asyncio.sleep(min(REMOTE_POLL_SECONDS, max(0.0, deadline - loop.time())))


__all__ = ["AdmissionSettings", "SyncAcrossProcesses", "SyncFirstGate", "request_kind"]
