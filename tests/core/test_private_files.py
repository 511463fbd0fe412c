"""Private folders: the program's own become 0700, shared folders it merely writes into never do."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from xuhui_desk.db import backup_file, open_database
from xuhui_desk.private_files import make_private_dir

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_folder_and_an_old_open_one_become_private(tmp_path: Path) -> None:
    made = make_private_dir(tmp_path / "data" / "backups")
    assert mode(made) == 0o700
    old = tmp_path / "old"
    old.mkdir()
    os.chmod(old, 0o755)  # a data folder made by an older version
    make_private_dir(old)
    assert mode(old) == 0o700


def test_a_shared_sticky_folder_keeps_its_mode(tmp_path: Path) -> None:
    """Running as root, /tmp is 'ours': a database or backup written straight into it once made
    /tmp 0700 and locked every other user (and their programs) out of the temporary folder."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    make_private_dir(shared)
    assert mode(shared) == 0o1777
    db = open_database(shared / "xuhui_desk.db")
    try:
        backup_file(db.path, shared / "copy.db")
    finally:
        db.close()
    assert mode(shared) == 0o1777
    assert mode(shared / "xuhui_desk.db") == 0o600 and mode(shared / "copy.db") == 0o600


def test_the_home_folder_keeps_its_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o755)
    monkeypatch.setenv("HOME", str(home))
    make_private_dir(home)
    assert mode(home) == 0o755
