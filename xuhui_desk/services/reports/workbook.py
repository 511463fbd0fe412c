"""The report as an .xlsx workbook: openpyxl in write-only mode makes the workbook (the summary
with native charts whose data ranges point at its cells, the styles, each sheet's set-up and
header row); the rows of the two big sheets are streamed in by :mod:`.xlsx_stream`. The wording
comes from ``resources/reports/labels.toml``."""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from xuhui_desk.models import Status
from xuhui_desk.resources import resource_path
from xuhui_desk.services.reports.figures import (
    RATING_LEVELS,
    ProgressCallback,
    WeeklyReport,
    build_weekly_report,
    report_language,
)
from xuhui_desk.services.reports.privacy import mask_name, mask_phone
from xuhui_desk.services.reports.week import LANGUAGES, SHANGHAI, ReportWeek, parse_week
from xuhui_desk.services.reports.xlsx_stream import StreamedTable, stream_rows

if TYPE_CHECKING:

    from xuhui_desk.db import Database


# ------------------------------------------------------------------------------------- workbook


@cache
def _load_labels() -> Mapping[str, Mapping[str, Any]]:
    with resource_path("reports", "labels.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    missing = [lang for lang in LANGUAGES if lang not in raw]
    if missing:
        raise ValueError(f"resources/reports/labels.toml has no table for {', '.join(missing)}")
    return raw


def report_labels(language: str) -> Mapping[str, Any]:
    """The report's wording in ``language`` (from ``resources/reports/labels.toml``)."""
    return _load_labels()[report_language(language)]


def default_filename(station_code: str | None, week: ReportWeek | str) -> str:
    """``XH03-2026-W48.xlsx`` (``district-…`` for the roll-up)."""
    label = week.label if isinstance(week, ReportWeek) else parse_week(week).label
    return f"{station_code or 'district'}-{label}.xlsx"


_EXCEL_EPOCH: Final = datetime(1899, 12, 30)
_EXCEL_EPOCH_ORDINAL: Final = _EXCEL_EPOCH.toordinal()
_DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm"
_DATE_FORMAT: Final = "yyyy-mm-dd"
_HOURS_FORMAT: Final = "0.0"
_PERCENT_FORMAT: Final = "0.0%"
_COUNT_FORMAT: Final = "#,##0"
_MAX_WIDTH: Final = 60
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _serial(moment: datetime) -> float:
    """Excel's serial number of ``moment``'s Shanghai wall-clock time (a real date cell with a format)."""
    local = moment.astimezone(SHANGHAI)
    return (local.toordinal() - _EXCEL_EPOCH_ORDINAL
            + (local.hour * 3600 + local.minute * 60 + local.second) / 86400)


def _day_serial(moment: datetime) -> int:
    return moment.astimezone(SHANGHAI).toordinal() - _EXCEL_EPOCH_ORDINAL


def text_width(value: str) -> int:
    """Display width: East Asian (3-byte UTF-8) characters count double, the rest single."""
    return len(value) + (len(value.encode("utf-8")) - len(value)) // 2


def _column_width(header: str, values: Iterable[Any], floor: int = 0) -> float:
    widest = max((text_width(v if isinstance(v, str) else str(v)) for v in set(values) if v is not None),
                 default=0)
    return min(_MAX_WIDTH, max(widest, text_width(header), floor) * 1.1 + 2.5)


def _clean(value: str) -> str:
    return _ILLEGAL.sub("", value) if value else ""


_FONT: Final = "Calibri"


class _Styles:
    """The few cell looks of the workbook, as openpyxl style objects (created once)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="A6A6A6")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        # The workbook's default font (openpyxl's Calibri 11) for every styled cell too; Excel and
        # LibreOffice fall back to a CJK font for Chinese text on their own.
        self.normal = Font(name=_FONT, size=11)
        self.title = Font(name=_FONT, bold=True, size=16, color="1F3864")
        self.section = Font(name=_FONT, bold=True, size=12, color="1F3864")
        self.bold = Font(name=_FONT, bold=True, size=11)
        self.muted = Font(name=_FONT, size=9, color="595959")
        self.header_fill = PatternFill("solid", fgColor="D9E1F2")
        self.total_fill = PatternFill("solid", fgColor="F2F2F2")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center")
        self.wrap = Alignment(horizontal="left", vertical="top", wrap_text=True)


class _SummarySheet:
    """Appends styled rows to the write-only summary sheet and remembers where things went."""

    def __init__(self, ws: Any, styles: _Styles) -> None:
        self.ws = ws
        self.s = styles
        self.row = 0

    def cell(self, value: Any, *, font: Any = None, fill: Any = None, fmt: str | None = None,
             border: bool = False, align: Any = None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=value)
        cell.font = font if font is not None else self.s.normal
        if fill is not None:
            cell.fill = fill
        if fmt is not None:
            cell.number_format = fmt
        if border:
            cell.border = self.s.border
        if align is not None:
            cell.alignment = align
        return cell

    def append(self, values: Sequence[Any] = (), height: float | None = None) -> int:
        self.row += 1
        if height is not None:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(list(values))
        return self.row

    def header(self, labels: Sequence[str], height: float | None = None) -> int:
        return self.append([self.cell(v, font=self.s.bold, fill=self.s.header_fill, border=True,
                                      align=self.s.center) for v in labels], height=height)

    def section(self, text: str) -> int:
        self.append()
        return self.append([self.cell(text, font=self.s.section)])

    def label(self, text: str, *, total: bool = False) -> Any:
        return self.cell(text, border=True, font=self.s.bold if total else None,
                         fill=self.s.total_fill if total else None, align=self.s.left)

    def number(self, value: float | None, fmt: str = _COUNT_FORMAT, *, total: bool = False, none: str = "—") -> Any:
        if value is None:
            return self.cell(none, border=True, align=self.s.center)
        return self.cell(value, fmt=fmt, border=True, font=self.s.bold if total else None,
                         fill=self.s.total_fill if total else None)


# The summary's layout: labels in A, figures in B..I (the category table is the widest), the two
# charts side by side under the category table. The charts' references and the tests rely on it.
SUMMARY_LABEL_WIDTH: Final = 30
SUMMARY_VALUE_WIDTH: Final = 11
CHART_ROWS: Final = 17


def _write_summary(wb: Any, report: WeeklyReport, labels: Mapping[str, Any], styles: _Styles) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    from xuhui_desk.services.labels import rating_label, status_label

    ws = wb.create_sheet(labels["sheet_summary"])
    _print_setup(ws, landscape=False)  # before the first row: openpyxl writes the sheet's properties with it
    table_columns = 2 + len(report.statuses)  # category + statuses + total
    last_column = get_column_letter(table_columns)
    ws.column_dimensions["A"].width = SUMMARY_LABEL_WIDTH
    for index in range(2, table_columns + 1):
        ws.column_dimensions[get_column_letter(index)].width = SUMMARY_VALUE_WIDTH
    sheet = _SummarySheet(ws, styles)
    s = styles
    none = labels["none"]
    station = _clean(f"{report.station_code} {report.station_name}".strip() if report.station_code
                     else report.station_name or labels["all_stations"])

    def info(label: str, value: Any, fmt: str | None = None, note: str = "") -> None:
        row = sheet.append([sheet.cell(label, font=s.bold), sheet.cell(value, fmt=fmt, align=s.left),
                            None, None, None, sheet.cell(note, font=s.muted) if note else None])
        ws.merged_cells.add(f"B{row}:E{row}")

    sheet.append([sheet.cell(f"{station} {labels['title']}", font=s.title)], height=24)
    info(labels["week"], labels["week_value"].format(
        week=report.week.label, start=report.week.days[0].isoformat(), end=report.week.days[-1].isoformat()))
    info(labels["as_of"], _serial(report.as_of), _DATETIME_FORMAT, labels["as_of_partial"] if report.partial else "")
    info(labels["generated_at"], _serial(report.generated_at), _DATETIME_FORMAT)
    sheet.append([sheet.cell(labels["privacy_unmasked" if report.unmasked else "privacy_masked"], font=s.muted)])

    # 1. totals
    sheet.section(labels["totals_title"])
    sheet.header([labels["metric"], labels["count"]])
    for key, value in (("total_new", report.totals.new), ("total_resolved", report.totals.resolved),
                       ("total_open", report.totals.open), ("total_overdue", report.totals.overdue)):
        sheet.append([sheet.label(labels[key]), sheet.number(value)])

    # 2. category × status (requests received in the week, by status at the cut-off)
    sheet.section(labels["category_title"])
    category_header = sheet.header([labels["category"], *(status_label(st, report.language) for st in report.statuses),
                                    labels["total"]])
    for code in report.categories:
        counts = [report.by_category_status.get((code, st), 0) for st in report.statuses]
        sheet.append([sheet.label(report.category_labels.get(code, code)),
                      *(sheet.number(n) for n in counts), sheet.number(sum(counts), total=True)])
    last_category = sheet.row
    sheet.append([sheet.label(labels["total"], total=True),
                  *(sheet.number(report.status_total(st), total=True) for st in report.statuses),
                  sheet.number(report.totals.new, total=True)])

    # Room for the two charts (drawn over these empty rows, side by side).
    sheet.append()
    chart_row = sheet.row + 1
    for _ in range(CHART_ROWS):
        sheet.append()

    # 3. daily intake and resolutions
    sheet.section(labels["daily_title"])
    daily_header = sheet.header([labels["day"], labels["daily_new"], labels["daily_resolved"]])
    for day in report.daily:
        text = labels["day_label"].format(weekday=labels["weekdays"][day.day.weekday()], month=day.day.month,
                                          day=day.day.day)
        sheet.append([sheet.label(text), sheet.number(day.new), sheet.number(day.resolved)])
    last_day = sheet.row

    # 4. response times in working hours (on a new page when printed: the figures above and the
    # charts fill the first)
    ws.row_breaks.append(Break(id=sheet.row + 1))
    sheet.section(labels["timing_title"])
    sheet.header([labels["metric"], labels["count"], labels["median"], labels["mean"]], height=30)
    for key, timing in (("timing_first_response", report.first_response), ("timing_resolution", report.resolution)):
        sheet.append([sheet.label(labels[key]), sheet.number(timing.count),
                      sheet.number(timing.median, _HOURS_FORMAT, none=none),
                      sheet.number(timing.mean, _HOURS_FORMAT, none=none)])
    sheet.append()
    sheet.header([labels["metric"], labels["count"], labels["share"]])
    sheet.append([sheet.label(labels["on_time"]), sheet.number(report.on_time),
                  sheet.number(report.on_time_share, _PERCENT_FORMAT, none=none)])

    # 5. satisfaction
    sheet.section(labels["satisfaction_title"])
    sheet.header([labels["metric"], labels["count"], labels["share"]])
    sat = report.satisfaction
    for level in RATING_LEVELS:
        n = sat.by_level.get(level, 0)
        text = labels["rating_level"].format(label=rating_label(level, report.language), score=level)
        sheet.append([sheet.label(text), sheet.number(n),
                      sheet.number(n / sat.count if sat.count else None, _PERCENT_FORMAT, none=none)])
    sheet.append([sheet.label(labels["rating_total"], total=True), sheet.number(sat.count, total=True),
                  sheet.number(1.0 if sat.count else None, _PERCENT_FORMAT, total=True, none=none)])
    sheet.append([sheet.label(labels["satisfied"], total=True), sheet.number(sat.satisfied, total=True),
                  sheet.number(sat.share, _PERCENT_FORMAT, total=True, none=none)])

    # Definitions: merged across the page's width, wrapped, with room for every line.
    sheet.section(labels["notes_title"])
    capacity = SUMMARY_LABEL_WIDTH + SUMMARY_VALUE_WIDTH * (table_columns - 1)
    opens, closes = (t.strftime("%H:%M") for t in report.business_hours)
    notes = [*labels["notes"], *([labels["note_provisional"]] if report.provisional_due_dates else [])]
    for number, note in enumerate(notes, start=1):
        text = f"{number}. " + note.format(opens=opens, closes=closes)
        lines = max(1, math.ceil(text_width(text) * 1.25 / capacity))
        row = sheet.append([sheet.cell(text, align=s.wrap, font=s.muted)], height=12.5 * lines + 3)
        ws.merged_cells.add(f"A{row}:{last_column}{row}")

    # Native charts over the reserved rows (anchored to cells, so they fit whatever the fonts);
    # their data are the cells written above.
    split = 4  # the bar chart spans A..D, the line chart E..I

    def anchor(first_col: int, last_col: int, gap_cm: float) -> Any:
        from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
        from openpyxl.utils.units import cm_to_EMU

        return TwoCellAnchor(
            _from=AnchorMarker(col=first_col, row=chart_row - 1, colOff=cm_to_EMU(gap_cm), rowOff=cm_to_EMU(0.1)),
            to=AnchorMarker(col=last_col, row=chart_row - 1 + CHART_ROWS, colOff=0, rowOff=0),
        )

    bar = BarChart()
    bar.type = "bar"
    bar.style = 10
    bar.title = labels["chart_category_title"]
    bar.add_data(Reference(ws, min_col=table_columns, min_row=category_header, max_row=last_category),
                 titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=category_header + 1, max_row=last_category))
    bar.legend = None
    bar.x_axis.scaling.orientation = "maxMin"  # the table's order, top to bottom
    bar.y_axis.crosses = "max"  # …with the value axis still at the bottom
    bar.y_axis.title = labels["chart_axis_count"]
    bar.y_axis.majorGridlines = None
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.series[0].graphicalProperties = GraphicalProperties(solidFill="2F5597")
    ws.add_chart(bar, anchor(0, split, 0.0))

    line = LineChart()
    line.title = labels["chart_daily_title"]
    line.style = 12
    line.add_data(Reference(ws, min_col=2, max_col=3, min_row=daily_header, max_row=last_day),
                  titles_from_data=True)
    line.set_categories(Reference(ws, min_col=1, min_row=daily_header + 1, max_row=last_day))
    for series, color in zip(line.series, ("2F5597", "ED7D31"), strict=False):
        series.marker.symbol = "circle"
        series.marker.size = 6
        series.marker.graphicalProperties = GraphicalProperties(solidFill=color)
        series.marker.graphicalProperties.line.solidFill = color
        series.graphicalProperties.line.solidFill = color
        series.graphicalProperties.line.width = 28575  # 2.25 pt
        series.smooth = False
    line.y_axis.title = labels["chart_axis_count"]
    line.y_axis.scaling.min = 0
    line.x_axis.delete = False
    line.y_axis.delete = False
    line.legend.position = "b"
    ws.add_chart(line, anchor(split, table_columns, 0.3))


def _print_setup(ws: Any, *, header_row: bool = False, fit_height: bool = False, landscape: bool = True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fit_height else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&A — &P / &N"
    if header_row:
        ws.print_title_rows = "1:1"


# The request table's columns: (key in labels.columns, number format or None, minimum width).
_REQUEST_COLUMNS: Final = (
    ("tracking_no", None, 0), ("created_at", _DATETIME_FORMAT, 16), ("enterprise", None, 0), ("uscc", None, 0),
    ("contact", None, 0), ("phone", None, 0), ("category", None, 0), ("department", None, 0),
    ("status", None, 0), ("due", _DATE_FORMAT, 10), ("resolved", _DATE_FORMAT, 10), ("rating", None, 0),
)
_OVERDUE_COLUMNS: Final = (
    ("tracking_no", None, 0), ("created_at", _DATETIME_FORMAT, 16), ("enterprise", None, 0), ("contact", None, 0),
    ("phone", None, 0), ("category", None, 0), ("department", None, 0), ("status", None, 0),
    ("due", _DATE_FORMAT, 10), ("overdue_days", _HOURS_FORMAT, 0), ("escalation", None, 0),
)


def _table(wb: Any, title: str, columns: Sequence[tuple[str, str | None, int]], records: list[list[Any]],
           labels: Mapping[str, Any], styles: _Styles, *, station: bool) -> StreamedTable:
    """A write-only sheet for ``records`` (lists in ``columns`` order; dates as serial numbers).

    openpyxl writes the sheet itself — column widths fitted to the records, the styled header
    row, the frozen header, the auto-filter over every row, landscape print fitted to the page
    width with the header on every page — and registers the date formats' styles; the data
    rows follow in :func:`stream_rows`.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    _print_setup(ws, header_row=True)  # before the first row: openpyxl writes the sheet's properties with it
    if station:
        columns = (("station", None, 0), *columns)
    headers = [labels["columns"][key] for key, _fmt, _floor in columns]
    for index, (_key, fmt, floor) in enumerate(columns):
        if fmt is None:
            width = _column_width(headers[index], (r[index] for r in records), floor)
        else:
            width = min(_MAX_WIDTH, max(text_width(headers[index]), floor) * 1.1 + 2.5)
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "B2"
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill, cell.alignment, cell.border = (styles.bold, styles.header_fill, styles.center,
                                                             styles.border)
        header_cells.append(cell)
    ws.append(header_cells)
    style_attrs = []
    for _key, fmt, _floor in columns:
        if fmt is None:
            style_attrs.append("")
            continue
        cell = WriteOnlyCell(ws)
        cell.number_format = fmt
        style_attrs.append(f' s="{cell.style_id}"')  # registers the format in the workbook's styles
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(records) + 1}"
    return StreamedTable(ws, records, style_attrs)


