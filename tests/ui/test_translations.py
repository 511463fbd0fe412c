"""Every user-visible string of the GUI is translated to Simplified Chinese, and the catalog is current.

The catalog is ``resources/translations/xuhui_desk_zh_CN.ts`` (one for the whole GUI, refreshed
by ``scripts/update_translations.py``). A message counts as untranslated when lupdate marked it
unfinished or its translation is empty; entries lupdate marked obsolete/vanished (no longer in
the code) are ignored.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TS_FILE = ROOT / "resources" / "translations" / "xuhui_desk_zh_CN.ts"
RETIRED = {"obsolete", "vanished"}


def _update_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("update_translations", ROOT / "scripts" / "update_translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def untranslated(ts: Path) -> list[str]:
    """``context: source`` of every live message that has no finished, non-empty translation."""
    problems = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else None
            if kind in RETIRED:
                continue
            if translation is None:
                texts = []
            elif message.get("numerus") == "yes":
                texts = [n.text or "" for n in translation.iter("numerusform")]
            else:
                texts = [translation.text or ""]
            if kind == "unfinished" or not texts or not all(t.strip() for t in texts):
                problems.append(f"{name}: {message.findtext('source', '')!r}")
    return problems


def test_catalog_exists() -> None:
    assert TS_FILE.is_file(), "run scripts/update_translations.py to create the catalog"


def test_every_message_is_translated() -> None:
    missing = untranslated(TS_FILE)
    assert not missing, (
        f"{len(missing)} GUI string(s) have no Chinese translation in {TS_FILE.name} "
        "(translate them, then run zh-normalize on the file):\n  " + "\n  ".join(missing)
    )


def test_translations_keep_placeholders() -> None:
    """A translation must keep every {placeholder} of its source, or .format() would fail at run time."""
    import re

    pattern = re.compile(r"\{[a-z_]+\}")
    wrong = []
    for message in ET.parse(TS_FILE).getroot().iter("message"):
        translation = message.find("translation")
        if translation is None or translation.get("type") in RETIRED or not translation.text:
            continue
        source = message.findtext("source", "")
        if sorted(pattern.findall(source)) != sorted(pattern.findall(translation.text)):
            wrong.append(f"{source!r} -> {translation.text!r}")
    assert not wrong, "placeholders differ:\n  " + "\n  ".join(wrong)


def test_catalog_is_current_with_the_sources(tmp_path: Path) -> None:
    """lupdate over today's sources adds no string the committed catalog lacks."""
    script = _update_script()
    try:
        script.lupdate()
    except SystemExit:
        pytest.skip("pyside6-lupdate is not installed")
    copy = tmp_path / TS_FILE.name
    shutil.copy(TS_FILE, copy)
    subprocess.run(script.command(copy), check=True, cwd=ROOT, capture_output=True)
    missing = untranslated(copy)
    assert not missing, (
        "strings in the code are missing from the catalog: run scripts/update_translations.py, "
        "translate them and run zh-normalize:\n  " + "\n  ".join(missing)
    )


def test_catalog_compiles(tmp_path: Path) -> None:
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    if not Path(lrelease).exists():
        pytest.skip("pyside6-lrelease is not installed")
    qm = tmp_path / "out.qm"
    subprocess.run([lrelease, str(TS_FILE), "-qm", str(qm)], capture_output=True, text=True, check=True)
    assert qm.stat().st_size > 0


def test_tracked_compiled_catalog_is_current(tmp_path: Path) -> None:
    """The .qm in git is what the .ts compiles to: a wheel built from a checkout carries the Chinese
    GUI (run scripts/build_translations.py and commit the .qm after editing the .ts)."""
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    if not Path(lrelease).exists():
        pytest.skip("pyside6-lrelease is not installed")
    for ts in sorted(TS_FILE.parent.glob("*.ts")):
        qm = tmp_path / f"{ts.stem}.qm"
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True)
        tracked = ts.with_suffix(".qm")
        assert tracked.is_file(), f"{tracked.name} is missing: run scripts/build_translations.py"
        assert tracked.read_bytes() == qm.read_bytes(), (
            f"{tracked.name} is stale: run scripts/build_translations.py and commit it")
        listed = subprocess.run(["git", "ls-files", "--error-unmatch", str(tracked.relative_to(ROOT))], cwd=ROOT,
                                capture_output=True)
        if listed.returncode != 0 and (ROOT / ".git").exists():
            pytest.fail(f"{tracked.name} is not tracked in git, so a wheel built from a clone lacks it")


def test_qt_file_dialog_speaks_chinese(qapp: object) -> None:
    """D22: the roster's file dialog (Qt's own widgets) has no English labels left."""
    from PySide6.QtWidgets import QFileDialog, QLabel

    from xuhui_desk.ui.i18n import install_translators

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True,
                   capture_output=True)
    try:
        assert install_translators("zh_CN") == "zh_CN"
        dialog = QFileDialog(None, "x", str(ROOT), "Excel (*.xlsx)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        texts = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
        assert texts and not [t for t in texts if t.replace("&", "").isascii()], texts
        dialog.deleteLater()
    finally:
        install_translators("en")


def test_translator_is_used_at_run_time(qapp: object) -> None:
    """The compiled catalog loads and translates our strings and Qt's own buttons."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True,
                   capture_output=True)
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QDialogButtonBox

    from xuhui_desk.ui.i18n import install_translators

    try:
        assert install_translators("zh_CN") == "zh_CN"
        assert QCoreApplication.translate("MainWindow", "Intake") == "受理登记"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
        box.deleteLater()
    finally:
        install_translators("en")
    assert QCoreApplication.translate("MainWindow", "Intake") == "Intake"


def test_open_and_in_progress_are_told_apart(qapp: object) -> None:
    """D25: the status filter's "all open" entry and the status "in progress" read differently in Chinese."""
    from PySide6.QtCore import QCoreApplication

    from xuhui_desk.services.labels import status_label
    from xuhui_desk.ui.i18n import install_translators

    try:
        assert install_translators("zh_CN") == "zh_CN"
        everything_open = QCoreApplication.translate("QueueView", "Open requests")
        in_progress = status_label("in_progress", "zh_CN")
        assert in_progress not in everything_open and "未办结" in everything_open
    finally:
        install_translators("en")
