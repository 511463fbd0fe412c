"""The dashboard's computed figures kept in the hub database (``console_dashboard_cache``), served
at once and recomputed in the background.

Computing a period's figures at district scale reads every request the roll-up needs and their
timelines (2–5 seconds for 1,000,000 requests on 2 cores); a view does not wait for that once
figures of its (period, scope, language) exist. The figures are stored as JSON
(:meth:`~xuhui_desk.hub.console.dashboard.DashboardFigures.to_dict`) together with:

* ``schema_version`` — :data:`SCHEMA_VERSION`; a row written by another version of the hub is
  recomputed, never read (bump it whenever :class:`DashboardFigures` changes shape or meaning);
* ``token`` — the hub's *freshness token* read before the figures were computed: the newest
  event (id and arrival), the newest request (id) and the newest request and enterprise change
  (``changed_at``). Every push, console action, district update and tracking-page rating moves
  one of them;
* ``computed_at`` — when they were computed. An entry is also due after :data:`CACHE_MAX_AGE`
  (:data:`RUNNING_MAX_AGE` for a period still running, as its cut-off is "now"), which bounds
  what the token cannot see (a transaction committing older times, a calendar file change).

A view (:func:`cached_figures`):

* entry current (same token, young enough): served as it is;
* entry due (the token moved, or too old) but computed less than :data:`MAX_STALE` ago: served
  **at once**, marked *updating* (the page says "as of HH:MM (updating…)" and the bound), and a
  recompute is started in the background — if this view takes the key's **lease**;
* no readable entry, or one older than :data:`MAX_STALE` (nobody looked for that long): the view
  computes the figures itself, as the first view of a period does.

The lease (table ``console_dashboard_lease``, hub migration ``0009_console_perf``) is a row per
key with a holder and an expiry (:data:`LEASE`): taking it is one conditional UPDATE or INSERT, so
at most one recompute of a key runs at a time across **every hub process** on the database; the
other views keep serving the entry as *updating*, and a first view that finds the lease taken
waits for the holder's result (up to :data:`LEASE`) instead of computing it a second time. A
holder that dies leaves a lease that expires.

The staleness bound: figures shown are never older than :data:`MAX_STALE` (15 minutes); while
the hub keeps changing, each view starts (at most) one recompute, so the figures shown lag the
hub by about one recompute (seconds) plus the time since the last view.

Why not per-week parts combined for a range: the median first response and resolution times
cannot be combined from weeks' medians (the exact median needs every request's time), and the
open and overdue counts are taken at the period's cut-off, not summed; combining only the
additive figures would leave the slow part — reading the candidates and their timelines —
to do anyway. A range is its own entry, served the same way.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from xuhui_desk.hub.console.dashboard import DashboardFigures, compute_figures
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import (
    ConsoleDashboardCache,
    ConsoleDashboardLease,
    HubEnterprise,
    HubEvent,
    HubRequest,
)
from xuhui_desk.models import utcnow

log = logging.getLogger(__name__)

#: Version of the stored JSON's shape and meaning (see the module doc).
SCHEMA_VERSION = 1
#: A finished period's entry is recomputed after this long even if the token still matches.
CACHE_MAX_AGE = timedelta(minutes=10)
#: … and a period still running (its cut-off is the moment of the view).
RUNNING_MAX_AGE = timedelta(seconds=60)
#: Longest the figures of an entry are shown while they are being recomputed (the page says so);
#: an older entry is recomputed in the view.
MAX_STALE = timedelta(minutes=15)
#: A kept entry is recomputed at most this often (a recompute costs seconds of CPU the sync API
#: and the other pages share); views meanwhile show it as "updating".
REFRESH_EVERY = timedelta(seconds=30)
#: How much lower than the hub's the recompute process's CPU priority is (``nice``).
RECOMPUTE_NICENESS = 10
#: A recompute's lease: long enough for a recompute on a busy machine; a crashed holder's lease
#: runs out after it.
LEASE = timedelta(minutes=2)
#: How often a first view waiting for another process's recompute looks for its result.
LEASE_POLL_SECONDS = 0.2
#: Entries not refreshed for this long are deleted when another is stored (every date range a
#: user asks for is an entry of its own; an entry this old would be recomputed anyway).
PRUNE_AFTER = timedelta(days=1)


def freshness_token(db: HubDatabase) -> str:
    """What moves whenever a push, a console action or a rating changes a request, an event or
    an enterprise on the hub (see the module doc). Each part is one index read."""
    with db.session() as s:
        parts = s.execute(select(
            select(func.max(HubEvent.id)).scalar_subquery(),
            select(func.max(HubEvent.received_at)).scalar_subquery(),
            select(func.max(HubRequest.id)).scalar_subquery(),
            select(func.max(HubRequest.changed_at)).scalar_subquery(),
            select(func.max(HubEnterprise.changed_at)).scalar_subquery(),
        )).one()
    return "|".join("" if p is None else (p.isoformat() if isinstance(p, datetime) else str(p)) for p in parts)


def _readable(entry: ConsoleDashboardCache | None) -> DashboardFigures | None:
    """The entry's figures if it is of this schema version and readable; None otherwise (the
    caller recomputes rather than show a mis-read figure)."""
    if entry is None or entry.schema_version != SCHEMA_VERSION:
        return None
    try:
        data: Any = json.loads(entry.figures)
        return DashboardFigures.from_dict(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("dashboard cache entry %s/%s/%s unreadable (%s): recomputed", entry.period, entry.scope,
                    entry.language, exc)
        return None


@dataclass(frozen=True)
class KeptFigures:
    """What a view shows: the figures, when they were computed, and whether they are being
    updated (the hub changed since; a recompute is running here or in another hub process)."""

    figures: DashboardFigures
    computed_at: datetime
    updating: bool


#: Starts a recompute (by default in the recompute process; tests run it when they choose).
Runner = Callable[["Recompute"], None]

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _lower_priority() -> None:
    """The recompute process's start: below the hub's requests in the CPU's queue."""
    if hasattr(os, "nice"):
        os.nice(RECOMPUTE_NICENESS)


