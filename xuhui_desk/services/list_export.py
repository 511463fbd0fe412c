"""The queue's current list as an Excel workbook and as rows to print.

What it promises:

* :func:`export_requests_xlsx` writes every request of a filter, in the filter's order (the
  same ids the queue shows, :func:`~xuhui_desk.services.search.read_queue_ids`), one row each,
  with the columns asked for (:data:`COLUMNS` keys, the caller's titles: the columns the
  queue shows). Codes become labels in the chosen language, times are real Excel date-times
  in Shanghai time, and the phone is **masked** as in the weekly report's masked mode
  (``138****5678``): a list leaves the desk more easily than a request.
* It streams: openpyxl's write-only mode and rows read :data:`CHUNK` at a time, so 200,000
  requests take constant memory. ``progress(done, total)`` is called after each chunk; an
  exception raised by it (a cancel) stops the export. The workbook is written to a temporary
  file beside ``path`` and renamed at the end, so a cancelled or failed export leaves no
  half-written file (and an existing file at ``path`` untouched).
* :func:`list_rows` gives the same rows as display texts for printing, at most ``limit``,
  with the complete count.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, Request
from xuhui_desk.services import labels
from xuhui_desk.services.read_errors import reading
from xuhui_desk.services.reports import mask_phone
from xuhui_desk.services.search import RequestFilter, read_queue_ids
from xuhui_desk.services.timefmt import display, to_local

#: Rows read (and reported as progress) at a time.
CHUNK = 1000
#: Requests a printed list holds at most (a longer list is exported, not printed).
PRINT_LIMIT = 2000
_TIME_FORMAT = "yyyy-mm-dd hh:mm"

#: Every column a list can have, in the queue's order.
COLUMNS = ("tracking_no", "created_at", "enterprise_name", "uscc", "phone", "category", "department", "status",
           "sla_due_at", "urgency", "channel", "specialist", "sync_state")
_TIMES = {"created_at", "sla_due_at"}
_SELECT = {
    "tracking_no": Request.tracking_no,
    "created_at": Request.created_at,
    "enterprise_name": Enterprise.name,
    "uscc": func.coalesce(Enterprise.uscc, ""),
    "phone": Enterprise.phone,
    "category": Request.category,
    "department": Request.department,
    "status": Request.status,
    "sla_due_at": Request.sla_due_at,
    "urgency": Request.urgency,
    "channel": Request.channel,
    "specialist": Request.specialist,
    "sync_state": Request.sync_state,
}


class ExportError(ValueError):
    """The list cannot be exported (an unknown column, a folder that cannot be written)."""


@dataclass(frozen=True)
class PrintList:
    """What a printed list shows: display texts, at most the limit asked for, and the full count."""

    rows: list[list[str]]
    total: int


def _taxonomy_label(code: str | None, language: str) -> str:
    if not code:
        return ""
    from xuhui_desk.services.taxonomy import load_taxonomy

    try:
        return load_taxonomy().label(code, language)
    except KeyError:
        return code


def _value(key: str, raw: Any, language: str) -> Any:
    """A cell's value: labels for codes, the masked phone, aware times as they are."""
    if key == "phone":
        return mask_phone(raw or "")
    if key in ("category", "department"):
        return _taxonomy_label(raw, language)
    if key == "status":
        return labels.status_label(str(raw), language)
    if key == "urgency":
        return labels.urgency_label(str(raw), language)
    if key == "channel":
        return labels.channel_label(str(raw), language)
    if key == "sync_state":
        return labels.sync_label(str(raw), language)
    if raw is None:
        return ""
    return raw if key in _TIMES else str(raw)


def _aware(value: datetime) -> datetime:
    # SQLite hands naive UTC back for some reads; the models store UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _check_columns(columns: Sequence[str]) -> None:
    unknown = [c for c in columns if c not in _SELECT]
    if unknown or not columns:
        raise ExportError(f"unknown columns {', '.join(unknown)}; known: {', '.join(COLUMNS)}" if unknown
                          else "no columns to export")


