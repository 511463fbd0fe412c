"""The receipt PDF: both layouts rendered, rasterized by poppler, QR read back by OpenCV."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPageSize, QPainter, QRawFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from xuhui_desk.services.receipts import ReceiptData, build_receipt
from xuhui_desk.ui.fonts import FAMILY, install_app_fonts
from xuhui_desk.ui.receipt_render import (
    ReceiptPreviewDialog,
    configure_printer,
    content_height,
    ensure_gui_app,
    paint_receipt,
    print_receipt,
    render_receipt_pdf,
)

PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(PDFTOPPM is None, reason="pdftoppm (poppler-utils) is not installed")
URL = "https://qyfw.xuhui.gov.cn/track/XH03-20261126-007"
DPI = 200


def sample(**changes: object) -> ReceiptData:
    values: dict[str, object] = {
        "station_name": "徐汇区漕河泾开发区企业服务站",
        "station_address": "上海市徐汇区宜山路700号 漕河泾开发区服务中心一楼",
        "tracking_no": "XH03-20261126-007",
        "created_at": datetime(2026, 11, 26, 6, 42, tzinfo=UTC),
        "enterprise_name": "上海汇智云链信息科技有限公司",
        "uscc": "91310104MA1FL3KQ2X",
        "category_label": "融资服务",
        "description": "企业计划扩大研发团队，希望了解知识产权质押融资的办理条件和贴息政策。",
        "specialist": "王晓梅",
        "expected_response": datetime(2026, 12, 3, 1, 30, tzinfo=UTC),
        "url_template": "https://qyfw.xuhui.gov.cn/track/{tracking_no}",
    }
    values.update(changes)
    return build_receipt(**values)  # type: ignore[arg-type]


def rasterize(pdf: Path, tmp_path: Path) -> np.ndarray:
    stem = tmp_path / pdf.stem
    subprocess.run([PDFTOPPM or "pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(pdf), str(stem)],
                   check=True, capture_output=True)
    image = cv2.imread(str(stem.with_suffix(".png")), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def decode(image: np.ndarray) -> str:
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def pdf_page_count(pdf: Path) -> int:
    return pdf.read_bytes().count(b"/Type /Page\n") + pdf.read_bytes().count(b"/Type /Page ")


def test_install_app_fonts_is_idempotent_and_covers_chinese(qapp: QApplication) -> None:
    family = install_app_fonts()
    assert family == FAMILY
    assert install_app_fonts() == family
    assert family in QFontDatabase.families()
    assert QFontDatabase.isScalable(family, "Regular")
    raw = QRawFont.fromFont(QFont(family))
    assert raw.familyName() == family
    text = "企业诉求受理回执徐汇漕泾统一社会信用代码，（）：ABC123…"
    assert 0 not in raw.glyphIndexesForString(text)  # glyph 0 is .notdef, the empty box
    bold = QFont(family)
    bold.setBold(True)
    assert QRawFont.fromFont(bold).weight() >= 600


def test_ensure_gui_app_returns_the_running_application(qapp: QApplication) -> None:
    assert ensure_gui_app() is qapp


@pytest.mark.parametrize("layout", ["thermal", "a5"])
def test_pdf_embeds_the_font_and_holds_one_page(qapp: QApplication, tmp_path: Path, layout: str) -> None:
    pdf = render_receipt_pdf(sample(), tmp_path / f"{layout}.pdf", layout)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"FontFile" in data  # the font program travels inside the PDF
    assert b"XuhuiDeskSansSC" in data
    assert pdf_page_count(pdf) == 1
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert rows and all("yes" in row[-5:-3] for row in rows), listing  # every font embedded
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        for expected in ("企业诉求受理回执", "XH03-20261126-007", "统一社会信用代码", "91310104MA1FL3KQ2X",
                         "扫码查询办理进度", "2026年11月26日 14:42"):
            assert expected in text, expected


@needs_poppler
@pytest.mark.parametrize("layout", ["thermal", "a5"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_qr_code_in_the_pdf_reads_back_as_the_tracking_url(
    qapp: QApplication, tmp_path: Path, layout: str, language: str
) -> None:
    pdf = render_receipt_pdf(sample(language=language), tmp_path / f"{layout}-{language}.pdf", layout)
    image = rasterize(pdf, tmp_path)
    assert decode(image) == URL


@needs_poppler
def test_page_sizes(qapp: QApplication, tmp_path: Path) -> None:
    thermal = rasterize(render_receipt_pdf(sample(), tmp_path / "thermal.pdf", "thermal"), tmp_path)
    height, width = thermal.shape
    assert abs(width - 80 / 25.4 * DPI) <= 2  # 80 mm wide: ≈ 630 px at 200 dpi
    assert 100 / 25.4 * DPI < height < 250 / 25.4 * DPI
    # Fitted to the content: the last printed row is near the bottom edge, not a page away.
    ink_rows = np.flatnonzero((thermal < 128).any(axis=1))
    assert height - ink_rows[-1] < 15 / 25.4 * DPI
    a5 = rasterize(render_receipt_pdf(sample(), tmp_path / "a5.pdf", "a5"), tmp_path)
    assert abs(a5.shape[1] - 148 / 25.4 * DPI) <= 2 and abs(a5.shape[0] - 210 / 25.4 * DPI) <= 2


@needs_poppler
@pytest.mark.parametrize("layout", ["thermal", "a5"])
def test_long_names_wrap_inside_the_page(qapp: QApplication, tmp_path: Path, layout: str) -> None:
    long_name = "上海徐汇区漕河泾新兴技术开发区超长名称示范人工智能与数字经济创新研究院有限责任公司" * 3
    data = sample(
        enterprise_name=long_name + "Shanghai Extremely-Long-Enterprise-Name-Without-Any-Spaces-Holdings",
        category_label="融资服务 / 知识产权质押融资",
        description="咨询" * 200,
        station_address="上海市徐汇区" + "某某路" * 30 + "1号",
    )
    short = rasterize(render_receipt_pdf(sample(), tmp_path / "short.pdf", layout), tmp_path)
    image = rasterize(render_receipt_pdf(data, tmp_path / "long.pdf", layout), tmp_path)
    if layout == "thermal":
        assert image.shape[0] > short.shape[0]  # the slip grew instead of clipping
        assert image.shape[1] == short.shape[1]
    # Nothing printed in the side margins: the text wrapped.
    margin = int(3 / 25.4 * DPI)
    assert not (image[:, :margin] < 128).any()
    assert not (image[:, -margin:] < 128).any()
    assert decode(image) == URL


def test_content_height_grows_with_content(qapp: QApplication, tmp_path: Path) -> None:
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(600 / 0.0254))
    image.setDotsPerMeterY(round(600 / 0.0254))
    width = 72 / 25.4 * 600
    short = content_height(image, sample(), "thermal", width)
    longer = content_height(image, sample(enterprise_name="很长的企业名称" * 20), "thermal", width)
    assert 0 < short < longer


def test_paint_receipt_on_an_image(qapp: QApplication) -> None:
    image = QImage(600, 1600, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    paint_receipt(painter, QRectF(20, 20, 560, 1560), sample(), "thermal")
    painter.end()
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(1600, image.bytesPerLine())
    assert (pixels < 128).any()


def test_unknown_layout_and_unwritable_path(qapp: QApplication, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="layout"):
        render_receipt_pdf(sample(), tmp_path / "x.pdf", "a4")
    with pytest.raises(OSError):
        render_receipt_pdf(sample(), tmp_path / "missing" / "x.pdf")


@needs_poppler
@pytest.mark.parametrize("layout", ["thermal", "a5"])
def test_printer_path_prints_the_same_receipt(qapp: QApplication, tmp_path: Path, layout: str) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / f"printed-{layout}.pdf"
    printer.setOutputFileName(str(out))
    configure_printer(printer, sample(), layout)
    assert print_receipt(printer, sample(), layout)
    image = rasterize(out, tmp_path)
    assert decode(image) == URL
    if layout == "thermal":
        assert abs(image.shape[1] - 80 / 25.4 * DPI) <= 2


# The offscreen platform warns that it cannot pass size hints on to a window manager.
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_print_preview_dialog_paints_the_receipt(qapp: QApplication, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ReceiptPreviewDialog(sample(), "a5")
    qtbot.addWidget(dialog)
    painted: list[QPrinter] = []
    dialog.paintRequested.connect(painted.append)
    dialog.show()
    qtbot.waitUntil(lambda: bool(painted))
    assert "XH03-20261126-007" in dialog.windowTitle()
    assert dialog.printer().pageLayout().pageSize().id() == QPageSize.PageSizeId.A5
    dialog.reject()


def _cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F or 0xFF00 <= code <= 0xFFEF


def test_shipped_font_covers_the_resources(qapp: QApplication) -> None:
    """Every Chinese character of the resources is in the shipped font (else: scripts/make_font_subset.py)."""
    from xuhui_desk.resources import resource_path

    chars: set[str] = set()
    for pattern in ("*.toml", "*.ts", "*.tsv"):
        for path in resource_path().rglob(pattern):
            chars.update(ch for ch in path.read_text(encoding="utf-8") if _cjk(ch))
    assert "受" in chars
    family = install_app_fonts()
    for bold in (False, True):
        font = QFont(family)
        font.setBold(bold)
        raw = QRawFont.fromFont(font)
        assert raw.familyName() == family
        ordered = sorted(chars)
        missing = [ch for ch, glyph in zip(ordered, raw.glyphIndexesForString("".join(ordered)), strict=True)
                   if glyph == 0]
        assert not missing, f"not in the shipped font, run scripts/make_font_subset.py: {''.join(missing)}"