def in_background(job: Recompute) -> None:
    """Run ``job`` in this hub process's recompute process (one, started at the first recompute,
    at a lower CPU priority). A process rather than a thread: a recompute is seconds of Python
    that would hold the interpreter lock against the pages and the sync API of this process."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_lower_priority)
        pool = _pool
    future = pool.submit(job)
    future.add_done_callback(_report_failure)


def _report_failure(future: Future[None]) -> None:
    exc = future.exception() if not future.cancelled() else None
    if exc is not None:  # the process itself failed (the job logs its own errors)
        log.warning("dashboard recompute process failed: %s", exc)


def _key(period: Any, station: str | None, language: str) -> tuple[str, str, str]:
    return (str(period.label), station or "", language)


def take_lease(db: HubDatabase, key: tuple[str, str, str]) -> str | None:
    """The key's recompute lease for :data:`LEASE` (a holder token), or None when another view —
    in this process or another — holds it. Real time, whatever ``now`` the view was given."""
    holder = uuid.uuid4().hex
    t = utcnow()
    lease = ConsoleDashboardLease
    same = (lease.period == key[0], lease.scope == key[1], lease.language == key[2])
    try:
        with db.write() as s:
            taken = s.execute(update(lease).where(*same, lease.until < t).values(holder=holder, until=t + LEASE))
            if getattr(taken, "rowcount", 0) == 1:
                return holder
            if s.get(lease, key) is not None:
                return None
            s.add(lease(period=key[0], scope=key[1], language=key[2], holder=holder, until=t + LEASE))
    except IntegrityError:
        return None  # another process inserted it at the same moment
    return holder


def release_lease(db: HubDatabase, key: tuple[str, str, str], holder: str) -> None:
    """Give the lease back (only if still ours: an expired one may have been taken over)."""
    lease = ConsoleDashboardLease
    with db.write() as s:
        s.execute(delete(lease).where(lease.period == key[0], lease.scope == key[1], lease.language == key[2],
                                      lease.holder == holder))


def _read(db: HubDatabase, key: tuple[str, str, str]) -> tuple[ConsoleDashboardCache | None, DashboardFigures | None]:
    with db.session() as s:
        entry = s.get(ConsoleDashboardCache, key)
    return entry, _readable(entry)


def _store(db: HubDatabase, key: tuple[str, str, str], figures: DashboardFigures, token: str, now: datetime,
           ) -> None:
    text = json.dumps(figures.to_dict(), ensure_ascii=False, separators=(",", ":"))
    try:
        with db.write() as s:
            s.execute(delete(ConsoleDashboardCache).where(ConsoleDashboardCache.computed_at < now - PRUNE_AFTER))
            entry = s.get(ConsoleDashboardCache, key)
            if entry is None:
                s.add(ConsoleDashboardCache(period=key[0], scope=key[1], language=key[2],
                                            schema_version=SCHEMA_VERSION, token=token, computed_at=now,
                                            figures=text))
            else:
                entry.schema_version, entry.token, entry.computed_at, entry.figures = (
                    SCHEMA_VERSION, token, now, text)
    except IntegrityError:
        pass  # another hub process stored the same entry at the same moment: its figures are as good


def _compute_and_store(db: HubDatabase, period: Any, station: str | None, language: str, now: datetime,
                       ) -> DashboardFigures:
    token = freshness_token(db)  # read before computing: a change made meanwhile moves it
    figures = compute_figures(db, period, station, language, now)
    _store(db, _key(period, station, language), figures, token, now)
    return figures


@dataclass(frozen=True)
class Recompute:
    """The background recompute of one key, lease held: plain data (it is sent to the recompute
    process), run by calling it. Never raises — a failure is logged and the entry stays as it
    was; the lease is given back either way (or runs out, if the process dies)."""

    database_url: str
    period: Any
    station: str | None
    language: str
    now: datetime
    holder: str

    def __call__(self) -> None:
        from xuhui_desk.hub.database import open_hub_database

        key = _key(self.period, self.station, self.language)
        db = open_hub_database(self.database_url, migrate=False)
        try:
            _compute_and_store(db, self.period, self.station, self.language, self.now)
        except Exception:  # a process of its own: nobody else would see the error
            log.exception("dashboard recompute of %s/%s/%s failed", *key)
        finally:
            try:
                release_lease(db, key, self.holder)
            except Exception:  # the database went away: the lease runs out by itself
                log.warning("dashboard lease of %s/%s/%s not released (it runs out)", *key)
            db.close()


def cached_figures(db: HubDatabase, period: Any, station: str | None, language: str, now: datetime,
                   *, run: Runner = in_background) -> KeptFigures:
    """The figures :func:`~xuhui_desk.hub.console.dashboard.compute_figures` gives for the same
    arguments, or the last ones computed for them while those are being updated (see the module
    doc): a view never waits for a recompute once figures younger than :data:`MAX_STALE` exist.
    ``run`` starts the background recompute (a thread by default)."""
    key = _key(period, station, language)
    max_age = RUNNING_MAX_AGE if period.end > now else CACHE_MAX_AGE
    token = freshness_token(db)
    entry, kept = _read(db, key)
    if entry is not None and kept is not None:
        age = now - entry.computed_at
        if entry.token == token and timedelta(0) <= age <= max_age:
            return KeptFigures(kept, entry.computed_at, updating=False)
        if age <= MAX_STALE:
            if age >= REFRESH_EVERY:
                holder = take_lease(db, key)
                if holder is not None:
                    run(Recompute(db.url, period, station, language, now, holder))
            return KeptFigures(kept, entry.computed_at, updating=True)
    return KeptFigures(_compute_in_view(db, period, station, language, now), now, updating=False)


def _compute_in_view(db: HubDatabase, period: Any, station: str | None, language: str, now: datetime,
                     ) -> DashboardFigures:
    """No figures to show yet: compute them in this view — unless another view (in any hub
    process) holds the lease, whose result is then awaited (up to :data:`LEASE`)."""
    key = _key(period, station, language)
    give_up = time.monotonic() + LEASE.total_seconds()
    def stored() -> DashboardFigures | None:
        entry, kept = _read(db, key)
        if entry is not None and kept is not None and now - entry.computed_at <= MAX_STALE:
            return kept  # the holder stored them (or an entry young enough appeared meanwhile)
        return None

    while True:
        if (kept := stored()) is not None:
            return kept
        holder = take_lease(db, key)
        if holder is not None:
            try:
                # The previous holder may have stored its figures between the look and the lease.
                if (kept := stored()) is not None:
                    return kept
                return _compute_and_store(db, period, station, language, now)
            finally:
                release_lease(db, key, holder)
        if time.monotonic() > give_up:
            return _compute_and_store(db, period, station, language, now)
        time.sleep(LEASE_POLL_SECONDS)
