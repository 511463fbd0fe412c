"""The directory page: its models (qtmodeltester), search, the edit dialog, and a roster import
with a bad row — the preview shows the row's error, the good rows are imported once, and
importing the same roster again adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from tests.bulk_data import add_request
from tests.ui.fit import clipped
from tests.ui.keyboard import type_text
from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise
from xuhui_desk.services.directory import RowAction
from xuhui_desk.ui.directory.enterprise_dialog import EnterpriseDialog
from xuhui_desk.ui.directory.model import DirColumn
from xuhui_desk.ui.directory.page import DirectoryView
from xuhui_desk.ui.directory.roster_import import RosterColumn, RosterImportDialog, RosterPreviewModel
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

LEFT = Qt.MouseButton.LeftButton
USCC_A = "9131010452601815X3"


@pytest.fixture
def page(qtbot: Any, station_db: Database, tasks: TaskRunner) -> DirectoryView:
    add_request(station_db, "想申请银行贷款", name="上海星河科技有限公司", uscc=USCC_A, contact_name="王先生")
    add_request(station_db, "咨询人才落户", name="上海星河科技有限公司", uscc=USCC_A)
    add_request(station_db, "营业执照变更", name="徐汇区老王餐饮店", contact_name="老王", phone="13524418876")
    view = DirectoryView(station_db, tasks)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.show()
    return view


def names(view: DirectoryView) -> list[str]:
    m = view.model
    return [m.data(m.index(r, DirColumn.NAME)) for r in range(m.rowCount())]


def enterprises(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Enterprise.id))) or 0


def write_roster(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["徐汇区漕河泾科技绿洲 2026年租户名册"])
    ws.append(["序号", "企业名称", "统一社会信用代码", "联系人", "联系电话", "楼宇"])
    ws.append([1, "上海云启生物医药有限公司", "913101043556610273", "陈晓峰", "13816620451", "科技绿洲三期5号楼"])
    ws.append([2, "上海错码科技有限公司", "9131010452601815X4", "张三", "13900000000", "科技绿洲二期"])  # bad code
    ws.append([3, "上海星河科技有限公司", USCC_A, "王先生", "021-64871234", "科技绿洲一期"])  # known: update
    ws.append([4, "上海西岸数字传媒有限公司", None, "王思琪", "13917735620", ""])
    wb.save(path)
    return path


def test_models_pass_qtmodeltester(qtbot: Any, qtmodeltester: Any, page: DirectoryView, station_db: Database,
                                   tmp_path: Path) -> None:
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 2
    assert page.counts.text() == "2 enterprises"
    preview_model = RosterPreviewModel()
    qtmodeltester.check(preview_model)
    from xuhui_desk.services.directory import preview_roster

    preview_model.set_preview(preview_roster(station_db, write_roster(tmp_path / "r.xlsx")))
    qtmodeltester.check(preview_model)
    preview_model.set_problems_only(True)
    qtmodeltester.check(preview_model)
    assert preview_model.rowCount() == 1  # only the row with the wrong check character


def test_search_and_sort(qtbot: Any, page: DirectoryView) -> None:
    with qtbot.waitSignal(page.model.refreshed, timeout=5000):
        type_text(qtbot, page.search, "老王")
    assert names(page) == ["徐汇区老王餐饮店"]
    page.search.clear()
    with qtbot.waitSignal(page.model.refreshed, timeout=5000):
        qtbot.keyClicks(page.search, "91310104526")
    assert names(page) == ["上海星河科技有限公司"]
    page.search.clear()
    with qtbot.waitSignal(page.model.refreshed, timeout=5000):
        page.model.set_query("")
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(int(DirColumn.REQUESTS)) + 5
    with qtbot.waitSignal(page.model.refreshed, timeout=5000):
        qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, 5))
    counts = [page.model.data(page.model.index(r, DirColumn.REQUESTS)) for r in range(2)]
    assert counts == ["1", "2"]


def test_edit_dialog_validates_and_saves(qtbot: Any, page: DirectoryView, station_db: Database) -> None:
    page.table.setFocus()
    page.table.selectRow(names(page).index("徐汇区老王餐饮店"))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    assert isinstance(dialog, EnterpriseDialog)
    assert dialog.edits["phone"].text() == "13524418876"
    dialog.edits["phone"].setText("12345")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), LEFT)
    assert dialog.messages["phone"].isVisible() and dialog.isVisible()
    dialog.edits["phone"].clear()
    qtbot.keyClicks(dialog.edits["phone"], "021 6487 1234")
    dialog.edits["uscc"].setText(USCC_A)  # another enterprise's code
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), LEFT)
    qtbot.waitUntil(lambda: dialog.messages["uscc"].isVisible(), timeout=5000)
    assert "上海星河科技有限公司" in dialog.messages["uscc"].text()
    dialog.edits["uscc"].clear()
    with qtbot.waitSignal(page.model.refreshed, timeout=10000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with station_db.session() as s:
        shop = s.scalars(select(Enterprise).where(Enterprise.name == "徐汇区老王餐饮店")).one()
        assert (shop.phone, shop.revision, shop.sync_state) == ("021-64871234", 2, "pending")


def test_roster_import_with_a_bad_row(qtbot: Any, page: DirectoryView, station_db: Database,
                                      tmp_path: Path) -> None:
    path = write_roster(tmp_path / "租户名册.xlsx")
    dialog = page.import_roster()
    assert isinstance(dialog, RosterImportDialog) and not dialog.import_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.isVisible())
    dialog.load(path)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10000)
    model = dialog.model
    rows = {model.data(model.index(r, RosterColumn.LINE)): r for r in range(model.rowCount())}
    assert sorted(rows) == ["3", "4", "5", "6"]
    bad = rows["4"]
    assert model.data(model.index(bad, RosterColumn.ACTION)) == "Not imported"
    assert "check character" in model.data(model.index(bad, RosterColumn.PROBLEMS))
    assert model.data(model.index(rows["5"], RosterColumn.ACTION)) == "Update"
    assert "4 rows" in dialog.status.text() and "1 with errors" in dialog.status.text()
    assert dialog.import_button.text() == "Import 3 enterprises"
    qtbot.mouseClick(dialog.problems_only, LEFT)
    assert model.rowCount() == 1
    with qtbot.waitSignal(dialog.imported, timeout=10000) as imported:
        qtbot.mouseClick(dialog.import_button, LEFT)
    result = imported.args[0]
    assert (result.created, result.updated, result.skipped) == (2, 1, 1)
    assert enterprises(station_db) == 4
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=10000)
    dialog.close()

    again = page.import_roster(path)
    qtbot.waitUntil(lambda: again.preview is not None, timeout=10000)
    assert again.preview is not None and again.preview.importable == 0
    assert again.preview.count(RowAction.UNCHANGED) == 3
    assert not again.import_button.isEnabled()
    assert enterprises(station_db) == 4
    again.close()


def test_roster_import_refuses_a_file_that_is_not_a_roster(qtbot: Any, page: DirectoryView,
                                                           tmp_path: Path) -> None:
    text_file = tmp_path / "名单.xlsx"
    text_file.write_text("企业名称,信用代码\n", encoding="utf-8")
    dialog = page.import_roster(text_file)
    qtbot.waitUntil(lambda: "not an Excel workbook" in dialog.status.text(), timeout=10000)
    assert not dialog.import_button.isEnabled()
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    dialog.load(old)
    qtbot.waitUntil(lambda: ".xls" in dialog.status.text() and "save it as .xlsx" in dialog.status.text(),
                    timeout=10000)
    dialog.close()


# --- every screen fits (D3, D4), padded codes (D30), every problem of a roster row (D23) ------------

LONG_NAME = "上海东方明珠国际文化传播股份有限公司徐汇分公司"


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    from xuhui_desk.ui.i18n import install_translators

    install_translators(request.param)
    yield request.param
    install_translators("en")


def open_directory(qtbot: Any, db: Database, tasks: TaskRunner, data_dir: Path, width: int, height: int) -> Any:
    from xuhui_desk.ui.main_window import MainWindow, Page

    window = MainWindow(db, tasks, data_dir)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    view = window.show_page(Page.DIRECTORY)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3 and not view.model.loading, timeout=10000)
    QApplication.processEvents()
    return window, view


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_directory_fits(qtbot: Any, station_db: Database, tasks: TaskRunner, data_dir: Path,
                            language: str, size: tuple[int, int]) -> None:
    add_request(station_db, "贷款", name=LONG_NAME, uscc=USCC_A, contact_name="王先生", phone="13524418876")
    add_request(station_db, "落户", name="上海星河科技有限公司")
    add_request(station_db, "执照", name="徐汇区老王餐饮店")
    _window, view = open_directory(qtbot, station_db, tasks, data_dir, *size)
    table = view.table
    width = table.columnWidth(int(DirColumn.NAME)) - 2 * 8
    elided = table.fontMetrics().elidedText(LONG_NAME, Qt.TextElideMode.ElideRight, width)
    assert len(elided.rstrip("…")) >= 12, (table.columnWidth(int(DirColumn.NAME)), elided)
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    bold = QFont(table.font())
    bold.setBold(True)
    for column in DirColumn:
        if not table.isColumnHidden(int(column)):
            title = view.model.column_title(column)
            assert header.sectionSize(int(column)) >= QFontMetrics(bold).horizontalAdvance(title), title
    assert clipped(view) == []
    if size[0] >= 1366:
        assert not view.hidden_for_width  # every column at 1366
    # What a narrow window hides is still in the name's tooltip.
    row = next(r for r in range(view.model.rowCount()) if view.model.id_at(r) is not None
               and view.model.data(view.model.index(r, DirColumn.NAME)) == LONG_NAME)
    assert "13524418876" in view.model.data(view.model.index(row, DirColumn.NAME), Qt.ItemDataRole.ToolTipRole)


def test_credit_codes_do_not_touch_the_column_edge(qtbot: Any, page: DirectoryView) -> None:
    """The code's ink keeps at least 6 px from both edges of its cell (it touched them)."""
    table = page.table
    row = next(r for r in range(page.model.rowCount())
               if page.model.data(page.model.index(r, DirColumn.USCC)) == USCC_A)
    table.clearSelection()
    rect = table.visualRect(page.model.index(row, DirColumn.USCC))
    image = table.viewport().grab(rect).toImage()
    inked = [x for x in range(image.width()) for y in range(image.height())
             if QColor(image.pixel(x, y)).lightness() < 140]
    assert inked, "the code is drawn"
    ratio = image.width() / rect.width()  # device pixels per pixel
    assert min(inked) / ratio >= 6 and (image.width() - 1 - max(inked)) / ratio >= 6, (min(inked), max(inked))


