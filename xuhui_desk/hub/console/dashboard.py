"""The coordinator's dashboard: the weekly report's own figures for a week or a date range, plus
what only the district sees (stations × categories, open and overdue per department,
rectifications, stations that have not synced).

No new arithmetic: the rows are the roll-up's (:func:`xuhui_desk.hub.report_rows.hub_rows`) and
the figures :func:`xuhui_desk.services.reports.compute_weekly_report`'s — so the dashboard of a
week shows exactly what ``xuhui-hub report --week`` writes into the workbook (a browser test
compares them). A date range is handed to the same function as a period with the week's shape.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from xuhui_desk.hub.console.accounts import Principal
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import ConsoleStationPull, HubEvent, HubRequest, HubStation
from xuhui_desk.hub.report_rows import hub_rows
from xuhui_desk.models import utcnow
from xuhui_desk.services.reports import SHANGHAI, UNRESOLVED_STATUSES, WeeklyReport, compute_weekly_report

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


@dataclass
class Dashboard:
    report: WeeklyReport
    #: (station, category) → requests received in the period.
    by_station_category: dict[tuple[str, str], int]
    stations: list[str]
    #: department → (open, overdue) at the cut-off.
    by_department: dict[str, tuple[int, int]]
    rectifications: int
    stale: list[StationSync]

    @property
    def period_start(self) -> date:
        return self.report.week.start.astimezone(SHANGHAI).date()

    @property
    def period_end(self) -> date:
        return (self.report.week.end - timedelta(seconds=1)).astimezone(SHANGHAI).date()


def build_dashboard(db: HubDatabase, period: Any, who: Principal, *, language: str = "zh_CN",
                    now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard for ``period`` (a ``ReportWeek`` or a :class:`Period`), for the
    stations ``who`` may see (a viewer limited to one station sees that station's)."""
    now = now or utcnow()
    as_of = min(period.end, now)
    station = who.station_code
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
        stations_stmt = (select(HubStation.code, HubStation.name, HubStation.last_seen_at,
                                ConsoleStationPull.last_pull_at)
                         .outerjoin(ConsoleStationPull, ConsoleStationPull.station_id == HubStation.id)
                         .where(HubStation.revoked_at.is_(None)).order_by(HubStation.code))
        if station:
            stations_stmt = stations_stmt.where(HubStation.code == station)
        all_stations = [StationSync(c, n, max((t for t in (pushed, pulled) if t is not None), default=None))
                        for c, n, pushed, pulled in s.execute(stations_stmt)]
    stale = [st for st in all_stations if st.last_seen_at is None or now - st.last_seen_at > STALE_AFTER]
    codes = sorted({st.code for st in all_stations} | {code for code, _ in by_station_category})
    return Dashboard(report, dict(by_station_category), codes, by_department, rectifications, stale)


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
