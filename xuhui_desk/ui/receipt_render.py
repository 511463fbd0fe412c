"""Draw a receipt with QPainter: into a PDF (QPdfWriter), onto a printer, in a print preview.

Two layouts:

* ``thermal``: an 80 mm slip for a receipt printer (72 mm printed width); the
  page is exactly as tall as the content, measured before the page is set up.
* ``a5``: an A5 portrait page for an ordinary printer.

Text is laid out with QTextLayout (wraps at word boundaries, or anywhere for long
numbers and URLs), so nothing is clipped; the shipped Chinese font is registered
first so the PDF embeds it; the QR code is drawn as vector rectangles from
:func:`xuhui_desk.services.receipts.qr_matrix`. What the receipt says comes from
:mod:`xuhui_desk.services.receipts`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextOption,
    QTransform,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QWidget

from xuhui_desk.services.receipts import (
    QR_BORDER,
    ReceiptData,
    address_line,
    qr_matrix,
    receipt_fields,
    receipt_labels,
)
from xuhui_desk.ui.fonts import install_app_fonts

ReceiptLayout = Literal["thermal", "a5"]
LAYOUTS: Final = ("thermal", "a5")

THERMAL_PAPER_MM: Final = 80.0
THERMAL_PRINT_MM: Final = 72.0
THERMAL_TOP_MM: Final = 4.0
THERMAL_BOTTOM_MM: Final = 8.0  # room for the tear-off edge
A5_MARGIN_MM: Final = 14.0
PDF_RESOLUTION: Final = 600

INK: Final = QColor(0, 0, 0)
MUTED: Final = QColor(0x44, 0x44, 0x44)
SHADE: Final = QColor(0xEE, 0xEE, 0xEE)

_Op = Callable[[QPainter, QPointF], None]

# The application ensure_gui_app() made, kept referenced so that Python never collects it early.
_created_app: QApplication | None = None


def ensure_gui_app() -> QGuiApplication:
    """The running Qt application, or a new QApplication (for the command line).

    On Linux without a display it selects the ``offscreen`` platform, so the
    ``receipt`` command works over SSH and in CI.
    """
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        return app
    if app is not None:
        raise RuntimeError("a QCoreApplication is running; drawing a receipt needs a QGuiApplication")
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    global _created_app
    _created_app = QApplication([sys.argv[0] if sys.argv else "xuhui-desk"])
    return _created_app


def _check_layout(layout: str) -> ReceiptLayout:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown receipt layout {layout!r} (use one of {', '.join(LAYOUTS)})")
    return layout  # type: ignore[return-value]


class _Flow:
    """Lays the receipt out top to bottom in device pixels, as drawing operations with offsets."""

    def __init__(self, device: QPaintDevice, width: float, family: str) -> None:
        self.device = device
        self.width = width
        self.family = family
        self.mm = device.logicalDpiY() / 25.4
        self.y = 0.0
        self.ops: list[_Op] = []

    def font(self, points: float, *, bold: bool = False) -> QFont:
        font = QFont(self.family)
        font.setPointSizeF(points)
        font.setBold(bold)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        return font

    def advance(self, text: str, font: QFont) -> float:
        return QFontMetricsF(font, self.device).horizontalAdvance(text)

    def layout_text(
        self, text: str, font: QFont, width: float, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        line_spacing: float = 1.12,
    ) -> tuple[QTextLayout, float]:
        """``text`` wrapped to ``width``; returns the layout and its height."""
        layout = QTextLayout(text, font, self.device)
        option = QTextOption(align)
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        y = 0.0
        last_height = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            last_height = line.height()
            y += last_height * line_spacing
        layout.endLayout()
        height = y - last_height * (line_spacing - 1) if last_height else 0.0
        return layout, height

    def draw_layout(self, layout: QTextLayout, x: float, y: float, color: QColor = INK) -> None:
        def op(painter: QPainter, origin: QPointF) -> None:
            painter.setPen(color)
            layout.draw(painter, origin + QPointF(x, y))

        self.ops.append(op)

    def text(
        self, text: str, font: QFont, *, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        color: QColor = INK, x: float = 0.0, width: float | None = None, after_mm: float = 0.0,
    ) -> float:
        """Add a wrapped paragraph at the current position; returns its height."""
        if not text:
            return 0.0
        layout, height = self.layout_text(text, font, self.width - x if width is None else width, align)
        self.draw_layout(layout, x, self.y, color)
        self.y += height + after_mm * self.mm
        return height

    def gap(self, mm: float) -> None:
        self.y += mm * self.mm

    def rule(self, *, thickness_mm: float = 0.25, dashed: bool = False, before_mm: float = 0.0,
             after_mm: float = 0.0) -> None:
        self.gap(before_mm)
        pen = QPen(INK, thickness_mm * self.mm)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if dashed:
            pen.setDashPattern([4.0, 3.0])
        y = self.y + thickness_mm * self.mm / 2
        width = self.width

        def op(painter: QPainter, origin: QPointF) -> None:
            painter.setPen(pen)
            painter.drawLine(origin + QPointF(0, y), origin + QPointF(width, y))

        self.ops.append(op)
        self.y += thickness_mm * self.mm
        self.gap(after_mm)

    def qr(self, matrix: list[list[bool]], x: float, y: float, module: float) -> None:
        """A QR matrix (quiet zone included) at ``x``, ``y`` as one filled vector path."""
        # Built in whole modules, where merging is exact, then scaled: one outline for all modules
        # leaves no hairline seams between them when a viewer anti-aliases.
        unit_path = QPainterPath()
        for row_index, row in enumerate(matrix):
            col = 0
            while col < len(row):
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < len(row) and row[col]:
                    col += 1
                unit_path.addRect(QRectF(start, row_index, col - start, 1))
        transform = QTransform.fromTranslate(x, y).scale(module, module)
        path = transform.map(unit_path.simplified())

        def op(painter: QPainter, origin: QPointF) -> None:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(INK)
            painter.drawPath(path.translated(origin))
            painter.restore()

        self.ops.append(op)

    def shade(self, rect: QRectF, fill: QColor) -> None:
        """A filled rectangle without outline, under everything drawn so far."""

        def op(painter: QPainter, origin: QPointF) -> None:
            painter.save()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRect(rect.translated(origin))
            painter.restore()

        self.ops.insert(0, op)


def _thermal(flow: _Flow, data: ReceiptData) -> None:
    labels = receipt_labels(data.language)
    centre = Qt.AlignmentFlag.AlignHCenter
    fields = receipt_fields(data)

    flow.text(data.station_name, flow.font(10, bold=True), align=centre, after_mm=1.2)
    flow.text(str(labels["title"]), flow.font(14, bold=True), align=centre, after_mm=1.5)
    flow.rule(thickness_mm=0.5, after_mm=2.0)

    tracking = fields[0]
    flow.text(tracking.label, flow.font(8), align=centre, after_mm=0.6)
    flow.text(tracking.value, flow.font(15, bold=True), align=centre, after_mm=1.6)
    flow.rule(dashed=True, after_mm=2.0)

    label_font = flow.font(8.5)
    value_font = flow.font(8.5, bold=False)
    colon = str(labels["colon"])
    label_width = min(max(flow.advance(f.label + colon, label_font) for f in fields[1:]), flow.width * 0.42)
    value_x = label_width + 1.0 * flow.mm
    for field in fields[1:]:
        label_layout, label_h = flow.layout_text(field.label + colon, label_font, label_width)
        bold = field.key in ("enterprise", "expected_response")
        value_layout, value_h = flow.layout_text(field.value, flow.font(8.5, bold=True) if bold else value_font,
                                                 flow.width - value_x)
        flow.draw_layout(label_layout, 0, flow.y)
        flow.draw_layout(value_layout, value_x, flow.y)
        flow.y += max(label_h, value_h) + 1.3 * flow.mm

    flow.rule(dashed=True, before_mm=0.7, after_mm=1.0)
    matrix = qr_matrix(data.tracking_url)
    module = 34 * flow.mm / len(matrix)
    size = module * len(matrix)
    flow.qr(matrix, (flow.width - size) / 2, flow.y, module)
    flow.y += size - QR_BORDER * module + 2.0 * flow.mm
    flow.text(str(labels["scan_hint"]), flow.font(9.5, bold=True), align=centre, after_mm=0.8)
    flow.text(data.tracking_url, flow.font(7), align=centre, after_mm=2.0)

    flow.rule(dashed=True, after_mm=2.0)
    small = flow.font(7.5)
    flow.text(address_line(data), small, after_mm=0.8)
    flow.text(str(labels["keep_note"]), small, after_mm=1.5)
    flow.text(str(labels["thanks"]), small, align=centre)


def _a5(flow: _Flow, data: ReceiptData, page_height: float) -> None:
    labels = receipt_labels(data.language)
    centre = Qt.AlignmentFlag.AlignHCenter
    fields = receipt_fields(data)
    mm = flow.mm

    flow.text(data.station_name, flow.font(12, bold=True), align=centre, after_mm=2.5)
    flow.text(str(labels["title"]), flow.font(20, bold=True), align=centre, after_mm=3.0)
    flow.rule(thickness_mm=0.8, after_mm=0.6)
    flow.rule(thickness_mm=0.25, after_mm=5.0)

    # The table: shaded label column, values wrapped in the rest.
    label_font = flow.font(10, bold=True)
    value_font = flow.font(10)
    pad_x, pad_y = 2.5 * mm, 2.0 * mm
    label_col = min(max(flow.advance(f.label, label_font) for f in fields) + 2 * pad_x, flow.width * 0.36)
    value_width = flow.width - label_col - 2 * pad_x
    top = flow.y
    row_tops: list[float] = []
    for field in fields:
        emphasis = field.key == "tracking_no"
        font = flow.font(13, bold=True) if emphasis else value_font
        label_layout, label_h = flow.layout_text(field.label, label_font, label_col - 2 * pad_x)
        value_layout, value_h = flow.layout_text(field.value, font, value_width)
        row_h = max(label_h, value_h) + 2 * pad_y
        row_tops.append(flow.y)
        flow.shade(QRectF(0, flow.y, label_col, row_h), SHADE)
        flow.draw_layout(label_layout, pad_x, flow.y + (row_h - label_h) / 2, MUTED)
        flow.draw_layout(value_layout, label_col + pad_x, flow.y + (row_h - value_h) / 2)
        flow.y += row_h
    bottom = flow.y
    _grid(flow, top, bottom, row_tops[1:], label_col)
    flow.gap(8.0)

    # The QR code with what to do with it beside it. Its quiet zone (blank) reaches into the
    # margin so that the printed symbol lines up with the table's edge.
    matrix = qr_matrix(data.tracking_url)
    module = 36 * mm / len(matrix)
    quiet = QR_BORDER * module
    symbol = module * len(matrix) - 2 * quiet
    flow.qr(matrix, -quiet, flow.y - quiet, module)
    qr_top = flow.y
    text_x = symbol + 6 * mm
    flow.text(str(labels["scan_hint"]), flow.font(12, bold=True), x=text_x, after_mm=2.0)
    flow.text(str(labels["scan_detail"]), flow.font(9.5), x=text_x, color=MUTED, after_mm=2.0)
    flow.text(data.tracking_url, flow.font(9), x=text_x, after_mm=0)
    flow.y = max(flow.y, qr_top + symbol)

    # The footer sits at the bottom of the page when there is room, else follows the content.
    footer = _Flow(flow.device, flow.width, flow.family)
    footer.rule(thickness_mm=0.25, after_mm=2.5)
    small = footer.font(9)
    footer.text(address_line(data), small, color=MUTED, after_mm=1.2)
    footer.text(str(labels["keep_note"]), small, color=MUTED, after_mm=1.2)
    footer.text(str(labels["thanks"]), small, color=MUTED)
    footer_top = max(flow.y + 6 * mm, page_height - footer.y)
    for op in footer.ops:
        flow.ops.append(_shifted(op, footer_top))
    flow.y = footer_top + footer.y


def _grid(flow: _Flow, top: float, bottom: float, row_lines: list[float], label_col: float) -> None:
    inner = QPen(INK, 0.2 * flow.mm)
    outer = QPen(INK, 0.5 * flow.mm)
    outer.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    width = flow.width

    def op(painter: QPainter, origin: QPointF) -> None:
        painter.save()
        painter.translate(origin)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(inner)
        for y in row_lines:
            painter.drawLine(QPointF(0, y), QPointF(width, y))
        painter.drawLine(QPointF(label_col, top), QPointF(label_col, bottom))
        painter.setPen(outer)
        painter.drawRect(QRectF(0, top, width, bottom - top))
        painter.restore()

    flow.ops.append(op)


def _shifted(op: _Op, dy: float) -> _Op:
    def shifted(painter: QPainter, origin: QPointF) -> None:
        op(painter, origin + QPointF(0, dy))

    return shifted


def _build(device: QPaintDevice, data: ReceiptData, layout: ReceiptLayout, width: float,
           height: float) -> _Flow:
    flow = _Flow(device, width, install_app_fonts())
    if layout == "thermal":
        _thermal(flow, data)
    else:
        _a5(flow, data, height)
    return flow


def content_height(device: QPaintDevice, data: ReceiptData, layout: str, width: float) -> float:
    """Height in ``device`` pixels the receipt needs at ``width`` pixels (the a5 footer not pinned)."""
    return _build(device, data, _check_layout(layout), width, 0.0).y


def paint_receipt(painter: QPainter, rect: QRectF, data: ReceiptData, layout: str) -> None:
    """Draw the receipt into ``rect`` (painter coordinates, device pixels) of an active painter.

    Text wraps to ``rect``'s width; content taller than ``rect`` is scaled down to fit
    rather than clipped.
    """
    chosen = _check_layout(layout)
    device = painter.device()
    flow = _build(device, data, chosen, rect.width(), rect.height())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    origin = rect.topLeft()
    if flow.y > rect.height() > 0:
        scale = rect.height() / flow.y
        painter.translate(rect.topLeft())
        painter.scale(scale, scale)
        painter.translate(QPointF((rect.width() / scale - rect.width()) / 2, 0))
        origin = QPointF(0, 0)
    for op in flow.ops:
        op(painter, origin)
    painter.restore()


def _page_layout(device: QPaintDevice, data: ReceiptData, layout: ReceiptLayout) -> QPageLayout:
    if layout == "a5":
        margins = QMarginsF(A5_MARGIN_MM, A5_MARGIN_MM, A5_MARGIN_MM, A5_MARGIN_MM - 2)
        return QPageLayout(QPageSize(QPageSize.PageSizeId.A5), QPageLayout.Orientation.Portrait, margins,
                           QPageLayout.Unit.Millimeter)
    px_per_mm = device.logicalDpiY() / 25.4
    height_px = content_height(device, data, layout, THERMAL_PRINT_MM * px_per_mm)
    height_mm = height_px / px_per_mm + THERMAL_TOP_MM + THERMAL_BOTTOM_MM
    side = (THERMAL_PAPER_MM - THERMAL_PRINT_MM) / 2
    size = QPageSize(QSizeF(THERMAL_PAPER_MM, height_mm), QPageSize.Unit.Millimeter, "Receipt 80 mm",
                     QPageSize.SizeMatchPolicy.ExactMatch)
    return QPageLayout(size, QPageLayout.Orientation.Portrait,
                       QMarginsF(side, THERMAL_TOP_MM, side, THERMAL_BOTTOM_MM), QPageLayout.Unit.Millimeter)


def _paint_rect(device: QPdfWriter | QPrinter) -> QRectF:
    return QRectF(0, 0, device.width(), device.height())


def render_receipt_pdf(data: ReceiptData, path: str | os.PathLike[str], layout: str = "thermal") -> Path:
    """Write the receipt to ``path`` as a one-page PDF (vector text, embedded font, vector QR).

    Needs a QGuiApplication (see :func:`ensure_gui_app`); raises ``OSError`` when the
    file cannot be written and ``ValueError`` for an unknown layout.
    """
    chosen = _check_layout(layout)
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"no such folder: {target.parent}")
    with target.open("wb"):  # fail here with a clear OSError rather than in Qt
        pass
    install_app_fonts()
    writer = QPdfWriter(str(target))
    writer.setResolution(PDF_RESOLUTION)
    writer.setCreator("xuhui-desk")
    writer.setTitle(f"{receipt_labels(data.language)['title']} {data.tracking_no}")
    writer.setPageLayout(_page_layout(writer, data, chosen))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF {target}")
    try:
        paint_receipt(painter, _paint_rect(writer), data, chosen)
    finally:
        painter.end()
    return target


def configure_printer(printer: QPrinter, data: ReceiptData, layout: str) -> None:
    """Set ``printer``'s page for the layout: A5 portrait, or 80 mm wide and as tall as the slip."""
    install_app_fonts()
    printer.setPageLayout(_page_layout(printer, data, _check_layout(layout)))
    printer.setDocName(f"{receipt_labels(data.language)['title']} {data.tracking_no}")


