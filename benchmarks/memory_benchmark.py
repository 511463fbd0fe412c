"""Memory of the GUI process with the 200,000-request database and the queue open and scrolled.

    .venv/bin/python benchmarks/memory_benchmark.py

Starts a process that runs the program as ``xuhui-desk`` does (application, fonts, style sheet,
translations, database, main window; ``QT_QPA_PLATFORM=offscreen``) on a copy of the generated
database, opens the queue page (Ctrl+3: the default filter, open requests with overdue ones on
top), waits for it to be read, scrolls it down page by page and to its end and back, then shows
all 200,000 requests and scrolls those the same way. Resident memory (``VmRSS`` in
``/proc/self/status``) is read after each step, and the peak (``VmHWM``) at the end.

Target: at most 120 MB resident with the queue open and scrolled (issue 13; 150 MB before). For scale, the same is read
from a process with a bare ``QApplication`` and ``QMainWindow`` (the floor of any Qt program).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import copy_database, database, describe_database  # noqa: E402
from benchmarks.results import add_result_argument, machine_line, verdict, write_result  # noqa: E402

TARGET_MB = 120.0  # issue 13 (was 150)


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _wait_for_refresh(model: Any) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    if not model.loading and model.rowCount():
        return
    loop = QEventLoop()
    # `completed`: the whole id list is in (large lists show their first page before that).
    model.completed.connect(loop.quit)
    model.failed.connect(loop.quit)
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()


def _scroll(app: Any, table: Any, model: Any, pages: int = 30) -> None:
    """Page down ``pages`` times, jump to the end and back to the top, painting as a user sees it."""
    step = max(1, table.viewport().height() // max(1, table.rowHeight(0) or 24))
    rows = model.rowCount()
    targets = [min(rows - 1, i * step) for i in range(1, pages + 1)] + [rows - 1, rows // 2, 0]
    for row in targets:
        table.scrollTo(model.index(row, 0))
        table.viewport().repaint()
        app.processEvents()


def child_program(data_dir: Path) -> dict[str, float]:
    """Run in the measured process: the program's own start-up, then the queue."""
    # In the program's order: the GUI's package first (``xuhui-desk`` imports nothing of Qt or
    # SQLAlchemy before it), then what it imports later.
    import xuhui_desk.ui  # noqa: F401

    # isort: split
    from PySide6.QtCore import QCoreApplication

    from xuhui_desk.config import DEFAULT_LANGUAGE
    from xuhui_desk.db import open_database
    from xuhui_desk.services.search import ATTENTION, RequestFilter
    from xuhui_desk.ui.app import Workstation, create_application, install_translators, read_startup_state
    from xuhui_desk.ui.main_window import Page

    steps: dict[str, float] = {"python + imports": rss_mb()}
    app = create_application([sys.argv[0]])
    install_translators(DEFAULT_LANGUAGE)
    steps["QApplication"] = rss_mb()
    db = open_database(data_dir / "xuhui_desk.db")
    _initialised, language = read_startup_state(db)
    workstation = Workstation(db, data_dir, language)
    window = workstation.open_main_window()
    app.processEvents()
    steps["main window shown"] = rss_mb()
    window.show_page(Page.QUEUE)
    queue = window.queue_view
    _wait_for_refresh(queue.model)
    app.processEvents()
    steps["queue open (default filter)"] = rss_mb()
    _scroll(app, queue.table, queue.model)
    steps["queue scrolled"] = rss_mb()
    steps["rows in the default queue"] = queue.model.rowCount()
    queue.model.set_filter(RequestFilter(sort=ATTENTION))
    _wait_for_refresh(queue.model)
    _scroll(app, queue.table, queue.model)
    steps["all requests shown and scrolled"] = rss_mb()
    steps["rows with all requests"] = queue.model.rowCount()
    steps["rows materialised"] = queue.model.rows_loaded
    steps["peak (VmHWM)"] = rss_mb("VmHWM")
    window.close()
    workstation.shutdown()
    QCoreApplication.processEvents()
    return steps


def floor_program() -> dict[str, float]:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    result = {"bare QApplication + QMainWindow": rss_mb(), "peak (VmHWM)": rss_mb("VmHWM")}
    window.close()
    return result


def run_child(*args: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("XUHUI_DESK_SMOKE_QUIT_MS", None)
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the measured process failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to copy (default: the generated 200,000 requests)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    add_result_argument(parser)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_program(args.child)))
        return 0
    if args.floor:
        print(json.dumps(floor_program()))
        return 0

    source = args.db or database()
    facts = describe_database(source)
    with tempfile.TemporaryDirectory(prefix="xuhui-memory-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        copy_database(source, data_dir / "xuhui_desk.db")
        steps = run_child("--child", str(data_dir))
    floor = run_child("--floor")
    figure = steps["queue scrolled"]
    met = figure <= TARGET_MB
    lines = [f"database: {facts['requests']:,} requests ({facts['megabytes']} MB file)"]
    for key, value in steps.items():
        if key.startswith("rows"):
            lines.append(f"  {key:<36} {value:9,.0f}")
        else:
            lines.append(f"  RSS {key:<32} {value:7.1f} MB")
    lines += [f"floor: RSS of a bare QApplication + QMainWindow  {floor['bare QApplication + QMainWindow']:.1f} MB",
              f"RSS with the queue open and scrolled {figure:.1f} MB (target ≤ {TARGET_MB:g} MB: {verdict(met)}); "
              f"{figure / floor['bare QApplication + QMainWindow']:.1f}× the bare Qt process"]
    print("\n".join(lines))
    print(f"machine: {machine_line()}")
    write_result(args.result_json, name="memory", figure="RSS, GUI with the 200k DB and the queue open and scrolled",
                 value=round(figure, 1), unit="MB", floor=round(floor["bare QApplication + QMainWindow"], 1),
                 ratio=round(figure / floor["bare QApplication + QMainWindow"], 2), target=f"≤ {TARGET_MB:g} MB",
                 met=met, lines=lines, details={"steps": steps, "floor": floor})
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
