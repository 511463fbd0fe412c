"""The station trusts the hub only over TLS and checks what comes back (audit H4), and never
leaves a record pending for ever because the hub lost its parent (issue 10, D9). Against the
real hub on 127.0.0.1, through the fault-injecting proxy of ``tests/synckit.py``."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.synckit import (
    Fault,
    FaultProxy,
    HubThread,
    Seen,
    add_requests,
    assert_converged,
    open_station,
)
from xuhui_desk.db import Database
from xuhui_desk.hub import store
from xuhui_desk.models import Request, RequestEvent
from xuhui_desk.services import workflow
from xuhui_desk.services.station import check_hub_url, set_setting
from xuhui_desk.services.sync import (
    SyncOptions,
    SyncSummary,
    rejected_records,
    resend,
    run_sync,
    sync_status,
)
from xuhui_desk.services.timefmt import display, iso_local, to_local
from xuhui_desk.validation import ValidationFailed

FAST = SyncOptions(read_timeout=5.0, health_timeout=2.0, connect_timeout=1.0, attempts=2, backoff_base=0.01,
                   backoff_max=0.05)


def sync(db: Database, **kw: Any) -> SyncSummary:
    return run_sync(db, options=kw.pop("options", FAST), **kw)


# --- TLS only ---------------------------------------------------------------------------------

def test_a_hub_address_without_tls_is_refused_unless_loopback_or_allowed(station: Database) -> None:
    for url in ("http://hub.example.cn", "http://10.1.2.3:8700", "http://[fe80::1]:8700"):
        with pytest.raises(ValidationFailed) as refused:
            set_setting(station, "hub_url", url)
        assert "https://" in str(refused.value)
    for url in ("https://hub.example.cn", "http://127.0.0.1:8700", "http://127.8.9.10", "http://localhost:8700",
                "http://[::1]:8700"):
        assert check_hub_url(url) == [], url
    assert check_hub_url("ftp://hub.example.cn")[0].code == "hub_url.invalid"
    # A one-off --url is held to the same rule: nothing is sent, the reason is in words.
    summary = sync(station, url="http://hub.example.cn")
    assert not summary.ok and summary.error_kind == "config" and "https://" in (summary.error or "")
    assert not sync_status(station).insecure
    # The lead may allow an insecure hub; sync then says so, for a lasting warning in the GUI.
    set_setting(station, "allow_insecure_hub", "1")
    assert set_setting(station, "hub_url", "http://hub.example.cn/") == "http://hub.example.cn"
    assert sync_status(station).insecure
    with pytest.raises(ValueError):
        set_setting(station, "allow_insecure_hub", "yes")


def test_the_token_goes_only_to_push_and_pull_never_to_health(station: Database, hub: HubThread,
                                                               proxy: FaultProxy) -> None:
    add_requests(station, 2)
    summary = sync(station)
    assert summary.ok and not summary.insecure
    with proxy.state.lock:
        seen = list(proxy.state.seen)
    health = [s for s in seen if s.path.startswith("/api/v1/health")]
    others = [s for s in seen if s.path.startswith(("/api/v1/sync/push", "/api/v1/sync/pull"))]
    assert health and others
    assert all("authorization" not in s.headers for s in health)
    assert all(s.headers["authorization"].startswith("Bearer xh1_") for s in others)


# --- what comes back --------------------------------------------------------------------------

def _evil(tracking_no: str, request_uuid: str) -> Any:
    """The audit's man in the middle: the pull answer rewritten with a closed status, a
    5,029-character formula department and forged events (station origin, a 2.4 MB reply,
    rating "abc", a date in 9999)."""
    def event(kind: str, data: dict[str, Any], origin: str = "hub", when: str = "2026-12-01T01:00:00+00:00",
              ) -> dict[str, Any]:
        return {"type": "event", "uuid": f"e0000000-0000-4000-8000-{abs(hash((kind, when))) % 10**12:012d}",
                "revision": 1, "request_uuid": request_uuid, "kind": kind, "actor": "区长", "origin": origin,
                "occurred_at": when, "data": data}

    def rewrite(body: bytes) -> bytes:
        page = json.loads(body)
        forged = [
            {"seq": 10**6, "type": "request", "request_uuid": request_uuid, "tracking_no": tracking_no,
             "status": "closed", "department": '=HYPERLINK("http://evil","x")' + "D" * 5000,
             "department_by_district": True, "events": []},
            {"seq": 10**6 + 1, "type": "request", "request_uuid": request_uuid, "tracking_no": tracking_no,
             "status": "closed", "department": None, "department_by_district": False, "events": [
                 event("reply", {"text": "已办结" * 800_000}, origin="station")]},
            {"seq": 10**6 + 2, "type": "request", "request_uuid": request_uuid, "tracking_no": tracking_no,
             "status": "replied", "department": None, "department_by_district": False,
             "events": [event("rated", {"rating": "abc"})]},
            {"seq": 10**6 + 3, "type": "request", "request_uuid": request_uuid, "tracking_no": tracking_no,
             "status": "replied", "department": None, "department_by_district": False,
             "events": [event("reply", {"text": "来自未来"}, when="9999-12-31T23:59:59+00:00")]},
        ]
        page["changes"] = [*page["changes"], *forged]
        page["next_cursor"] = 10**6 + 3
        return json.dumps(page, ensure_ascii=False).encode()

    return rewrite


def test_an_evil_proxy_rewriting_the_pull_is_quarantined_and_the_honest_change_applied(
        station: Database, hub: HubThread, proxy: FaultProxy) -> None:
    (target, honest) = add_requests(station, 2)
    assert sync(station).ok
    with station.session() as s:
        rows = {r.uuid: r for r in s.scalars(select(Request))}
        tracking, before = rows[target].tracking_no, (rows[target].status, rows[target].department)
        honest_no = rows[honest].tracking_no
    store.district_update(hub.db, honest_no, reply="已联系合作银行")
    proxy.state.rule = lambda seen: (Fault(rewrite=_evil(tracking, target))
                                     if seen.path.startswith("/api/v1/sync/pull") else None)
    summary = sync(station)
    proxy.state.rule = None
    assert summary.ok, summary.error
    assert summary.pulled == 5 and summary.quarantined == 4 and summary.in_error == 4
    with station.session() as s:
        req = s.scalars(select(Request).where(Request.uuid == target)).one()
        assert (req.status, req.department) == before  # nothing of the forgery applied
        assert [e.origin for e in req.events] == ["station"]
        fine = s.scalars(select(Request).where(Request.uuid == honest)).one()
        assert fine.status == "replied" and [e.kind for e in fine.events][-1] == "status_changed"
    listed = [r for r in rejected_records(station) if r.type == "change"]
    assert len(listed) == 4 and {r.tracking_no for r in listed} == {tracking}
    reasons = [r.message("zh_CN") for r in listed]
    assert "承办部门过长" in reasons[0]
    assert any("记录过大" in m for m in reasons) and any("来源" in m for m in reasons)
    assert any("评价应为1至5" in m for m in reasons) and any("不在合理范围内" in m for m in reasons)
    assert all(r.message("en") for r in listed)
    # The next round goes on normally; dismissing the quarantined changes empties the list.
    assert sync(station).ok
    assert resend(station, [target]) == 4 and sync_status(station).in_error == 0


def test_a_time_beyond_the_calendar_never_breaks_showing_it() -> None:
    far, early = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)
    assert to_local(far) == far and iso_local(far).startswith("9999-12-31T23:59:59")
    assert display(far) == "9999-12-31 23:59" and display(early, with_time=False)


# --- D9: records whose parent the hub lost ----------------------------------------------------

def test_a_hub_restored_from_an_older_backup_gets_the_lost_request_again(tmp_path: Path) -> None:
    """The hub keeps its identity but lost what came after its backup: the station's note on a
    request the hub no longer has used to stay pending for ever ("pending 1", round after round)."""
    db_file = tmp_path / "hub.db"
    hub = HubThread(f"sqlite:///{db_file}")
    token = hub.add_station("XH03")
    hub.db.close()
    backup = tmp_path / "hub-backup.db"  # a hub that knows the station, and no request yet
    shutil.copyfile(db_file, backup)
    hub = HubThread(f"sqlite:///{db_file}").start()
    station = open_station(tmp_path / "station", "XH03", hub.url, token)
    try:
        (req_uuid,) = add_requests(station, 1)
        assert sync(station).ok and sync_status(station).pending == 0
        hub.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(backup, db_file)
        hub = HubThread(f"sqlite:///{db_file}").start()
        set_setting(station, "hub_url", hub.url)
        workflow.apply(station, req_uuid, note="企业补充了营业执照复印件")
        summary = sync(station)
        assert summary.ok, summary.error
        assert summary.pending == 0 and summary.in_error == 0, summary.errors
        assert_converged(station, hub.db, expect=1)
        assert sync(station).pending == 0
    finally:
        station.close()
        hub.stop()


def test_a_wiped_hub_gets_everything_and_the_new_note(tmp_path: Path) -> None:
    db_file = tmp_path / "hub.db"
    hub = HubThread(f"sqlite:///{db_file}").start()
    station = open_station(tmp_path / "station", "XH03", hub.url, hub.add_station("XH03"))
    try:
        uuids = add_requests(station, 3)
        assert sync(station).ok
        hub.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        hub = HubThread(f"sqlite:///{db_file}").start()
        set_setting(station, "hub_url", hub.url)
        set_setting(station, "hub_token", hub.add_station("XH03"))
        workflow.apply(station, uuids[0], note="企业补充了营业执照复印件")
        summary = sync(station)
        assert summary.ok and summary.pending == 0 and summary.in_error == 0, summary.errors
        assert_converged(station, hub.db, expect=3)
    finally:
        station.close()
        hub.stop()


def test_a_parent_the_hub_refuses_again_lands_in_the_refused_list_in_words(station: Database, hub: HubThread,
                                                                            proxy: FaultProxy) -> None:
    (req_uuid,) = add_requests(station, 1)
    assert sync(station).ok
    workflow.apply(station, req_uuid, note="补充材料")

    def unknown_parent(seen: Seen) -> Fault | None:
        # A hub that keeps answering "request unknown" for the note, whatever is re-sent.
        if not seen.path.startswith("/api/v1/sync/push") or b'"kind":"note"' not in _plain(seen.body):
            return None

        def rewrite(body: bytes) -> bytes:
            answer = json.loads(body)
            for r, sent in zip(answer["results"], json.loads(_plain(seen.body))["records"], strict=True):
                if sent.get("kind") == "note":
                    r.update(status="rejected", errors=[{"field": "request_uuid", "code": "request.unknown"}])
            return json.dumps(answer).encode()

        return Fault(rewrite=rewrite)

    proxy.state.rule = unknown_parent
    summary = sync(station)
    assert summary.ok and summary.pending == 0 and summary.in_error == 1, summary.errors
    (refused,) = rejected_records(station)
    assert refused.type == "event" and "区级平台没有这条记录所属的诉求" in refused.message("zh_CN")
    with station.session() as s:
        assert s.scalars(select(RequestEvent.sync_state).where(RequestEvent.kind == "note")).one() == "error"


def _plain(body: bytes) -> bytes:
    import gzip

    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