def print_receipt(printer: QPrinter, data: ReceiptData, layout: str) -> bool:
    """Paint the receipt on ``printer`` as it is set up (see :func:`configure_printer`)."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        paint_receipt(painter, _paint_rect(printer), data, layout)
    finally:
        painter.end()
    return True


class ReceiptPreviewDialog(QPrintPreviewDialog):
    """Qt's print preview (zoom, page set-up, print) showing one receipt."""

    def __init__(self, data: ReceiptData, layout: str = "thermal", parent: QWidget | None = None) -> None:
        self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        configure_printer(self._printer, data, layout)
        super().__init__(self._printer, parent)
        self._data = data
        self._layout = _check_layout(layout)
        self.setWindowTitle(self._printer.docName())
        self.paintRequested.connect(self._paint)

    def _paint(self, printer: QPrinter) -> None:
        print_receipt(printer, self._data, self._layout)


def open_print_preview(parent: QWidget | None, data: ReceiptData, layout: str = "thermal") -> ReceiptPreviewDialog:
    """Open the print preview of the receipt, window-modal, and return at once.

    ``open()`` rather than ``exec()``: a nested event loop inside a background task's callback
    keeps everything queued behind it waiting (deferred deletions, other tasks' results) for as
    long as the preview stays open. The dialog deletes itself when closed.
    """
    dialog = ReceiptPreviewDialog(data, layout, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
