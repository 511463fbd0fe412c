"""The first-run wizard, driven with the keyboard on an empty database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget, QWizard
from sqlalchemy import select

from xuhui_desk.models import Station
from xuhui_desk.services.station import get_setting
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.wizard import FirstRunWizard
from xuhui_desk.validation import Issue

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def wizard(qtbot: Any, db: Any, tasks: TaskRunner) -> Iterator[FirstRunWizard]:
    widget = FirstRunWizard(db, tasks)
    # Closing a shown wizard with typed text asks first (D14): no box when the test closes it.
    qtbot.addWidget(widget, before_close_func=lambda w: w.hide())
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.station_page.code_edit)
    yield widget


def focused() -> Any:
    return QApplication.focusWidget()


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """ASCII as key presses, Chinese as an input method commits it."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def next_page(qtbot: Any) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def test_first_run_typed_with_the_keyboard(qtbot: Any, wizard: FirstRunWizard, db: Any) -> None:
    type_text(qtbot, focused(), "xh03")
    assert wizard.station_page.code_edit.text() == "XH03"  # capitals as it is typed
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "徐家汇服务站")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "徐汇区漕溪北路88号")
    next_page(qtbot)
    assert wizard.currentPage() is wizard.specialist_page
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # the name is required
    type_text(qtbot, focused(), "李敏")
    next_page(qtbot)
    assert wizard.currentPage() is wizard.hub_page
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # the hub may be left empty
    type_text(qtbot, focused(), "https://hub.example.cn/")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "secret-token")
    next_page(qtbot)  # Finish
    qtbot.waitUntil(lambda: wizard.result() == QWizard.DialogCode.Accepted, timeout=10000)

    with db.session() as s:
        station = s.scalars(select(Station)).one()
        assert (station.code, station.name, station.address) == ("XH03", "徐家汇服务站", "徐汇区漕溪北路88号")
        assert get_setting(s, "specialist") == "李敏"
        assert get_setting(s, "hub_url") == "https://hub.example.cn"
        assert get_setting(s, "hub_token") == "secret-token"


def test_hub_can_be_skipped(qtbot: Any, wizard: FirstRunWizard, db: Any) -> None:
    type_text(qtbot, focused(), "XH12")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "漕河泾服务站")
    next_page(qtbot)
    type_text(qtbot, focused(), "王芳")
    next_page(qtbot)
    next_page(qtbot)
    qtbot.waitUntil(lambda: wizard.result() == QWizard.DialogCode.Accepted, timeout=10000)
    with db.session() as s:
        assert s.scalars(select(Station.code)).one() == "XH12"
        assert get_setting(s, "hub_url") == ""


def test_inline_validation(qtbot: Any, wizard: FirstRunWizard, db: Any) -> None:
    page = wizard.station_page
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    type_text(qtbot, focused(), "X")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # leaving the field shows why it is wrong
    assert page.code_message.isVisible()
    assert page.code_message.text() == Issue("station_code", "station.code").message("en")
    assert not next_button.isEnabled()
    page.code_edit.setFocus()
    type_text(qtbot, page.code_edit, "H03")
    assert not page.code_message.isVisible()  # fixed while typing
    assert not next_button.isEnabled()  # the name is still missing
    page.name_edit.setFocus()
    type_text(qtbot, page.name_edit, "徐家汇服务站")
    assert next_button.isEnabled()
    next_page(qtbot)
    type_text(qtbot, focused(), "李敏")
    next_page(qtbot)

    hub = wizard.hub_page
    type_text(qtbot, focused(), "hub.example.cn")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert hub.url_message.isVisible() and "https://" in hub.url_message.text()
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    hub.url_edit.clear()
    hub.token_edit.setText("token-without-url")
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    hub.token_edit.clear()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    with db.session() as s:
        assert s.scalars(select(Station)).first() is None  # nothing saved before Finish


def test_cancel_asks_first_and_saves_nothing(qtbot: Any, wizard: FirstRunWizard, db: Any) -> None:
    """D14: Esc after typing asks before everything is lost (Esc or Enter on the box: go on setting up)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    type_text(qtbot, focused(), "XH03")
    asked: list[str] = []

    def answer(key: Qt.Key | None) -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        if not boxes:  # not shown yet: look again on the next turn of the (nested) event loop
            QTimer.singleShot(10, lambda: answer(key))
            return
        box = boxes[0]
        asked.append(box.text())
        if key is None:
            box.button(QMessageBox.StandardButton.Yes).click()
        else:
            qtbot.keyClick(box, key)

    closed: list[bool] = []
    wizard.rejected.connect(lambda: closed.append(True))
    QTimer.singleShot(0, lambda: answer(Qt.Key.Key_Return))
    wizard.reject()
    assert asked and wizard.isVisible() and not closed
    assert wizard.station_page.code() == "XH03"  # nothing lost
    QTimer.singleShot(0, lambda: answer(None))
    wizard.reject()
    assert len(asked) == 2 and closed == [True]
    assert wizard.result() == QWizard.DialogCode.Rejected
    with db.session() as s:
        assert s.scalars(select(Station)).first() is None


def test_cancel_with_nothing_typed_closes_at_once(qtbot: Any, wizard: FirstRunWizard) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert wizard.result() == QWizard.DialogCode.Rejected
