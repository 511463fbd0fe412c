"""Screenshots of the weekly report for the docs: docs/report-summary.png (and -2, its second
page) and docs/report-requests.png (the top of the requests sheet's first page).

    .venv/bin/python scripts/report_screenshot.py [--language zh_CN|en] [--keep DIR]

Generates a sample week (the benchmark's generator, a few thousand requests), writes the report,
prints it to PDF with LibreOffice (``soffice --headless --convert-to pdf``, as a lead's printer
would see it: the sheets' own print set-up decides the pages) and renders the first page of the
summary and of the requests sheet with ``pdftoppm``. Needs LibreOffice Calc and poppler-utils
(``apt-get install -y libreoffice-calc poppler-utils``).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOCS = ROOT / "docs"
WEEK = "2026-W48"


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("report_benchmark", ROOT / "benchmarks" / "report_benchmark.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if not found:
        sys.exit(f"{tool} not found: sudo apt-get install -y {package}")
    return found


def _page_of(pdf: Path, sheet: str, pages: int) -> int | None:
    """The first page whose footer names ``sheet`` (the footer is "&A — &P / &N")."""
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        if f"{sheet} — " in text:
            return page
    return None


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--language", default="zh_CN", choices=["zh_CN", "en"])
    parser.add_argument("--keep", type=Path, help="keep the sample database, workbook and PDF in this folder")
    parser.add_argument("--resolution", type=int, default=80, help="pdftoppm -r of the summary pages (dpi)")
    parser.add_argument("--requests-resolution", type=int, default=130,
                        help="pdftoppm -r of the requests sheet, whose small print needs more (dpi)")
    args = parser.parse_args(argv)

    soffice = shutil.which("soffice") or _need("libreoffice", "libreoffice-calc")
    _need("pdftoppm", "poppler-utils")
    _need("pdftotext", "poppler-utils")

    from xuhui_desk.db import open_database
    from xuhui_desk.services.reports import export_weekly_report, parse_week, report_labels

    work = args.keep or Path(tempfile.mkdtemp(prefix="xuhui-report-shot-"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "sample.db"
    _generator().generate_database(db_path, total=3_000, week_total=180, week=WEEK, enterprises=400, seed=7,  # type: ignore[attr-defined]
                                   progress=lambda _m: None)
    week = parse_week(WEEK)
    db = open_database(db_path)
    try:
        xlsx = work / f"XH03-{WEEK}.xlsx"
        export_weekly_report(db, week, xlsx, language=args.language, now=week.end + timedelta(hours=9))
    finally:
        db.close()

    profile = work / "lo-profile"  # a private LibreOffice profile: no clash with a running instance
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), str(xlsx)], check=True, capture_output=True, timeout=180)
    pdf = xlsx.with_suffix(".pdf")
    pages = _page_count(pdf)
    labels = report_labels(args.language)
    DOCS.mkdir(exist_ok=True)
    written = []
    summary = _page_of(pdf, labels["sheet_summary"], pages)
    requests = _page_of(pdf, labels["sheet_requests"], pages)
    if summary is None or requests is None:
        print(f"the summary or the requests sheet is missing from {pdf}", file=sys.stderr)
        return 1
    # The summary prints on two portrait pages (a manual break before the response times).
    shots = [("report-summary", summary, args.resolution, [])]
    if requests > summary + 1:
        shots.append(("report-summary-2", summary + 1, args.resolution, []))
    # The first requests page is landscape and dense: its top third, sharper, shows the layout.
    height = round(8.27 * args.requests_resolution * 0.36)
    shots.append(("report-requests", requests, args.requests_resolution, ["-x", "0", "-y", "0", "-W", "0",
                                                                           "-H", str(height)]))
    for name, page, resolution, crop in shots:
        prefix = work / name
        subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-f", str(page), "-l", str(page), *crop,
                        "-singlefile", str(pdf), str(prefix)], check=True)
        target = DOCS / f"{name}.png"
        shutil.copyfile(f"{prefix}.png", target)
        written.append(target)
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    print(f"({pages} PDF pages; sample files in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
