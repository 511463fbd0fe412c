"""Attachment files to the hub: the fault matrix against the real hub over real HTTP on
127.0.0.1 (through the fault-injecting proxy): lost answers, a round stopped mid-file,
duplicate files, a chunk damaged on the way, files the hub refuses."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import func, select

from tests.synckit import Fault, FaultProxy, HubThread, Seen, add_requests, open_station
from xuhui_desk.db import Database
from xuhui_desk.hub import attachments as hub_att
from xuhui_desk.models import Request
from xuhui_desk.services import attachments as att
from xuhui_desk.services.attachment_sync import CHUNK_BYTES
from xuhui_desk.services.sync import SyncOptions, run_sync

FAST = SyncOptions(backoff_base=0.01, backoff_max=0.05)


def _jpeg(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def _attach(db: Database, tmp_path: Path, content: bytes, *, requests: int = 1, name: str = "p.jpg") -> str:
    with db.session() as s:
        numbers = list(s.scalars(select(Request.tracking_no).order_by(Request.id)))[:requests]
    path = tmp_path / name
    path.write_bytes(content)
    for number in numbers:
        att.add_attachment(db, number, path)
    return hashlib.sha256(content).hexdigest()


def _chunk_posts(proxy: FaultProxy, sha: str | None = None) -> list[Seen]:
    with proxy.state.lock:
        return [s for s in proxy.state.seen if s.path.startswith("/api/v1/attachments/")
                and "/status" not in s.path and (sha is None or sha in s.path)]


def _offset(seen: Seen) -> int:
    return int(parse_qs(urlsplit(seen.path).query)["offset"][0])


def _hub_bytes(hub: HubThread, sha: str) -> bytes:
    with hub.db.session() as s:
        return b"".join(hub_att._chunks(s, 1, sha))


def _hub_chunk_rows(hub: HubThread, sha: str) -> int:
    with hub.db.session() as s:
        return s.scalar(select(func.count()).select_from(hub_att.AttachmentChunk)
                        .where(hub_att.AttachmentChunk.sha256 == sha)) or 0


def _listed(hub: HubThread, db: Database) -> list[str]:
    with db.session() as s:
        number = s.scalars(select(Request.tracking_no).order_by(Request.id)).first()
    return [a["sha256"] for a in hub_att.attachments_of(hub.db, number or "")]


def test_duplicate_files_go_once_and_show_on_the_hub(station: Database, hub: HubThread, proxy: FaultProxy,
                                                     tmp_path: Path) -> None:
    add_requests(station, 3)
    content = _jpeg(CHUNK_BYTES * 2 + 1000)
    sha = _attach(station, tmp_path, content, requests=3)  # three requests, one file
    summary = run_sync(station, options=FAST)
    assert summary.ok and summary.errors == []
    assert [_offset(s) for s in _chunk_posts(proxy)] == [0, CHUNK_BYTES, 2 * CHUNK_BYTES]
    assert _hub_bytes(hub, sha) == content
    assert _listed(hub, station) == [sha]
    assert {a.sync_state for a in att.list_attachments(station, _first(station))} == {"synced"}
    run_sync(station, options=FAST)
    assert len(_chunk_posts(proxy)) == 3  # nothing sent again


def _first(db: Database) -> str:
    with db.session() as s:
        return s.scalars(select(Request.tracking_no).order_by(Request.id)).first() or ""


def test_lost_answers_are_retried_without_duplicates(station: Database, hub: HubThread, proxy: FaultProxy,
                                                     tmp_path: Path) -> None:
    add_requests(station, 1)
    content = _jpeg(CHUNK_BYTES * 3)
    sha = _attach(station, tmp_path, content)
    dropped: list[int] = []

    def rule(seen: Seen) -> Fault | None:
        # The hub stores the second chunk, then its answer is lost (twice for the third one).
        offset = _offset(seen) if seen.path.startswith(f"/api/v1/attachments/{sha}") else -1
        if offset in (CHUNK_BYTES, 2 * CHUNK_BYTES) and dropped.count(offset) < (1 if offset == CHUNK_BYTES else 2):
            dropped.append(offset)
            return Fault(after="drop")
        return None

    proxy.state.rule = rule
    summary = run_sync(station, options=FAST)
    assert summary.ok and summary.errors == [], summary.errors
    assert dropped == [CHUNK_BYTES, 2 * CHUNK_BYTES, 2 * CHUNK_BYTES]
    assert [_offset(s) for s in _chunk_posts(proxy)] == [0, CHUNK_BYTES, CHUNK_BYTES, 2 * CHUNK_BYTES,
                                                         2 * CHUNK_BYTES, 2 * CHUNK_BYTES]
    assert _hub_chunk_rows(hub, sha) == 3 and _hub_bytes(hub, sha) == content
    assert _listed(hub, station) == [sha]


def test_a_round_stopped_mid_file_resumes_at_the_hubs_offset(station: Database, hub: HubThread,
                                                              proxy: FaultProxy, tmp_path: Path) -> None:
    add_requests(station, 1)
    content = _jpeg(CHUNK_BYTES * 5 + 7)
    sha = _attach(station, tmp_path, content)
    # The station stops (closed, cancelled) after three chunks reached the hub.
    summary = run_sync(station, options=FAST, cancel=lambda: len(_chunk_posts(proxy)) >= 3)
    assert any("resume" in e for e in summary.errors), summary.errors
    with hub.db.session() as s:
        row = s.get(hub_att.AttachmentFile, (1, sha))
        assert row is not None and row.received == 3 * CHUNK_BYTES and not row.complete
    assert _listed(hub, station) == []  # half a file never shows as attached
    assert [a.sync_state for a in att.list_attachments(station, _first(station))] == ["pending"]
    summary = run_sync(station, options=FAST)
    assert summary.ok and summary.errors == []
    assert [_offset(s) for s in _chunk_posts(proxy)][3:] == [3 * CHUNK_BYTES, 4 * CHUNK_BYTES, 5 * CHUNK_BYTES]
    assert _hub_bytes(hub, sha) == content and _listed(hub, station) == [sha]


def test_a_chunk_damaged_on_the_way_is_refused_and_sent_again(station: Database, hub: HubThread,
                                                              proxy: FaultProxy, tmp_path: Path) -> None:
    add_requests(station, 1)
    content = _jpeg(CHUNK_BYTES * 2)
    sha = _attach(station, tmp_path, content)
    damaged: list[int] = []

    def flip(body: bytes) -> bytes:
        return body[:100] + bytes([body[100] ^ 0xFF]) + body[101:]

    def rule(seen: Seen) -> Fault | None:
        if seen.path.startswith(f"/api/v1/attachments/{sha}") and _offset(seen) == CHUNK_BYTES and not damaged:
            damaged.append(1)
            return Fault(rewrite_request=flip)
        return None

    proxy.state.rule = rule
    summary = run_sync(station, options=FAST)
    assert summary.ok and summary.errors == []
    assert [_offset(s) for s in _chunk_posts(proxy)] == [0, CHUNK_BYTES, CHUNK_BYTES]
    assert _hub_bytes(hub, sha) == content and _listed(hub, station) == [sha]


def test_files_the_hub_refuses_are_marked_with_its_reason(tmp_path: Path) -> None:
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", attachment_max_bytes=CHUNK_BYTES,
                    attachment_station_quota=CHUNK_BYTES + 10).start()
    proxy = FaultProxy(hub.url).start()
    try:
        db = open_station(tmp_path / "station", "XH03", proxy.url, hub.add_station("XH03"))
        add_requests(db, 1)
        small = _attach(db, tmp_path, _jpeg(CHUNK_BYTES), name="small.jpg")
        assert run_sync(db, options=FAST).ok
        big = _attach(db, tmp_path, _jpeg(CHUNK_BYTES + 1), name="big.jpg")
        over = _attach(db, tmp_path, _jpeg(100), name="over.jpg")  # fits one file, not the station's quota
        summary = run_sync(db, options=FAST)
        assert summary.ok
        states = {a.sha256: (a.sync_state, a.sync_error) for a in att.list_attachments(db, _first(db))}
        assert states[small] == ("synced", None)
        assert states[big][0] == "refused" and "at most" in (states[big][1] or "")
        assert states[over][0] == "refused" and "quota" in (states[over][1] or "")
        assert any("refused" in e for e in summary.errors)
        sent = len(_chunk_posts(proxy))
        run_sync(db, options=FAST)
        assert len(_chunk_posts(proxy)) == sent  # a refused file is not sent again
        db.close()
    finally:
        proxy.stop()
        hub.stop()


def test_hub_refuses_wrong_kind_bad_whole_hash_and_quota(hub: HubThread) -> None:
    token = hub.add_station("XH09")
    with httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}",
                                                 "X-Xuhui-Protocol": "1"}) as client:
        _refusals(hub, client)


def _refusals(hub: HubThread, client: httpx.Client) -> None:
    from xuhui_desk.hub.models import HubStation

    with hub.db.session() as s:
        station_id = s.scalars(select(HubStation.id).where(HubStation.code == "XH09")).one()

    def put(sha: str, chunk: bytes, *, offset: int = 0, size: int | None = None, media: str = "image/png",
            chunk_sha: str | None = None) -> httpx.Response:
        return client.post(f"/api/v1/attachments/{sha}", content=chunk,
                           params={"offset": offset, "size": size or len(chunk), "media_type": media},
                           headers={"X-Xuhui-Chunk-SHA256": chunk_sha or hashlib.sha256(chunk).hexdigest()})

    pdf = b"%PDF-1.4\n" + os.urandom(100)
    resp = put(hashlib.sha256(pdf).hexdigest(), pdf, media="image/png")
    assert resp.status_code == 415 and resp.json()["error"] == "attachment_type"
    resp = put(hashlib.sha256(pdf).hexdigest(), pdf, media="text/html")
    assert resp.status_code == 415
    # Every chunk matches its own hash, but the whole is not the file named: thrown away.
    wrong = "0" * 64
    assert put(wrong, pdf[:50], size=len(pdf), media="application/pdf").status_code == 200
    resp = put(wrong, pdf[50:], offset=50, size=len(pdf), media="application/pdf")
    assert resp.status_code == 422 and resp.json()["offset"] == 0
    assert hub_att.file_states(hub.db, station_id, [wrong]) == [{"sha256": wrong, "state": "partial", "offset": 0}]
    # A chunk past the hub's offset: told where to resume.
    resp = put(wrong, pdf[50:], offset=50, size=len(pdf), media="application/pdf")
    assert resp.status_code == 409 and resp.json()["offset"] == 0
    # A damaged chunk.
    resp = put(hashlib.sha256(pdf).hexdigest(), pdf, media="application/pdf", chunk_sha="1" * 64)
    assert resp.status_code == 422 and resp.json()["error"] == "attachment_chunk_hash"
    # Too big for the hub.
    resp = put("a" * 64, pdf, size=20 * 1024 * 1024, media="application/pdf")
    assert resp.status_code == 413
    status = client.post("/api/v1/attachments/status", json={"files": [wrong, "b" * 64]})
    assert [f["state"] for f in status.json()["files"]] == ["partial", "absent"]
    assert client.post("/api/v1/attachments/status", json={"files": "x"}).status_code == 400
    assert httpx.post(f"{hub.url}/api/v1/attachments/status", json={"files": []},
                      headers={"X-Xuhui-Protocol": "1"}).status_code == 401
