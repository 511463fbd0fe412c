#!/usr/bin/env python3
"""Say exactly which Debian packages are missing for Qt (and the test tools), then exit 1.

Run by `make run` and `make test` after the virtual environment is built.
"""

from __future__ import annotations

import argparse
import ctypes.util
import shutil
import sys

# shared library -> the Debian package that ships it (what PySide6's wheels need at run time)
QT_LIBS = {
    "GL": "libgl1",
    "EGL": "libegl1",
    "xkbcommon": "libxkbcommon0",
    "fontconfig": "libfontconfig1",
    "dbus-1": "libdbus-1-3",
    "glib-2.0": "libglib2.0-0",
    "freetype": "libfreetype6",
}
# For a real display (not needed offscreen).
DISPLAY_LIBS = {"xcb-cursor": "libxcb-cursor0", "xkbcommon-x11": "libxkbcommon-x11-0",
                "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1", "xcb-shape": "libxcb-shape0"}
TEST_TOOLS = {"pdftoppm": "poppler-utils", "Xvfb": "xvfb", "pg_ctlcluster": "postgresql"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gui", action="store_true", help="also check the libraries a real display needs")
    parser.add_argument("--tests", action="store_true", help="also check the tools the test suite uses")
    args = parser.parse_args()
    wanted = dict(QT_LIBS, **(DISPLAY_LIBS if args.gui else {}))
    missing = sorted({pkg for lib, pkg in wanted.items() if ctypes.util.find_library(lib) is None})
    if args.tests:
        missing += sorted({pkg for tool, pkg in TEST_TOOLS.items() if shutil.which(tool) is None
                           and not (tool == "pg_ctlcluster" and shutil.which("pg_ctl"))})
    if missing:
        print("Missing system packages. Install them with:\n\n"
              f"    sudo apt-get install -y {' '.join(missing)}\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
