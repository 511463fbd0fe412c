"""Files, messages and odd outputs of the command line (audit M1, M6, L2, L3, L4), with real
processes. The permission cases run a process as ``nobody`` (``setpriv``), the disk-full cases on
a small tmpfs: both need root and are skipped without it; the rest run anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.bulk_data import new_database, populate

NOBODY = 65534
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
LINE = {"enterprise": {"name": "上海安全测试科技有限公司"}, "description": "想了解知识产权质押融资怎么办理"}


def desk(data_dir: Path, *args: str, stdin: bytes | None = None, as_nobody: bool = False,
         umask: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XUHUI_DESK_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "xuhui_desk", "--data-dir", str(data_dir), *args]
    if as_nobody:
        assert SETPRIV
        command = [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
        env["HOME"] = "/nonexistent"
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    proc = subprocess.run(command, input=stdin, capture_output=True, env=env, timeout=180, preexec_fn=preexec)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def _week_of(tracking_no: str) -> str:
    """The ISO week of a tracking number's day (XH03-YYYYMMDD-NNN)."""
    day = date(int(tracking_no[5:9]), int(tracking_no[9:11]), int(tracking_no[11:13])).isocalendar()
    return f"{day.year}-W{day.week:02d}"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def refused_cleanly(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0, proc.stdout[-500:]
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr[-3000:]
    assert proc.stderr.startswith("xuhui-desk: "), proc.stderr
    return proc.stderr


@pytest.fixture
def station(data_dir: Path) -> Path:
    new_database(data_dir / "xuhui_desk.db")
    return data_dir


# --- M1: private files, whatever the umask -----------------------------------------------------


def test_data_folder_database_and_backups_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """Audit M1: the folder was 0755 and the database and backups 0644, readable by every local user."""
    data_dir = tmp_path / "fresh"
    assert desk(data_dir, "init", "--station-code", "XH03", "--station-name", "站", umask=0).returncode == 0
    saved = desk(data_dir, "intake", "--json-lines", "-", stdin=json.dumps(LINE).encode(), umask=0)
    assert saved.returncode == 0, saved.stderr
    backup = desk(data_dir, "backup", "--json", umask=0)
    assert backup.returncode == 0, backup.stderr
    # A database left open by the GUI has its write-ahead log and shared memory on disk.
    con = sqlite3.connect(data_dir / "xuhui_desk.db")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TEMP TABLE t(x)")
    assert con.execute("SELECT count(*) FROM requests").fetchone()[0] == 1
    assert (data_dir / "xuhui_desk.db-wal").exists() or (data_dir / "xuhui_desk.db-shm").exists()
    try:
        files = [data_dir / "xuhui_desk.db", data_dir / "xuhui_desk.db.lock", Path(json.loads(backup.stdout)["backup"])]
        files += [p for p in (data_dir / "xuhui_desk.db-wal", data_dir / "xuhui_desk.db-shm") if p.exists()]
        assert {str(p.name): oct(mode(p)) for p in files} == {str(p.name): "0o600" for p in files}
        assert oct(mode(data_dir)) == "0o700" and oct(mode(data_dir / "backups")) == "0o700"
    finally:
        con.close()


def test_an_existing_open_data_folder_is_made_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    new_database(data_dir / "xuhui_desk.db")
    os.chmod(data_dir, 0o755)
    os.chmod(data_dir / "xuhui_desk.db", 0o644)
    assert desk(data_dir, "list").returncode == 0
    assert (mode(data_dir), mode(data_dir / "xuhui_desk.db")) == (0o700, 0o600)


def test_receipt_and_report_are_private(station: Path, tmp_path: Path) -> None:
    saved = desk(station, "intake", "--json-lines", "-", "--json", stdin=json.dumps(LINE).encode())
    number = json.loads(saved.stdout)["tracking_no"]
    out = tmp_path / "out"
    out.mkdir()
    receipt = desk(station, "receipt", number, "--out", str(out / "r.pdf"), umask=0)
    assert receipt.returncode == 0, receipt.stderr
    report = desk(station, "report", "--week", _week_of(number), "--out", str(out / "w.xlsx"), umask=0)
    assert report.returncode == 0, report.stderr
    assert (mode(out / "r.pdf"), mode(out / "w.xlsx")) == (0o600, 0o600)
    assert sorted(p.name for p in out.iterdir()) == ["r.pdf", "w.xlsx"], "a temporary file was left behind"


def test_hub_sqlite_file_is_private(tmp_path: Path) -> None:
    from xuhui_desk.hub.database import open_hub_database

    previous = os.umask(0)
    try:
        hub = open_hub_database(f"sqlite:///{tmp_path / 'hubdata' / 'hub.db'}")
        hub.close()
    finally:
        os.umask(previous)
    assert (mode(tmp_path / "hubdata"), mode(tmp_path / "hubdata" / "hub.db")) == (0o700, 0o600)
    for extra in ("hub.db-wal", "hub.db-shm"):
        if (tmp_path / "hubdata" / extra).exists():
            assert mode(tmp_path / "hubdata" / extra) == 0o600


# --- M6: the real cause, never "restore a backup" for a healthy database --------------------------


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder ``nobody`` can reach (pytest's own temporary folders are private to root)."""
    if not (IS_ROOT and SETPRIV):
        pytest.skip("needs root and setpriv to run a process as another user")
    folder = Path(tempfile.mkdtemp(prefix="xuhui-perm-", dir="/tmp"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _readable_by_all(data_dir: Path) -> None:
    os.chmod(data_dir, 0o755)
    for p in data_dir.iterdir():
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


@pytest.mark.parametrize("lock_readable", [True, False], ids=["sqlite refuses", "lock file refuses"])
def test_a_read_only_data_folder_says_cannot_write_not_restore(shared_tmp: Path, lock_readable: bool) -> None:
    """Audit M6: as another user, every command said "cannot be read … restore a backup"."""
    data_dir = shared_tmp / "ro"
    new_database(data_dir / "xuhui_desk.db")
    _readable_by_all(data_dir)
    if not lock_readable:
        os.chmod(data_dir / "xuhui_desk.db.lock", 0o600)
    before = (data_dir / "xuhui_desk.db").read_bytes()
    for args, stdin in ((["list"], None), (["intake", "--json-lines", "-"], json.dumps(LINE).encode()),
                        (["settings", "set", "specialist", "王"], None), (["backup"], None)):
        err = refused_cleanly(desk(data_dir, *args, stdin=stdin, as_nobody=True))
        assert "cannot write" in err and "not writable" in err and str(data_dir) in err, err
        assert "restore" not in err and "damaged" not in err, err
    assert (data_dir / "xuhui_desk.db").read_bytes() == before


def test_an_unwritable_backups_folder_is_named(shared_tmp: Path) -> None:
    data_dir = shared_tmp / "nb"
    new_database(data_dir / "xuhui_desk.db")
    (data_dir / "backups").mkdir()
    os.chmod(data_dir / "backups", 0o755)  # root's: nobody cannot write into it
    for p in [data_dir, *(q for q in data_dir.iterdir() if q.name != "backups")]:
        os.chown(p, NOBODY, NOBODY)
    err = refused_cleanly(desk(data_dir, "backup", as_nobody=True))
    assert f"cannot write: {data_dir / 'backups'} is not writable" in err, err
    assert "restore" not in err


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 24 MB tmpfs, unmounted afterwards."""
    if not IS_ROOT or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    point = Path(tempfile.mkdtemp(prefix="xuhui-full-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(point)], capture_output=True)
    if mounted.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode()[:200]}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=True)
        point.rmdir()


def _fill(folder: Path) -> None:
    try:
        with (folder / "filler").open("wb", buffering=0) as fh:
            while True:
                fh.write(b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == 28, exc  # ENOSPC: the disk is full now


def test_a_full_disk_says_disk_full_not_restore(small_disk: Path, station: Path) -> None:
    data_dir = small_disk / "data"
    new_database(data_dir / "xuhui_desk.db")
    con = sqlite3.connect(data_dir / "xuhui_desk.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    _fill(small_disk)
    lines = "\n".join(json.dumps(dict(LINE, description=f"{LINE['description']}第{i}次" + "详细" * 400))
                      for i in range(50)).encode()
    err = refused_cleanly(desk(data_dir, "intake", "--json-lines", "-", stdin=lines))
    assert "is full" in err and "restore" not in err, err
    err = refused_cleanly(desk(data_dir, "backup"))
    assert "is full" in err and "restore" not in err, err
    assert list((data_dir / "backups").glob("*.db")) == [], "a partial backup was left"
    # A report from a healthy station onto the full disk: openpyxl fails half-way through the
    # workbook, and its half-written sheets and zip file must not print "Exception ignored" (L2).
    report = desk(station, "report", "--week", "2026-W49", "--out", str(small_disk / "w.xlsx"))
    err = refused_cleanly(report)
    assert "cannot write" in err and "No space left" in err and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in small_disk.iterdir()) == ["data", "filler"], "a partial file was left"


# --- L2: no tracebacks -----------------------------------------------------------------------


def test_backup_onto_a_file_named_backups(station: Path) -> None:
    (station / "backups").write_text("not a folder")
    err = refused_cleanly(desk(station, "backup"))
    assert "backups is a file where a folder is needed" in err


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    """Audit L2: ``list | head -1`` ended in a BrokenPipeError traceback."""
    data_dir = tmp_path / "big"
    new_database(data_dir / "xuhui_desk.db")
    populate(data_dir / "xuhui_desk.db", 1500)
    env = dict(os.environ, XUHUI_DESK_DATA_DIR=str(data_dir))
    proc = subprocess.Popen([sys.executable, "-m", "xuhui_desk", "--data-dir", str(data_dir), "list", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as `head -1` does, with most of the output unwritten
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert first.strip() == b"[" and err == "", err


# --- L3: --out never follows a symbolic link ---------------------------------------------------


def test_receipt_and_report_replace_a_symlink_never_its_target(station: Path, tmp_path: Path) -> None:
    saved = desk(station, "intake", "--json-lines", "-", "--json", stdin=json.dumps(LINE).encode())
    number = json.loads(saved.stdout)["tracking_no"]
    victim = tmp_path / "victim.db"
    victim.write_bytes(b"precious")
    link = tmp_path / "link.pdf"
    link.symlink_to(victim)
    done = desk(station, "receipt", number, "--out", str(link))
    assert done.returncode == 0, done.stderr
    assert victim.read_bytes() == b"precious"
    assert not link.is_symlink() and link.read_bytes().startswith(b"%PDF")
    xlsx_link = tmp_path / "link.xlsx"
    xlsx_link.symlink_to(victim)
    report = desk(station, "report", "--week", _week_of(number), "--out", str(xlsx_link))
    assert report.returncode == 0, report.stderr
    assert victim.read_bytes() == b"precious" and not xlsx_link.is_symlink()


# --- L4: messages ------------------------------------------------------------------------------


def test_update_of_an_unknown_request_quotes_it_properly(station: Path) -> None:
    err = refused_cleanly(desk(station, "update", "XH99-NOPE", "--status", "routed"))
    assert err.strip() == "xuhui-desk: no request 'XH99-NOPE'"


def test_a_huge_number_does_not_echo_pythons_advice(station: Path) -> None:
    line = '{"enterprise": {"name": "上海大数科技有限公司"}, "description": ' + "9" * 5000 + "}"
    proc = desk(station, "intake", "--json-lines", "-", "--json", stdin=line.encode())
    result = json.loads(proc.stdout)
    assert not result["ok"] and "too many digits" in result["errors"][0]["message"]
    assert "set_int_max_str_digits" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(("target", "says"), [("/dev/zero", "not a regular file"), ("FOLDER", "is a folder")])
def test_restore_of_a_device_or_a_folder_says_what_it_is(station: Path, tmp_path: Path, target: str,
                                                         says: str) -> None:
    path = str(tmp_path) if target == "FOLDER" else target
    err = refused_cleanly(desk(station, "restore", path))
    assert says in err and "does not exist" not in err


# VmHWM: this process's own peak (getrusage's ru_maxrss keeps the forking parent's peak across exec).
RSS_SCRIPT = """
import re, sys
from pathlib import Path
from xuhui_desk.cli import main
code = main(sys.argv[1:])
peak = re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1)
sys.stderr.write("MAXRSS %s\\n" % peak)
sys.exit(code)
"""


def test_an_overlong_line_is_skipped_without_being_held_in_memory(station: Path, tmp_path: Path) -> None:
    """Audit L4: a 200 MB line took 650 MB of memory before it was refused."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the peak memory from /proc")
    source = tmp_path / "long.jsonl"
    with source.open("wb") as fh:
        fh.write(json.dumps(dict(LINE, description="第一条正常的诉求内容")).encode() + b"\n")
        fh.write(b'{"enterprise": {"name": "x"}, "description": "')
        for _ in range(120):
            fh.write(b"a" * (1024 * 1024))
        fh.write(b'"}\n')
        fh.write(json.dumps(dict(LINE, description="第三条正常的诉求内容")).encode() + b"\n")
    env = dict(os.environ, XUHUI_DESK_DATA_DIR=str(station))
    proc = subprocess.run([sys.executable, "-c", RSS_SCRIPT, "intake", "--json-lines", str(source), "--json"],
                          capture_output=True, env=env, timeout=180)
    results = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [(r["line"], r["ok"]) for r in results] == [(1, True), (2, False), (3, True)]
    assert results[1]["errors"][0]["code"] == "line.too_long"
    maxrss_mb = int(proc.stderr.decode().split("MAXRSS ")[1]) / 1024
    assert maxrss_mb < 200, f"the process used {maxrss_mb:.0f} MB for a 120 MB line"


def test_bidi_and_zero_width_characters_are_not_stored(station: Path) -> None:
    line = {"enterprise": {"name": "正常科技有限公司\u202etxt.exe\u200b", "contact_name": "王\u2066先生\u2069"},
            "description": "想了解\u200d知识产权\ufeff质押融资 👨\u200d👩\u200d👧"}
    proc = desk(station, "intake", "--json-lines", "-", "--json", stdin=json.dumps(line).encode())
    assert json.loads(proc.stdout)["ok"], proc.stdout
    con = sqlite3.connect(station / "xuhui_desk.db")
    name, contact, description = con.execute(
        "SELECT e.name, e.contact_name, r.description FROM requests r JOIN enterprises e ON e.id = r.enterprise_id"
    ).fetchone()
    con.close()
    assert (name, contact) == ("正常科技有限公司txt.exe", "王先生")
    assert description == "想了解知识产权质押融资 👨\u200d👩\u200d👧"  # an emoji family keeps its joiners
