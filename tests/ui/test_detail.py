"""The detail view driven through its real widgets: status changes limited to what the workflow
allows ("replied" only with the reply text), re-routing, notes, ratings (chosen on purpose; a
dissatisfied one says beforehand that it reopens the request, and asks), intake corrections
before the first sync, refused changes shown in words, and questions that default to "No"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy import text

from tests.bulk_data import add_request
from tests.ui.keyboard import type_text
from xuhui_desk.db import Database
from xuhui_desk.models import EventKind, Request
from xuhui_desk.services.workflow import find_request, rating_outcome, status_from_timeline
from xuhui_desk.ui.detail import DetailView
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

NOW = datetime.now(UTC)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def detail(qtbot: Any, station_db: Database, tasks: TaskRunner) -> DetailView:
    view = DetailView(station_db, tasks)
    qtbot.addWidget(view)
    view.resize(480, 900)
    view.show()
    return view


def show(qtbot: Any, view: DetailView, key: str) -> None:
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_request(key)


def saved(qtbot: Any, view: DetailView, action: Any) -> None:
    """Run ``action`` and wait until the change is saved and the request shown again."""
    with qtbot.waitSignals([view.changed, view.loaded], timeout=10000):
        action()


def stored(db: Database, tracking_no: str) -> Request:
    with db.session() as s:
        request = find_request(s, tracking_no)
        _ = request.events
        return request


def uuid_of(db: Database, tracking_no: str) -> str:
    return stored(db, tracking_no).uuid


def when_asked(answer: Callable[[QMessageBox], None]) -> list[QMessageBox]:
    """Answer the next modal question box with ``answer``; the boxes seen are listed (a real
    dialog in a nested event loop, as the user meets it)."""
    seen: list[QMessageBox] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            seen.append(box)
            answer(box)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def press_enter(box: QMessageBox) -> None:
    QTest.keyClick(box, Qt.Key.Key_Return)


def click_yes(box: QMessageBox) -> None:
    button = box.findChild(QPushButton, "confirmYes")
    assert button is not None
    button.click()


def test_shows_fields_and_only_allowed_transitions(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    no = add_request(station_db, "想申请一笔银行贷款，需要担保", name="上海星河科技有限公司", uscc="9131010452601815X3",
                     contact_name="王先生", phone="13812345678", created_at=NOW - timedelta(days=12),
                     sla_due_at=NOW - timedelta(days=4), urgency="urgent")
    show(qtbot, detail, uuid_of(station_db, no))
    assert detail.tracking.text() == no
    assert detail.enterprise.text() == "上海星河科技有限公司"
    assert "9131010452601815X3" in detail.enterprise_line.text() and "13812345678" in detail.enterprise_line.text()
    assert detail.description.text() == "想申请一笔银行贷款，需要担保"
    assert detail.overdue_chip.isVisible() and detail.urgent_chip.isVisible()
    # new → routed, in progress or cancelled; never straight to replied or closed.
    assert list(detail.actions_card.status_buttons) == ["routed", "in_progress", "cancelled"]
    assert detail.edit_button.isVisible()  # not synced yet
    assert not detail.actions_card.rating_combo.isVisible()  # only a replied or closed request is rated
    assert len(detail.timeline_rows()) == 1


def test_status_change_through_the_buttons(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    no = add_request(station_db, "新招的博士想办理人才引进落户", category="talent")
    changed: list[str] = []
    detail.changed.connect(changed.append)
    show(qtbot, detail, uuid_of(station_db, no))
    saved(qtbot, detail, lambda: qtbot.mouseClick(detail.actions_card.status_buttons["routed"], LEFT))
    request = stored(station_db, no)
    assert request.status == "routed" and status_from_timeline(request.events) == "routed"
    assert [e.kind for e in request.events] == [EventKind.CREATED, EventKind.STATUS_CHANGED]
    assert changed == [request.uuid]
    assert list(detail.actions_card.status_buttons) == ["in_progress", "replied", "cancelled"]
    assert detail.actions_card.done.isVisible() and "Status changed" in detail.actions_card.done.text()
    reply(qtbot, detail, "已告知人才引进落户的申请材料，企业下周来站递交")
    saved(qtbot, detail, lambda: qtbot.mouseClick(detail.actions_card.status_buttons["closed"], LEFT))
    assert stored(station_db, no).status == "closed"
    actions = detail.actions_card
    assert actions.status_buttons == {} and actions.no_status_change.isVisible()  # final: nothing offered
    assert not detail.actions_card.category_button.isEnabled()


def reply(qtbot: Any, view: DetailView, text: str) -> None:
    """Mark the request replied through the reply field, as a specialist does."""
    qtbot.mouseClick(view.actions_card.status_buttons["replied"], LEFT)
    assert view.actions_card.reply_panel.isVisible() and view.actions_card.reply_edit.hasFocus()
    type_text(qtbot, view.actions_card.reply_edit, text)
    saved(qtbot, view, lambda: qtbot.mouseClick(view.actions_card.reply_save, LEFT))


def test_replied_needs_the_reply_text(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    """Audit D11: "→ Replied" asks for what the enterprise was told; empty is refused in words."""
    no = add_request(station_db, "咨询研发费用加计扣除政策", category="policy", status="in_progress")
    show(qtbot, detail, uuid_of(station_db, no))
    assert not detail.actions_card.reply_panel.isVisible()
    qtbot.mouseClick(detail.actions_card.status_buttons["replied"], LEFT)
    assert detail.actions_card.reply_panel.isVisible() and stored(station_db, no).status == "in_progress"
    qtbot.mouseClick(detail.actions_card.reply_save, LEFT)  # nothing typed
    assert detail.actions_card.error.isVisible() and "Type the reply first" in detail.actions_card.error.text()
    assert stored(station_db, no).status == "in_progress" and detail.actions_card.reply_edit.hasFocus()
    type_text(qtbot, detail.actions_card.reply_edit, "已电话告知：加计扣除在年度汇算时申报，材料清单已发邮件")
    saved(qtbot, detail, lambda: qtbot.keyClick(detail.actions_card.reply_edit, Qt.Key.Key_Return,
                                                Qt.KeyboardModifier.ControlModifier))
    request = stored(station_db, no)
    assert request.status == "replied"
    assert [(e.kind, e.origin, e.data) for e in request.events[-2:]] == [
        (EventKind.REPLY, "station", {"text": "已电话告知：加计扣除在年度汇算时申报，材料清单已发邮件"}),
        (EventKind.STATUS_CHANGED, "station", {"from": "in_progress", "status": "replied"})]
    assert not detail.actions_card.reply_panel.isVisible() and detail.actions_card.reply_edit.toPlainText() == ""
    # Newest first: the status change, then the reply with its text, headed as the station's reply.
    assert detail.timeline_rows()[1].splitlines()[1:] == ["已电话告知：加计扣除在年度汇算时申报，材料清单已发邮件"]
    assert "Reply" in detail.timeline_rows()[1].splitlines()[0] and "Station" in detail.timeline_rows()[1]


def test_a_refused_reply_keeps_its_text(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    no = add_request(station_db, "咨询融资担保费率", category="finance", status="in_progress")
    show(qtbot, detail, uuid_of(station_db, no))
    qtbot.mouseClick(detail.actions_card.status_buttons["replied"], LEFT)
    detail.actions_card.reply_edit.setPlainText("长" * 2001)
    with qtbot.waitSignal(detail.loaded, timeout=10000):
        qtbot.mouseClick(detail.actions_card.reply_save, LEFT)
    assert detail.actions_card.error.isVisible() and "2000" in detail.actions_card.error.text()
    assert detail.actions_card.reply_panel.isVisible() and len(detail.actions_card.reply_edit.toPlainText()) == 2001
    assert detail.has_unsaved_input() and stored(station_db, no).status == "in_progress"


def test_cancel_asks_first_and_no_is_the_default(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    """Audit D21: Enter on "撤销后不能恢复" keeps the request."""
    no = add_request(station_db, "办公楼空调经常坏", category="space")
    show(qtbot, detail, uuid_of(station_db, no))
    asked = when_asked(press_enter)
    qtbot.mouseClick(detail.actions_card.status_buttons["cancelled"], LEFT)
    assert len(asked) == 1 and asked[0].defaultButton() is asked[0].findChild(QPushButton, "confirmNo")
    assert no in asked[0].text()
    assert stored(station_db, no).status == "new"
    asked = when_asked(lambda box: QTest.keyClick(box, Qt.Key.Key_Escape))
    qtbot.mouseClick(detail.actions_card.status_buttons["cancelled"], LEFT)
    assert len(asked) == 1 and stored(station_db, no).status == "new"
    when_asked(click_yes)
    saved(qtbot, detail, lambda: qtbot.mouseClick(detail.actions_card.status_buttons["cancelled"], LEFT))
    assert stored(station_db, no).status == "cancelled"


def test_note_typed_and_added_with_the_keyboard(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    no = add_request(station_db, "合同纠纷想先调解", category="legal")
    show(qtbot, detail, uuid_of(station_db, no))
    detail.actions_card.note_edit.setFocus()
    type_text(qtbot, detail.actions_card.note_edit, "已电话联系，约下周一来站面谈")
    saved(qtbot, detail, lambda: qtbot.keyClick(detail.actions_card.note_edit, Qt.Key.Key_Return,
                                                Qt.KeyboardModifier.ControlModifier))
    request = stored(station_db, no)
    assert request.events[-1].kind == EventKind.NOTE
    assert request.events[-1].data["note"] == "已电话联系，约下周一来站面谈"
    assert detail.actions_card.note_edit.toPlainText() == ""
    assert "已电话联系" in detail.timeline_rows()[0]  # newest first
    # An empty note is not sent.
    qtbot.mouseClick(detail.actions_card.note_button, LEFT)
    assert detail.actions_card.error.isVisible() and len(stored(station_db, no).events) == 2


def test_recategorise_and_reassign(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    no = add_request(station_db, "想了解知识产权质押融资", category="finance")
    show(qtbot, detail, uuid_of(station_db, no))
    detail.actions_card.category_combo.setCurrentIndex(detail.actions_card.category_combo.findData("legal"))
    saved(qtbot, detail, lambda: qtbot.mouseClick(detail.actions_card.category_button, LEFT))
    request = stored(station_db, no)
    assert request.category == "legal" and request.department == "legal_center"
    assert request.events[-1].kind == EventKind.ROUTED
    detail.actions_card.department_combo.setCurrentIndex(detail.actions_card.department_combo.findData("commercial_mediation"))
    saved(qtbot, detail, lambda: qtbot.mouseClick(detail.actions_card.department_button, LEFT))
    assert stored(station_db, no).department == "commercial_mediation"
    assert "→" in detail.timeline_rows()[0]


def test_rating_closes_or_reopens(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    happy = add_request(station_db, "咨询房租补贴的申报条件", category="policy", status="replied")
    show(qtbot, detail, uuid_of(station_db, happy))
    assert detail.actions_card.rating_combo.isVisible()
    assert [detail.actions_card.rating_combo.itemText(i) for i in range(5)] == [
        "Very satisfied (5)", "Satisfied (4)", "Fairly satisfied (3)", "Dissatisfied (2)", "Very dissatisfied (1)"]
    # Audit D10: no default; nothing can be saved before a choice.
    combo = detail.actions_card.rating_combo
    assert combo.currentIndex() == -1 and combo.currentText() == ""
    assert detail.actions_card.rating_combo.placeholderText() == "Choose…"
    assert not detail.actions_card.rating_button.isEnabled()
    qtbot.mouseClick(detail.actions_card.rating_button, LEFT)
    assert stored(station_db, happy).rating is None
    detail.actions_card.rating_combo.setCurrentIndex(detail.actions_card.rating_combo.findData(4))
    assert detail.actions_card.rating_button.isEnabled() and not detail.actions_card.rating_hint.isVisible()
    type_text(qtbot, detail.actions_card.rating_comment, "答复很及时")
    saved(qtbot, detail, lambda: qtbot.mouseClick(detail.actions_card.rating_button, LEFT))
    request = stored(station_db, happy)
    assert (request.rating, request.rating_comment, request.status) == (4, "答复很及时", "closed")

    assert detail.actions_card.rating_combo.currentIndex() == -1  # closed, still ratable: the next choice starts empty

    unhappy = add_request(station_db, "公司注销需要哪些材料", category="permit", status="replied")
    show(qtbot, detail, uuid_of(station_db, unhappy))
    assert detail.actions_card.rating_combo.currentIndex() == -1 and not detail.actions_card.rating_button.isEnabled()
    detail.actions_card.rating_combo.setCurrentIndex(detail.actions_card.rating_combo.findData(2))
    # Before saving: what will happen, with the new deadline from the workflow's calendar.
    due = rating_outcome("replied", 2, NOW).due
    assert due is not None
    from xuhui_desk.services.timefmt import display

    qtbot.waitUntil(lambda: display(due) in detail.actions_card.rating_hint.text(), timeout=10000)
    hint = detail.actions_card.rating_hint
    assert hint.isVisible() and "reopened for rectification" in hint.text()
    # Enter keeps it unsaved: "Do not save" is the default.
    asked = when_asked(press_enter)
    qtbot.mouseClick(detail.actions_card.rating_button, LEFT)
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    box = asked[0]
    assert box.defaultButton() is box.findChild(QPushButton, "confirmNo")
    assert display(due) in box.text() and unhappy in box.text() and "Dissatisfied (2)" in box.text()
    qtbot.wait(100)
    assert stored(station_db, unhappy).rating is None and stored(station_db, unhappy).status == "replied"
    asked = when_asked(click_yes)
    with qtbot.waitSignals([detail.changed, detail.loaded], timeout=10000):
        qtbot.mouseClick(detail.actions_card.rating_button, LEFT)
    request = stored(station_db, unhappy)
    assert request.rating == 2 and request.status == "in_progress" and request.sla_due_at == due
    assert [e.kind for e in request.events][-2:] == [EventKind.RATED, EventKind.RECTIFICATION]
    assert list(detail.actions_card.status_buttons) == ["replied", "cancelled"]
    assert not detail.actions_card.rating_combo.isVisible()


def test_overdue_in_whole_working_days(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    """Audit D26: "已超期 6 个工作日", never "6.0"."""
    from xuhui_desk.services.workdays import default_calendar
    from xuhui_desk.ui.queue.model import whole_workdays

    due = default_calendar().add_workdays(NOW - timedelta(days=30), 3)
    no = add_request(station_db, "想了解区里的人才公寓申请条件", category="talent", status="in_progress",
                     created_at=NOW - timedelta(days=31), sla_due_at=due)
    show(qtbot, detail, uuid_of(station_db, no))
    days = whole_workdays(default_calendar().overdue_workdays(due, NOW))  # as the queue says it
    assert days > 5
    assert detail.overdue_chip.text() == f"⚠ Overdue {days} workdays"
    assert "." not in detail.overdue_chip.text()


def test_clear_forgets_the_request(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    """For the queue (D12): a search that no longer matches the request shown empties the pane."""
    no = add_request(station_db, "想申请一笔银行贷款", category="finance")
    show(qtbot, detail, uuid_of(station_db, no))
    detail.actions_card.note_edit.setPlainText("写了一半")
    detail.clear()
    assert detail.current_uuid is None and detail.data is None
    assert detail.pages.currentWidget() is detail.empty and "Select a request" in detail.empty.text()
    assert not detail.has_unsaved_input()
    # A load still under way for the old request does not bring it back.
    detail.show_request(uuid_of(station_db, no))
    detail.clear()
    qtbot.wait(300)
    assert detail.pages.currentWidget() is detail.empty and detail.data is None


def test_a_click_on_another_request_supersedes_the_load_under_way(qtbot: Any, detail: DetailView,
                                                                  station_db: Database, tasks: TaskRunner) -> None:
    """Request A asked for, then B before A is read: only B is ever shown (the runner's
    latest="detail" drops A's answer, however the two background reads finish)."""
    first = uuid_of(station_db, add_request(station_db, "想申请一笔银行贷款", name="上海甲科技有限公司"))
    second = uuid_of(station_db, add_request(station_db, "咨询人才公寓", name="上海乙科技有限公司",
                                             category="talent"))
    shown: list[str] = []
    detail.loaded.connect(shown.append)
    for _round in range(5):
        shown.clear()
        detail.show_request(first)
        detail.show_request(second)
        assert tasks.wait(10000)
        qtbot.waitUntil(lambda: shown == [second], timeout=5000)
        qtbot.wait(50)  # anything still queued for the GUI thread arrives now
        assert shown == [second]
        assert detail.data is not None and detail.data.uuid == second
        assert detail.enterprise.text() == "上海乙科技有限公司"


def test_a_pane_closed_while_loading_gets_no_answer(qtbot: Any, station_db: Database, tasks: TaskRunner) -> None:
    """owner=self: the answer for a pane destroyed meanwhile is dropped, never delivered to a
    deleted widget (which raised "already deleted" in the callback)."""
    uuid = uuid_of(station_db, add_request(station_db, "想申请一笔银行贷款"))
    view = DetailView(station_db, tasks)
    view.show()
    view.show_request(uuid)
    view.deleteLater()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=10000)
    assert tasks.wait(10000)


