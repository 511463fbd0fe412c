"""The weekly report from the GUI (audit D2): Ctrl+R on the Reports page, the dialog end to end,
the workbook read back with openpyxl, the unmasked report's reason in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from xuhui_desk.services import audit, weekly
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
from xuhui_desk.services.reports import last_complete_week, week_of
from xuhui_desk.ui.main_window import MainWindow, Page
from xuhui_desk.ui.report_dialog import ReportDialog
from xuhui_desk.ui.reports_page import ReportsPage
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def filled_db(station_db: Any) -> Any:
    """Three requests in last week (Shanghai), one in this week."""
    last_week = last_complete_week().start.astimezone(UTC) + timedelta(days=2, hours=2)
    for i, (name, phone) in enumerate((("上海甲科技有限公司", "13812345678"), ("上海乙贸易有限公司", "13912345678"),
                                       ("上海丙咨询有限公司", "13700001111"))):
        create_request(station_db, IntakeInput(EnterpriseInput(name=name, contact_name="王小明", phone=phone),
                                               "想申请银行贷款，咨询贴息政策", category="finance"),
                       now=last_week + timedelta(hours=i))
    create_request(station_db, IntakeInput(EnterpriseInput(name="上海丁有限公司"), "办公室漏水，需要物业维修",
                                           category="space"), now=datetime.now(UTC) - timedelta(minutes=5))
    return station_db


@pytest.fixture
def window(qtbot: Any, filled_db: Any, data_dir: Path, tasks: TaskRunner) -> Iterator[MainWindow]:
    widget = MainWindow(filled_db, tasks, data_dir)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    tasks.wait()


def open_dialog(qtbot: Any, window: MainWindow) -> ReportDialog:
    window.show_page(Page.REPORTS)
    page = window.page(Page.REPORTS)
    assert isinstance(page, ReportsPage)
    window.activateWindow()  # (no window manager hands the focus back after a dialog closes)
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: any(isinstance(w, ReportDialog) and w.isVisible() for w in QApplication.topLevelWidgets()),
                    timeout=5000)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ReportDialog) and w.isVisible())
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=5000)
    return dialog


def test_ctrl_r_writes_last_weeks_report(qtbot: Any, window: MainWindow, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = open_dialog(qtbot, window)
    week = last_complete_week()
    assert dialog.selected_week() == week  # the default: the last complete week
    assert dialog.week_combo.count() >= 52 and dialog.week_combo.itemData(0) == week_of(datetime.now(UTC)).label
    assert Path(dialog.path_edit.text()).name == f"XH03-{week.label}.xlsx"
    assert not dialog.reason_edit.isEnabled()

    out = tmp_path / "out" / "weekly.xlsx"
    out.parent.mkdir()
    dialog.path_edit.setText(str(out))
    assert dialog.create_button.isEnabled()
    qtbot.keyClick(dialog.create_button, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: dialog.saved_path is not None, timeout=20000)
    assert out.is_file() and dialog.done_panel.isVisible()
    assert "3" in dialog.message.text()

    book = load_workbook(out, read_only=True)
    requests_sheet = book.worksheets[1]
    rows = list(requests_sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "13812345678" not in text and "138****5678" in text  # masked by default
    book.close()

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    dialog.open_file_button.click()
    dialog.open_folder_button.click()
    assert opened == [str(out), str(out.parent)]

    # The folder is remembered for the next report.
    dialog.close()
    again = open_dialog(qtbot, window)
    assert Path(again.path_edit.text()).parent == out.parent
    again.close()


def test_unmasked_needs_a_reason_and_is_audited(qtbot: Any, window: MainWindow, tmp_path: Path,
                                                filled_db: Any) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.unmasked_radio.click()
    assert dialog.reason_edit.isEnabled() and not dialog.create_button.isEnabled()
    dialog.reason_edit.setText("区里核对回访电话")
    assert dialog.create_button.isEnabled()
    current = week_of(datetime.now(UTC))
    dialog.week_combo.setCurrentIndex(dialog.week_combo.findData(current.label))  # the running week is allowed
    out = tmp_path / "full.xlsx"
    dialog.path_edit.setText(str(out))
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.saved_path is not None, timeout=20000)
    assert out.is_file()
    assert "not over" in dialog.message.text()
    entries = audit.entries(filled_db, action=audit.UNMASKED_REPORT)
    assert len(entries) == 1
    assert entries[0].reason == "区里核对回访电话" and entries[0].actor == "李敏"
    assert entries[0].details == {"week": current.label, "path": str(out)}
    book = load_workbook(out, read_only=True)
    assert book.worksheets[0].title == "Summary"
    book.close()
    dialog.close()


def test_cancel_writes_nothing(qtbot: Any, window: MainWindow, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = weekly.export_report

    def slow(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        import time

        for i in range(400):  # long enough to press Cancel on the progress box
            progress(i, 400, "query")
            time.sleep(0.01)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr("xuhui_desk.ui.report_dialog.export_report", slow)
    dialog = open_dialog(qtbot, window)
    out = tmp_path / "cancelled.xlsx"
    dialog.path_edit.setText(str(out))
    dialog.create_button.click()
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    def box() -> QProgressDialog | None:
        found = [w for w in QApplication.allWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: box() is not None, timeout=5000)
    progress_box = box()
    assert progress_box is not None
    progress_box.findChild(QPushButton).click()
    qtbot.waitUntil(lambda: "no report was written" in dialog.message.text(), timeout=10000)
    assert not out.exists() and dialog.saved_path is None
    assert dialog.create_button.isEnabled()
    dialog.close()


def test_errors_are_said_in_the_dialog(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.path_edit.setText(str(tmp_path / "no" / "such" / "folder.xlsx"))
    dialog.create_button.click()
    assert "does not exist" in dialog.message.text()
    assert dialog.message.objectName() == "fieldError"
    dialog.close()
