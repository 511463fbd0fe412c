"""Cold start to an interactive main window on the 200,000-request database, against the floor.

    .venv/bin/python benchmarks/startup_benchmark.py [--runs 15] [--importtime]

Each run starts a new process, ``python -m xuhui_desk --data-dir DIR`` on a copy of the generated
database (``benchmarks/generate.py``), with ``QT_QPA_PLATFORM=offscreen`` and
``XUHUI_DESK_SMOKE_QUIT_MS=0``: the program closes its main window at the first turn of the event
loop after showing it and prints ``smoke: MainWindow shown N ms after start``. The figure is the
wall time from spawning the process to that line — interpreter start, imports, opening and
checking the database, building and showing the window, the event loop running — median of
``--runs`` runs after one warm-up run (the OS file cache is warm, as on any start but the first
after a reboot).

The floor, measured the same way in the same run (the two alternate): a process that creates a
bare ``QApplication`` and ``QMainWindow``, shows it and prints the same line at the first turn of
its event loop. Target: at most 3× the floor.

``--importtime`` adds one run under ``python -X importtime`` and lists the slowest imports.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import copy_database, database, describe_database  # noqa: E402
from benchmarks.results import add_result_argument, machine_line, median, verdict, write_result  # noqa: E402

TARGET_RATIO = 2.5  # issue 13: start-up stays within 2.5× the bare Qt window
SMOKE_LINE = re.compile(r"^smoke: (\w+) shown (\d+) ms after start")

FLOOR_PROGRAM = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
started = time.perf_counter()
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1366, 768)
window.show()
def report():
    print(f"smoke: QMainWindow shown {int((time.perf_counter() - started) * 1000)} ms after start", flush=True)
    window.close()
QTimer.singleShot(0, report)
sys.exit(app.exec())
"""


def environment() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XUHUI_DESK_SMOKE_QUIT_MS": "0"}
    for name in ("XUHUI_DESK_DATA_DIR", "PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME"):
        env.pop(name, None)
    return env


def time_to_shown(command: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """(ms from spawn to the 'shown' line, ms the process itself reported, ms until it exited)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                            cwd=ROOT)
    assert proc.stdout is not None
    shown_at, reported = None, -1
    for line in proc.stdout:
        match = SMOKE_LINE.match(line)
        if match:
            shown_at = time.perf_counter()
            reported = int(match.group(2))
            break
    out, err = proc.communicate(timeout=120)
    ended = time.perf_counter()
    if shown_at is None or proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} did not show its window (exit {proc.returncode}):\n{out}\n{err}")
    return (shown_at - started) * 1000, reported, (ended - started) * 1000


def slowest_imports(command: list[str], env: dict[str, str], top: int = 15) -> list[tuple[int, str]]:
    """The imports with the largest cumulative time in one run under ``-X importtime`` (µs, module)."""
    proc = subprocess.run([command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        rows.append((int(cumulative), name))
    # Only top-level packages and the program's own modules say where the time goes.
    wanted = [r for r in rows if not r[1].startswith(" ") or "xuhui_desk" in r[1]]
    return sorted(wanted, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="measured runs of each (after one warm-up)")
    parser.add_argument("--db", type=Path, help="database to start on (default: the generated 200,000 requests)")
    parser.add_argument("--importtime", action="store_true", help="list the slowest imports of one start")
    add_result_argument(parser)
    args = parser.parse_args(argv)

    source = args.db or database()
    facts = describe_database(source)
    env = environment()
    with tempfile.TemporaryDirectory(prefix="xuhui-startup-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        copy_database(source, data_dir / "xuhui_desk.db")
        app_cmd = [sys.executable, "-m", "xuhui_desk", "--data-dir", str(data_dir)]
        floor_cmd = [sys.executable, "-c", FLOOR_PROGRAM]
        time_to_shown(app_cmd, env)  # warm-up: the OS cache, .pyc files, window.ini written
        time_to_shown(floor_cmd, env)
        app_runs: list[tuple[float, int, float]] = []
        floor_runs: list[tuple[float, int, float]] = []
        for _ in range(args.runs):
            app_runs.append(time_to_shown(app_cmd, env))
            floor_runs.append(time_to_shown(floor_cmd, env))
        imports = slowest_imports(app_cmd, env) if args.importtime else []

    app_ms = median([r[0] for r in app_runs])
    floor_ms = median([r[0] for r in floor_runs])
    inside_ms = median([r[1] for r in app_runs])
    exit_ms = median([r[2] for r in app_runs])
    ratio = app_ms / floor_ms
    met = ratio <= TARGET_RATIO
    lines = [
        f"database: {facts['requests']:,} requests, {facts['enterprises']:,} enterprises, "
        f"{facts['events']:,} timeline events ({facts['megabytes']} MB)",
        f"cold start to the main window   {app_ms:7.0f} ms  (median of {args.runs}; "
        f"min {min(r[0] for r in app_runs):.0f}, max {max(r[0] for r in app_runs):.0f})",
        f"  of which before run(): interpreter + imports of the command line and Qt  {app_ms - inside_ms:5.0f} ms",
        f"  of which run() until the window is shown and the event loop turns       {inside_ms:5.0f} ms",
        f"  process exited after                                                      {exit_ms:5.0f} ms",
        f"floor: bare QApplication + QMainWindow  {floor_ms:7.0f} ms  (median of {args.runs}; "
        f"min {min(r[0] for r in floor_runs):.0f}, max {max(r[0] for r in floor_runs):.0f})",
        f"ratio of the fastest runs (least disturbed by other load): "
        f"{min(r[0] for r in app_runs) / min(r[0] for r in floor_runs):.2f}×",
        f"ratio to the floor  {ratio:5.2f}×  (target ≤ {TARGET_RATIO:g}×: {verdict(met)})",
    ]
    print("\n".join(lines))
    if imports:
        print("slowest imports of one start (cumulative ms):")
        for micros, name in imports:
            print(f"  {micros / 1000:7.1f}  {name.strip()}")
    print(f"machine: {machine_line()}")
    details: dict[str, Any] = {"runs": args.runs, "app_ms": [r[0] for r in app_runs],
                               "floor_ms": [r[0] for r in floor_runs], "inside_run_ms": inside_ms,
                               "before_run_ms": app_ms - inside_ms,
                               "slowest_imports": [(m / 1000, n.strip()) for m, n in imports]}
    write_result(args.result_json, name="startup", figure="cold start to an interactive main window (200k DB)",
                 value=round(app_ms), unit="ms", floor=round(floor_ms), ratio=round(ratio, 2),
                 target=f"≤ {TARGET_RATIO:g}× the floor", met=met, lines=lines, details=details)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
