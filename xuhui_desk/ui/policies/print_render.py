"""Draw a policy list (政策清单) with QPainter: into a PDF, onto a printer, in a print preview.

The same two layouts as the receipt (:mod:`xuhui_desk.ui.receipt_render`, whose text flow and
vector QR drawing this module reuses):

* ``thermal``: an 80 mm slip, as long as the list (a roll has no page breaks);
* ``a5``: A5 portrait pages; a policy is never split across two pages.

Each policy carries a QR code of its link (:func:`xuhui_desk.services.receipts.qr_matrix`). What
the list says comes from :mod:`xuhui_desk.services.policy_print`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPageSize, QPaintDevice, QPainter, QPdfWriter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from xuhui_desk.services.policy_print import (
    PolicyList,
    PolicyListEntry,
    entry_title,
    header_fields,
    policy_list_labels,
)
from xuhui_desk.services.receipts import QR_BORDER, qr_matrix
from xuhui_desk.ui.fonts import install_app_fonts
from xuhui_desk.ui.receipt_render import (
    A5_MARGIN_MM,
    MUTED,
    PDF_RESOLUTION,
    THERMAL_BOTTOM_MM,
    THERMAL_PAPER_MM,
    THERMAL_PRINT_MM,
    THERMAL_TOP_MM,
    _Flow,
)

LAYOUTS: Final = ("thermal", "a5")


def _check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown policy list layout {layout!r} (use one of {', '.join(LAYOUTS)})")
    return layout


def _header(flow: _Flow, data: PolicyList, thermal: bool) -> None:
    labels = policy_list_labels(data.language)
    centre = Qt.AlignmentFlag.AlignHCenter
    flow.text(data.station_name, flow.font(10 if thermal else 12, bold=True), align=centre, after_mm=1.2)
    flow.text(str(labels["title"]), flow.font(14 if thermal else 18, bold=True), align=centre, after_mm=1.5)
    flow.rule(thickness_mm=0.5, after_mm=2.0)
    size = 8.5 if thermal else 10
    font = flow.font(size)
    colon = str(labels["colon"])
    fields = header_fields(data)
    label_width = min(max(flow.advance(label + colon, font) for label, _v in fields), flow.width * 0.42)
    value_x = label_width + 1.0 * flow.mm
    for label, value in fields:
        label_layout, label_h = flow.layout_text(label + colon, font, label_width)
        value_layout, value_h = flow.layout_text(value, flow.font(size, bold=label == fields[0][0]),
                                                 flow.width - value_x)
        flow.draw_layout(label_layout, 0, flow.y)
        flow.draw_layout(value_layout, value_x, flow.y)
        flow.y += max(label_h, value_h) + 1.2 * flow.mm
    flow.gap(1.0)
    flow.text(str(labels["intro"]), flow.font(8 if thermal else 9.5), color=MUTED, after_mm=1.5)
    flow.rule(dashed=True, after_mm=2.0)


def _entry_text(flow: _Flow, entry: PolicyListEntry, data: PolicyList, width: float, size: float) -> None:
    labels = policy_list_labels(data.language)
    colon = str(labels["colon"])
    font = flow.font(size)
    if entry.benefit:
        flow.text(f"{labels['benefit']}{colon}{entry.benefit}", font, width=width, after_mm=1.0)
    flow.text(f"{labels['how']}{colon}{entry.how_to_apply}", font, width=width, after_mm=1.0)
    if entry.department:
        flow.text(f"{labels['department']}{colon}{entry.department}", flow.font(size - 1), width=width,
                  color=MUTED, after_mm=1.0)


def _thermal_entry(flow: _Flow, entry: PolicyListEntry, number: int, data: PolicyList) -> None:
    labels = policy_list_labels(data.language)
    centre = Qt.AlignmentFlag.AlignHCenter
    flow.text(entry_title(entry, number, data.language), flow.font(10, bold=True), after_mm=1.2)
    _entry_text(flow, entry, data, flow.width, 8.5)
    if entry.link:
        matrix = qr_matrix(entry.link)
        module = 26 * flow.mm / len(matrix)
        size = module * len(matrix)
        flow.qr(matrix, (flow.width - size) / 2, flow.y, module)
        flow.y += size - QR_BORDER * module + 1.0 * flow.mm
        flow.text(str(labels["scan"]), flow.font(8, bold=True), align=centre, after_mm=0.5)
        flow.text(entry.link, flow.font(6.5), align=centre, after_mm=1.5)
    else:
        flow.text(str(labels["no_link"]), flow.font(8), color=MUTED, after_mm=1.5)
    flow.rule(dashed=True, after_mm=2.0)


def _a5_entry(flow: _Flow, entry: PolicyListEntry, number: int, data: PolicyList) -> None:
    labels = policy_list_labels(data.language)
    mm = flow.mm
    flow.text(entry_title(entry, number, data.language), flow.font(11.5, bold=True), after_mm=1.5)
    top = flow.y
    qr_side = 26 * mm
    text_width = flow.width - qr_side - 5 * mm if entry.link else flow.width
    _entry_text(flow, entry, data, text_width, 9.5)
    text_bottom = flow.y
    if entry.link:
        matrix = qr_matrix(entry.link)
        module = qr_side / (len(matrix) - 2 * QR_BORDER)
        quiet = QR_BORDER * module
        x = flow.width - qr_side
        flow.qr(matrix, x - quiet, top - quiet, module)
        flow.y = top + qr_side + 1.0 * mm
        caption_x = x - 3 * mm
        flow.text(str(labels["scan"]), flow.font(8, bold=True), x=caption_x, width=qr_side + 3 * mm,
                  align=Qt.AlignmentFlag.AlignHCenter, after_mm=0)
        flow.y = max(flow.y, text_bottom)
        flow.gap(0.8)
        flow.text(entry.link, flow.font(7.5), color=MUTED, after_mm=0)
    else:
        flow.text(str(labels["no_link"]), flow.font(8.5), color=MUTED, after_mm=0)
    flow.rule(thickness_mm=0.2, before_mm=2.5, after_mm=3.0)


def _footer(flow: _Flow, data: PolicyList, thermal: bool) -> None:
    labels = policy_list_labels(data.language)
    small = flow.font(7.5 if thermal else 9)
    if data.station_address:
        flow.text(str(labels["address"]).format(address=data.station_address), small, color=MUTED, after_mm=0.8)
    flow.text(str(labels["footer"]), small, color=MUTED)


def _blocks(device: QPaintDevice, data: PolicyList, layout: str, width: float) -> list[_Flow]:
    """The list as blocks drawn one under the other: the header, each policy, the footer."""
    family = install_app_fonts()
    thermal = layout == "thermal"
    blocks = []
    head = _Flow(device, width, family)
    _header(head, data, thermal)
    blocks.append(head)
    for number, entry in enumerate(data.entries, 1):
        block = _Flow(device, width, family)
        (_thermal_entry if thermal else _a5_entry)(block, entry, number, data)
        blocks.append(block)
    foot = _Flow(device, width, family)
    _footer(foot, data, thermal)
    blocks.append(foot)
    return blocks


def paginate(device: QPaintDevice, data: PolicyList, layout: str, width: float,
             page_height: float) -> list[list[tuple[_Flow, float]]]:
    """The blocks placed on pages: each page a list of (block, top). ``page_height`` 0: one page
    as long as the content (the thermal roll). A block never straddles two pages."""
    blocks = _blocks(device, data, _check_layout(layout), width)
    pages: list[list[tuple[_Flow, float]]] = [[]]
    y = 0.0
    for block in blocks:
        if page_height > 0 and pages[-1] and y + block.y > page_height:
            pages.append([])
            y = 0.0
        pages[-1].append((block, y))
        y += block.y
    return pages


def content_height(device: QPaintDevice, data: PolicyList, layout: str, width: float) -> float:
    """Height in ``device`` pixels the whole list needs at ``width`` (one unbroken page)."""
    return sum(block.y for block in _blocks(device, data, _check_layout(layout), width))


def _paint_page(painter: QPainter, rect: QRectF, page: list[tuple[_Flow, float]]) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    bottom = max((top + block.y for block, top in page), default=0.0)
    origin = rect.topLeft()
    if bottom > rect.height() > 0:  # one block taller than a page: scaled down, never cut
        scale = rect.height() / bottom
        painter.translate(rect.topLeft())
        painter.scale(scale, scale)
        origin = QPointF(0, 0)
    for block, top in page:
        for op in block.ops:
            op(painter, origin + QPointF(0, top))
    painter.restore()


def paint_policy_list(painter: QPainter, device: QPagedPaintDevice | QPaintDevice, rect: QRectF, data: PolicyList,
                      layout: str) -> int:
    """Draw the list on ``painter`` (active on ``device``), starting a new page of a paged device
    where the A5 list breaks; returns the number of pages."""
    chosen = _check_layout(layout)
    pages = paginate(device, data, chosen, rect.width(), rect.height() if chosen == "a5" else 0.0)
    for index, page in enumerate(pages):
        if index and isinstance(device, QPagedPaintDevice):
            device.newPage()
        _paint_page(painter, rect, page)
    return len(pages)


def _page_layout(device: QPaintDevice, data: PolicyList, layout: str) -> QPageLayout:
    if layout == "a5":
        margins = QMarginsF(A5_MARGIN_MM, A5_MARGIN_MM, A5_MARGIN_MM, A5_MARGIN_MM - 2)
        return QPageLayout(QPageSize(QPageSize.PageSizeId.A5), QPageLayout.Orientation.Portrait, margins,
                           QPageLayout.Unit.Millimeter)
    px_per_mm = device.logicalDpiY() / 25.4
    height_mm = (content_height(device, data, layout, THERMAL_PRINT_MM * px_per_mm) / px_per_mm
                 + THERMAL_TOP_MM + THERMAL_BOTTOM_MM)
    side = (THERMAL_PAPER_MM - THERMAL_PRINT_MM) / 2
    size = QPageSize(QSizeF(THERMAL_PAPER_MM, height_mm), QPageSize.Unit.Millimeter, "Policy list 80 mm",
                     QPageSize.SizeMatchPolicy.ExactMatch)
    return QPageLayout(size, QPageLayout.Orientation.Portrait,
                       QMarginsF(side, THERMAL_TOP_MM, side, THERMAL_BOTTOM_MM), QPageLayout.Unit.Millimeter)


def _doc_name(data: PolicyList) -> str:
    return f"{policy_list_labels(data.language)['title']} {data.enterprise_name}"


def render_policy_list_pdf(data: PolicyList, path: str | os.PathLike[str], layout: str = "thermal") -> Path:
    """Write the list to ``path`` as a PDF (vector text, embedded font, one vector QR per policy).
    Needs a QGuiApplication; raises ``OSError`` when the file cannot be written."""
    chosen = _check_layout(layout)
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"no such folder: {target.parent}")
    with target.open("wb"):
        pass
    install_app_fonts()
    writer = QPdfWriter(str(target))
    writer.setResolution(PDF_RESOLUTION)
    writer.setCreator("xuhui-desk")
    writer.setTitle(_doc_name(data))
    writer.setPageLayout(_page_layout(writer, data, chosen))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF {target}")
    try:
        paint_policy_list(painter, writer, QRectF(0, 0, writer.width(), writer.height()), data, chosen)
    finally:
        painter.end()
    return target


def configure_printer(printer: QPrinter, data: PolicyList, layout: str) -> None:
    """Set ``printer``'s page for the layout: A5 portrait, or 80 mm wide and as long as the list."""
    install_app_fonts()
    printer.setPageLayout(_page_layout(printer, data, _check_layout(layout)))
    printer.setDocName(_doc_name(data))


def print_policy_list(printer: QPrinter, data: PolicyList, layout: str) -> bool:
    """Paint the list on ``printer`` as it is set up (see :func:`configure_printer`)."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        paint_policy_list(painter, printer, QRectF(0, 0, printer.width(), printer.height()), data, layout)
    finally:
        painter.end()
    return True


class PolicyListPreviewDialog(QPrintPreviewDialog):
    """Qt's print preview showing one policy list; ``accepted`` once it was sent to the printer."""

    def __init__(self, data: PolicyList, layout: str = "thermal", parent: QWidget | None = None) -> None:
        self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        configure_printer(self._printer, data, layout)
        super().__init__(self._printer, parent)
        self.setObjectName("policyListPreview")
        self.data = data
        self.layout_name = _check_layout(layout)
        self.setWindowTitle(self._printer.docName())
        self.paintRequested.connect(lambda printer: print_policy_list(printer, self.data, self.layout_name))


def open_policy_list_preview(parent: QWidget | None, data: PolicyList,
                             layout: str = "thermal") -> PolicyListPreviewDialog:
    """Open the print preview window-modal with ``open()`` (never ``exec()`` from a task's callback,
    audit D1); it deletes itself when closed."""
    dialog = PolicyListPreviewDialog(data, layout, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
