"""The coordinator's dashboard: the weekly report's own figures for a week or a date range, plus
what only the district sees (stations × categories, open and overdue per department,
rectifications, stations that have not synced).

No new arithmetic: the rows are the roll-up's (:func:`xuhui_desk.hub.report_rows.hub_rows`) and
the figures :func:`xuhui_desk.services.reports.compute_weekly_report`'s — so the dashboard of a
week shows exactly what ``xuhui-hub report --week`` writes into the workbook (a browser test
compares them). A date range is handed to the same function as a period with the week's shape.

The figures are kept (:mod:`xuhui_desk.hub.console.dashboard_cache`) in the database table
``console_dashboard_cache`` (JSON, schema-versioned): a view is served from it at once — when the
hub changed since, with "as of HH:MM (updating…)" while one hub process recomputes them in the
background — instead of being recomputed from a district's worth of requests.
:class:`DashboardFigures` is what is kept — exactly what the page shows, nothing more (no names,
no rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from xuhui_desk.hub.console.accounts import Principal
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import ConsoleStationPull, HubEvent, HubRequest, HubStation
from xuhui_desk.hub.report_rows import hub_rows
from xuhui_desk.models import utcnow
from xuhui_desk.services.reports import (
    SHANGHAI,
    UNRESOLVED_STATUSES,
    DayCount,
    Satisfaction,
    Timing,
    Totals,
    compute_weekly_report,
)

MAX_RANGE_DAYS = 366
STALE_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Period:
    """A run of Shanghai calendar days, shaped like :class:`~xuhui_desk.services.reports.ReportWeek`
    (``start``, ``end``, ``days``, ``label``) so the report's figures can be computed for it."""

    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1))

    @property
    def monday(self) -> date:
        return self.first

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=SHANGHAI)

    def __str__(self) -> str:
        return self.label


@dataclass
class StationSync:
    code: str
    name: str
    last_seen_at: datetime | None


