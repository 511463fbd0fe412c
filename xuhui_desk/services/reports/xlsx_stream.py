"""The data rows of a report's big sheets, streamed as worksheet XML into the workbook openpyxl
saved with their header rows only: several times faster than openpyxl's per-cell objects (see
benchmarks/README.md, "Weekly report")."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    pass


@dataclass
class StreamedTable:
    """A data sheet whose rows are streamed into the saved workbook (see :func:`stream_rows`)."""

    ws: Any
    records: list[list[Any]]
    style_attrs: list[str]  # ' s="N"' for a formatted column, else ""


# Characters a cell's text may not carry into XML 1.0 as they are, and outer whitespace (which
# needs xml:space="preserve"): the rare strings that take the slow path.
_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|^\s|\s$")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text_cell(ref: str, value: str, style: str) -> str:
    value = _XML_INVALID.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{ref}" t="inlineStr"{style}><is><t{space}>{value}</t></is></c>'


def rows_xml(table: StreamedTable, first_row: int = 2, chunk: int = 1000) -> Iterator[str]:
    """``<row>`` elements for the table's records, ``chunk`` rows per string.

    The same cells openpyxl writes in write-only mode (inline strings, numbers, the date format's
    style on date columns), built directly: openpyxl spends ~7 µs on each cell's objects, this
    under 1 µs, and a week's request sheet has over 100,000 cells.
    """
    from openpyxl.utils import get_column_letter

    width = max((len(r) for r in table.records), default=0)
    letters = [get_column_letter(i + 1) for i in range(width)]
    styles = table.style_attrs + [""] * (width - len(table.style_attrs))
    special = _XML_SPECIAL.search
    parts: list[str] = []
    add = parts.append
    for number, record in enumerate(table.records, start=first_row):
        add(f'<row r="{number}">')
        for letter, style, value in zip(letters, styles, record, strict=False):
            if value is None or value == "":
                continue
            if value.__class__ is str:
                if special(value):
                    add(_text_cell(f"{letter}{number}", value, style))
                else:
                    add(f'<c r="{letter}{number}" t="inlineStr"{style}><is><t>{value}</t></is></c>')
            elif isinstance(value, bool):
                add(f'<c r="{letter}{number}" t="b"{style}><v>{int(value)}</v></c>')
            elif isinstance(value, int | float) and math.isfinite(value):
                add(f'<c r="{letter}{number}"{style}><v>{value!r}</v></c>')
            else:
                add(_text_cell(f"{letter}{number}", str(value), style))
        add("</row>")
        if len(parts) > chunk * 12:
            yield "".join(parts)
            parts.clear()
    yield "".join(parts)


def stream_rows(source: Path, target: Path, tables: Sequence[StreamedTable]) -> None:
    """Copy the workbook openpyxl saved at ``source`` to ``target``, adding each table's rows.

    openpyxl has written each data sheet with its header row only; its rows go in just before
    ``</sheetData>``, straight into the compressed stream.
    """
    import zipfile

    by_path = {t.ws.path.lstrip("/"): t for t in tables}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            table = by_path.pop(info.filename, None)
            if table is None:
                zout.writestr(info, data)
                continue
            xml = data.decode("utf-8")
            head, found, tail = xml.partition("</sheetData>")
            if not found:
                raise RuntimeError(f"{info.filename}: openpyxl wrote no sheet data to add the rows to")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(entry, "w") as out:
                out.write(head.encode("utf-8"))
                for chunk in rows_xml(table):
                    out.write(chunk.encode("utf-8"))
                out.write((found + tail).encode("utf-8"))
    if by_path:
        raise RuntimeError(f"sheets missing from the saved workbook: {', '.join(sorted(by_path))}")
