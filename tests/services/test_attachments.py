"""The station's attachment store: content-addressed, private, checked by content and size,
recorded on the timeline; backups carry the files and restores bring them back."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.synckit import add_requests, open_station
from xuhui_desk.db import Database
from xuhui_desk.models import Request, RequestEvent
from xuhui_desk.record_rules import check_event_data, time_window
from xuhui_desk.services import attachments as att
from xuhui_desk.services.workflow import RequestNotFound
from xuhui_desk.validation import ValidationFailed

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(3000)
PDF = b"%PDF-1.7\n" + os.urandom(5000)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Database]:
    db = open_station(tmp_path / "station")
    add_requests(db, 2)
    yield db
    db.close()


def _tracking(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Request.tracking_no).order_by(Request.id)))


def _file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_one_stored_file_however_many_requests_refer_to_it(station: Database, tmp_path: Path) -> None:
    first, second = _tracking(station)
    photo = _file(tmp_path, "营业执照.jpg", JPEG)
    a = att.add_attachment(station, first, photo, actor="李敏")
    b = att.add_attachment(station, second, photo)
    again = att.add_attachment(station, first, photo)
    assert a.sha256 == b.sha256 and again.already_attached and not a.already_attached
    stored = [p for p in (station.path.parent / "attachments").rglob("*") if p.is_file() and ".staging" not in p.parts]
    assert stored == [a.path] and a.path.read_bytes() == JPEG
    assert a.path.relative_to(station.path.parent).parts == ("attachments", a.sha256[:2], a.sha256[2:])
    if os.name == "posix":
        assert stat.S_IMODE(a.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(a.path.parent.stat().st_mode) == 0o700
    listed = att.list_attachments(station, first)
    assert [(i.name, i.media_type, i.size, i.sync_state, i.actor) for i in listed] == [
        ("营业执照.jpg", "image/jpeg", len(JPEG), "pending", "李敏")]
    assert listed[0].thumbnail_path == a.path and listed[0].present
    with station.session() as s:
        events = s.scalars(select(RequestEvent).where(RequestEvent.kind == "attachment")).all()
        assert len(events) == 2  # the repeat added nothing
        data = events[0].data
        assert data == {"sha256": a.sha256, "name": "营业执照.jpg", "size": len(JPEG), "media_type": "image/jpeg"}
        request = s.scalars(select(Request).where(Request.tracking_no == first)).one()
        assert request.revision == 2 and request.sync_state == "pending"  # the event goes with the next push
    from datetime import UTC, datetime

    assert check_event_data("attachment", data, origin="station", window=time_window(datetime.now(UTC))) == []


def test_a_pdf_is_no_thumbnail_and_kind_comes_from_content(station: Database, tmp_path: Path) -> None:
    (first, _) = _tracking(station)
    info = att.add_attachment(station, first, _file(tmp_path, "scan.jpg", PDF))  # the name lies; the bytes do not
    assert info.media_type == "application/pdf" and info.thumbnail_path is None


@pytest.mark.parametrize(("content", "code"), [
    (b"just text, renamed to .jpg", "attachment.type"),
    (b"", "attachment.empty"),
    (b"MZ\x90\x00" + b"\x00" * 100, "attachment.type"),
])
def test_refused_files_say_why_and_store_nothing(station: Database, tmp_path: Path, content: bytes, code: str) -> None:
    (first, _) = _tracking(station)
    with pytest.raises(ValidationFailed) as caught:
        att.add_attachment(station, first, _file(tmp_path, "photo.jpg", content))
    assert [i.code for i in caught.value.issues] == [code]
    assert "photo.jpg" in caught.value.issues[0].message("zh_CN")
    assert "photo.jpg" in caught.value.issues[0].message("en")
    assert att.list_attachments(station, first) == []
    assert not [p for p in (station.path.parent / "attachments").rglob("*") if p.is_file()]


def test_size_limits_per_file_and_per_request(station: Database, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (first, _) = _tracking(station)
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(att.MAX_FILE_BYTES + 1)
    with pytest.raises(ValidationFailed) as caught:
        att.add_attachment(station, first, big)
    assert caught.value.issues[0].code == "attachment.too_large"
    assert "10.0 MB" in caught.value.issues[0].message("en")
    monkeypatch.setattr(att, "MAX_REQUEST_BYTES", len(JPEG) + len(PDF) - 1)
    att.add_attachment(station, first, _file(tmp_path, "a.jpg", JPEG))
    with pytest.raises(ValidationFailed) as caught:
        att.add_attachment(station, first, _file(tmp_path, "b.pdf", PDF))
    assert caught.value.issues[0].code == "attachment.request_full"
    assert first in caught.value.issues[0].message("zh_CN")
    assert [i.name for i in att.list_attachments(station, first)] == ["a.jpg"]


def test_missing_file_folder_and_unknown_request(station: Database, tmp_path: Path) -> None:
    (first, _) = _tracking(station)
    with pytest.raises(ValidationFailed) as caught:
        att.add_attachment(station, first, tmp_path / "nope.jpg")
    assert caught.value.issues[0].code == "attachment.missing"
    with pytest.raises(ValidationFailed) as caught:
        att.add_attachment(station, first, tmp_path)
    assert caught.value.issues[0].code == "attachment.not_a_file"
    with pytest.raises(RequestNotFound):
        att.add_attachment(station, "XH03-20000101-999", _file(tmp_path, "a.jpg", JPEG))


def test_backup_carries_the_files_and_restore_brings_them_back(station: Database, tmp_path: Path) -> None:
    from xuhui_desk.services.backups import attachments_folder, make_backup, restore

    (first, second) = _tracking(station)
    photo = att.add_attachment(station, first, _file(tmp_path, "a.jpg", JPEG))
    scan = att.add_attachment(station, second, _file(tmp_path, "b.pdf", PDF))
    data_dir = station.path.parent
    station.close()
    backup = make_backup(data_dir)
    folder = attachments_folder(backup)
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == sorted([photo.sha256[2:], scan.sha256[2:]])
    # The store is lost (a new disk), the backup is restored from elsewhere (a USB stick).
    import shutil

    shutil.rmtree(data_dir / "attachments")
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    moved = Path(shutil.copy2(backup, elsewhere))
    shutil.copytree(folder, attachments_folder(moved))
    # One file of the copy was damaged on the stick: it is not installed, and it is named.
    damaged = attachments_folder(moved) / scan.sha256[:2] / scan.sha256[2:]
    damaged.write_bytes(b"%PDF-1.7\n damaged")
    result = restore(data_dir, moved)
    assert result.attachments_restored == 1 and result.attachments_missing == (scan.sha256,)
    assert att.blob_path(data_dir, photo.sha256).read_bytes() == JPEG
    assert not att.blob_path(data_dir, scan.sha256).exists()
    damaged.write_bytes(PDF)
    again = restore(data_dir, moved)
    assert again.attachments_restored == 1 and again.attachments_missing == ()
    assert att.blob_path(data_dir, scan.sha256).read_bytes() == PDF


def test_thinning_removes_a_backups_attachment_folder(station: Database, tmp_path: Path) -> None:
    from xuhui_desk.services.backups import attachments_folder, make_backup, thin_backups

    (first, _) = _tracking(station)
    att.add_attachment(station, first, _file(tmp_path, "a.jpg", JPEG))
    data_dir = station.path.parent
    station.close()
    old = make_backup(data_dir)
    os.utime(old, (1_000_000, 1_000_000))
    make_backup(data_dir)
    removed = thin_backups(data_dir, keep=1)
    assert removed == [old] and not attachments_folder(old).exists()
    assert att.blob_path(data_dir, att.file_sha256(_file(tmp_path, "c.jpg", JPEG))).exists()  # the store stays


def test_cli_attach_json_and_exit_codes(station: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from xuhui_desk.cli import main

    (first, _) = _tracking(station)
    data_dir = str(station.path.parent)
    station.close()
    assert main(["--data-dir", data_dir, "attach", first, str(_file(tmp_path, "执照.jpg", JPEG)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "执照.jpg" and out["media_type"] == "image/jpeg" and len(out["sha256"]) == 64
    assert main(["--data-dir", data_dir, "attach", first, str(_file(tmp_path, "x.jpg", b"hello")), "--json"]) == 3
    assert "JPEG" in capsys.readouterr().err
    assert main(["--data-dir", data_dir, "attach", "XH03-20000101-999", str(tmp_path / "x.jpg")]) == 1
    capsys.readouterr()
    assert main(["--data-dir", data_dir, "attachments", first, "--json"]) == 0
    assert [a["name"] for a in json.loads(capsys.readouterr().out)] == ["执照.jpg"]
