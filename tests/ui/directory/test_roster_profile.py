"""The roster import dialog names the profile columns it read (行业代码, 企业规模, …) and the profile
facts an update changes as the company file names them, not by their internal keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tests.ui.directory.test_directory import USCC_A, page  # noqa: F401  (the page fixture)
from xuhui_desk.ui.directory.page import DirectoryView
from xuhui_desk.ui.directory.roster_import import RosterColumn, RosterImportDialog

# The offscreen platform cannot propagate size hints; the dialog's longer column list asks it to.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_profile_columns_and_changes_are_named(qtbot: Any, page: DirectoryView, tmp_path: Path) -> None:  # noqa: F811
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["企业名称", "统一社会信用代码", "行业代码", "企业规模", "从业人数"])
    ws.append(["上海星河科技有限公司", USCC_A, "6513", "小型", 25])  # known company: its profile is updated
    path = tmp_path / "名册.xlsx"
    wb.save(path)
    dialog = page.import_roster()
    assert isinstance(dialog, RosterImportDialog)
    qtbot.waitUntil(lambda: dialog.isVisible())
    dialog.load(path)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10000)
    mapping = dialog.columns_label.text()
    assert "industry code ← “行业代码”" in mapping and "company size ← “企业规模”" in mapping, mapping
    problems = dialog.model.data(dialog.model.index(0, RosterColumn.PROBLEMS))
    assert "industry code" in problems and "employees" in problems and "industry_code" not in problems, problems
    dialog.close()
