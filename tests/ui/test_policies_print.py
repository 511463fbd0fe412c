"""The policy list (政策清单) as printed: the content the service builds, a PDF on an 80 mm slip and
on A5 pages with the shipped Chinese font, and a QR code per policy that reads back as its link."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from xuhui_desk.policies import parse_policy
from xuhui_desk.services.policy_print import (
    PolicyListError,
    build_policy_list,
    how_to_apply,
    policy_list_for_company,
    policy_list_labels,
    policy_list_text,
)
from xuhui_desk.ui.policies.print_render import (
    configure_printer,
    content_height,
    paginate,
    print_policy_list,
    render_policy_list_pdf,
)

PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(PDFTOPPM is None, reason="pdftoppm (poppler-utils) is not installed")
DPI = 200


def policy(n: int, apply: str = "online", **more: Any) -> Any:
    body = {"id": f"P-2027-{n:03d}", "title": f"科技型中小企业研发费用补贴（第{n}项）", "department": "区科委",
            "valid_from": "2026-01-01", "apply": apply, "benefit": "按上年度研发投入的10%给予补贴，最高50万元",
            "link": f"https://www.xuhui.gov.cn/zcwj/P-2027-{n:03d}", "sample": True, "conditions": {}}
    if apply == "online":
        body["apply_link"] = "https://zwdt.sh.gov.cn/govPortals/apply/" + str(n)
    if apply == "window":
        body["apply_where"] = "徐汇区行政服务中心二楼 12 号窗口"
    body.update(more)
    return parse_policy(body)


def sample(count: int = 3, language: str = "zh_CN") -> Any:
    modes = ("online", "window", "no_application")
    return build_policy_list(station_name="徐家汇服务站", station_address="徐汇区漕溪北路1号",
                             enterprise_name="上海星河科技有限公司", uscc="9131010452601815X3", day=date(2026, 12, 7),
                             specialist="李敏", policies=[policy(n, modes[n % 3]) for n in range(1, count + 1)],
                             language=language)


def rasterize(pdf: Path, tmp_path: Path) -> list[np.ndarray]:
    stem = tmp_path / pdf.stem
    subprocess.run([PDFTOPPM or "pdftoppm", "-r", str(DPI), "-png", str(pdf), str(stem)], check=True,
                   capture_output=True)
    pages = []
    for png in sorted(tmp_path.glob(f"{pdf.stem}-*.png")):
        image = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
        assert image is not None
        pages.append(image)
    return pages


def decode_all(image: np.ndarray) -> set[str]:
    """Every QR code on the page: each one is cut out along the blank rows between them first
    (the detector reads one code at a time most reliably)."""
    found: set[str] = set()
    ok, texts, _points, _straight = cv2.QRCodeDetector().detectAndDecodeMulti(image)
    if ok:
        found.update(t for t in texts if t)
    ink = (image < 128).any(axis=1)
    start = None
    for y, dark in enumerate([*ink, False]):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            if y - start > 40:
                band = image[max(0, start - 30):y + 30]
                text, _p, _s = cv2.QRCodeDetector().detectAndDecode(band)
                if text:
                    found.add(text)
            start = None
    return found


def test_the_list_says_who_what_and_how_to_apply() -> None:
    data = sample()
    text = policy_list_text(data)
    for expected in ("惠企政策清单", "上海星河科技有限公司", "9131010452601815X3", "2026年12月7日", "李敏",
                     "1. 科技型中小企业研发费用补贴（第1项）（示例政策）", "窗口办理：徐汇区行政服务中心二楼 12 号窗口",
                     "免申即享", "网上办理（一网通办）：https://zwdt.sh.gov.cn/govPortals/apply/3",
                     "https://www.xuhui.gov.cn/zcwj/P-2027-002"):
        assert expected in text, expected
    assert data.policies() == [("P-2027-001", 1), ("P-2027-002", 1), ("P-2027-003", 1)]
    assert how_to_apply(policy(9, "window", apply_where=""), "en") == "At the window"
    assert set(policy_list_labels("zh_CN")) == set(policy_list_labels("en"))
    with pytest.raises(ValueError):
        build_policy_list(station_name="站", station_address="", enterprise_name="企业", uscc=None,
                          day=date(2026, 12, 7), specialist="李敏", policies=[])


def test_no_link_no_code_and_the_online_address_stands_in() -> None:
    entry = sample().entries[0]
    assert entry.link.startswith("https://www.xuhui.gov.cn/")
    bare = build_policy_list(station_name="站", station_address="", enterprise_name="企业", uscc="",
                             day=date(2026, 12, 7), specialist="李敏",
                             policies=[policy(1, link=""), policy(2, "window", link="")])
    assert bare.entries[0].link == "https://zwdt.sh.gov.cn/govPortals/apply/1"  # the online application
    assert bare.entries[1].link == ""
    assert "请向服务站索取政策原文" in policy_list_text(bare)


@needs_poppler
@pytest.mark.parametrize("layout", ["thermal", "a5"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_qr_code_reads_back_as_its_policys_link(qapp: QApplication, tmp_path: Path, layout: str,
                                                      language: str) -> None:
    data = sample(3, language)
    pdf = render_policy_list_pdf(data, tmp_path / f"{layout}-{language}.pdf", layout)
    assert b"XuhuiDeskSansSC" in pdf.read_bytes()  # the Chinese font travels inside
    found: set[str] = set()
    for page in rasterize(pdf, tmp_path):
        found |= decode_all(page)
    assert found == {e.link for e in data.entries}


@needs_poppler
def test_a5_breaks_between_policies_and_the_slip_grows(qapp: QApplication, tmp_path: Path) -> None:
    many = sample(7)
    pages = rasterize(render_policy_list_pdf(many, tmp_path / "many.pdf", "a5"), tmp_path)
    assert len(pages) >= 2
    for page in pages:
        assert abs(page.shape[1] - 148 / 25.4 * DPI) <= 2 and abs(page.shape[0] - 210 / 25.4 * DPI) <= 2
    found: set[str] = set()
    for page in pages:
        found |= decode_all(page)
    assert found == {e.link for e in many.entries}  # no code cut by a page break
    slip = rasterize(render_policy_list_pdf(many, tmp_path / "slip.pdf", "thermal"), tmp_path)
    short = rasterize(render_policy_list_pdf(sample(1), tmp_path / "one.pdf", "thermal"), tmp_path)
    assert len(slip) == 1 and slip[0].shape[0] > short[0].shape[0]  # one long slip, as long as the list
    assert abs(slip[0].shape[1] - 80 / 25.4 * DPI) <= 2
    margin = int(3 / 25.4 * DPI)
    assert not (slip[0][:, :margin] < 128).any() and not (slip[0][:, -margin:] < 128).any()  # text wrapped


def test_pagination_never_splits_a_policy(qapp: QApplication) -> None:
    from PySide6.QtGui import QImage

    image = QImage(10, 10, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(300 / 0.0254))
    image.setDotsPerMeterY(round(300 / 0.0254))
    width, height = 120 / 25.4 * 300, 180 / 25.4 * 300
    pages = paginate(image, sample(9), "a5", width, height)
    assert len(pages) > 1
    for page in pages:
        assert max(top + block.y for block, top in page) <= height or len(page) == 1
    assert sum(len(p) for p in pages) == 9 + 2  # header, nine policies, footer
    assert content_height(image, sample(9), "thermal", width) > content_height(image, sample(1), "thermal", width)


@needs_poppler
def test_the_printer_path_prints_the_same_list(qapp: QApplication, tmp_path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    data = sample(2)
    configure_printer(printer, data, "thermal")
    assert print_policy_list(printer, data, "thermal")
    pages = rasterize(out, tmp_path)
    assert decode_all(pages[0]) == {e.link for e in data.entries}


def test_the_list_for_a_company_reads_the_station(station_db: Any) -> None:
    from tests.bulk_data import add_request
    from xuhui_desk.services.company_file import company_file
    from xuhui_desk.services.policies import replace_catalogue

    add_request(station_db, "咨询", name="上海星河科技有限公司", uscc="9131010452601815X3")
    enterprise_id = company_file(station_db, "上海星河科技有限公司", limit=1).profile.id
    replace_catalogue(station_db, 1, [policy(1), policy(2, "window", valid_to="2026-06-30")])
    data = policy_list_for_company(station_db, enterprise_id, ["P-2027-001"], today=date(2026, 12, 7))
    assert (data.station_name, data.station_address, data.enterprise_name, data.specialist) == (
        "徐家汇服务站", "徐汇区漕溪北路1号", "上海星河科技有限公司", "李敏")
    assert data.policies() == [("P-2027-001", 1)]
    with pytest.raises(PolicyListError, match="P-2027-002"):  # expired since it was shown
        policy_list_for_company(station_db, enterprise_id, ["P-2027-002"], today=date(2026, 12, 7))
    with pytest.raises(PolicyListError):
        policy_list_for_company(station_db, 9999, ["P-2027-001"], today=date(2026, 12, 7))
