"""Starting the real program: it opens and closes cleanly, and a bad database gets a message, not a traceback.

The subprocess tests run ``python -m xuhui_desk --data-dir DIR`` (the GUI entry point) with
``XUHUI_DESK_SMOKE_QUIT_MS``, which closes the first window shortly after it is shown — the
same smoke test the frozen bundle runs.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from xuhui_desk.config import database_path
from xuhui_desk.db import open_database

ROOT = Path(__file__).resolve().parents[2]
SMOKE_MS = "300"


@pytest.fixture(scope="module", autouse=True)
def _compiled_translations() -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True, capture_output=True)


def start_gui(data_dir: Path, tmp_path: Path, *, smoke_ms: str = SMOKE_MS,
              program: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", XUHUI_DESK_SMOKE_QUIT_MS=smoke_ms, HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg-config"), XDG_DATA_HOME=str(tmp_path / "xdg-data"),
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p))
    env.pop("XUHUI_DESK_DATA_DIR", None)
    command = program or ["-m", "xuhui_desk", "--data-dir", str(data_dir)]
    return subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)


def set_up_station(data_dir: Path) -> None:
    from xuhui_desk.services.station import init_station, set_setting

    db = open_database(database_path(data_dir))
    init_station(db, "XH03", "徐家汇服务站", specialist="李敏")
    set_setting(db, "language", "en")
    db.close()


# Runs the real start (xuhui_desk.ui.app.run) and says, the moment the main window is shown, which
# heavy modules are loaded and whether the database is open; then whether the window's work
# (the intake form's router, the sync state) got done once the database opened after it.
START_PROBE = """
import sys
from PySide6.QtCore import QTimer
from xuhui_desk.ui import app

HEAVY = ("sqlalchemy", "alembic", "openpyxl", "xuhui_desk.models", "xuhui_desk.services.sync")
opened = app.Workstation.open_main_window

def open_main_window(self):
    window = opened(self)
    loaded = [name for name in HEAVY if name in sys.modules]
    print("shown:", window.isVisible(), "loaded:", ",".join(loaded) or "none",
          "database:", "open" if getattr(self.db, "is_open", True) else "deferred", flush=True)
    print("title:", window.windowTitle(), "|", window.nav_panel.footer.text(), flush=True)
    form = window.intake_form

    def ready():
        if form.router is not None and window.sync.status is not None:
            print("ready: router and sync state", flush=True)
            window.close()
        else:
            QTimer.singleShot(20, ready)

    QTimer.singleShot(0, ready)
    return window

