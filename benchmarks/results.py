"""What every benchmark script reports: percentiles, the machine it ran on, and its result file.

Each script prints its figures for a person and, with ``--result-json FILE``, writes them for
``run_all.py``: ``{"name", "figure", "value", "unit", "floor", "ratio", "target", "met", "lines",
"details"}`` (``floor`` and ``ratio`` may be None where the benchmark has no floor).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return math.nan


def machine() -> dict[str, Any]:
    """The facts a figure needs to be compared with another run's."""
    try:
        import PySide6

        pyside = PySide6.__version__
    except ImportError:
        pyside = "not installed"
    import sqlalchemy

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "ram_gb": round(ram_gb(), 1),
        "python": platform.python_version(),
        "pyside6": pyside,
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "load": round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None,
    }


def machine_line(facts: dict[str, Any] | None = None) -> str:
    m = facts or machine()
    return (f"{m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram_gb']:g} GB RAM, {m['os']}; Python {m['python']}, "
            f"PySide6 {m['pyside6']}, SQLite {m['sqlite']}, SQLAlchemy {m['sqlalchemy']}")


def add_result_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--result-json", type=Path, help="also write the figures to this file (for run_all.py)")


def write_result(path: Path | None, **result: Any) -> None:
    """Write the result file when ``--result-json`` was given."""
    if path is None:
        return
    result.setdefault("floor", None)
    result.setdefault("ratio", None)
    result.setdefault("details", {})
    result.setdefault("lines", [])
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"
