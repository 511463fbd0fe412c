"""The queue's follow-up actions by keyboard: Ctrl+E company file, Ctrl+P reprint (layout
remembered), "my requests" and the new filters, saved views, the list to Excel (read back) and
the printed list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu
from sqlalchemy import update

from tests.bulk_data import add_request
from xuhui_desk.db import Database
from xuhui_desk.models import Request
from xuhui_desk.services.followup import switch_specialist
from xuhui_desk.services.saved_views import saved_views
from xuhui_desk.ui.company_file.dialog import CompanyFileDialog
from xuhui_desk.ui.queue.model import Column
from xuhui_desk.ui.queue.view import QueueView
from xuhui_desk.ui.receipt_render import ReceiptPreviewDialog
from xuhui_desk.ui.reprint import remembered_layout
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NOW = datetime.now(UTC)


@pytest.fixture
def view(qtbot: Any, station_db: Database, tasks: TaskRunner) -> QueueView:
    db = station_db
    add_request(db, "想申请一笔银行贷款", name="上海星河科技有限公司", phone="13812345678",
                created_at=NOW - timedelta(days=2))
    add_request(db, "博士人才引进落户", name="上海云启生物医药有限公司", category="talent", urgency="urgent",
                created_at=NOW - timedelta(days=1))
    mine = add_request(db, "营业执照地址变更", name="徐汇区老王餐饮店", category="permit",
                       created_at=NOW - timedelta(hours=3))
    with db.write() as session:
        session.execute(update(Request).where(Request.tracking_no != mine).values(specialist="王芳"))
    page = QueueView(db, tasks)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    with qtbot.waitSignal(page.model.refreshed, timeout=20000):
        page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    return page


def rows(page: QueueView) -> list[str]:
    m = page.model
    return [m.data(m.index(r, Column.ENTERPRISE)) for r in range(m.rowCount())]


def select_first(qtbot: Any, page: QueueView) -> None:
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Home)
    page.table.selectRow(0)


def test_ctrl_e_opens_the_company_file_and_enter_opens_its_request(qtbot: Any, view: QueueView) -> None:
    select_first(qtbot, view)
    uuid = view.current_uuid()
    qtbot.keyClick(view.table, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: isinstance(getattr(view, "company_dialog", None), CompanyFileDialog), timeout=10000)
    dialog = view.company_dialog
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    assert dialog.name.text() == rows(view)[0]
    with qtbot.waitSignal(view.companyRequestActivated) as activated:
        qtbot.keyClick(dialog.requests, Qt.Key.Key_Return)
    assert activated.args == [uuid]


def test_ctrl_p_reprints_in_the_layout_chosen_and_remembers_it(qtbot: Any, view: QueueView,
                                                                station_db: Database) -> None:
    select_first(qtbot, view)
    assert remembered_layout(station_db) == "thermal"
    qtbot.keyClick(view.table, Qt.Key.Key_P, CTRL)
    menu = view.reprint_menu
    assert isinstance(menu, QMenu) and menu.activeAction().data() == "thermal"
    qtbot.keyClick(menu, Qt.Key.Key_Down)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(isinstance(w, ReceiptPreviewDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=10000)
    preview = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ReceiptPreviewDialog))
    assert preview._layout == "a5" and view.model.data(view.model.index(0, 0)) in preview.windowTitle()
    preview.close()
    assert remembered_layout(station_db) == "a5"


def test_filters_my_requests_and_saved_views(qtbot: Any, view: QueueView, station_db: Database) -> None:
    assert len(rows(view)) == 3
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        qtbot.keyClick(view.table, Qt.Key.Key_M, CTRL)  # 李敏 is the current specialist
    assert rows(view) == ["徐汇区老王餐饮店"]
    switch_specialist(station_db, "王芳")
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.mine.setChecked(False)
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.mine.setChecked(True)  # read again: now 王芳's
    assert sorted(rows(view)) == ["上海云启生物医药有限公司", "上海星河科技有限公司"]
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.urgency.setCurrentIndex(view.urgency.findData("urgent"))
    assert rows(view) == ["上海云启生物医药有限公司"]

    # Save the filters as a view (Ctrl+Shift+V asks the name), clear, pick the view again.
    qtbot.keyClick(view.table, Qt.Key.Key_V, CTRL | SHIFT)
    dialog = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and w.inherits("QInputDialog"))
    dialog.setTextValue("王芳的急件")
    with qtbot.waitSignal(view.views.model().rowsInserted, timeout=10000):
        dialog.accept()
    qtbot.waitUntil(lambda: view.views.findData("王芳的急件") > 0, timeout=10000)
    assert saved_views(station_db)[0].filter.mine and saved_views(station_db)[0].filter.urgency == "urgent"
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.clear_filters()
    assert len(rows(view)) == 3 and not view.mine.isChecked()
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.views.setCurrentIndex(view.views.findData("王芳的急件"))
    assert rows(view) == ["上海云启生物医药有限公司"] and view.mine.isChecked()
    assert view.urgency.currentData() == "urgent"


def test_the_list_to_excel_and_to_print(qtbot: Any, view: QueueView, tmp_path: Path) -> None:
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.category.setCurrentIndex(view.category.findData("finance"))
    target = tmp_path / "list.xlsx"
    view.lists.export_to(target)
    qtbot.waitUntil(lambda: view.lists.exported == target, timeout=20000)
    workbook = load_workbook(target, read_only=True)
    table = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    header = table[0]
    assert "电话" in header or "Phone" in header
    phone = header.index("电话" if "电话" in header else "Phone")
    assert len(table) == 2 and table[1][phone] == "138****5678"
    assert "上海星河科技有限公司" in table[1]
    view.lists.message.close()

    view.lists.print_list()
    qtbot.waitUntil(lambda: view.lists.preview is not None and view.lists.preview.isVisible(), timeout=20000)
    printer = view.lists.printer
    assert printer.pageLayout().orientation().name == "Landscape"
    assert "上海星河科技有限公司" in view.lists.printed_document.toPlainText()
    assert "上海云启" not in view.lists.printed_document.toPlainText()
    view.lists.preview.close()
