"""PySide6 must not keep the source text of every module imported after it (ui/source_scan.py).

Each check runs in a fresh interpreter: the test process has imported PySide6, SQLAlchemy and
most of the program long before, so its ``linecache`` and PySide6's feature table say nothing
about an import made now.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from xuhui_desk.ui import source_scan
from xuhui_desk.ui.source_scan import FEATURE_MODULE, mentions_pyside

ROOT = Path(__file__).resolve().parents[2]

# The GUI's package first, as the program imports it (or PySide6 alone, for PySide6's own check);
# then a large library, the GUI's main window, and two modules of the test's own.
PROBE = textwrap.dedent("""
    import json, linecache, os, sys
    sys.path.insert(0, sys.argv[2])
    if sys.argv[1] == "gui":
        import xuhui_desk.ui
    else:
        import PySide6.QtCore
    import sqlalchemy.orm
    if sys.argv[1] == "gui":
        import xuhui_desk.ui.main_window
    import probe_uses_qt, probe_plain
    table = sys.modules["PySide6.support.feature"].pyside_feature_dict
    files = [name for name in linecache.cache if name.endswith(".py") and os.path.isfile(name)]
    print(json.dumps({"kept": len([name for name in files if "sqlalchemy" in name or "xuhui_desk" in name
                                   or "probe_" in name]),
                      "characters": sum(len("".join(linecache.cache[name][2])) for name in files),
                      "uses_qt": table.get("probe_uses_qt"), "plain": table.get("probe_plain")}))
""")


def _probe(mode: str, folder: Path) -> dict[str, int]:
    (folder / "probe_uses_qt.py").write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    (folder / "probe_plain.py").write_text("VALUE = 1  # 不用界面\n", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, mode, str(folder)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_imports_after_the_gui_package_leave_no_source_text_behind(tmp_path: Path) -> None:
    gui = _probe("gui", tmp_path)
    assert gui["kept"] == 0, gui
    # What is left is PySide6's own start-up (its package and the first modules it imported).
    assert gui["characters"] < 300_000, gui
    # PySide6's own check reads, and keeps, every source: the replaced one makes the difference.
    plain = _probe("plain", tmp_path)
    assert plain["kept"] > 50 and plain["characters"] > 2_000_000, plain


def test_the_check_gives_pyside6s_answers(tmp_path: Path) -> None:
    # A module that uses PySide6 may switch features (0); one that does not is ignored (-1).
    for mode in ("gui", "plain"):
        table = _probe(mode, tmp_path)
        assert (table["uses_qt"], table["plain"]) == (0, -1), (mode, table)


def test_mentions_pyside_reads_the_file_and_keeps_nothing(tmp_path: Path) -> None:
    import linecache
    import types

    uses = tmp_path / "uses.py"
    uses.write_text("from PySide6.QtWidgets import QWidget\n", encoding="utf-8")
    plain = tmp_path / "plain.py"
    plain.write_text("# 纯文本，无界面\nVALUE = 1\n", encoding="utf-8")
    modules = {}
    for path in (uses, plain):
        module = types.ModuleType(path.stem)
        module.__file__ = str(path)
        modules[path.stem] = module
    assert mentions_pyside(modules["uses"]) is True
    assert mentions_pyside(modules["plain"]) is False
    assert str(uses) not in linecache.cache and str(plain) not in linecache.cache
    # No readable source (built in, compiled only, gone from disk, inside a bundle's archive): False.
    assert mentions_pyside(types.ModuleType("builtin_like")) is False
    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "gone.py")
    assert mentions_pyside(gone) is False
    compiled = types.ModuleType("compiled")
    compiled.__file__ = str(tmp_path / "compiled.cpython-311.so")
    assert mentions_pyside(compiled) is False


def test_the_replacement_is_in_place_in_this_pyside6() -> None:
    # If a PySide6 update renames the private check, the program still runs (nothing is
    # replaced) but the 20 MB come back: this test is where that shows.
    feature = sys.modules[FEATURE_MODULE]
    assert feature._mod_uses_pyside is source_scan.mentions_pyside