def test_intake_correction_only_before_the_first_sync(qtbot: Any, detail: DetailView,
                                                      station_db: Database) -> None:
    draft = add_request(station_db, "想申请贷款", category="finance")
    synced = add_request(station_db, "想申请担保", category="finance", synced=True)
    show(qtbot, detail, uuid_of(station_db, synced))
    assert not detail.edit_button.isVisible()
    show(qtbot, detail, uuid_of(station_db, draft))
    qtbot.mouseClick(detail.edit_button, LEFT)
    assert detail.edit_panel.isVisible()
    detail.edit_description.selectAll()
    type_text(qtbot, detail.edit_description, "想申请一笔200万元的科技信贷")
    detail.edit_urgency.setCurrentIndex(detail.edit_urgency.findData("urgent"))
    saved(qtbot, detail, lambda: qtbot.mouseClick(detail.edit_save, LEFT))
    request = stored(station_db, draft)
    assert (request.description, request.urgency) == ("想申请一笔200万元的科技信贷", "urgent")
    assert request.events[-1].kind == EventKind.EDITED
    # Too short a description is refused, and said so.
    qtbot.mouseClick(detail.edit_button, LEFT)
    detail.edit_description.setPlainText("贷款")
    with qtbot.waitSignal(detail.loaded, timeout=10000):
        qtbot.mouseClick(detail.edit_save, LEFT)
    assert detail.actions_card.error.isVisible() and "Not saved" in detail.actions_card.error.text()
    assert stored(station_db, draft).description == "想申请一笔200万元的科技信贷"


