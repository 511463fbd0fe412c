#!/usr/bin/env python3
"""Smoke test of the FROZEN workstation program (the PyInstaller bundle of build.spec).

    python scripts/smoke_frozen.py [dist/xuhui-desk/xuhui-desk] [--keep] [--timeout SECONDS]

On a temporary data folder (``XUHUI_DESK_DATA_DIR``) and a temporary home (so nothing
touches the real profile, QSettings or caches) it runs the frozen program the way a
station does, one step after the other:

    version, init, intake (one line invalid: exit 3, one result per line), route,
    list (and a full-text search), report (the week of today, Asia/Shanghai),
    receipt (a PDF), backup, the GUI offscreen on the set-up station (main window),
    the same on the xcb platform under xvfb-run when Xvfb is installed (``--xcb``),
    and on a fresh folder (first-run wizard), each closed by XUHUI_DESK_SMOKE_QUIT_MS,
    and finally a check that the bundle folder itself was not written to.

Prints PASS/FAIL per step and exits 1 if any step failed.  A step fails on an exit
status other than the expected one, on a traceback anywhere in its output, on any
standard-error line that is not in ALLOWED_STDERR below, or when its output is not
what the command-line contract (DESIGN.md §6) promises.

It needs only the Python standard library, so it runs with any Python 3.11+.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXE = ROOT / "dist" / "xuhui-desk" / ("xuhui-desk.exe" if sys.platform == "win32" else "xuhui-desk")

SMOKE_QUIT_ENV = "XUHUI_DESK_SMOKE_QUIT_MS"  # read by xuhui_desk/ui/app.py
SMOKE_QUIT_MS = "400"
CATEGORIES = {"finance", "talent", "legal", "credit", "policy", "space", "permit", "other"}
LIST_KEYS = {"uuid", "tracking_no", "enterprise_name", "uscc", "category", "status", "description", "created_at"}

# Standard-error lines that are harmless and expected; anything else fails the step.
# Keep each entry explained: this list is the contract of "clean stderr".
ALLOWED_STDERR: list[tuple[re.Pattern[str], str]] = [
    # Qt's offscreen platform plugin says this whenever a window sets size hints; it is a
    # limitation of the headless test platform, not of the program (never seen on xcb/wayland).
    (re.compile(r"^This plugin does not support propagateSizeHints\(\)$"), "offscreen platform"),
    (re.compile(r"^This plugin does not support raise\(\)$"), "offscreen platform"),
    (re.compile(r"^This plugin does not support grabbing the keyboard$"), "offscreen platform"),
]

# The intake file: lines 1, 2 and 4 are valid, line 3 is not (no company name, no text).
INTAKE_LINES: list[dict[str, Any] | str] = [
    {"enterprise": {"name": "上海汇智科技有限公司", "uscc": "91310104MA1FL0XX7X", "contact_name": "李明",
                    "phone": "13812345678", "park": "徐汇滨江"},
     "description": "公司想申请科技型中小企业贷款，需要融资担保方面的帮助", "channel": "walk_in"},
    {"enterprise": {"name": "徐汇云谷信息技术有限公司", "contact_name": "王芳", "phone": "021-64871234"},
     "description": "两名新招的研究生员工想办理落户，另外咨询人才公寓申请条件", "urgency": "normal"},
    {"enterprise": {"name": ""}, "description": ""},
    {"enterprise": {"name": "漕河泾数智服务有限公司"},
     "description": "与供应商的合同纠纷，希望得到律师调解和法律咨询"},
]
INVALID_LINES = {3}
SEARCH_TERM = "贷款"


@dataclass
class Result:
    code: int | None
    out: str
    err: str
    seconds: float


@dataclass
class Smoke:
    exe: Path
    work: Path
    timeout: float
    failures: list[str] = field(default_factory=list)
    tracking_nos: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.work / "data"

    def env(self, data_dir: Path, **extra: str) -> dict[str, str]:
        """A clean environment: no Python/Qt/xuhui variables of the caller, a private home."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTHON", "QT_", "XUHUI_", "VIRTUAL_ENV"))
               and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        home = self.work / "home"
        runtime = self.work / "runtime"
        for folder in (home, runtime):
            folder.mkdir(mode=0o700, exist_ok=True)
        env.update(
            XUHUI_DESK_DATA_DIR=str(data_dir),
            HOME=str(home),
            USERPROFILE=str(home),
            APPDATA=str(home / "AppData" / "Roaming"),
            LOCALAPPDATA=str(home / "AppData" / "Local"),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            XDG_CACHE_HOME=str(home / ".cache"),
            XDG_RUNTIME_DIR=str(runtime),
            QT_QPA_PLATFORM="offscreen",
            LANG="C.UTF-8",
            LC_ALL="C.UTF-8",
        )
        env.update(extra)
        return env

    def run(self, args: list[str], data_dir: Path | None = None, wrapper: list[str] | None = None,
            **extra_env: str) -> Result:
        started = time.perf_counter()
        try:
            done = subprocess.run([*(wrapper or []), str(self.exe), *args], cwd=self.work,
                                  env=self.env(data_dir or self.data_dir, **extra_env),
                                  capture_output=True, timeout=self.timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            return Result(None, _text(exc.stdout), _text(exc.stderr), time.perf_counter() - started)
        return Result(done.returncode, _text(done.stdout), _text(done.stderr), time.perf_counter() - started)

    def step(self, name: str, args: list[str], expect: int = 0,
             check: Callable[[Result], list[str]] | None = None, data_dir: Path | None = None,
             wrapper: list[str] | None = None, **extra_env: str) -> Result:
        result = self.run(args, data_dir, wrapper, **extra_env)
        problems = []
        if result.code is None:
            problems.append(f"did not finish within {self.timeout:.0f} s")
        elif result.code != expect:
            problems.append(f"exit status {result.code}, expected {expect}")
        for stream, text in (("stdout", result.out), ("stderr", result.err)):
            if "Traceback (most recent call last)" in text:
                problems.append(f"a traceback on {stream}")
        unexpected = unexpected_stderr(result.err)
        problems += [f"unexpected stderr: {line!r}" for line in unexpected[:5]]
        if len(unexpected) > 5:
            problems.append(f"... and {len(unexpected) - 5} more unexpected stderr line(s)")
        if not problems and check is not None:
            try:
                problems += check(result)
            except Exception as exc:  # a malformed output is a failure of the step, not of this script
                problems.append(f"output not as promised: {type(exc).__name__}: {exc}")
        self.report(name, problems, result, args)
        shown = re.search(r"^smoke: (\w+) shown (\d+) ms after start", result.out, re.MULTILINE)
        if shown and not problems:
            print(f"      {shown[1]} shown {shown[2]} ms after ui.app.run() began", flush=True)
        return result

    def skip(self, name: str, why: str) -> None:
        self.skipped.append(name)
        print(f"SKIP  {name}: {why}", flush=True)

    def report(self, name: str, problems: list[str], result: Result | None = None,
               args: list[str] | None = None) -> None:
        took = f" ({result.seconds:.2f} s)" if result is not None else ""
        if not problems:
            print(f"PASS  {name}{took}", flush=True)
            return
        self.failures.append(name)
        print(f"FAIL  {name}{took}", flush=True)
        if args is not None:
            print(f"      command: xuhui-desk {' '.join(args)}")
        for problem in problems:
            print(f"      - {problem}")
        if result is not None:
            for label, text in (("stdout", result.out), ("stderr", result.err)):
                if text.strip():
                    print(f"      --- {label} (last 40 lines) ---")
                    for line in text.strip().splitlines()[-40:]:
                        print(f"      | {line}")
        sys.stdout.flush()


def _text(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")


def unexpected_stderr(err: str) -> list[str]:
    return [line for line in err.splitlines()
            if line.strip() and not any(pattern.search(line) for pattern, _why in ALLOWED_STDERR)]


def iso_week_in_shanghai() -> str:
    """The ISO week of today in Asia/Shanghai (the station's calendar), e.g. ``2026-W48``."""
    try:
        from zoneinfo import ZoneInfo

        now = datetime.now(ZoneInfo("Asia/Shanghai"))
    except Exception:  # no time-zone database on this machine: Shanghai has had no DST since 1991
        now = datetime.now(timezone(timedelta(hours=8)))
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """path -> (size, mtime) of every file under ``folder``."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and not p.is_symlink()}


# --- checks of each step's output ------------------------------------------------------------------


def check_version(r: Result) -> list[str]:
    return [] if r.out.startswith("xuhui-desk ") else [f"--version printed {r.out.strip()!r}"]


def check_init(r: Result) -> list[str]:
    data = json.loads(r.out)
    return [] if data.get("station_code") == "XH99" else [f"init answered {data!r}"]


def check_intake(smoke: Smoke) -> Callable[[Result], list[str]]:
    def check(r: Result) -> list[str]:
        results = [json.loads(line) for line in r.out.splitlines() if line.strip()]
        problems = []
        if [x.get("line") for x in results] != list(range(1, len(INTAKE_LINES) + 1)):
            problems.append(f"expected one result per line 1..{len(INTAKE_LINES)}, got lines "
                            f"{[x.get('line') for x in results]}")
        for x in results:
            invalid = x.get("line") in INVALID_LINES
            if invalid and (x.get("ok") is not False or not x.get("errors")):
                problems.append(f"line {x.get('line')} should be refused with errors: {x!r}")
            if not invalid:
                if x.get("ok") is not True or not x.get("tracking_no"):
                    problems.append(f"line {x.get('line')} should be saved: {x!r}")
                else:
                    smoke.tracking_nos.append(x["tracking_no"])
        return problems

    return check


def check_route(r: Result) -> list[str]:
    data = json.loads(r.out)
    problems = []
    if data.get("category") not in CATEGORIES:
        problems.append(f"category {data.get('category')!r} is not one of {sorted(CATEGORIES)}")
    if not isinstance(data.get("confidence"), int | float):
        problems.append(f"no numeric confidence: {data!r}")
    if not data.get("reasons"):
        problems.append("no reasons (is the taxonomy inside the bundle?)")
    return problems


def check_list(smoke: Smoke) -> Callable[[Result], list[str]]:
    def check(r: Result) -> list[str]:
        rows = json.loads(r.out)
        problems = []
        if not isinstance(rows, list) or len(rows) != len(INTAKE_LINES) - len(INVALID_LINES):
            return [f"expected {len(INTAKE_LINES) - len(INVALID_LINES)} requests, got {rows!r}"[:300]]
        for row in rows:
            missing = LIST_KEYS - set(row)
            if missing:
                problems.append(f"{row.get('tracking_no')}: missing keys {sorted(missing)}")
            elif datetime.fromisoformat(row["created_at"]).utcoffset() is None:
                problems.append(f"{row['tracking_no']}: created_at {row['created_at']!r} has no UTC offset")
        if sorted(r["tracking_no"] for r in rows) != sorted(smoke.tracking_nos):
            problems.append(f"listed {sorted(r['tracking_no'] for r in rows)}, saved {sorted(smoke.tracking_nos)}")
        return problems

    return check


def check_search(r: Result) -> list[str]:
    rows = json.loads(r.out)
    if not rows or not all(SEARCH_TERM in row["description"] for row in rows):
        return [f"search {SEARCH_TERM!r} should find the finance request, got {len(rows)} row(s)"]
    return []


def check_report(path: Path) -> Callable[[Result], list[str]]:
    def check(r: Result) -> list[str]:
        data = json.loads(r.out)
        if not path.is_file():
            return [f"{path} was not written"]
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
        problems = [] if "xl/workbook.xml" in names else [f"{path.name} is not an Excel workbook"]
        if data.get("new") != len(INTAKE_LINES) - len(INVALID_LINES):
            problems.append(f"the report counts {data.get('new')!r} new requests")
        return problems

    return check


def check_pdf(path: Path) -> Callable[[Result], list[str]]:
    def check(r: Result) -> list[str]:
        if not path.is_file():
            return [f"{path} was not written"]
        head = path.read_bytes()[:8]
        tail = path.read_bytes()[-32:]
        problems = []
        if not head.startswith(b"%PDF-"):
            problems.append(f"{path.name} starts with {head!r}, not %PDF-")
        if b"%%EOF" not in tail:
            problems.append(f"{path.name} has no %%EOF trailer")
        if path.stat().st_size < 2000:
            problems.append(f"{path.name} is suspiciously small ({path.stat().st_size} bytes)")
        return problems

    return check


def check_backup(r: Result) -> list[str]:
    path = Path(json.loads(r.out)["backup"])
    if not path.is_file():
        return [f"{path} was not written"]
    with path.open("rb") as fh:
        header = fh.read(16)
    return [] if header == b"SQLite format 3\x00" else [f"{path.name} is not an SQLite database"]


def check_gui(window: str, data_dir: Path) -> Callable[[Result], list[str]]:
    def check(r: Result) -> list[str]:
        problems = []
        if f"smoke: {window} shown" not in r.out:
            problems.append(f"the {window} was not shown (no 'smoke: {window} shown' line)")
        log = data_dir / "logs" / "desk.log"
        if log.is_file():
            bad = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                   if " ERROR " in line or " CRITICAL " in line or "Traceback" in line]
            problems += [f"desk.log: {line}" for line in bad]
        return problems

    return check


# --- the run ---------------------------------------------------------------------------------------


def xcb_wrapper(bundle: Path) -> tuple[list[str] | None, str]:
    """``xvfb-run`` to start the program on a virtual X display, or None and why not."""
    if not sys.platform.startswith("linux"):
        return None, "only on Linux"
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        return None, "xvfb-run is not installed (apt-get install xvfb)"
    plugin = bundle / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        return None, f"{plugin} is not in the bundle"
    ldd = shutil.which("ldd")
    if ldd is not None:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=False).stdout
        missing = sorted({line.split()[0] for line in out.splitlines() if "not found" in line})
        if missing:
            return None, f"the xcb plugin needs {', '.join(missing)} (apt-get install libxcb-icccm4 libxcb-keysyms1)"
    return [xvfb_run, "-a", "-s", "-screen 0 1366x768x24"], ""


def run_all(smoke: Smoke, xcb: str) -> None:
    intake_file = smoke.work / "requests.jsonl"
    intake_file.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                                     for line in INTAKE_LINES) + "\n", encoding="utf-8")
    report_file = smoke.work / "x.xlsx"
    receipt_file = smoke.work / "r.pdf"

    smoke.step("version", ["--version"], check=check_version)
    smoke.step("init", ["init", "--station-code", "XH99", "--station-name", "徐汇冒烟测试站", "--json"],
               check=check_init)
    smoke.step("intake (line 3 invalid: exit 3)", ["intake", "--json-lines", str(intake_file), "--json"],
               expect=3, check=check_intake(smoke))
    smoke.step("route", ["route", "企业与供应商发生合同纠纷，需要律师调解", "--json"], check=check_route)
    smoke.step("list", ["list", "--json"], check=check_list(smoke))
    smoke.step(f"list --search {SEARCH_TERM}", ["list", "--search", SEARCH_TERM, "--json"], check=check_search)
    week = iso_week_in_shanghai()
    smoke.step(f"report --week {week}", ["report", "--week", week, "--out", str(report_file), "--json"],
               check=check_report(report_file))
    if smoke.tracking_nos:
        smoke.step("receipt", ["receipt", smoke.tracking_nos[0], "--out", str(receipt_file), "--json"],
                   check=check_pdf(receipt_file))
    else:
        smoke.report("receipt", ["no request was saved by intake, so there is nothing to print"])
    smoke.step("backup", ["backup", "--json"], check=check_backup)
    smoke.step("gui (main window, offscreen)", [], check=check_gui("MainWindow", smoke.data_dir),
               **{SMOKE_QUIT_ENV: SMOKE_QUIT_MS})
    if xcb != "skip":
        wrapper, why = xcb_wrapper(smoke.exe.parent)
        name = "gui (main window, xcb on Xvfb)"
        if wrapper is not None:
            smoke.step(name, [], check=check_gui("MainWindow", smoke.data_dir), wrapper=wrapper,
                       QT_QPA_PLATFORM="xcb", **{SMOKE_QUIT_ENV: SMOKE_QUIT_MS})
        elif xcb == "require":
            smoke.report(name, [why])
        else:
            smoke.skip(name, why)
    fresh = smoke.work / "fresh-data"
    smoke.step("gui (first-run wizard, offscreen)", [], check=check_gui("FirstRunWizard", fresh), data_dir=fresh,
               **{SMOKE_QUIT_ENV: SMOKE_QUIT_MS})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exe", nargs="?", type=Path, default=DEFAULT_EXE, help=f"default: {DEFAULT_EXE}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and say where it is)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per step (default 120)")
    parser.add_argument("--xcb", choices=["auto", "require", "skip"], default="auto",
                        help="also start the GUI on the xcb platform under xvfb-run: when possible (auto, "
                             "the default), or fail when it is not possible (require)")
    args = parser.parse_args(argv)

    exe = args.exe.resolve()
    if not exe.is_file() or not os.access(exe, os.X_OK):
        print(f"FAIL  {exe} is not an executable: build it first (python scripts/build_bundle.py)")
        return 1
    bundle = exe.parent
    before = snapshot(bundle)
    work = Path(tempfile.mkdtemp(prefix="xuhui-smoke-"))
    print(f"smoke test of {exe}")
    smoke = Smoke(exe=exe, work=work, timeout=args.timeout)
    started = time.perf_counter()
    try:
        run_all(smoke, args.xcb)
        after = snapshot(bundle)
        changed = sorted(set(after) ^ set(before) | {p for p in before if p in after and after[p] != before[p]})
        smoke.report("bundle folder left untouched",
                     [f"written by the program: {p}" for p in changed[:20]] if changed else [])
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - started
    if smoke.failures:
        print(f"smoke test FAILED ({len(smoke.failures)} step(s): {', '.join(smoke.failures)}) in {total:.1f} s")
        return 1
    skipped = f" ({len(smoke.skipped)} skipped)" if smoke.skipped else ""
    print(f"smoke test passed{skipped} in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
