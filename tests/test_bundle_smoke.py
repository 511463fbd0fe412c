"""The frozen bundle (build.spec) and its smoke test (scripts/smoke_frozen.py).

Building the bundle takes about a minute, so the smoke test of the frozen program runs
here only on request: ``XUHUI_TEST_BUNDLE=1`` tests ``dist/xuhui-desk/xuhui-desk`` (build
it with ``python scripts/build_bundle.py --no-smoke``), ``XUHUI_TEST_BUNDLE=PATH`` another
build.  CI builds and smoke-tests the bundle with ``make bundle`` instead.

The fast tests keep the smoke test honest: it must use the variable the GUI honours, and its
standard-error allow-list must stay narrow.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMOKE_SCRIPT = ROOT / "scripts" / "smoke_frozen.py"


def _smoke_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smoke_frozen", SMOKE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_smoke_test_uses_the_quit_variable_of_the_gui() -> None:
    tree = ast.parse((ROOT / "xuhui_desk" / "ui" / "app.py").read_text(encoding="utf-8"))
    names = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    assert names.get("SMOKE_ENV") == _smoke_module().SMOKE_QUIT_ENV


def test_stderr_allow_list_lets_nothing_else_through() -> None:
    smoke = _smoke_module()
    err = "\n".join([
        "This plugin does not support propagateSizeHints()",
        "Traceback (most recent call last):",
        'qt.qpa.plugin: Could not find the Qt platform plugin "xcb" in ""',
        "translation xuhui_desk_zh_CN.qm is missing",
        "QObject::connect: No such signal",
        "",
    ])
    assert smoke.unexpected_stderr(err) == err.splitlines()[1:5]


def test_smoke_week_is_an_iso_week() -> None:
    week = _smoke_module().iso_week_in_shanghai()
    assert len(week) == 8 and week[4:6] == "-W" and 1 <= int(week[6:]) <= 53


def _bundle_exe() -> Path | None:
    wanted = os.environ.get("XUHUI_TEST_BUNDLE", "").strip()
    if not wanted:
        return None
    if wanted == "1":
        return ROOT / "dist" / "xuhui-desk" / ("xuhui-desk.exe" if sys.platform == "win32" else "xuhui-desk")
    return Path(wanted)


@pytest.mark.slow
@pytest.mark.skipif(_bundle_exe() is None, reason="set XUHUI_TEST_BUNDLE=1 (or a path) to smoke-test a built bundle")
def test_frozen_program_passes_the_smoke_test() -> None:
    exe = _bundle_exe()
    assert exe is not None and exe.is_file(), f"{exe} does not exist: python scripts/build_bundle.py --no-smoke"
    done = subprocess.run([sys.executable, str(SMOKE_SCRIPT), str(exe)], capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
