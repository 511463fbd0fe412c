"""Backup and restore from the GUI (audit D32): File ▸ Restore checks and describes the backup, asks,
then the workstation closes its own database, restores under the lock and reopens the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from xuhui_desk.config import database_path
from xuhui_desk.db import open_database
from xuhui_desk.services.backups import make_backup
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
from xuhui_desk.services.station import init_station
from xuhui_desk.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _count(db: Any) -> int:
    from sqlalchemy import func, select

    from xuhui_desk.models import Request

    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Request)) or 0)


def test_restore_from_the_file_menu(qtbot: Any, data_dir: Path) -> None:
    from xuhui_desk.ui.app import Workstation

    db = open_database(database_path(data_dir))
    init_station(db, "XH03", "徐家汇服务站", specialist="李敏")
    for text in ("想申请银行贷款", "办公室漏水需要维修"):
        create_request(db, IntakeInput(EnterpriseInput("上海甲科技有限公司"), text))
    backup = make_backup(data_dir)
    create_request(db, IntakeInput(EnterpriseInput("上海乙贸易有限公司"), "咨询人才公寓申请条件"))
    assert _count(db) == 3

    workstation = Workstation(db, data_dir, "en")
    try:
        window = workstation.open_main_window()
        assert isinstance(window, MainWindow)
        qtbot.waitExposed(window)
        asked: list[str] = []

        def answer() -> None:
            boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
            if not boxes:
                QTimer.singleShot(20, answer)
                return
            box = boxes[0]
            asked.append(box.informativeText())
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
            next(b for b in box.buttons() if b.text() == "Restore").click()

        QTimer.singleShot(0, answer)
        window.backups.confirm_restore(backup)
        qtbot.waitUntil(lambda: workstation.window is not window, timeout=30000)
        assert asked and "Requests: 2" in asked[0] and "XH03 徐家汇服务站" in asked[0]
        new = workstation.window
        assert isinstance(new, MainWindow) and new.isVisible()
        assert "Restored" in new.statusBar().currentMessage()
        assert _count(workstation.db) == 2
        kept = [p for p in (data_dir / "backups").glob("*before-restore*.db")]
        assert len(kept) == 1
        safety = open_database(kept[0], migrate=False)
        try:
            assert _count(safety) == 3  # nothing acknowledged is lost: it is in the safety copy
        finally:
            safety.close()
    finally:
        workstation.tasks.wait()
        QApplication.processEvents()
        if workstation.window is not None:
            workstation.window.close()
            workstation.window.deleteLater()
        workstation.shutdown()
        workstation.deleteLater()


def test_a_file_that_is_no_backup_is_refused_before_anything_closes(qtbot: Any, data_dir: Path,
                                                                     tmp_path: Path) -> None:
    from xuhui_desk.ui.app import Workstation

    db = open_database(database_path(data_dir))
    init_station(db, "XH03", "徐家汇服务站")
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database")
    workstation = Workstation(db, data_dir, "en")
    try:
        window = workstation.open_main_window()
        assert isinstance(window, MainWindow)
        said: list[str] = []

        def read_warning() -> None:
            boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
            if not boxes:
                QTimer.singleShot(20, read_warning)
                return
            said.append(boxes[0].text())
            boxes[0].accept()

        QTimer.singleShot(0, read_warning)
        window.backups.confirm_restore(bogus)
        qtbot.waitUntil(lambda: bool(said), timeout=15000)
        assert "cannot be restored" in said[0]
        assert workstation.window is window and window.isEnabled()
    finally:
        workstation.tasks.wait()
        QApplication.processEvents()
        window.close()
        workstation.shutdown()
        workstation.deleteLater()
