#!/usr/bin/env python3
"""Refresh the Qt Linguist source of the GUI's Chinese translation from the code.

Runs pyside6-lupdate over every ``xuhui_desk/ui/**/*.py`` into the one catalog
``resources/translations/xuhui_desk_zh_CN.ts``. New strings arrive marked unfinished
(translate them in Qt Linguist or in the file, then run ``zh-normalize`` on it); strings
no longer in the code are marked vanished by lupdate and kept for reference unless
``--drop-obsolete`` is given. Never delete entries by hand: lupdate keeps the file in step
with the code. Locations are left out so that edits elsewhere in a file do not churn the
catalog. ``scripts/build_translations.py`` compiles it to .qm.

    python scripts/update_translations.py [--drop-obsolete] [--ts FILE]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_DIR = ROOT / "xuhui_desk" / "ui"
TS_FILE = ROOT / "resources" / "translations" / "xuhui_desk_zh_CN.ts"


def lupdate() -> str:
    found = shutil.which("pyside6-lupdate") or str(Path(sys.executable).with_name("pyside6-lupdate"))
    if not Path(found).exists():
        sys.exit("pyside6-lupdate not found: install PySide6-Essentials in this environment")
    return found


def sources() -> list[Path]:
    """Every module of the GUI, sub-packages included."""
    return sorted(UI_DIR.rglob("*.py"))


def command(ts: Path, *, drop_obsolete: bool = False) -> list[str]:
    cmd = [lupdate(), "-silent", "-locations", "none", "-source-language", "en", "-target-language", "zh_CN"]
    if drop_obsolete:
        cmd.append("-no-obsolete")
    return [*cmd, *(str(p) for p in sources()), "-ts", str(ts)]


def update(ts: Path = TS_FILE, *, drop_obsolete: bool = False) -> None:
    ts.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(command(ts, drop_obsolete=drop_obsolete), check=True, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drop-obsolete", action="store_true", help="remove strings no longer in the code")
    parser.add_argument("--ts", type=Path, default=TS_FILE, help="catalog to update (default: %(default)s)")
    args = parser.parse_args()
    update(args.ts, drop_obsolete=args.drop_obsolete)
    print(f"updated {args.ts.relative_to(ROOT) if args.ts.is_relative_to(ROOT) else args.ts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