app.Workstation.open_main_window = open_main_window
sys.exit(app.run(sys.argv[1]))
"""


def too_new_database(data_dir: Path) -> Path:
    db = open_database(database_path(data_dir))
    db.close()
    con = sqlite3.connect(database_path(data_dir))
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    return database_path(data_dir)


def test_starts_and_quits_cleanly(tmp_path: Path, data_dir: Path) -> None:
    from xuhui_desk.services.station import init_station

    db = open_database(database_path(data_dir))
    init_station(db, "XH03", "徐家汇服务站", specialist="李敏")
    db.close()
    started = time.perf_counter()
    done = start_gui(data_dir, tmp_path)
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "smoke: MainWindow shown" in done.stdout
    assert (data_dir / "window.ini").is_file()  # the window state is kept in the data folder
    assert elapsed < 30


def test_first_run_opens_the_wizard(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    done = start_gui(data_dir, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "smoke: FirstRunWizard shown" in done.stdout
    assert database_path(data_dir).is_file()


def test_too_new_database_exits_with_a_message(tmp_path: Path, data_dir: Path) -> None:
    path = too_new_database(data_dir)
    before = path.read_bytes()
    done = start_gui(data_dir, tmp_path)
    assert done.returncode == 1
    assert "smoke: QMessageBox shown" in done.stdout
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before  # never opened, never changed


def test_database_errors_are_explained(qapp: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xuhui_desk.ui.app import open_database_for_gui

    shown: list[tuple[str, str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.text(), box.informativeText(), box.detailedText()))
        return int(QMessageBox.StandardButton.Close)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    too_new_database(data_dir)
    assert open_database_for_gui(data_dir) is None
    headline, advice, details = shown[-1]
    assert headline == "This database was written by a newer version of the program."
    assert "Install the newer version" in advice and str(database_path(data_dir)) in advice
    assert "9999" in details

    database_path(data_dir).write_bytes(b"this is not a database at all" * 10)
    assert open_database_for_gui(data_dir) is None
    assert shown[-1][0] == "The database file is damaged or is not a database of this program."

    good = data_dir.parent / "good"
    db = open_database_for_gui(good)
    assert db is not None
    db.close()


def test_main_window_shows_before_sqlalchemy_is_imported(tmp_path: Path, data_dir: Path) -> None:
    """Start-up is a feature (DESIGN.md §3): at the head revision the window shows first; SQLAlchemy,
    the models and the sync engine are imported only after, when the database opens on a worker."""
    set_up_station(data_dir)
    done = start_gui(data_dir, tmp_path, smoke_ms="", program=["-c", START_PROBE, str(data_dir)])
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert "shown: True loaded: none database: deferred" in lines, done.stdout
    # The station, its specialist and the language were read without SQLAlchemy.
    assert "title: Xuhui Enterprise Service Desk — 徐家汇服务站 (XH03) | Specialist: 李敏" in lines, done.stdout
    assert "ready: router and sync state" in lines, done.stdout


def test_closing_before_the_database_opened_is_clean(tmp_path: Path, data_dir: Path) -> None:
    """Closed at the first turn of the event loop (as the start-up benchmark does): the work the
    window asked for stops as cancelled, nothing opens the database, the exit is clean."""
    set_up_station(data_dir)
    done = start_gui(data_dir, tmp_path, smoke_ms="0")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "smoke: MainWindow shown" in done.stdout


def test_deferred_database_waits_on_workers_and_opens_on_the_gui_thread(qapp: Any, qtbot: Any,
                                                                         data_dir: Path) -> None:
    from xuhui_desk.db import DeferredDatabase
    from xuhui_desk.ui.app import open_database_for_gui
    from xuhui_desk.ui.tasks import TaskRunner

    def station_code(db: Any) -> str:
        with db.session() as session:
            return str(session.connection().exec_driver_sql("SELECT code FROM station").scalar())

    set_up_station(data_dir)
    tasks = TaskRunner()
    try:
        db = open_database_for_gui(data_dir, defer=True)
        assert isinstance(db, DeferredDatabase) and not db.is_open
        got: list[Any] = []
        tasks.run(lambda _p: station_code(db), on_success=got.append, on_failure=got.append)
        assert not tasks.wait(200)  # the worker waits for the release
        assert not db.is_open and not got
        db.release()
        qtbot.waitUntil(lambda: got == ["XH03"], timeout=20000)
        assert db.is_open
        db.close()

        # Closing before the release: waiting tasks stop as cancelled, no callback, nothing opened.
        db = open_database_for_gui(data_dir, defer=True)
        assert isinstance(db, DeferredDatabase)
        calls: list[Any] = []
        tasks.run(lambda _p: station_code(db), on_success=calls.append, on_failure=calls.append)
        assert not tasks.wait(100)
        db.cancel_waiting()
        assert tasks.wait(5000)
        qapp.processEvents()
        assert calls == [] and not db.is_open
        db.close()

        # The GUI thread never waits for the release: it opens the database itself.
        db = open_database_for_gui(data_dir, defer=True)
        assert isinstance(db, DeferredDatabase)
        assert station_code(db) == "XH03" and db.is_open
        db.close()
    finally:
        assert tasks.wait(20000)
        qapp.processEvents()
        tasks.deleteLater()
        qapp.processEvents()


def test_a_database_due_for_an_upgrade_is_opened_before_the_window(data_dir: Path, qapp: Any) -> None:
    from xuhui_desk.db import DeferredDatabase
    from xuhui_desk.ui.app import open_database_for_gui

    fresh = open_database_for_gui(data_dir.parent / "fresh", defer=True)  # created and migrated now
    assert fresh is not None and not isinstance(fresh, DeferredDatabase)
    fresh.close()


def test_periodic_backup_runs_in_the_background(qtbot: Any, tmp_path: Path) -> None:
    from xuhui_desk.config import backup_dir, database_path
    from xuhui_desk.db import open_database
    from xuhui_desk.services.station import init_station
    from xuhui_desk.ui.app import Workstation

    data_dir = tmp_path / "backup-data"
    db = open_database(database_path(data_dir))
    init_station(db, "XH03", "徐家汇服务站")
    workstation = Workstation(db, data_dir, "zh_CN")
    workstation._backup_if_due()
    qtbot.waitUntil(lambda: any(backup_dir(data_dir).glob("xuhui_desk-auto-*.db")), timeout=10_000)
    workstation.tasks.wait()
    db.close()
