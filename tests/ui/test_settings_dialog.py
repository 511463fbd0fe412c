"""The settings page: loads what is stored, checks what is typed, saves through the station service."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from xuhui_desk.models import Station
from xuhui_desk.services.station import get_setting
from xuhui_desk.ui.settings_dialog import SettingsDialog, SettingsForm
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def form(qtbot: Any, station_db: Any, tasks: TaskRunner) -> SettingsForm:
    widget = SettingsForm(station_db, tasks)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.code_edit.text() == "XH03", timeout=5000)
    return widget


def test_shows_the_stored_settings(form: SettingsForm) -> None:
    assert form.name_edit.text() == "徐家汇服务站"
    assert form.address_edit.text() == "徐汇区漕溪北路1号"
    assert form.specialist_edit.text() == "李敏"
    assert form.code_edit.isReadOnly()
    assert form.language_combo.currentData() == "zh_CN"
    assert "{tracking_no}" in form.tracking_edit.text()


def test_saves_with_ctrl_s(qtbot: Any, form: SettingsForm, station_db: Any) -> None:
    form.name_edit.setText("徐家汇街道服务站")
    form.specialist_edit.setText("王芳")
    form.hub_url_edit.setText("https://hub.example.cn/")
    form.hub_token_edit.setText("t0ken")
    form.language_combo.setCurrentIndex(form.language_combo.findData("en"))
    form.name_edit.setFocus()
    with qtbot.waitSignal(form.saved, timeout=10000) as saved:
        qtbot.keyClick(form.name_edit, Qt.Key.Key_S, CTRL)
    values, language_changed = saved.args
    assert language_changed is True and values["language"] == "en"
    with station_db.session() as s:
        assert s.scalars(select(Station.name)).one() == "徐家汇街道服务站"
        assert get_setting(s, "specialist") == "王芳"
        assert get_setting(s, "hub_url") == "https://hub.example.cn"
        assert get_setting(s, "hub_token") == "t0ken"
        assert get_setting(s, "language") == "en"

    # Saving again without changing the language does not ask for a rebuild.
    with qtbot.waitSignal(form.saved, timeout=10000) as again:
        form.save()
    assert again.args[1] is False


def test_wrong_values_are_shown_and_not_saved(qtbot: Any, form: SettingsForm, station_db: Any,
                                              tasks: TaskRunner) -> None:
    form.hub_url_edit.setText("hub.example.cn")
    form.tracking_edit.setText("https://example.cn/track")
    form.specialist_edit.clear()
    form.save()
    assert "https://" in form.messages["hub_url"].text() and form.messages["hub_url"].isVisible()
    assert "{tracking_no}" in form.messages["tracking_url_template"].text()
    assert form.messages["specialist"].isVisible()
    tasks.wait()
    with station_db.session() as s:
        assert get_setting(s, "hub_url") == ""
        assert get_setting(s, "specialist") == "李敏"


def test_undo_changes_reloads(qtbot: Any, form: SettingsForm) -> None:
    form.name_edit.setText("别的名字")
    form.revert_button.click()
    qtbot.waitUntil(lambda: form.name_edit.text() == "徐家汇服务站", timeout=5000)


def test_dialog_closes_after_saving(qtbot: Any, station_db: Any, tasks: TaskRunner) -> None:
    dialog = SettingsDialog(station_db, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.form.code_edit.text() == "XH03", timeout=5000)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.form.save()


def test_captions_are_level_with_their_boxes(form: SettingsForm) -> None:
    """D24: a caption whose box has a hint line under it sits level with the box, not 9 px lower."""
    from PySide6.QtWidgets import QLabel

    for edit in (form.address_edit, form.specialist_edit, form.language_combo, form.hub_url_edit):
        caption = next(label for label in form.findChildren(QLabel) if label.buddy() is edit)
        caption_centre = caption.mapTo(form, caption.rect().center()).y()
        box_centre = edit.mapTo(form, edit.rect().center()).y()
        assert abs(caption_centre - box_centre) <= 3, (caption.text(), caption_centre, box_centre)


def test_leaving_with_unsaved_changes_asks(qtbot: Any, station_db: Any, tasks: TaskRunner, data_dir: Any) -> None:
    """D24: Settings changed and not saved: going to another page asks (stay is the default)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from xuhui_desk.ui.main_window import MainWindow, Page

    window = MainWindow(station_db, tasks, data_dir)
    qtbot.addWidget(window)
    window.show()
    settings = window.show_page(Page.SETTINGS)
    assert isinstance(settings, SettingsForm)
    qtbot.waitUntil(lambda: settings.code_edit.text() == "XH03", timeout=5000)
    assert not settings.is_dirty()
    settings.name_edit.setText("徐家汇服务站（新）")
    assert settings.is_dirty()

    answers: list[str] = []

    def answer(button_text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        answers.append(box.defaultButton().text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, lambda: answer("Stay on Settings"))
    window.show_page(Page.QUEUE)
    assert window.current_page() == Page.SETTINGS and window.nav.currentRow() == int(Page.SETTINGS)
    assert answers == ["Stay on Settings"]

    QTimer.singleShot(0, lambda: answer("Save"))
    window.show_page(Page.REPORTS)
    assert window.current_page() == Page.REPORTS
    qtbot.waitUntil(lambda: window.nav_panel.station.text() == "徐家汇服务站（新）", timeout=5000)
    tasks.wait()


def test_an_unencrypted_hub_is_refused_unless_allowed(qtbot: Any, form: SettingsForm, station_db: Any) -> None:
    """H4: http:// to another computer is refused; the lead can allow it explicitly; loopback is fine."""
    form.hub_url_edit.setText("http://hub.example.cn")
    assert form.error_for("hub_url") is not None and "https://" in str(form.error_for("hub_url"))
    form.hub_url_edit.setText("http://127.0.0.1:8700")
    assert form.error_for("hub_url") is None
    form.hub_url_edit.setText("http://hub.example.cn")
    form.insecure_check.setChecked(True)
    assert form.error_for("hub_url") is None
    form.save()
    qtbot.waitUntil(lambda: form.status.text() == "Saved.", timeout=5000)
    with station_db.session() as s:
        assert get_setting(s, "allow_insecure_hub") == "1"
        assert get_setting(s, "hub_url") == "http://hub.example.cn"


def test_the_address_has_one_store(qtbot: Any, form: SettingsForm, station_db: Any) -> None:
    """The receipt's address: what Settings saves is what `settings get station_address` and the
    receipt read (the GUI and the command line used to read two stores in opposite orders)."""
    from xuhui_desk.services.station import set_setting

    form.address_edit.setText("徐汇区宜山路700号")
    form.save()
    qtbot.waitUntil(lambda: form.status.text() == "Saved.", timeout=5000)
    with station_db.session() as s:
        assert get_setting(s, "station_address") == "徐汇区宜山路700号"
        assert s.scalars(select(Station.address)).one() == "徐汇区宜山路700号"
    set_setting(station_db, "station_address", "徐汇区漕溪北路1号")  # as `xuhui-desk settings set` does
    form.reload()
    qtbot.waitUntil(lambda: form.address_edit.text() == "徐汇区漕溪北路1号", timeout=5000)
