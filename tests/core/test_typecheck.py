"""The type checker that runs in ``make test`` (mypy, configured in pyproject.toml) catches the
mistakes the code review found by hand: an attribute that hides a Qt method (``DetailView.scroll``
hid ``QWidget.scroll()``, ``RosterImportDialog.result`` hid ``QDialog.result()``) and a method
that changes a Qt method's signature (``ReportDialog.create``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CLASHES = '''
from PySide6.QtWidgets import QDialog, QScrollArea, QWidget


class Pane(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.scroll = QScrollArea()


class Importer(QDialog):
    def __init__(self) -> None:
        super().__init__()
        self.result = None


class Report(QDialog):
    def create(self) -> None:
        pass
'''


def test_mypy_flags_attributes_and_methods_that_hide_qt_methods(tmp_path: Path) -> None:
    module = tmp_path / "clashes.py"
    module.write_text(CLASHES, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(tmp_path / "cache"), str(module)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    out = proc.stdout
    assert proc.returncode == 1, out
    lines = [line for line in out.splitlines() if "error:" in line]
    assert any(":8:" in line for line in lines), out   # self.scroll = QScrollArea()
    assert any(":14:" in line for line in lines), out  # self.result = None
    assert any(":18:" in line and "create" in line for line in lines), out