def test_a_change_refused_by_the_workflow_is_shown(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    """The hub closed the request while the specialist looked at it: the click is refused, in words."""
    no = add_request(station_db, "咨询融资担保费率", category="finance")
    show(qtbot, detail, uuid_of(station_db, no))
    with station_db.write() as s:
        s.execute(text("UPDATE requests SET status = 'cancelled' WHERE tracking_no = :n"), {"n": no})
    with qtbot.waitSignal(detail.loaded, timeout=10000):
        qtbot.mouseClick(detail.actions_card.status_buttons["routed"], LEFT)
    assert detail.actions_card.error.isVisible()
    assert "cannot go from cancelled to routed" in detail.actions_card.error.text()
    assert detail.actions_card.status_buttons == {}  # shown again as it now is


def test_queue_and_detail_keep_in_step_without_wiring(qtbot: Any, detail: DetailView, station_db: Database,
                                                       tasks: TaskRunner) -> None:
    """The detail pane follows the queue's selection; a change saved there refreshes the queue."""
    from xuhui_desk.ui.queue.view import QueueView

    first = add_request(station_db, "想申请一笔银行贷款", category="finance")
    second = add_request(station_db, "新招的博士想办理落户", category="talent")
    queue = QueueView(station_db, tasks)
    qtbot.addWidget(queue)
    with qtbot.waitSignal(queue.model.refreshed, timeout=10000):
        queue.show()
    assert queue.model.rowCount() == 2
    with qtbot.waitSignal(detail.loaded, timeout=10000):
        queue.select_request(uuid_of(station_db, second))
    assert detail.tracking.text() == second
    # Typing in the pane holds it on its request.
    detail.actions_card.note_edit.setPlainText("还没写完")
    queue.select_request(uuid_of(station_db, first))
    qtbot.wait(300)
    assert detail.tracking.text() == second
    detail.actions_card.note_edit.clear()
    with qtbot.waitSignal(queue.model.refreshed, timeout=10000):
        saved(qtbot, detail, lambda: qtbot.mouseClick(detail.actions_card.status_buttons["routed"], LEFT))
    from xuhui_desk.ui.queue.model import Column

    row = queue.model.row_of_uuid(uuid_of(station_db, second))
    assert queue.model.data(queue.model.index(row, Column.STATUS)) == "Routed"


def test_provisional_due_date_and_its_recount_are_shown(qtbot: Any, detail: DetailView,
                                                        station_db: Database) -> None:
    """Issue 11 §5: a due date on the provisional calendar says so; when the official year arrives
    the recount is on the timeline in words, and the mark goes."""
    from datetime import UTC, date, datetime

    from xuhui_desk.services.calendar_updates import VIA_IMPORT, apply_official_years
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
    from xuhui_desk.services.workdays import OfficialYear

    saved = create_request(station_db, IntakeInput(EnterpriseInput("上海甲科技有限公司"), "想申请银行贷款",
                                                   category="finance"), now=datetime(2026, 12, 30, 2, tzinfo=UTC))
    show(qtbot, detail, saved.uuid)
    assert "provisional" in detail.values["due"].text()
    # An official year with days off the provisional one does not know: the due date moves.
    official = OfficialYear(2027, "test notice", frozenset({date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 5)}),
                            frozenset())
    apply_official_years(station_db, [official], via=VIA_IMPORT, now=datetime(2026, 12, 31, 2, tzinfo=UTC))
    show(qtbot, detail, saved.uuid)
    assert "provisional" not in detail.values["due"].text()
    assert any("Due date recounted" in row for row in detail.timeline_rows())
