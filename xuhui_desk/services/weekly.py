"""The weekly report as the station uses it: this week's figures so far, the weeks a lead can
report on, and the export (the same writer as ``xuhui-desk report``), audited when unmasked.

No Qt here: the Reports page and the report dialog call these on the background workers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, func, select

from xuhui_desk.db import Database
from xuhui_desk.models import Request, Status, utcnow
from xuhui_desk.services import audit
from xuhui_desk.services.reports import (
    ProgressCallback,
    ReportWeek,
    WeeklyReport,
    default_filename,
    export_weekly_report,
    last_complete_week,
    week_of,
)
from xuhui_desk.services.search import UNRESOLVED
from xuhui_desk.services.station import get_setting, require_station
from xuhui_desk.services.timefmt import to_local


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """This week so far (Monday 00:00 Shanghai time until now)."""

    monday: date
    received: int
    resolved: int
    overdue_open: int  # all open requests past their due time, whatever week they came in


def week_summary(db: Database, now: datetime | None = None) -> WeekSummary:
    """Requests received and resolved since Monday, and every open request now overdue."""
    now = now or utcnow()
    local = to_local(now)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    with db.session() as session:

        def number(*conditions: ColumnElement[bool]) -> int:
            return int(session.scalar(select(func.count()).select_from(Request).where(*conditions)) or 0)

        return WeekSummary(
            monday=monday.date(),
            received=number(Request.created_at >= monday),
            resolved=number(Request.resolved_at >= monday,
                            Request.status.in_([Status.REPLIED.value, Status.CLOSED.value])),
            # As the queue and the weekly report count it: still waiting for an answer past its due time.
            overdue_open=number(Request.status.in_(UNRESOLVED), Request.sla_due_at < now),
        )


@dataclass(frozen=True, slots=True)
class ReportChoices:
    """What the report dialog offers: recent weeks (newest first, the running one included),
    the default week (the last complete one), the station and its settings."""

    weeks: tuple[ReportWeek, ...]
    default: ReportWeek
    current: ReportWeek
    station_code: str
    language: str
    specialist: str


def report_choices(db: Database, now: datetime | None = None, count: int = 53) -> ReportChoices:
    now = now or utcnow()
    current = week_of(now)
    weeks = [current]
    while len(weeks) < count:
        weeks.append(week_of(weeks[-1].start - timedelta(days=1)))
    with db.session() as session:
        station = require_station(session)
        return ReportChoices(tuple(weeks), last_complete_week(now), current, station.code,
                             get_setting(session, "language"), get_setting(session, "specialist"))


def suggested_path(folder: Path, station_code: str, week: ReportWeek) -> Path:
    return folder / default_filename(station_code, week)


def export_report(db: Database, week: ReportWeek, out: str | os.PathLike[str], *, language: str,
                  unmasked: bool = False, reason: str = "", actor: str = "",
                  progress: ProgressCallback | None = None, now: datetime | None = None) -> WeeklyReport:
    """Write the week's workbook to ``out`` (the writer of ``xuhui-desk report``).

    An unmasked report needs a reason: it is written to the audit log *before* the file, so no
    unmasked workbook exists without its entry (:class:`~xuhui_desk.services.audit.ReasonRequired`
    otherwise). The file appears complete or not at all.
    """
    if unmasked:
        audit.record(db, audit.UNMASKED_REPORT, actor=actor, reason=reason,
                     details={"week": week.label, "path": str(out)}, now=now)
    return export_weekly_report(db, week, out, language=language, unmasked=unmasked, now=now, progress=progress)