def _status_labels(language: str) -> dict[str, str]:
    from xuhui_desk.services.labels import status_label

    return {s.value: status_label(s.value, language) for s in Status}


def _request_records(report: WeeklyReport, labels: Mapping[str, Any]) -> list[list[Any]]:
    status_labels = _status_labels(report.language)
    cats, deps = report.category_labels, report.department_labels
    name = (lambda v: v) if report.unmasked else mask_name
    phone = (lambda v: v) if report.unmasked else mask_phone
    records = []
    for r in report.requests:
        record = [
            r.tracking_no, _serial(r.created_at), r.enterprise_name, r.uscc, name(r.contact_name), phone(r.phone),
            cats.get(r.category, r.category), deps.get(r.department, r.department),
            status_labels.get(r.status, r.status), _day_serial(r.due_at) if r.due_at else None,
            _day_serial(r.resolved_at) if r.resolved_at else None, r.rating,
        ]
        if report.show_station:
            record.insert(0, r.station)
        records.append(record)
    return records


def _overdue_records(report: WeeklyReport, labels: Mapping[str, Any]) -> list[list[Any]]:
    status_labels = _status_labels(report.language)
    cats, deps = report.category_labels, report.department_labels
    records = []
    for item in report.overdue:
        r = item.row
        record = [
            r.tracking_no, _serial(r.created_at), r.enterprise_name,
            r.contact_name if report.unmasked else mask_name(r.contact_name),
            r.phone if report.unmasked else mask_phone(r.phone), cats.get(r.category, r.category),
            deps.get(r.department, r.department), status_labels.get(r.status, r.status),
            _day_serial(r.due_at) if r.due_at else None, round(item.overdue_workdays, 1), item.escalation_level,
        ]
        if report.show_station:
            record.insert(0, r.station)
        records.append(record)
    return records


