"""The hub survives any one station (audit H1, M2): a body that inflates far beyond what a batch
needs is refused while inflating, parsing never stalls other callers, one record and one station
have a size and rate quota. Against the real ``xuhui-hub serve`` process on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.hub.test_api import (
    Station,
    enterprise,
    event_rec,
    request_rec,
    seed,
)
from tests.synckit import HubProcess, HubThread, hub_cli
from xuhui_desk.record_rules import MAX_RECORD_BYTES, decoded_body_limit
from xuhui_desk.sync_protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

MiB = 1024 * 1024


def _vm_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {key} for {pid}")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the hub's memory from /proc")
def test_a_64kb_body_inflating_to_63mb_is_refused_while_health_keeps_answering(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    token = hub_cli(url, "station", "add", "XH03").stdout.strip()
    hub = HubProcess(url).start()
    try:
        assert hub.proc is not None
        pid = hub.proc.pid
        # The audit's body: a valid push envelope whose padding decodes to 63 MiB of {} items.
        head = json.dumps({"protocol": 1, "batch_id": str(uuid.uuid4()), "station": "XH03", "records": []})
        pad = b"[" + b"{}," * (21 * MiB) + b"{}]"
        raw = head[:-1].encode() + b', "pad": ' + pad + b"}"
        body = gzip.compress(raw, compresslevel=9)
        assert len(raw) > 63 * MiB and len(body) < 200 * 1024
        headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                   "Content-Encoding": "gzip", "Content-Type": "application/json"}
        health_times: list[float] = []
        stop = threading.Event()

        def probe() -> None:
            with httpx.Client(base_url=hub.url, timeout=10) as other:
                while not stop.is_set():
                    started = time.monotonic()
                    assert other.get("/api/v1/health").status_code == 200
                    health_times.append(time.monotonic() - started)
                    time.sleep(0.05)

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            with httpx.Client(base_url=hub.url, timeout=60) as attacker:
                for _ in range(3):  # three times in a row: memory does not build up either
                    started = time.monotonic()
                    resp = attacker.post("/api/v1/sync/push", content=body, headers=headers)
                    assert resp.status_code == 413, resp.text
                    assert resp.json()["error"] == "too_large"
                    assert time.monotonic() - started < 5
                # The same padding in the records themselves: refused the same way.
                listed = head[:-len("[]}")].encode() + pad + b"}"
                resp = attacker.post("/api/v1/sync/push", content=gzip.compress(listed), headers=headers)
                assert resp.status_code == 413
        finally:
            stop.set()
            prober.join()
        assert health_times and max(health_times) < 1.0, max(health_times)
        peak_mib = _vm_kib(pid, "VmHWM") / 1024
        print(f"hub peak RSS {peak_mib:.0f} MiB, slowest health {max(health_times):.3f} s")
        assert peak_mib < 300, f"hub peak RSS {peak_mib:.0f} MiB"
    finally:
        hub.stop()


def test_the_decoded_limit_follows_from_the_batch_limits_and_is_advertised(hub: HubThread) -> None:
    limits = httpx.get(f"{hub.url}/api/v1/health", timeout=5).json()["limits"]
    assert limits["max_batch_records"] == 100 and limits["max_record_bytes"] == MAX_RECORD_BYTES
    assert limits["max_decoded_bytes"] == decoded_body_limit(100) < 3 * MiB
    assert {"burst_bytes", "bytes_per_second", "burst_batches", "batches_per_second"} <= set(limits["station_quota"])


def test_a_body_just_over_the_decoded_limit_is_refused_and_one_under_is_parsed(hub: HubThread,
                                                                                station: Station) -> None:
    limit = decoded_body_limit(100)
    head = json.dumps({"batch_id": str(uuid.uuid4()), "station": "XH03", "records": []})[:-1]
    for size, expected in ((limit + 1, 413), (limit - 64, 400)):  # 400: the unknown "pad" key
        pad = size - len(head) - len(', "pad": ""}')
        raw = (head + ', "pad": "' + "x" * pad + '"}').encode()
        assert len(raw) == size
        resp = station.client.post("/api/v1/sync/push", content=gzip.compress(raw),
                                   headers={"Content-Encoding": "gzip"})
        assert resp.status_code == expected, resp.text


def test_one_record_over_the_record_limit_is_refused_alone(hub: HubThread, station: Station) -> None:
    """M2: a 20 MiB note was stored as-is; now a record larger than a legitimate one is refused."""
    ent_uuid, (req_uuid,) = seed(station)
    big = event_rec(req_uuid, "note", note="很" * 12_000)  # 36 KB of UTF-8
    fine = event_rec(req_uuid, "note", note="已电话联系企业")
    results = station.results([big, fine])
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["errors"][0]["code"] == "record.too_large"
    assert "记录过大" in results[0]["errors"][0]["message"]
    huge = gzip.compress(json.dumps({"batch_id": str(uuid.uuid4()), "station": "XH03", "records": [
        event_rec(req_uuid, "note", note="x" * (20 * MiB))]}).encode())
    assert len(huge) < 256 * 1024
    assert station.client.post("/api/v1/sync/push", content=huge,
                               headers={"Content-Encoding": "gzip"}).status_code == 413
    assert ent_uuid


def test_a_station_over_its_quota_gets_429_with_a_reason_and_others_do_not(tmp_path: Path) -> None:
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", station_burst_batches=5, station_batches_per_second=0.5,
                    station_burst_bytes=200_000, station_bytes_per_second=10_000).start()
    try:
        greedy, polite = Station(hub, "XH03"), Station(hub, "XH04")
        answers = [greedy.push([]).status_code for _ in range(8)]
        assert answers[:5] == [200] * 5 and 429 in answers[5:]
        refused = greedy.push([])
        assert refused.status_code == 429 and refused.json()["error"] == "quota"
        assert int(refused.headers["Retry-After"]) >= 1
        assert polite.push([]).status_code == 200
        # The byte quota: a batch of large (legitimate) records drains it.
        time.sleep(2.2)
        ent = enterprise()
        many = [ent, *(request_rec(ent["uuid"], i + 1, description="很长的描述" * 700) for i in range(20))]
        heavy = polite.push(many)
        assert heavy.status_code == 200
        assert polite.push(many).status_code == 429
    finally:
        greedy.client.close()
        polite.client.close()
        hub.stop()
