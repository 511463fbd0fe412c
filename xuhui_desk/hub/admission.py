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
page costs nothing but its socket. Several worker processes (``serve --workers N``) each gate
their own process: a push served by one worker does not hold back a page in another (they still
share the CPU; docs/console.md says what that means).

Settings (``XUHUI_HUB_*`` variables, read by :meth:`AdmissionSettings.from_env`):
``XUHUI_HUB_CONSOLE_WAIT_SECONDS`` (default 1.5; 0 turns the wait for sync off),
``XUHUI_HUB_CONSOLE_CONCURRENCY`` (default 2; 0 means no cap) and
``XUHUI_HUB_SYNC_LINGER_SECONDS`` (default 0.05).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from xuhui_desk.sync_protocol import API_PREFIX

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

WAIT_ENV = "XUHUI_HUB_CONSOLE_WAIT_SECONDS"
CONCURRENCY_ENV = "XUHUI_HUB_CONSOLE_CONCURRENCY"
LINGER_ENV = "XUHUI_HUB_SYNC_LINGER_SECONDS"

#: Paths of the sync API: counted in flight, never held back.
SYNC_PREFIXES = (f"{API_PREFIX}/sync/", f"{API_PREFIX}/attachments/")
#: Paths of pages that yield to sync.
CONSOLE_PREFIXES = ("/console", "/track")
#: Under /console but cheap (files from disk, no database): not gated.
UNGATED_CONSOLE_PREFIXES = ("/console/static/", "/console/fonts/")


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

    def __post_init__(self) -> None:
        if self.console_wait_seconds < 0 or self.console_concurrency < 0 or self.sync_linger_seconds < 0:
            raise ValueError("console wait and concurrency must not be negative")

    @classmethod
    def from_env(cls) -> AdmissionSettings:
        """The settings from ``XUHUI_HUB_CONSOLE_WAIT_SECONDS``, ``XUHUI_HUB_CONSOLE_CONCURRENCY``
        and ``XUHUI_HUB_SYNC_LINGER_SECONDS`` (unset or empty: the defaults)."""
        wait = os.environ.get(WAIT_ENV)
        cap = os.environ.get(CONCURRENCY_ENV)
        linger = os.environ.get(LINGER_ENV)
        return cls(console_wait_seconds=float(wait) if wait else cls.console_wait_seconds,
                   console_concurrency=int(cap) if cap else cls.console_concurrency,
                   sync_linger_seconds=float(linger) if linger else cls.sync_linger_seconds)


def request_kind(path: str) -> str:
    """``"sync"``, ``"console"`` or ``"other"`` for a request path (see the module's docstring)."""
    if path.startswith(SYNC_PREFIXES):
        return "sync"
    if path.startswith(UNGATED_CONSOLE_PREFIXES):
        return "other"
    if path == "/track" or path.startswith("/track/") or path == "/console" or path.startswith("/console/"):
        return "console"
    return "other"


class SyncFirstGate:
    """Pure ASGI wrapper applying :class:`AdmissionSettings` to one process's requests.

    The asyncio primitives bind to the loop that serves the app (one per process) on first use.
    """

    def __init__(self, app: ASGIApp, settings: AdmissionSettings | None = None) -> None:
        self.app = app
        self.settings = settings or AdmissionSettings()
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
        self._quiet.clear()
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        try:
            await self.app(scope, receive, send)
        finally:
            self._sync_in_flight -= 1
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
        """Wait until sync is quiet (True) or until ``deadline`` (False)."""
        while not self._quiet.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._quiet.wait(), remaining)
            except TimeoutError:
                return False
        return True


__all__ = ["AdmissionSettings", "SyncFirstGate", "request_kind"]
