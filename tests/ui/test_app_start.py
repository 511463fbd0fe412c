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


def start_gui(data_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", XUHUI_DESK_SMOKE_QUIT_MS=SMOKE_MS, HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg-config"), XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    env.pop("XUHUI_DESK_DATA_DIR", None)
    return subprocess.run([sys.executable, "-m", "xuhui_desk", "--data-dir", str(data_dir)], env=env,
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)


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
