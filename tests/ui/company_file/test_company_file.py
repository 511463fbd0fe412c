"""The company file (企业档案) dialog and the open-requests strip, driven by the keyboard: open
ones first with status, department and rating; Enter opens a request; Esc closes; unknown and
ambiguous keys get a clear message; the strip follows the company typed (newest key wins)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import update

from tests.bulk_data import add_request
from xuhui_desk.db import Database
from xuhui_desk.models import Request
from xuhui_desk.services.followup import record_contact
from xuhui_desk.ui.company_file.dialog import CompanyFileDialog
from xuhui_desk.ui.company_file.model import FileColumn, UuidRole
from xuhui_desk.ui.company_file.strip import CompanyStrip
from xuhui_desk.ui.directory.page import DirectoryView
from xuhui_desk.ui.i18n import install_translators
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
NOW = datetime.now(UTC)
USCC = "9131010452601815X3"


@pytest.fixture
def company(station_db: Database) -> dict[str, str]:
    db = station_db
    made = {
        "old": add_request(db, "咨询融资担保费率", name="上海星河科技有限公司", uscc=USCC, status="closed",
                           created_at=NOW - timedelta(days=60)),
        "open": add_request(db, "想申请一笔银行贷款", name="上海星河科技有限公司", uscc=USCC, phone="13812345678",
                            contact_name="王先生", created_at=NOW - timedelta(days=5),
                            sla_due_at=NOW + timedelta(days=2)),
        "other": add_request(db, "办理营业执照地址变更", name="徐汇区老王餐饮店", category="permit"),
        "namesake": add_request(db, "物业费开票", name="上海星河物业管理有限公司", category="space"),
    }
    with db.write() as session:
        session.execute(update(Request).where(Request.tracking_no == made["old"]).values(rating=5))
    record_contact(db, made["open"], "phone", "电话告知担保公司材料清单", callback_on=(NOW + timedelta(days=3)).date())
    return made


@pytest.fixture(autouse=True)
def chinese(qapp: Any) -> Any:
    install_translators("zh_CN")
    yield
    install_translators("en")


def opened(qtbot: Any, dialog: CompanyFileDialog) -> CompanyFileDialog:
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.open_ms is not None, timeout=10000)
    return dialog


def test_the_file_lists_open_requests_first_and_opens_one_with_enter(
        qtbot: Any, station_db: Database, tasks: TaskRunner, company: dict[str, str]) -> None:
    dialog = opened(qtbot, CompanyFileDialog(station_db, tasks, USCC))
    dialog.show()
    assert dialog.name.text() == "上海星河科技有限公司"
    assert "913101045260" in dialog.facts.text() and "王先生" in dialog.facts.text()
    assert dialog.counts.text() == "2 件诉求，1 件未办结"
    model = dialog.model
    cells = [[model.data(model.index(r, c)) for c in FileColumn] for r in range(model.rowCount())]
    assert [row[0] for row in cells] == [company["open"], company["old"]]
    assert cells[0][FileColumn.STATUS] == "新受理" and cells[0][FileColumn.DEPARTMENT]
    assert cells[1][FileColumn.STATUS] == "已办结" and cells[1][FileColumn.RATING] == "非常满意"
    assert dialog.contacts.rowCount() == 1 and dialog.contacts.item(0, 1).text() == "电话"
    assert company["open"] in dialog.callbacks.text()
    assert dialog.tabs.tabText(0) == "诉求（2）"

    # The table has the focus, the first (open) request selected: Enter opens it and closes the file.
    assert dialog.focusWidget() is dialog.requests
    with qtbot.waitSignal(dialog.requestActivated) as activated:
        qtbot.keyClick(dialog.requests, Qt.Key.Key_Return)
    assert activated.args == [model.data(model.index(0, 0), UuidRole)]
    assert not dialog.isVisible()


def test_a_contact_opens_its_request_and_esc_closes(qtbot: Any, station_db: Database, tasks: TaskRunner,
                                                   company: dict[str, str]) -> None:
    dialog = opened(qtbot, CompanyFileDialog(station_db, tasks, "星河科技"))
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.requests, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentWidget() is dialog.contacts and dialog.focusWidget() is dialog.contacts
    with qtbot.waitSignal(dialog.requestActivated) as activated:
        qtbot.keyClick(dialog.contacts, Qt.Key.Key_Return)
    assert activated.args == [dialog.file.contacts[0].request_uuid]

    again = opened(qtbot, CompanyFileDialog(station_db, tasks, USCC))
    again.show()
    qtbot.keyClick(again.requests, Qt.Key.Key_Escape)
    assert not again.isVisible()


def test_unknown_and_ambiguous_keys_are_told(qtbot: Any, station_db: Database, tasks: TaskRunner,
                                            company: dict[str, str]) -> None:
    missing = opened(qtbot, CompanyFileDialog(station_db, tasks, "不存在的公司"))
    assert missing.message.text() == "没有与“不存在的公司”相符的企业。"
    several = opened(qtbot, CompanyFileDialog(station_db, tasks, "星河"))
    assert "上海星河科技有限公司" in several.message.text() and "上海星河物业管理有限公司" in several.message.text()
    assert several.model.rowCount() == 0


def test_the_directory_opens_the_file_with_ctrl_e(qtbot: Any, station_db: Database, tasks: TaskRunner,
                                                  company: dict[str, str]) -> None:
    view = DirectoryView(station_db, tasks)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    with qtbot.waitSignal(view.model.refreshed, timeout=10000):
        view.show()
    view.search.setText("老王")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10000)
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    qtbot.keyClick(view.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = view.dialog
    assert isinstance(dialog, CompanyFileDialog)
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    assert dialog.name.text() == "徐汇区老王餐饮店"
    with qtbot.waitSignal(view.requestActivated) as activated:
        qtbot.keyClick(dialog.requests, Qt.Key.Key_Return)
    assert activated.args == [dialog.file.requests[0].uuid]


def test_the_strip_follows_the_company(qtbot: Any, station_db: Database, tasks: TaskRunner,
                                       company: dict[str, str]) -> None:
    strip = CompanyStrip(station_db, tasks)
    qtbot.addWidget(strip)
    with qtbot.waitSignal(strip.loaded, timeout=10000) as loaded:
        strip.set_company("never seen before")
        strip.set_company(USCC)  # supersedes the first: one answer only
    assert loaded.args == [1]
    assert strip.isVisibleTo(strip.parentWidget() or strip) or not strip.isHidden()
    assert strip.title.text() == "该企业未办结的诉求：1 件"
    assert strip.lines.item(0).text().startswith(company["open"])
    strip.show()
    strip.lines.setFocus()
    strip.lines.setCurrentRow(0)
    with qtbot.waitSignal(strip.requestActivated) as activated:
        qtbot.keyClick(strip.lines, Qt.Key.Key_Return)
    assert activated.args == [strip.file.requests[0].uuid]
    with qtbot.waitSignal(strip.loaded, timeout=10000) as cleared:
        strip.set_company("")
    assert cleared.args == [0] and strip.isHidden() and strip.lines.count() == 0