def _rows(db: Database, ids: Sequence[int], columns: Sequence[str], language: str) -> Iterator[list[Any]]:
    stmt_columns = [Request.id, *(_SELECT[c] for c in columns)]
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        with reading(), db.session() as session:
            found = {row[0]: row[1:] for row in session.execute(
                select(*stmt_columns).join(Enterprise, Enterprise.id == Request.enterprise_id)
                .where(Request.id.in_(chunk)))}
        for request_id in chunk:  # the filter's order, not the query's
            values = found.get(request_id)
            if values is not None:
                yield [_value(key, raw, language) for key, raw in zip(columns, values, strict=True)]


def export_requests_xlsx(db: Database, flt: RequestFilter, path: str | os.PathLike[str],
                         columns: Sequence[tuple[str, str]], *, language: str = "zh_CN",
                         now: datetime | None = None, sheet_title: str = "",
                         progress: Callable[[int, int], None] | None = None) -> int:
    """Write the requests of ``flt`` to the workbook ``path`` (see the module's description);
    ``columns`` are (key, title) pairs. Returns the number of rows written. Raises
    :class:`ExportError`, ``OSError`` (the file cannot be written) or ``ReadFailed``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    keys = [key for key, _title in columns]
    _check_columns(keys)
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"no such folder: {target.parent}")
    ids = read_queue_ids(db, flt, now or datetime.now(UTC)).ids
    total = len(ids)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(sheet_title or "requests")[:31])
    widths = {"tracking_no": 20, "created_at": 17, "enterprise_name": 34, "uscc": 21, "phone": 16,
              "category": 12, "department": 22, "status": 10, "sla_due_at": 17, "urgency": 8, "channel": 8,
              "specialist": 10, "sync_state": 10}
    for i, key in enumerate(keys):
        ws.column_dimensions[_letter(i)].width = widths.get(key, 12)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for _key, title in columns:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    written = 0
    try:
        for values in _rows(db, ids, keys, language):
            row: list[Any] = []
            for key, value in zip(keys, values, strict=True):
                if key in _TIMES and isinstance(value, datetime):
                    cell = WriteOnlyCell(ws, value=to_local(_aware(value)).replace(tzinfo=None))
                    cell.number_format = _TIME_FORMAT
                    row.append(cell)
                else:
                    row.append(value)
            ws.append(row)
            written += 1
            if progress is not None and (written % CHUNK == 0 or written == total):
                progress(written, total)
        if progress is not None and total == 0:
            progress(0, 0)
    except BaseException:
        _abandon(ws)
        raise
    fd, temporary = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb.save(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written


def _abandon(ws: Any) -> None:
    """Close a write-only sheet left half-written (a cancel): its XML stream is a generator inside
    lxml contexts, which would fail noisily when collected; its temporary file is removed."""
    with contextlib.suppress(Exception):
        ws.close()
    with contextlib.suppress(Exception):
        ws._writer.cleanup()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def list_rows(db: Database, flt: RequestFilter, columns: Sequence[str], *, language: str = "zh_CN",
              now: datetime | None = None, limit: int = PRINT_LIMIT,
              progress: Callable[[int, int], None] | None = None) -> PrintList:
    """The first ``limit`` requests of ``flt`` as display texts (times ``YYYY-MM-DD HH:MM`` in
    Shanghai, codes as labels, the phone masked) and the number of all of them."""
    _check_columns(columns)
    ids = read_queue_ids(db, flt, now or datetime.now(UTC)).ids
    rows: list[list[str]] = []
    shown = ids[:limit]
    for values in _rows(db, shown, columns, language):
        rows.append([display(_aware(v)) if isinstance(v, datetime) else str(v) for v in values])
        if progress is not None and len(rows) % CHUNK == 0:
            progress(len(rows), len(shown))
    return PrintList(rows, len(ids))
