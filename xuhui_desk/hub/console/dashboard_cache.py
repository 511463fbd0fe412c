"""The dashboard's computed figures kept in the hub database (``console_dashboard_cache``).

Computing a week's figures at district scale reads every request the roll-up needs and their
timelines (about two seconds for 1,000,000 requests); a view of a period nothing has changed in
since does not need to. So the figures of a (period, scope, language) are stored as JSON
(:meth:`~xuhui_desk.hub.console.dashboard.DashboardFigures.to_dict`) together with:

* ``schema_version`` — :data:`SCHEMA_VERSION`; a row written by another version of the hub is
  recomputed, never read (bump it whenever :class:`DashboardFigures` changes shape or meaning);
* ``token`` — the hub's *freshness token* read before the figures were computed: the newest
  event (id and arrival), the newest request (id) and the newest request and enterprise change
  (``changed_at``). Every push, console action, district update and tracking-page rating moves
  one of them, so a view after any change recomputes; a change committed while the figures were
  being computed moves the token past the stored one and the next view recomputes as well;
* ``computed_at`` — an entry is also recomputed once older than :data:`CACHE_MAX_AGE`
  (:data:`RUNNING_MAX_AGE` for a period still running, as its cut-off is "now"), which bounds
  what the token cannot see: a transaction that commits with times older than the newest ones
  already stored, or a change of the working-day calendar file.

The table lives in the database, not in a process: every hub process on one PostgreSQL serves
and refreshes the same entries (docs/console.md, several hub processes).

Why one entry per period rather than per (week, station) summed over a range: medians of
response and resolution times are not additive, and open and overdue counts are taken at the
period's cut-off, so a range's figures cannot be assembled from its weeks' without changing what
they mean (and then differing from the roll-up's). A range is its own entry.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from xuhui_desk.hub.console.dashboard import DashboardFigures, compute_figures
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import ConsoleDashboardCache, HubEnterprise, HubEvent, HubRequest

log = logging.getLogger(__name__)

#: Version of the stored JSON's shape and meaning (see the module doc).
SCHEMA_VERSION = 1
#: A finished period's entry is recomputed after this long even if the token still matches.
CACHE_MAX_AGE = timedelta(minutes=10)
#: … and a period still running (its cut-off is the moment of the view).
RUNNING_MAX_AGE = timedelta(seconds=60)
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


def _stored(entry: ConsoleDashboardCache | None, token: str, now: datetime, max_age: timedelta,
            ) -> DashboardFigures | None:
    """The entry's figures if they may be shown: same schema version, same token, young enough,
    and readable; None otherwise (the caller recomputes)."""
    if entry is None or entry.schema_version != SCHEMA_VERSION or entry.token != token:
        return None
    if not timedelta(0) <= now - entry.computed_at <= max_age:
        return None
    try:
        data: Any = json.loads(entry.figures)
        return DashboardFigures.from_dict(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("dashboard cache entry %s/%s/%s unreadable (%s): recomputed", entry.period, entry.scope,
                    entry.language, exc)
        return None


def cached_figures(db: HubDatabase, period: Any, station: str | None, language: str, now: datetime,
                   ) -> DashboardFigures:
    """:func:`~xuhui_desk.hub.console.dashboard.compute_figures` for the same arguments, from the
    table when its entry is current (see the module doc), else computed and stored."""
    key = (str(period.label), station or "", language)
    max_age = RUNNING_MAX_AGE if period.end > now else CACHE_MAX_AGE
    token = freshness_token(db)  # read before computing: a change made meanwhile moves it
    with db.session() as s:
        found = _stored(s.get(ConsoleDashboardCache, key), token, now, max_age)
    if found is not None:
        return found
    figures = compute_figures(db, period, station, language, now)
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
    return figures