def test_roster_preview_shows_every_problem_and_exports_them(qtbot: Any, page: DirectoryView,
                                                              tmp_path: Path) -> None:
    from openpyxl import load_workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["企业名称", "统一社会信用代码", "联系人", "联系电话"])
    ws.append(["上海坏代码有限公司", "91310104MA1FR00039", "孙亮", "1370000"])  # a bad code and a bad phone
    ws.append(["上海\u6771方\u570b\u969b\u8cbf易有限公司", "", "周\u5091", "13800009999"])  # Traditional characters
    ws.append(["上海好企业科技有限公司", "", "李四", "13800001111"])
    wb.save(tmp_path / "roster.xlsx")
    dialog = page.import_roster(tmp_path / "roster.xlsx")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10000)
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    model, table = dialog.model, dialog.table
    text = model.data(model.index(0, RosterColumn.PROBLEMS))
    assert len(text.split("\n")) == 2 and "check character" in text and "Phone" in text
    # The row is as tall as its two problems (wrapped, nothing cut off); a row without problems stays one line.
    lines = table.fontMetrics().lineSpacing()
    assert table.rowHeight(0) >= 2 * lines and table.rowHeight(2) < 2 * lines
    assert table.wordWrap() and table.textElideMode() == Qt.TextElideMode.ElideNone
    assert "\u6771→东" in model.data(model.index(1, RosterColumn.PROBLEMS))
    assert dialog.export_button.isEnabled()
    out = tmp_path / "to-correct.xlsx"
    assert dialog.export_problems(out) == 2
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [2, 3] and len(str(rows[1][2]).split("\n")) == 2
    assert "2 rows" in dialog.status.text()
    dialog.close()
