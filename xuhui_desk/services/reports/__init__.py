"""The weekly Excel report: what a station lead sends every Monday, and the district's roll-up.

Three steps, each usable on its own:

1. **Rows** (:mod:`.rows`) — one :class:`ReportRow` per request that matters for the week, as it
   stood at the report's cut-off (the end of the week, or now while the week is still running). On
   the workstation :func:`workstation_rows` reads them from SQLite in two bulk statements. The
   district hub provides its own rows (see :class:`ReportRow` for exactly what each field must
   mean, and :func:`timeline_facts` to derive the timeline fields from a request's events).
2. **Figures** (:mod:`.figures`, with the working-hours :mod:`.clock`) — :func:`compute_weekly_report`
   turns rows into a :class:`WeeklyReport`: totals, the category × status table, daily intake,
   response and resolution times in working hours, satisfaction, the request list and the overdue
   list. Pure Python, no Excel, no database.
3. **Workbook** (:mod:`.workbook`, :mod:`.xlsx_stream`) — :func:`write_weekly_report` writes the
   report as .xlsx: openpyxl in write-only mode makes the workbook (the summary with native charts
   whose data ranges point at its cells, the styles, each sheet's set-up and header row); the rows
   of the two big sheets are then streamed as worksheet XML into the saved file
   (:func:`.xlsx_stream.rows_xml`), several times faster than openpyxl's per-cell objects (see
   benchmarks/README.md, "Weekly report").

:func:`build_weekly_report` does 1 and 2 for the workstation database, and
:func:`export_weekly_report` all three. The wording of the workbook (sheet names, headers, the
definitions printed under the figures) lives in ``resources/reports/labels.toml``; category and
department labels come from the taxonomy.

Definitions (also printed in the workbook):

* The week is an ISO week, Monday 00:00 to Sunday 24:00 Asia/Shanghai; stored times are UTC.
* *New*: received during the week.
* *Resolved*: a request reaches ``replied`` or ``closed``. Resolved in the week = its status at
  the cut-off is replied/closed and it last entered that state (from an unresolved one) during
  the week — so a rectification after a bad rating followed by a new reply counts at the new reply.
* *Open* at the cut-off: ``new``, ``routed`` or ``in_progress`` (cancelled and resolved are not).
* *Overdue* at the cut-off: open, with an SLA due time before the cut-off.
* *First response*: the first status change after intake (routed, in progress, replied — or
  cancelled: telling the company its request is withdrawn or not ours is an answer too), as the
  workflow records it in ``Request.first_response_at``. Counted for requests first responded to
  during the week.
* Times are in working hours: business hours of :func:`~xuhui_desk.services.workdays.default_calendar`
  (09:00–17:30 Shanghai on official working days), identical to
  ``WorkCalendar.working_hours_between``.
* *Satisfaction*: ratings received during the week (the last one per request), 1–5 with 5 very
  satisfied; "satisfied or better" is 4 or 5.

The package by responsibility: :mod:`.week` (the ISO week, :class:`ReportError`), :mod:`.rows`,
:mod:`.clock`, :mod:`.figures`, :mod:`.privacy` (masking), :mod:`.workbook`, :mod:`.xlsx_stream`.
The names below are the public API (the GUI, the command line and the hub import them from here).
"""

from xuhui_desk.services.reports.clock import (
    WorkingClock,
)
from xuhui_desk.services.reports.figures import (
    RATING_LEVELS,
    SATISFIED_AT_LEAST,
    DayCount,
    OverdueRow,
    ProgressCallback,
    Satisfaction,
    Timing,
    Totals,
    WeeklyReport,
    build_weekly_report,
    compute_weekly_report,
)
from xuhui_desk.services.reports.privacy import (
    mask_name,
    mask_phone,
)
from xuhui_desk.services.reports.rows import (
    RESOLVED_STATUSES,
    UNRESOLVED_STATUSES,
    ReportRow,
    TimelineFacts,
    timeline_facts,
    workstation_rows,
)
from xuhui_desk.services.reports.week import (
    LANGUAGES,
    SHANGHAI,
    ReportError,
    ReportWeek,
    last_complete_week,
    parse_week,
    week_of,
)
from xuhui_desk.services.reports.workbook import (
    default_filename,
    export_weekly_report,
    report_labels,
    text_width,
    write_weekly_report,
)

__all__ = [
    "LANGUAGES",
    "RATING_LEVELS",
    "RESOLVED_STATUSES",
    "SATISFIED_AT_LEAST",
    "SHANGHAI",
    "UNRESOLVED_STATUSES",
    "DayCount",
    "OverdueRow",
    "ProgressCallback",
    "ReportError",
    "ReportRow",
    "ReportWeek",
    "Satisfaction",
    "TimelineFacts",
    "Timing",
    "Totals",
    "WeeklyReport",
    "WorkingClock",
    "build_weekly_report",
    "compute_weekly_report",
    "default_filename",
    "export_weekly_report",
    "last_complete_week",
    "mask_name",
    "mask_phone",
    "parse_week",
    "report_labels",
    "text_width",
    "timeline_facts",
    "week_of",
    "workstation_rows",
    "write_weekly_report",
]
