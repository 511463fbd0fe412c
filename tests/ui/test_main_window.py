"""The main window: one shortcut per page, the status bar API, state kept in the data folder, language."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from xuhui_desk.ui.main_window import MainWindow, Page
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
ROOT = Path(__file__).resolve().parents[2]
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot: Any, station_db: Any, data_dir: Path, tasks: TaskRunner) -> Iterator[MainWindow]:
    widget = MainWindow(station_db, tasks, data_dir)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: widget.intake_form.router is not None, timeout=10000)
    yield widget
    tasks.wait()


def test_opens_on_today(qtbot: Any, window: MainWindow) -> None:
    """Issue 14: the day starts on Today (Ctrl+1); the lists are read in the background."""
    from xuhui_desk.ui.today.page import TodayPage

    assert window.current_page() == Page.TODAY
    assert isinstance(window.page(Page.TODAY), TodayPage)
    assert window.nav.item(0).text() == "Today" and window.nav.currentRow() == 0
    qtbot.waitUntil(lambda: window.today.today is not None, timeout=10000)
    assert "徐家汇服务站" in window.windowTitle() and "XH03" in window.windowTitle()
    assert window.nav_panel.footer.text().endswith("李敏")


@pytest.mark.parametrize(
    ("key", "page"),
    [
        (Qt.Key.Key_2, Page.INTAKE),
        (Qt.Key.Key_3, Page.QUEUE),
        (Qt.Key.Key_4, Page.DIRECTORY),
        (Qt.Key.Key_5, Page.REPORTS),
        (Qt.Key.Key_Comma, Page.SETTINGS),
        (Qt.Key.Key_1, Page.TODAY),
    ],
)
def test_shortcuts_switch_pages(qtbot: Any, window: MainWindow, key: Qt.Key, page: Page) -> None:
    start = Page.SETTINGS if page == Page.TODAY else Page.TODAY
    window.show_page(start)
    qtbot.keyClick(window, key, CTRL)
    assert window.current_page() == page
    assert window.nav.currentRow() == int(page)
    assert window.stack.currentWidget().isVisible()


def test_one_click_in_the_navigation(qtbot: Any, window: MainWindow) -> None:
    item = window.nav.item(int(Page.REPORTS))
    rect = window.nav.visualItemRect(item)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_page() == Page.REPORTS


def test_f2_starts_a_new_intake(qtbot: Any, window: MainWindow) -> None:
    window.show_page(Page.SETTINGS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert window.current_page() == Page.INTAKE
    assert QApplication.focusWidget() is window.intake_form.name_edit


def test_every_page_opens(window: MainWindow) -> None:
    from PySide6.QtWidgets import QSplitter

    from xuhui_desk.ui.detail import DetailView
    from xuhui_desk.ui.directory.page import DirectoryView
    from xuhui_desk.ui.intake import IntakeForm
    from xuhui_desk.ui.queue.view import QueueView
    from xuhui_desk.ui.reports_page import ReportsPage
    from xuhui_desk.ui.settings_dialog import SettingsForm
    from xuhui_desk.ui.today.page import TodayPage

    expected = {Page.TODAY: TodayPage, Page.INTAKE: IntakeForm, Page.QUEUE: QSplitter, Page.DIRECTORY: DirectoryView,
                Page.REPORTS: ReportsPage, Page.SETTINGS: SettingsForm}
    for page in Page:
        widget = window.show_page(page)
        assert isinstance(widget, expected[page]), f"{page.name}: {type(widget).__name__}"
        assert widget.isVisible()
    assert isinstance(window.queue_view, QueueView) and isinstance(window.detail_view, DetailView)


def test_a_page_that_cannot_be_built_fails_loudly(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """No grey placeholder hides a broken page: the error reaches the caller (and the test)."""
    from xuhui_desk.ui.directory import page as directory_view

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the directory page is broken")

    monkeypatch.setattr(directory_view, "DirectoryView", broken)
    with pytest.raises(RuntimeError, match="directory page is broken"):
        window.show_page(Page.DIRECTORY)


def test_sync_status_api(window: MainWindow) -> None:
    window.set_sync_status(None, 0, None, None)
    assert window.sync_bar.state_label.text() == "Sync not set up"
    assert window.sync_bar.last_label.text() == "Last sync: never"
    assert window.sync_bar.warning_label.isHidden()

    window.set_sync_status(True, 12, datetime(2026, 11, 26, 6, 5, tzinfo=UTC), None)
    assert "Online" in window.sync_bar.state_label.text()
    assert window.sync_bar.state_label.objectName() == "syncOnline"
    assert window.sync_bar.pending_label.text() == "Waiting to sync: 12"
    assert window.sync_bar.last_label.text() == "Last sync: 11-26 14:05"  # shown in Asia/Shanghai

    window.set_sync_status(False, 3, None, "The hub refused the token")
    assert "Offline" in window.sync_bar.state_label.text()
    assert window.sync_bar.warning_label.isVisible()
    assert window.sync_bar.warning_label.text() == "The hub refused the token"


def test_geometry_is_kept_in_the_data_folder(qtbot: Any, station_db: Any, data_dir: Path, tasks: TaskRunner,
                                             tmp_path: Path) -> None:
    first = MainWindow(station_db, tasks, data_dir)
    qtbot.addWidget(first)
    first.resize(1111, 700)
    first.show()
    qtbot.waitExposed(first)
    first.close()
    state = data_dir / "window.ini"
    assert state.is_file()
    assert QSettings(str(state), QSettings.Format.IniFormat).value("window/geometry") is not None
    assert not (tmp_path / "xdg-config").exists() or not any((tmp_path / "xdg-config").rglob("*.conf"))

    saved = QSettings(str(state), QSettings.Format.IniFormat).value("window/geometry")
    second = MainWindow(station_db, tasks, data_dir)
    qtbot.addWidget(second)
    restored: list[Any] = []
    second.restoreGeometry = lambda geometry: restored.append(geometry) or True  # type: ignore[method-assign]
    second.restore_state()
    # (The offscreen screen is smaller than the window, so Qt would clamp the size: compare what is read.)
    assert restored == [saved]
    tasks.wait()


def test_language_switch_rebuilds_the_window(qtbot: Any, station_db: Any, data_dir: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True, capture_output=True)
    from xuhui_desk.ui.app import Workstation
    from xuhui_desk.ui.i18n import install_translators

    install_translators("zh_CN")
    workstation = Workstation(station_db, data_dir, "zh_CN")
    try:
        window = workstation.open_main_window()
        assert isinstance(window, MainWindow)
        qtbot.waitExposed(window)
        assert window.nav.item(0).text() == "今日工作"
        assert window.nav.item(1).text() == "受理登记"
        form = window.intake_form
        qtbot.waitUntil(lambda: form.router is not None, timeout=10000)
        form.name_edit.setText("上海云启智能科技有限公司")
        window.show_page(Page.SETTINGS)

        window.languageChangeRequested.emit("en")
        new = workstation.window
        assert isinstance(new, MainWindow) and new is not window
        assert new.nav.item(0).text() == "Today" and new.nav.item(1).text() == "Intake"
        assert new.current_page() == Page.SETTINGS
        assert new.intake_form.name_edit.text() == "上海云启智能科技有限公司"  # the draft came along
        new.close()
    finally:
        install_translators("en")
        workstation.tasks.wait()
        QApplication.processEvents()
        if workstation.window is not None:
            workstation.window.deleteLater()
        workstation.deleteLater()


def test_ctrl_s_saves_the_page_shown(qtbot: Any, window: MainWindow) -> None:
    settings = window.show_page(Page.SETTINGS)
    qtbot.waitUntil(lambda: settings.code_edit.text() == "XH03", timeout=5000)
    with qtbot.waitSignal(settings.saved, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert window.intake_form.issue_text("enterprise_name") == ""  # the hidden intake form did not react

    window.show_page(Page.INTAKE)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert window.intake_form.issue_text("enterprise_name")  # the empty form says what is missing


def test_saved_intake_opens_in_the_queue(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F2)
    form = window.intake_form
    form.name_edit.setText("上海云启智能科技有限公司")
    form.description_edit.setPlainText("想申请银行贷款，咨询贴息政策")
    qtbot.keyClick(form.description_edit, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    assert form.result is not None
    assert form.result.tracking_no in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: form.recent_list.count() == 1, timeout=5000)
    form.recent_list.setCurrentRow(0)
    form.recent_list.setFocus()
    qtbot.keyClick(form.recent_list, Qt.Key.Key_Return)
    assert window.current_page() == Page.QUEUE
    qtbot.waitUntil(lambda: window.detail_view.current_uuid == form.result.uuid, timeout=5000)


def test_shortcut_list_names_every_shortcut(window: MainWindow) -> None:
    """D28: F1 lists search, report, note and open too."""
    from PySide6.QtGui import QKeySequence

    text = window.shortcut_help()
    for key in ("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+Shift+U", "Alt+O",
                "Ctrl+F", "Ctrl+R", "Ctrl+Enter", "Enter", "Ctrl+P", "F2", "Ctrl+S", "F1"):
        assert QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) in text, key
    assert "Save the note" in text
    for key in ("Ctrl+E", "Ctrl+M", "Ctrl+Shift+V", "Ctrl+Shift+E", "Ctrl+Shift+L", "Ctrl+K", "Ctrl+Shift+A", "F8"):
        assert QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) in text, key


def test_the_shortcut_list_fits_a_small_screen(qtbot: Any, window: MainWindow) -> None:
    """F1 at 1024×700: the list (two columns) is neither taller nor wider than the screen."""
    window.resize(1024, 700)
    dialog = window.show_shortcuts()
    qtbot.waitExposed(dialog)
    assert dialog.height() < 700 and dialog.width() <= 1024, dialog.size()
    dialog.close()


def test_file_menu_backs_up_and_help_has_no_about_qt(qtbot: Any, window: MainWindow, data_dir: Path) -> None:
    """D32: backup from the GUI; the Help menu holds nothing a specialist cannot use."""
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    help_texts = [a.text() for a in menus["&Help"].actions()]
    assert not any("Qt" in t for t in help_texts)
    file_texts = [a.text() for a in menus["&File"].actions()]
    assert window.action_backup.text() in file_texts and window.action_backups_folder.text() in file_texts
    window.action_backup.trigger()
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage(), timeout=10000)
    copies = list((data_dir / "backups").glob("xuhui_desk-manual-*.db"))
    assert len(copies) == 1 and str(copies[0]) in window.statusBar().currentMessage()
