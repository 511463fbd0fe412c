"""Run every benchmark with one command, print the figures, and record them in benchmarks/README.md.

    make bench                                   # = QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/run_all.py
    .venv/bin/python benchmarks/run_all.py --only startup intake --no-readme

Each benchmark runs in its own process (start-up and memory measure processes anyway, and no
benchmark inherits another's caches or Qt application), ``--repeat`` times (default 3; the run
with the median figure is kept, since a shared machine's load comes and goes), on the generated
databases of
``benchmarks/generate.py`` (made once, about a minute each, then cached in ``benchmarks/data/``).
Each prints its figure and the floor measured in the same run; this script collects them into one
table, prints it, and rewrites the table between the ``figures`` markers of ``benchmarks/README.md``
with the machine and the date. ``report_benchmark.py`` also rewrites its own "Weekly report"
section there. Exit status: 0 when every benchmark ran (a missed target is reported, not an
error; ``--strict`` makes it one), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import database  # noqa: E402
from benchmarks.results import machine, machine_line  # noqa: E402

BENCH = ROOT / "benchmarks"
README = BENCH / "README.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"
REPORT_WEEK = "2026-W48"  # report_benchmark.py's own default week


@dataclass
class Benchmark:
    name: str
    script: str
    args: list[str] = field(default_factory=list)
    quick_args: list[str] = field(default_factory=list)
    #: Reads the figures from the output of a script that writes no result file.
    parse: Callable[[str], dict[str, Any]] | None = None


def _search_result(out: str) -> dict[str, Any]:
    rows = dict(re.findall(r"^\s+(2 characters|3\+ characters)\s+[\d.]+\s+([\d.]+)", out, re.M))
    worst = re.search(r"worst p95 of the newest-50 searches: ([\d.]+) ms", out)
    if worst is None:
        raise ValueError("no 'worst p95' line in the search benchmark's output")
    value = float(worst.group(1))
    return {"name": "search", "figure": "search, newest 50 matches: worst p95 over 2- and 3+-character terms",
            "value": value, "unit": "ms", "floor": None, "ratio": None, "target": "p95 ≤ 20 ms", "met": value <= 20,
            "details": {"p95_2_chars_ms": rows.get("2 characters"), "p95_3_chars_ms": rows.get("3+ characters")}}


def _report_result(out: str) -> dict[str, Any]:
    total = re.search(r"^report end to end\s+([\d.]+) s", out, re.M)
    floor = re.search(r"^floor: xlsxwriter\s+([\d.]+) s", out, re.M)
    ratio = re.search(r"^ratio to the floor\s+([\d.]+)×", out, re.M)
    if not (total and floor and ratio):
        raise ValueError("the report benchmark's output lacks its figures")
    return {"name": "report", "figure": "weekly report of a 10,000-request week (export_weekly_report)",
            "value": float(total.group(1)), "unit": "s", "floor": float(floor.group(1)),
            "ratio": float(ratio.group(1)), "target": "≤ 1.5× the floor", "met": float(ratio.group(1)) <= 1.5}


def benchmarks(report_db: Path | None) -> list[Benchmark]:
    report_args = ["--db", str(report_db), "--week", REPORT_WEEK] if report_db else []
    return [
        Benchmark("startup", "startup_benchmark.py", ["--importtime"], ["--runs", "3"]),
        Benchmark("intake", "intake_benchmark.py", [], ["--saves", "100"]),
        Benchmark("search", "search_benchmark.py", parse=_search_result),
        Benchmark("queue", "queue_benchmark.py", [], ["--runs", "3"]),
        Benchmark("sync", "sync_benchmark.py", [], ["--requests", "2000"]),
        Benchmark("report", "report_benchmark.py", report_args, ["--repeat", "1"], parse=_report_result),
        Benchmark("memory", "memory_benchmark.py"),
        Benchmark("routing", "routing_benchmark.py", [], ["--runs", "50"]),
        Benchmark("policies", "policy_match_benchmark.py", [], ["--companies", "500", "--runs", "30"]),
    ]


def run(bench: Benchmark, *, quick: bool, readme: bool) -> tuple[dict[str, Any] | None, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    args = [*bench.args, *(bench.quick_args if quick else [])]
    if bench.name == "report" and not readme:
        args.append("--no-readme")
    with tempfile.TemporaryDirectory(prefix="xuhui-bench-") as tmp:
        result_file = Path(tmp) / "result.json"
        if bench.parse is None:
            args += ["--result-json", str(result_file)]
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(BENCH / bench.script), *args], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        output = []
        for line in proc.stdout:
            print(f"  {line}", end="", flush=True)
            output.append(line)
        proc.wait()
        out = "".join(output)
        print(f"  ({bench.name}: {time.perf_counter() - started:.0f} s, exit {proc.returncode})")
        try:
            if bench.parse is not None:
                return bench.parse(out), out
            return json.loads(result_file.read_text(encoding="utf-8")), out
        except (OSError, ValueError) as exc:
            print(f"  {bench.name}: no figures ({exc})")
            return None, out


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose figure is the median of the runs (by the ratio where the target is a ratio)."""
    def key(r: dict[str, Any]) -> float:
        return float(r["ratio"] if "×" in r["target"] and r.get("ratio") is not None else r["value"])

    ordered = sorted(runs, key=key)
    return ordered[(len(ordered) - 1) // 2]


def _number(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value < 10:
        text = f"{value:.2f}"
    elif isinstance(value, float) and value < 100:
        text = f"{value:.1f}"
    else:
        text = f"{value:,.0f}"
    return f"{text} {unit}".strip()


def table(results: list[dict[str, Any]]) -> list[str]:
    rows = ["| what | figure | floor, same run | ratio | target | verdict | all runs |",
            "|---|---|---|---|---|---|---|"]
    for r in results:
        ratio = f"{r['ratio']:g}×" if r.get("ratio") is not None else "—"
        floor_unit = {"records/s": "rows/s"}.get(r["unit"], r["unit"])
        spread = ", ".join(_number(v) for v in r.get("spread", [r["value"]]))
        rows.append(f"| {r['figure']} | **{_number(r['value'], r['unit'])}** | {_number(r.get('floor'), floor_unit)} "
                    f"| {ratio} | {r['target']} | {'met' if r['met'] else '**missed**'} | {spread} |")
    return rows


def write_readme(results: list[dict[str, Any]], facts: dict[str, Any]) -> None:
    block = "\n".join([
        BEGIN,
        f"Measured {facts['date']} (Asia/Shanghai) with `make bench` on {machine_line(facts)}; load average "
        f"{facts['load']} when the run began (a shared machine: absolute times vary by about ±30 % between runs, "
        "ratios to a floor measured in the same run much less). Each benchmark ran "
        f"{max(r.get('runs', 1) for r in results)} times; the table shows its median run (figure, floor and ratio "
        "of that one run) and, last, the figure of every run.",
        "",
        *table(results),
        END,
    ])
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + block + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n## Latest figures\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = [b.name for b in benchmarks(None)]
    parser.add_argument("--only", nargs="+", choices=names, help="run only these")
    parser.add_argument("--skip", nargs="+", choices=names, default=[], help="run all but these")
    parser.add_argument("--repeat", type=int, default=3,
                        help="run each benchmark this many times and keep its median run (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run, not for the record)")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite benchmarks/README.md")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    facts = machine()
    print(f"machine: {machine_line(facts)}; load {facts['load']}")
    selected = [n for n in (args.only or names) if n not in args.skip]
    print("databases: ", end="", flush=True)
    main_db = database()
    report_db = database(week=REPORT_WEEK) if "report" in selected else None
    print(", ".join(p.name for p in (main_db, report_db) if p))
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    repeat = 1 if args.quick else max(1, args.repeat)
    for bench in benchmarks(report_db):
        if bench.name not in selected:
            continue
        runs = []
        for attempt in range(repeat):
            print(f"\n== {bench.name} ({bench.script}), run {attempt + 1} of {repeat}")
            result, _out = run(bench, quick=args.quick, readme=not args.no_readme and not args.quick)
            if result is not None:
                runs.append(result)
        if not runs:
            failed.append(bench.name)
            continue
        chosen = median_run(runs)
        chosen["runs"] = len(runs)
        chosen["spread"] = [r["value"] for r in runs]
        results.append(chosen)

    print("\n" + "\n".join(table(results)))
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}")
    if results and not args.no_readme and not args.quick:
        write_readme(results, facts)
        print(f"\nrecorded in {README.relative_to(ROOT)}")
    missed = [r["name"] for r in results if not r["met"]]
    if missed:
        print(f"targets missed: {', '.join(missed)} (see benchmarks/README.md for why and what it would take)")
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
