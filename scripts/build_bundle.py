#!/usr/bin/env python3
"""Build the workstation's one-folder bundle ``dist/xuhui-desk/`` and smoke-test the frozen program.

    python scripts/build_bundle.py [--no-smoke | --smoke-only] [--xcb auto|require|skip] [--keep]

1. compiles the translations (scripts/build_translations.py);
2. runs ``pyinstaller --noconfirm --clean build.spec`` (work files in build/pyinstaller/,
   its log in build/pyinstaller.log, the bundle in dist/xuhui-desk/);
3. checks what went in: the resources, compiled translations and migrations where
   xuhui_desk/resources.py looks for them, the Qt platform plugins, none of the modules
   build.spec excludes (the hub's server stack, test tools, unused Qt modules), and the
   size against a budget;
4. runs scripts/smoke_frozen.py against dist/xuhui-desk/xuhui-desk.

Exits non-zero when any of these fails.  Needs PyInstaller in this environment:
``pip install "pyinstaller>=6.5,<7"``.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build.spec"
WORK = ROOT / "build" / "pyinstaller"
LOG = ROOT / "build" / "pyinstaller.log"
DIST = ROOT / "dist"
BUNDLE = DIST / "xuhui-desk"
EXE = BUNDLE / ("xuhui-desk.exe" if sys.platform == "win32" else "xuhui-desk")

# A bundle much bigger than this has picked up something it should not have (it is ~150 MB on
# Linux x86-64 with PySide6 6.11; without build.spec's exclusions, filters and stripping it is ~280 MB).
SIZE_BUDGET_MB = 175

# Modules that must not be in the bundle (see the excludes in build.spec).
FORBIDDEN_MODULES = (
    "xuhui_desk.hub", "fastapi", "starlette", "uvicorn", "psycopg", "pydantic", "pytest", "_pytest", "hypothesis",
    "cv2", "numpy", "tkinter", "opencc", "xlsxwriter", "setuptools", "PySide6.QtNetwork", "PySide6.QtQml",
    "PySide6.QtQuick", "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtOpenGL", "PySide6.QtDesigner",
)
# Files the program reads at run time, relative to the bundle's _internal/ (sys._MEIPASS).
REQUIRED_FILES = (
    "xuhui_desk/resources/taxonomy/taxonomy.toml",
    "xuhui_desk/resources/messages/validation.toml",
    "xuhui_desk/resources/fonts/NotoSansSC-Regular.otf",
    "xuhui_desk/resources/qss/desk.qss",
    "xuhui_desk/resources/translations/xuhui_desk_zh_CN.qm",
    "xuhui_desk/migrations/env.py",
    "xuhui_desk/migrations/versions/0001_initial.py",
    "PySide6/Qt/translations/qtbase_zh_CN.qm",
)
REQUIRED_LINUX_PLUGINS = ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "platforms/libqwayland.so",
                          "imageformats/libqsvg.so", "printsupport/libcupsprintersupport.so",
                          "platforminputcontexts/libibusplatforminputcontextplugin.so")


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def bundle_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def compile_translations() -> None:
    step("compile translations")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], cwd=ROOT, check=True)


def run_pyinstaller() -> float:
    step("pyinstaller build.spec")
    try:
        import PyInstaller  # noqa: F401  (only checking that it is installed)
    except ImportError:
        sys.exit('PyInstaller is not installed here: pip install "pyinstaller>=6.5,<7"')
    LOG.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with LOG.open("w", encoding="utf-8") as log:
        done = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--workpath", str(WORK),
             "--distpath", str(DIST), str(SPEC)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False,
            env={k: v for k, v in os.environ.items() if k != "XUHUI_BUNDLE_FULL"},
        )
    seconds = time.perf_counter() - started
    lines = LOG.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in lines:
        if line.startswith("build.spec:") or " ERROR: " in line:
            print(f"  {line}")
    if done.returncode != 0:
        print("\n".join(f"  | {line}" for line in lines[-40:]))
        sys.exit(f"pyinstaller failed (exit status {done.returncode}); the whole log is in {LOG}")
    print(f"  built {BUNDLE.relative_to(ROOT)} in {seconds:.0f} s (log: {LOG.relative_to(ROOT)})")
    return seconds


def bundled_modules() -> set[str]:
    """Names of the Python modules in the bundle's PYZ archive (from PyInstaller's table of contents)."""
    toc = WORK / SPEC.stem / "PYZ-00.toc"  # PyInstaller names the work folder after the spec
    entries = ast.literal_eval(toc.read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, tuple) and len(node) == 3 and all(isinstance(x, str) for x in node):
            if node[2].startswith("PYMODULE"):
                found.add(node[0])
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)

    walk(entries)
    return found


def check_contents() -> list[str]:
    step("check the bundle's contents")
    problems = []
    internal = BUNDLE / "_internal"
    for rel in REQUIRED_FILES:
        if not (internal / rel).is_file():
            problems.append(f"missing {rel}")
    if sys.platform.startswith("linux"):
        for rel in REQUIRED_LINUX_PLUGINS:
            if not (internal / "PySide6" / "Qt" / "plugins" / rel).is_file():
                problems.append(f"missing Qt plugin {rel}")
    modules = bundled_modules()
    for name in FORBIDDEN_MODULES:
        if any(m == name or m.startswith(name + ".") for m in modules):
            problems.append(f"module {name} is in the bundle (build.spec excludes it; who imports it?)")
    for path in (internal / "PySide6").glob("Qt*"):
        if path.name.startswith(tuple(m.split(".")[1] for m in FORBIDDEN_MODULES if m.startswith("PySide6."))):
            problems.append(f"Qt module {path.name} is in the bundle")
    size_mb = bundle_size(BUNDLE) / 1e6
    print(f"  size of {BUNDLE.relative_to(ROOT)}: {size_mb:.0f} MB (budget {SIZE_BUDGET_MB} MB), "
          f"{sum(1 for p in BUNDLE.rglob('*') if p.is_file())} files")
    if size_mb > SIZE_BUDGET_MB:
        problems.append(f"the bundle is {size_mb:.0f} MB, over the budget of {SIZE_BUDGET_MB} MB")
    for problem in problems:
        print(f"  FAIL  {problem}")
    if not problems:
        print("  PASS  resources, translations, migrations, Qt plugins present; excluded modules absent")
    return problems


def run_smoke(xcb: str, keep: bool) -> int:
    step("smoke test of the frozen program")
    args = [sys.executable, str(ROOT / "scripts" / "smoke_frozen.py"), str(EXE), "--xcb", xcb]
    if keep:
        args.append("--keep")
    return subprocess.run(args, cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-smoke", action="store_true", help="build and check, do not run the smoke test")
    which.add_argument("--smoke-only", action="store_true", help="smoke-test the existing dist/xuhui-desk")
    parser.add_argument("--xcb", choices=["auto", "require", "skip"], default="auto",
                        help="the smoke test's GUI step on xcb under xvfb-run (see smoke_frozen.py --help)")
    parser.add_argument("--keep", action="store_true", help="keep the smoke test's temporary folder")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    problems: list[str] = []
    if not args.smoke_only:
        compile_translations()
        run_pyinstaller()
        problems = check_contents()
    smoke = 0 if args.no_smoke else run_smoke(args.xcb, args.keep)
    total = time.perf_counter() - started
    if problems or smoke:
        print(f"\nbundle FAILED after {total:.0f} s" + (f": {len(problems)} content problem(s)" if problems else "")
              + ("; the smoke test failed" if smoke else ""))
        return 1
    print(f"\nbundle OK: {BUNDLE.relative_to(ROOT)} in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
