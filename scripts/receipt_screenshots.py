"""Refresh docs/receipt-thermal.png and docs/receipt-a5.png from a sample receipt.

Renders the sample with the program's own PDF code, then rasterizes the PDF with
``pdftoppm`` (poppler-utils), so the pictures show exactly what a company gets::

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/receipt_screenshots.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from xuhui_desk.services.receipts import ReceiptData, build_receipt  # noqa: E402
from xuhui_desk.ui.receipt_render import ensure_gui_app, render_receipt_pdf  # noqa: E402


def sample(language: str = "zh_CN") -> ReceiptData:
    return build_receipt(
        station_name="徐汇区漕河泾开发区企业服务站",
        station_address="上海市徐汇区宜山路700号 漕河泾开发区服务中心一楼",
        tracking_no="XH03-20261126-007",
        created_at=datetime(2026, 11, 26, 6, 42, tzinfo=UTC),
        enterprise_name="上海汇智云链信息科技有限公司（徐汇漕河泾分公司）",
        uscc="91310104MA1FL3KQ2X",
        category_label="融资服务",
        description=(
            "企业计划明年扩大研发团队，\n目前流动资金紧张，希望了解知识产权质押融资的办理条件、"
            "所需材料以及区里有没有贴息政策，最好能对接两三家合作银行。"
        ),
        specialist="王晓梅",
        expected_response=datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
        url_template="https://qyfw.xuhui.gov.cn/track/{tracking_no}",
        language=language,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs")
    parser.add_argument("--language", default="zh_CN")
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 1
    ensure_gui_app()
    data = sample(args.language)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for layout in ("thermal", "a5"):
            pdf = Path(tmp) / f"{layout}.pdf"
            render_receipt_pdf(data, pdf, layout)
            stem = Path(tmp) / layout
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-singlefile", str(pdf), str(stem)],
                           check=True)
            out = args.out_dir / f"receipt-{layout}.png"
            shutil.move(stem.with_suffix(".png"), out)
            print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
