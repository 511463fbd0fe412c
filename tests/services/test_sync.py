"""The sync engine against a real hub on 127.0.0.1, through a fault-injecting proxy.

Every fault case ends the same way: station and hub hold exactly the same requests,
timelines and enterprises, with no duplicates, nothing lost and nothing left "sending".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.synckit import (
    VENV_BIN,
    Fault,
    FaultProxy,
    HubProcess,
    HubThread,
    Seen,
    add_requests,
    assert_converged,
    edit_request,
    open_station,
    station_states,
    wait_for,
)
from xuhui_desk.db import Database
from xuhui_desk.hub import store
from xuhui_desk.models import Request, SyncBatch, SyncMeta, SyncState
from xuhui_desk.services.station import set_setting
from xuhui_desk.services.sync import (
    SyncOptions,
    SyncProgress,
    SyncSummary,
    recover,
    rejected_records,
    resend,
    run_sync,
    sync_status,
)

FAST = SyncOptions(read_timeout=2.0, health_timeout=1.0, connect_timeout=1.0, attempts=3, backoff_base=0.01,
                   backoff_max=0.05)


def sync(db: Database, **kw: Any) -> SyncSummary:
    return run_sync(db, options=kw.pop("options", FAST), **kw)


def is_push(seen: Seen) -> bool:
    return seen.path.startswith("/api/v1/sync/push")


def nth_push(n: int, fault: Fault) -> Any:
    """A proxy rule applying ``fault`` to the n-th push (1-based) only."""
    count = {"pushes": 0}
    lock = threading.Lock()

    def rule(seen: Seen) -> Fault | None:
        if not is_push(seen):
            return None
        with lock:
            count["pushes"] += 1
            return fault if count["pushes"] == n else None

    return rule


def test_a_clean_round(station: Database, hub: HubThread, proxy: FaultProxy) -> None:
    add_requests(station, 12, enterprises=4)
    seen: list[SyncProgress] = []
    summary = sync(station, progress=seen.append)
    assert summary.ok, summary.error
    assert (summary.pushed, summary.duplicates, summary.rejected, summary.pending) == (4 + 12 + 12, 0, 0, 0)
    assert summary.skew_seconds is not None and abs(summary.skew_seconds) < 5 and summary.skew_warning is None
    assert seen[0].phase == "checking" and seen[-1].phase == "finished"
    assert {"pushing", "pulling"} <= {p.phase for p in seen}
    assert_converged(station, hub.db, expect=12)
    with station.session() as s:
        assert {r.synced_revision for r in s.scalars(select(Request))} == {1}
        batches = s.scalars(select(SyncBatch)).all()
        assert batches and {b.state for b in batches} == {"done"}
    status = sync_status(station)
    assert (status.pending, status.in_error, status.paused, status.running) == (0, 0, None, False)
    assert status.last_success_at is not None and status.last_error is None
    # Pushes were gzip-compressed; nothing is sent again on the next round.
    assert any(s.headers.get("content-encoding") == "gzip" for s in proxy.pushes())
    pushes = len(proxy.pushes())
    again = sync(station)
    assert again.ok and again.pushed == 0 and len(proxy.pushes()) == pushes


def test_sync_command(station: Database, hub: HubThread, capsys: pytest.CaptureFixture[str]) -> None:
    from xuhui_desk.cli import main

    add_requests(station, 2)
    data_dir = str(station.path.parent)
    assert main(["--data-dir", data_dir, "sync", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"pushed", "duplicates", "rejected", "pulled", "pending"} <= set(out)
    assert out["pending"] == 0 and out["ok"] is True
    set_setting(station, "hub_url", "")
    assert main(["--data-dir", data_dir, "sync"]) == 1
    err = capsys.readouterr().err
    assert "hub_url is empty" in err and "settings set hub_url" in err
    offline = sync(station, url="http://127.0.0.1:9")
    assert offline.error_kind == "unreachable" and "cannot reach the hub at http://127.0.0.1:9" in offline.error


def test_answer_dropped_after_the_hub_committed(station: Database, hub: HubThread, proxy: FaultProxy) -> None:
    add_requests(station, 30)
    proxy.state.rule = nth_push(1, Fault(after="drop"))
    summary = sync(station)
    assert summary.ok, summary.error
    first, retry = proxy.pushes()[:2]
    assert json.loads(_body(first))["batch_id"] == json.loads(_body(retry))["batch_id"], "the retry reused the id"
    assert_converged(station, hub.db, expect=30)
    # Every answer dropped: the round gives up, the hub holds what it committed, nothing is lost.
    add_requests(station, 5, start=100)
    proxy.state.rule = lambda seen: Fault(after="drop") if is_push(seen) else None
    failed = sync(station)
    assert not failed.ok and failed.error_kind == "unreachable" and failed.pending > 0
    assert set(station_states(station).values()) == {"synced", "pending"}
    proxy.state.rule = None
    healed = sync(station)
    assert healed.ok and healed.duplicates > 0
    assert_converged(station, hub.db, expect=35)


def _body(seen: Seen) -> bytes:
    import gzip

    return gzip.decompress(seen.body) if seen.headers.get("content-encoding") == "gzip" else seen.body


def test_hub_killed_mid_batch(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = HubProcess(url).start()
    proxy = FaultProxy(hub.url).start()
    try:
        from xuhui_desk.hub.database import open_hub_database

        token = store.add_station(admin := open_hub_database(url), "XH03")
        db = open_station(tmp_path / "station", "XH03", proxy.url, token)
        add_requests(db, 600, enterprises=50)

        def kill_soon() -> None:
            threading.Timer(0.02, hub.kill).start()

        proxy.state.rule = nth_push(2, Fault(before=kill_soon))
        summary = sync(db, options=SyncOptions(**{**FAST.__dict__, "batch_records": 200}))
        assert not summary.ok and summary.error_kind == "unreachable"
        assert hub.proc is not None and hub.proc.returncode == -signal.SIGKILL
        assert "sending" not in station_states(db).values()
        hub = HubProcess(url, port=hub.port).start()
        healed = sync(db)
        assert healed.ok, healed.error
        assert_converged(db, admin, expect=600)
        db.close()
        admin.close()
    finally:
        proxy.stop()
        hub.stop()


def test_workstation_killed_mid_batch_and_restarted(station: Database, hub: HubThread,
                                                    proxy: FaultProxy) -> None:
    add_requests(station, 300, enterprises=30)
    proxy.state.rule = nth_push(2, Fault(before=lambda: proxy.state.stopping.wait(3)))
    env = {**os.environ, "XUHUI_DESK_DATA_DIR": str(station.path.parent)}
    child = subprocess.Popen([str(VENV_BIN / "xuhui-desk"), "sync"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(proxy.pushes()) >= 2, timeout=30)
        with station.session() as s:
            sending = s.scalar(select(func.count()).where(Request.sync_state == SyncState.SENDING)) or 0
            sending += s.scalar(select(func.count()).where(SyncMeta.key == "round_lease")) or 0
        assert sending > 0, "the child was not mid-batch"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    proxy.state.rule = None
    # The restarted program: its round takes over the dead process's lease and recovers first.
    summary = sync(station)
    assert summary.ok, summary.error
    assert_converged(station, hub.db, expect=300)
    with station.session() as s:
        states = {b.state for b in s.scalars(select(SyncBatch))}
    assert "interrupted" in states and "sending" not in states


def test_recover_puts_sending_back_to_pending(station: Database) -> None:
    uuids = add_requests(station, 3)
    with station.write() as s:
        for r in s.scalars(select(Request)):
            r.sync_state = SyncState.SENDING
    assert recover(station) >= 3
    assert set(station_states(station).values()) == {"pending"}
    assert uuids


def test_one_record_rejected(station: Database, hub: HubThread, proxy: FaultProxy) -> None:
    good = add_requests(station, 8)
    (bad,) = add_requests(station, 1, description="贷", start=50)
    summary = sync(station)
    assert summary.ok and summary.rejected == 1 and summary.in_error == 1
    states = station_states(station)
    assert states[bad] == "error" and {states[u] for u in good} == {"synced"}
    (shown,) = rejected_records(station)
    assert shown.uuid == bad and shown.type == "request" and shown.kind == "rejected"
    assert shown.message("zh_CN") == "诉求内容过短：至少4个字"
    assert "too short" in shown.message("en")
    assert sync_status(station).in_error == 1
    # Not sent again until edited.
    pushes = len(proxy.pushes())
    assert sync(station).ok and len(proxy.pushes()) == pushes
    edit_request(station, bad, description="贷款额度不够，想申请提高授信")
    fixed = sync(station)
    assert fixed.ok and fixed.in_error == 0 and fixed.pushed >= 1
    assert_converged(station, hub.db, expect=9)
    assert rejected_records(station) == []


def test_resend_after_a_fix_made_elsewhere(station: Database, hub: HubThread) -> None:
    (bad,) = add_requests(station, 1, description="贷")
    assert sync(station).rejected == 1
    assert resend(station, [bad]) == 1
    assert sync_status(station).pending >= 1
    again = sync(station)
    assert again.rejected == 1  # still refused: the hub's rule did not change
    assert resend(station) == 1


def test_backlog_of_5000_through_a_small_body_limit_and_latency(station: Database, hub: HubThread,
                                                                proxy: FaultProxy) -> None:
    add_requests(station, 5000, enterprises=500)
    proxy.state.body_limit = 8 * 1024
    proxy.state.latency = 0.01
    started = time.monotonic()
    summary = sync(station)
    elapsed = time.monotonic() - started
    assert summary.ok, summary.error
    assert summary.pushed == 500 + 5000 + 5000 and summary.pending == 0
    too_large = [s for s in proxy.pushes() if len(s.body) > 8 * 1024]
    assert too_large, "the body limit was never hit"
    assert len(too_large) < 10, "one 413 should shrink the rest of the round's batches"
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert_converged(station, hub.db, expect=5000)


def test_token_revoked_mid_sync(station: Database, hub: HubThread, proxy: FaultProxy) -> None:
    add_requests(station, 100, enterprises=10)
    proxy.state.rule = nth_push(2, Fault(before=lambda: store.revoke_station(hub.db, "XH03")))
    summary = sync(station, options=SyncOptions(**{**FAST.__dict__, "batch_records": 20}))
    assert not summary.ok and summary.error_kind == "auth"
    assert "new token" in (summary.error or "")
    assert summary.pending > 0 and "sending" not in station_states(station).values()
    pushes = len(proxy.pushes())
    assert pushes == 2, "401 is not retried"
    set_setting(station, "hub_token", hub.add_station("XH03"))
    proxy.state.rule = None
    healed = sync(station)
    assert healed.ok, healed.error
    assert_converged(station, hub.db, expect=100)


def test_hub_requiring_a_newer_client_pauses_sync_not_intake(station: Database, hub: HubThread,
                                                            proxy: FaultProxy) -> None:
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request

    add_requests(station, 3)
    hub.config.min_client_protocol = 2
    summary = sync(station)
    assert not summary.ok and summary.error_kind == "upgrade" and summary.paused
    assert "newer version" in summary.paused and proxy.pushes() == []
    assert sync_status(station).paused == summary.paused
    saved = create_request(station, IntakeInput(EnterpriseInput("上海暂停测试科技有限公司"), "希望对接银行科技贷款",
                                                category="other"))
    assert saved.tracking_no.startswith("XH03-")
    # A 426 during the round (the hub was upgraded between calls) pauses it the same way.
    hub.config.min_client_protocol = 1
    proxy.state.rule = lambda seen: Fault(forward=False, status=426) if is_push(seen) else None
    mid = sync(station)
    assert mid.error_kind == "upgrade" and sync_status(station).paused
    proxy.state.rule = None
    resumed = sync(station)
    assert resumed.ok and resumed.paused is None and sync_status(station).paused is None
    assert_converged(station, hub.db, expect=4)


@pytest.mark.parametrize("mode", ["down-500", "committed-then-500", "garbage", "timeout"])
def test_hub_failures_give_a_clear_error_and_lose_nothing(station: Database, hub: HubThread,
                                                         proxy: FaultProxy, mode: str) -> None:
    add_requests(station, 40)
    rules = {
        "down-500": (lambda seen: Fault(forward=False, status=500), "server", "HTTP 500"),
        "committed-then-500": (lambda seen: Fault(after="500") if is_push(seen) else None, "server", "HTTP 500"),
        "garbage": (lambda seen: Fault(after="garbage") if is_push(seen) else None, "protocol", "not valid JSON"),
        "timeout": (lambda seen: Fault(hang=10), "timeout", "did not answer within 0.3 s"),
    }
    rule, kind, words = rules[mode]
    proxy.state.rule = rule
    options = SyncOptions(**{**FAST.__dict__, "health_timeout": 0.3, "read_timeout": 0.3, "attempts": 2})
    summary = sync(station, options=options)
    assert not summary.ok and summary.error_kind == kind and words in (summary.error or ""), summary
    assert summary.pending == 40 + 40 + 10 or mode == "committed-then-500"
    assert "sending" not in station_states(station).values()
    assert sync_status(station).last_error == summary.error
    proxy.state.rule = None
    healed = sync(station)
    assert healed.ok, healed.error
    assert_converged(station, hub.db, expect=40)


def test_a_record_the_hub_chokes_on_is_quarantined_alone(station: Database, hub: HubThread,
                                                         proxy: FaultProxy) -> None:
    uuids = add_requests(station, 16)
    poison = uuids[5]

    def rule(seen: Seen) -> Fault | None:
        # The request record itself (not its timeline event, which names it as request_uuid).
        return Fault(hang=10) if is_push(seen) and f'"uuid":"{poison}"'.encode() in _body(seen) else None

    proxy.state.rule = rule
    options = SyncOptions(**{**FAST.__dict__, "read_timeout": 0.3})
    summary = sync(station, options=options)
    assert summary.ok and summary.in_error == 1, summary
    states = station_states(station)
    assert states[poison] == "error" and sum(v == "synced" for v in states.values()) == 15
    (shown,) = rejected_records(station)
    assert shown.kind == "timeout"
    proxy.state.rule = None
    resend(station)
    assert sync(station).ok
    assert_converged(station, hub.db, expect=16)


def test_an_edit_during_upload_leaves_the_record_pending(station: Database, hub: HubThread,
                                                         proxy: FaultProxy) -> None:
    (uuid,) = add_requests(station, 1)
    edited = threading.Event()

    def edit() -> None:
        if not edited.is_set():
            edited.set()
            edit_request(station, uuid, description="想申请一笔银行信用贷款（已补充金额）")

    proxy.state.rule = nth_push(1, Fault(before=edit))  # the batch carrying the request
    summary = sync(station)
    assert summary.ok and edited.is_set()
    # Revision 1 was acknowledged; revision 2 went in the round's next pass.
    assert_converged(station, hub.db, expect=1)
    with station.session() as s:
        req = s.scalars(select(Request)).one()
        assert (req.revision, req.synced_revision, req.sync_state) == (2, 2, "synced")


def test_a_station_restored_from_an_older_backup_continues_above_the_hub(station: Database, hub: HubThread) -> None:
    (uuid,) = add_requests(station, 1)
    edit_request(station, uuid, description="第二版：想申请一笔银行信用贷款")
    assert sync(station).ok
    # As if the database were restored to before the edit, then edited differently.
    with station.write() as s:
        req = s.scalars(select(Request)).one()
        req.revision, req.description, req.sync_state = 2, "恢复后的另一版描述内容", SyncState.PENDING
    summary = sync(station)
    assert summary.ok and summary.rebased == 1 and summary.pending == 0
    assert_converged(station, hub.db, expect=1)
    assert store.list_requests(hub.db)[0]["description"] == "恢复后的另一版描述内容"


def test_one_round_at_a_time(station: Database) -> None:
    add_requests(station, 1)
    with station.write() as s:
        s.add(SyncMeta(key="round_lease", value=json.dumps({"owner": "x", "pid": os.getpid(),
                                                            "expires": "2999-01-01T00:00:00+00:00"})))
    busy = sync(station)
    assert busy.error_kind == "busy" and sync_status(station).running
    with station.write() as s:
        s.get(SyncMeta, "round_lease").value = json.dumps(  # type: ignore[union-attr]
            {"owner": "x", "pid": 2 ** 22 + 12345, "expires": "2999-01-01T00:00:00+00:00"})
    assert sync(station).ok, "a dead process's lease is taken over"


def test_cancel_stops_between_batches_and_keeps_everything(station: Database, hub: HubThread) -> None:
    add_requests(station, 50)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    summary = sync(station, cancel=cancel, options=SyncOptions(**{**FAST.__dict__, "batch_records": 10}))
    assert summary.error_kind == "cancelled" and summary.pending > 0
    assert "sending" not in station_states(station).values()
    assert sync(station).ok
    assert_converged(station, hub.db, expect=50)


def test_a_new_hub_gets_everything_again(station: Database, hub: HubThread, tmp_path: Path) -> None:
    add_requests(station, 5)
    assert sync(station).ok
    other = HubThread(f"sqlite:///{tmp_path / 'other.db'}").start()
    try:
        set_setting(station, "hub_url", other.url)
        set_setting(station, "hub_token", other.add_station("XH03"))
        summary = sync(station)
        assert summary.ok and summary.pushed == 5 + 5 + 1
        assert any("hub changed" in e for e in summary.errors)
        assert_converged(station, other.db, expect=5)
    finally:
        other.stop()
