#!/usr/bin/env python3
"""Compile the Qt Linguist sources (resources/translations/*.ts) to .qm with pyside6-lrelease.

The compiled .qm files are tracked in git, so that a wheel built from a checkout (``pip wheel .``)
carries the Chinese GUI without a Qt tool at build time; tests/ui/test_translations.py fails when
a tracked .qm is not what the .ts compiles to. A .qm is rewritten only when its bytes change
(otherwise only its modification time is brought up to date).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "resources" / "translations"


def lrelease() -> str:
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    if not Path(found).exists():
        sys.exit("pyside6-lrelease not found: install PySide6-Essentials in this environment")
    return found


def main() -> int:
    sources = sorted(TS_DIR.glob("*.ts")) if TS_DIR.is_dir() else []
    for ts in sources:
        qm = ts.with_suffix(".qm")
        fresh = qm.with_name(f".{qm.name}.new")
        try:
            subprocess.run([lrelease(), "-silent", str(ts), "-qm", str(fresh)], check=True)
            if qm.exists() and qm.read_bytes() == fresh.read_bytes():
                # Same bytes: keep the file but mark it as compiled now, so that build.spec's
                # "older than its .ts" check holds on a fresh clone, where checkout order sets
                # the times.
                os.utime(qm)
                continue
            fresh.replace(qm)
        finally:
            fresh.unlink(missing_ok=True)
        print(f"compiled {qm.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