@dataclass(frozen=True)
class DashboardFigures:
    """Every computed figure the dashboard shows for one (period, scope, language): the weekly
    report's headline figures (same names as :class:`~xuhui_desk.services.reports.WeeklyReport`,
    so the page reads them alike) and the district's own. Plain data: it round-trips through
    :meth:`to_dict` / :meth:`from_dict` (JSON) unchanged."""

    period_label: str
    start: datetime
    end: datetime
    as_of: datetime
    station_code: str | None
    language: str
    totals: Totals
    categories: tuple[str, ...]
    category_labels: dict[str, str]
    department_labels: dict[str, str]
    #: category → requests received in the period (the workbook's category totals).
    category_totals: dict[str, int]
    daily: tuple[DayCount, ...]
    first_response: Timing
    resolution: Timing
    satisfaction: Satisfaction
    #: (station, category) → requests received in the period.
    by_station_category: dict[tuple[str, str], int]
    #: department → (open, overdue) at the cut-off.
    by_department: dict[str, tuple[int, int]]
    rectifications: int

    @property
    def partial(self) -> bool:
        """The period had not ended at the cut-off (as the weekly report says it)."""
        return self.as_of < self.end

    def category_total(self, category: str) -> int:
        return self.category_totals.get(category, 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able data (times as ISO 8601 with their offset; tuple keys as lists)."""
        return {
            "period_label": self.period_label, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(), "station_code": self.station_code, "language": self.language,
            "totals": [self.totals.new, self.totals.resolved, self.totals.open, self.totals.overdue],
            "categories": list(self.categories), "category_labels": self.category_labels,
            "department_labels": self.department_labels, "category_totals": self.category_totals,
            "daily": [[d.day.isoformat(), d.new, d.resolved] for d in self.daily],
            "first_response": [self.first_response.count, self.first_response.median, self.first_response.mean],
            "resolution": [self.resolution.count, self.resolution.median, self.resolution.mean],
            "satisfaction": {"count": self.satisfaction.count, "satisfied": self.satisfaction.satisfied,
                             "share": self.satisfaction.share,
                             "by_level": [[k, v] for k, v in sorted(self.satisfaction.by_level.items())]},
            "by_station_category": [[s, c, n] for (s, c), n in sorted(self.by_station_category.items())],
            "by_department": [[d, o, late] for d, (o, late) in sorted(self.by_department.items())],
            "rectifications": self.rectifications,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DashboardFigures:
        """The figures :meth:`to_dict` gave; raises ``KeyError``, ``TypeError`` or ``ValueError``
        on anything else (the cache then recomputes rather than show a mis-read figure)."""
        def moment(text: str) -> datetime:
            value = datetime.fromisoformat(text)
            if value.tzinfo is None:
                raise ValueError(f"naive time {text!r}")
            return value

        def number(value: Any) -> float | None:
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"not a number: {value!r}")
            return float(value)

        def count(value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"not a count: {value!r}")
            return value

        def timing(values: list[Any]) -> Timing:
            n, median, mean = values
            return Timing(count(n), number(median), number(mean))

        sat = data["satisfaction"]
        new, resolved, opened, overdue = (count(v) for v in data["totals"])
        station = data["station_code"]
        return cls(
            period_label=str(data["period_label"]), start=moment(data["start"]), end=moment(data["end"]),
            as_of=moment(data["as_of"]), station_code=None if station is None else str(station),
            language=str(data["language"]), totals=Totals(new, resolved, opened, overdue),
            categories=tuple(str(c) for c in data["categories"]),
            category_labels={str(k): str(v) for k, v in data["category_labels"].items()},
            department_labels={str(k): str(v) for k, v in data["department_labels"].items()},
            category_totals={str(k): count(v) for k, v in data["category_totals"].items()},
            daily=tuple(DayCount(date.fromisoformat(d), count(n), count(r)) for d, n, r in data["daily"]),
            first_response=timing(data["first_response"]), resolution=timing(data["resolution"]),
            satisfaction=Satisfaction(count(sat["count"]), {count(k): count(v) for k, v in sat["by_level"]},
                                      count(sat["satisfied"]), number(sat["share"])),
            by_station_category={(str(s), str(c)): count(n) for s, c, n in data["by_station_category"]},
            by_department={str(d): (count(o), count(late)) for d, o, late in data["by_department"]},
            rectifications=count(data["rectifications"]),
        )


@dataclass
class Dashboard:
    #: The computed figures (kept in the cache); the page calls them ``rep``.
    report: DashboardFigures
    stations: list[str]
    stale: list[StationSync]
    #: When the figures shown were computed.
    computed_at: datetime | None = None
    #: The hub changed since ``computed_at``: newer figures are being computed (the page says so).
    updating: bool = False
    #: The longest the figures shown may lag while being updated (the page states it).
    max_stale: timedelta = timedelta(0)
    #: How often, at most, the figures of a key are recomputed (the page states it).
    refresh_every: timedelta = timedelta(0)

    @property
    def by_station_category(self) -> dict[tuple[str, str], int]:
        return self.report.by_station_category

    @property
    def by_department(self) -> dict[str, tuple[int, int]]:
        return self.report.by_department

    @property
    def rectifications(self) -> int:
        return self.report.rectifications

    @property
    def period_start(self) -> date:
        return self.report.start.astimezone(SHANGHAI).date()

    @property
    def period_end(self) -> date:
        return (self.report.end - timedelta(seconds=1)).astimezone(SHANGHAI).date()


def compute_figures(db: HubDatabase, period: Any, station: str | None, language: str, now: datetime,
                    ) -> DashboardFigures:
    """The figures of ``period`` for ``station`` (None: the district), computed afresh from the
    roll-up's rows — what ``xuhui-hub report`` computes for the same period and scope."""
    as_of = min(period.end, now)
    rows = hub_rows(db, period.start, as_of, station=station)
    report = compute_weekly_report(rows, period, station_code=station, language=language, now=now)
    by_station_category = Counter((r.station, r.category) for r in report.requests)
    hi = as_of.astimezone(UTC)
    by_department: dict[str, tuple[int, int]] = {}
    for r in rows:
        if r.created_at < hi and r.status in UNRESOLVED_STATUSES:
            opened, late = by_department.get(r.department, (0, 0))
            by_department[r.department] = (opened + 1, late + (r.due_at is not None and r.due_at < hi))
    with db.session() as s:
        stmt = (select(func.count()).select_from(HubEvent).where(
            HubEvent.kind == "rectification", HubEvent.occurred_at >= period.start, HubEvent.occurred_at < as_of))
        if station:
            stmt = stmt.join(HubRequest, HubRequest.id == HubEvent.request_id).join(
                HubStation, HubStation.id == HubRequest.station_id).where(HubStation.code == station)
        rectifications = int(s.scalar(stmt) or 0)
    return DashboardFigures(
        period_label=str(period.label), start=period.start, end=period.end, as_of=report.as_of,
        station_code=station, language=report.language, totals=report.totals, categories=tuple(report.categories),
        category_labels=dict(report.category_labels), department_labels=dict(report.department_labels),
        category_totals={c: report.category_total(c) for c in report.categories}, daily=tuple(report.daily),
        first_response=report.first_response, resolution=report.resolution,
        satisfaction=Satisfaction(report.satisfaction.count, dict(report.satisfaction.by_level),
                                  report.satisfaction.satisfied, report.satisfaction.share),
        by_station_category=dict(by_station_category), by_department=by_department,
        rectifications=rectifications)


def build_dashboard(db: HubDatabase, period: Any, who: Principal, *, language: str = "zh_CN",
                    now: datetime | None = None, use_cache: bool = True,
                    run: Callable[[Callable[[], None]], None] | None = None) -> Dashboard:
    """Every figure of the dashboard for ``period`` (a ``ReportWeek`` or a :class:`Period`), for the
    stations ``who`` may see (a viewer limited to one station sees that station's).

    The figures are :func:`compute_figures`' for the same period, scope and language — those of
    the hub now, or, while the hub changed since they were computed, the last ones computed
    (``updating``; at most ``dashboard_cache.MAX_STALE`` old) while a background recompute,
    started by ``run`` (default: a thread), replaces them. ``use_cache=False`` always computes
    them in the call. The stations that have not synced are read at each call."""
    from xuhui_desk.hub.console import dashboard_cache

    now = now or utcnow()
    station = who.station_code
    computed_at, updating = now, False
    if use_cache:
        kept = dashboard_cache.cached_figures(db, period, station, language, now,
                                              run=dashboard_cache.in_background if run is None else run)
        figures, computed_at, updating = kept.figures, kept.computed_at, kept.updating
    else:
        figures = compute_figures(db, period, station, language, now)
    with db.session() as s:
        stations_stmt = (select(HubStation.code, HubStation.name, HubStation.last_seen_at,
                                ConsoleStationPull.last_pull_at)
                         .outerjoin(ConsoleStationPull, ConsoleStationPull.station_id == HubStation.id)
                         .where(HubStation.revoked_at.is_(None)).order_by(HubStation.code))
        if station:
            stations_stmt = stations_stmt.where(HubStation.code == station)
        all_stations = [StationSync(c, n, max((t for t in (pushed, pulled) if t is not None), default=None))
                        for c, n, pushed, pulled in s.execute(stations_stmt)]
    stale = [st for st in all_stations if st.last_seen_at is None or now - st.last_seen_at > STALE_AFTER]
    codes = sorted({st.code for st in all_stations} | {code for code, _ in figures.by_station_category})
    return Dashboard(figures, codes, stale, computed_at=computed_at, updating=updating,
                     max_stale=dashboard_cache.MAX_STALE, refresh_every=dashboard_cache.REFRESH_EVERY)


# --- charts (server-rendered SVG; no script) ---------------------------------------------------

def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def bar_chart_svg(labels: list[str], series: list[tuple[str, str, list[int]]], *, height: int = 180,
                  title: str = "") -> str:
    """Grouped vertical bars: ``series`` is ``[(legend, css class, values per label)]``.

    Plain SVG text (escaped), sized by a viewBox so it scales to the page and prints crisply.
    """
    width = max(360, 70 * len(labels) + 40)
    top, bottom, left = 24, 34, 34
    plot_h = height - top - bottom
    peak = max([v for _, _, values in series for v in values] + [1])
    group_w = (width - left - 10) / max(len(labels), 1)
    bar_w = max(4.0, (group_w - 12) / max(len(series), 1))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for step in range(0, 5):
        value = peak * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value:.0f}</text>')
    for i, label in enumerate(labels):
        x0 = left + i * group_w + 6
        for j, (_legend, css, values) in enumerate(series):
            v = values[i]
            h = plot_h * v / peak
            x = x0 + j * bar_w
            y = top + plot_h - h
            parts.append(f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}">'
                         f'<title>{_esc(label)}: {v}</title></rect>')
            if v:
                parts.append(f'<text class="value" x="{x + (bar_w - 2) / 2:.1f}" y="{y - 3:.1f}" '
                             f'text-anchor="middle">{v}</text>')
        parts.append(f'<text class="axis" x="{x0 + (group_w - 12) / 2:.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle">{_esc(label)}</text>')
    lx = left
    for legend, css, _values in series:
        parts.append(f'<rect class="{css}" x="{lx}" y="4" width="12" height="12"/>')
        parts.append(f'<text class="legend" x="{lx + 16}" y="14">{_esc(legend)}</text>')
        lx += 24 + 14 * len(legend)
    parts.append("</svg>")
    return "".join(parts)


def hbar_svg(items: list[tuple[str, int]], *, css: str = "s1", title: str = "") -> str:
    """Horizontal bars with labels on the left (rating levels, departments)."""
    row_h, label_w, width = 22, 130, 460
    height = row_h * max(len(items), 1) + 8
    peak = max([v for _, v in items] + [1])
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, v) in enumerate(items):
        y = 4 + i * row_h
        w = (width - label_w - 50) * v / peak
        parts.append(f'<text class="axis" x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_esc(label)}</text>')
        parts.append(f'<rect class="{css}" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}"/>')
        parts.append(f'<text class="value" x="{label_w + w + 4:.1f}" y="{y + 14}">{v}</text>')
    parts.append("</svg>")
    return "".join(parts)