def write_weekly_report(report: WeeklyReport, path: str | os.PathLike[str],
                        progress: ProgressCallback | None = None) -> Path:
    """Write ``report`` to ``path`` as .xlsx: summary (with charts), requests, overdue.

    The file appears complete or not at all (written next to it, then renamed). Contact names
    and phones are masked unless the report was made with ``unmasked=True``.
    """
    from openpyxl import Workbook

    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"no such folder: {target.parent}")
    labels = report_labels(report.language)
    styles = _Styles()
    wb = Workbook(write_only=True)
    wb.properties.creator = "xuhui-desk"
    wb.properties.title = f"{labels['title']} {report.week.label}"
    if progress:
        progress(2, 4, "summary")
    _write_summary(wb, report, labels, styles)
    if progress:
        progress(3, 4, "requests")
    # A due date counted on a provisional calendar year is marked in a last column (only when
    # the report has one), so that the lead can filter on it.
    basis = (("due_basis", None, 0),) if report.provisional_due_dates else ()
    requests, overdue = _request_records(report, labels), _overdue_records(report, labels)
    for records, rows in ((requests, report.requests), (overdue, [o.row for o in report.overdue])):
        for record, row in zip(records, rows, strict=True):
            if basis:
                record.append(labels["due_provisional"] if row.due_provisional else None)
    tables = [
        _table(wb, labels["sheet_requests"], _REQUEST_COLUMNS + basis, requests, labels, styles,
               station=report.show_station),
        _table(wb, labels["sheet_overdue"], _OVERDUE_COLUMNS + basis, overdue, labels, styles,
               station=report.show_station),
    ]
    skeleton = target.with_name(f".{target.name}.skeleton")
    partial = target.with_name(f".{target.name}.part")
    try:
        wb.save(skeleton)
        stream_rows(skeleton, partial, tables)
        os.replace(partial, target)
    finally:
        skeleton.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    if progress:
        progress(4, 4, "done")
    return target


def export_weekly_report(
    db: Database,
    week: ReportWeek | str,
    out_path: str | os.PathLike[str],
    *,
    language: str = "zh_CN",
    unmasked: bool = False,
    now: datetime | None = None,
    progress: ProgressCallback | None = None,
) -> WeeklyReport:
    """Build the workstation's weekly report and write it to ``out_path``; returns the figures."""
    with db.session() as session:
        report = build_weekly_report(session, week, language=language, unmasked=unmasked, now=now,
                                     progress=progress)
    write_weekly_report(report, out_path, progress=progress)
    return report
