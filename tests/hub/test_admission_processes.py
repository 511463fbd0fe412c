"""Sync first across hub processes on one PostgreSQL (xuhui_desk/hub/admission.py,
``SyncAcrossProcesses``): a push in flight in any hub process holds back the console pages of
every one of them (within the bound), never the health check, and a process that dies takes its
hold with it — real ``xuhui-hub serve`` processes (two of them, and ``serve --workers 2``) over
real HTTP.

A push is held "in flight" from outside the hub: its request line, headers and the first bytes of
its body are sent, the rest only when the test says (the gate counts a sync request from its
first byte to its last).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.hub.test_api import enterprise
from tests.synckit import POSTGRES_ENV, VENV_BIN, HubProcess, free_port, postgres_schema_url, wait_for
from xuhui_desk.hub import admission, store
from xuhui_desk.hub.database import open_hub_database
from xuhui_desk.sync_protocol import PROTOCOL_HEADER, PUSH_PATH, push_body

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set (the cross-process gate is PostgreSQL's)")
    with postgres_schema_url() as url:
        yield url


def gate_env(wait: float) -> dict[str, str]:
    return {admission.WAIT_ENV: str(wait), admission.CONCURRENCY_ENV: "4"}


def station_token(url: str) -> str:
    db = open_hub_database(url)
    try:
        return store.add_station(db, "XH03", rotate=True)
    finally:
        db.close()


def sync_locks_held(url: str) -> int:
    """How many hub processes hold the "sync in flight" lock right now (in any schema)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return int(c.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = CAST(:ns AS integer)::oid AND objsubid = 2"), {"ns": admission.SYNC_LOCK_NAMESPACE}))
    finally:
        engine.dispose()


class HeldPush:
    """A push whose body is sent only partly until :meth:`finish`."""

    def __init__(self, port: int, token: str) -> None:
        self.body = json.dumps(push_body(str(uuid.uuid4()), "XH03", [enterprise()])).encode()
        head = (f"POST {PUSH_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                f"{PROTOCOL_HEADER}: 1\r\nContent-Type: application/json\r\nContent-Length: {len(self.body)}\r\n"
                "Connection: close\r\n\r\n")
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(head.encode() + self.body[:20])
        self.released_at = 0.0

    def finish(self) -> int:
        """Send the rest; the push's HTTP status."""
        self.released_at = time.monotonic()
        self.sock.sendall(self.body[20:])
        answer = b""
        while b"\r\n" not in answer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        self.sock.close()
        return int(answer.split(b" ", 2)[1])


class Fetch(threading.Thread):
    """One GET on a connection of its own, in a thread; ``done_at`` is when its answer arrived."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.response: httpx.Response | None = None
        self.done_at = 0.0
        self.start()

    def run(self) -> None:
        self.response = httpx.get(self.url, timeout=60)
        self.done_at = time.monotonic()


def held_push_in(url: str, port: int, token: str) -> HeldPush:
    before = sync_locks_held(url)
    push = HeldPush(port, token)
    wait_for(lambda: sync_locks_held(url) > before, timeout=10, interval=0.02)
    return push


def health_answers(url: str) -> None:
    t0 = time.monotonic()
    assert httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200
    assert time.monotonic() - t0 < 2.0


def test_a_push_in_one_hub_process_holds_the_pages_of_another(postgres_url: str) -> None:
    token = station_token(postgres_url)
    a = HubProcess(postgres_url, extra_env=gate_env(20)).start()
    b = HubProcess(postgres_url, extra_env=gate_env(20)).start()
    try:
        # Nothing in flight: B's pages are not held back.
        t0 = time.monotonic()
        assert httpx.get(f"{b.url}/console/login", timeout=30).status_code == 200
        assert time.monotonic() - t0 < 5.0
        push = held_push_in(postgres_url, a.port, token)
        pages = [Fetch(f"{b.url}/console/login"), Fetch(f"{b.url}/track")]
        time.sleep(1.5)
        assert all(p.is_alive() for p in pages), "hub B served a page while hub A had a push in flight"
        health_answers(b.url)  # health is never gated
        assert push.finish() == 200
        for p in pages:
            p.join(30)
            assert p.response is not None and p.response.status_code == 200
            assert p.done_at >= push.released_at
        wait_for(lambda: sync_locks_held(postgres_url) == 0, timeout=10, interval=0.02)
    finally:
        a.stop()
        b.stop()


def test_a_page_waits_for_another_process_no_longer_than_the_bound(postgres_url: str) -> None:
    token = station_token(postgres_url)
    a = HubProcess(postgres_url, extra_env=gate_env(0.5)).start()
    b = HubProcess(postgres_url, extra_env=gate_env(0.5)).start()
    try:
        push = held_push_in(postgres_url, a.port, token)
        t0 = time.monotonic()
        page = Fetch(f"{b.url}/console/login")
        page.join(20)
        # Served while the push is still held: delayed, never starved.
        assert page.response is not None and page.response.status_code == 200
        assert push.released_at == 0.0 and page.done_at - t0 >= 0.45
        assert push.finish() == 200
    finally:
        a.stop()
        b.stop()


def test_a_hub_process_that_dies_mid_push_holds_no_page(postgres_url: str) -> None:
    token = station_token(postgres_url)
    a = HubProcess(postgres_url, extra_env=gate_env(30)).start()
    b = HubProcess(postgres_url, extra_env=gate_env(30)).start()
    try:
        push = held_push_in(postgres_url, a.port, token)
        page = Fetch(f"{b.url}/console/login")
        time.sleep(0.5)
        assert page.is_alive()
        killed_at = time.monotonic()
        a.kill()  # its connection, and with it the lock, goes
        page.join(20)
        assert page.response is not None and page.response.status_code == 200
        assert page.done_at - killed_at < 10, "the dead process's hold outlived it"
        push.sock.close()
    finally:
        a.stop()
        b.stop()


def test_serve_with_two_workers_holds_every_worker_s_pages(postgres_url: str) -> None:
    token = station_token(postgres_url)
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "xuhui-hub"), "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--workers", "2"],
        env={**os.environ, "XUHUI_HUB_DATABASE_URL": postgres_url, **gate_env(20)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                return httpx.get(f"{base}/api/v1/health", timeout=0.5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=60, interval=0.1)
        # Each page on a connection of its own: the two workers take them as the kernel hands
        # them out; whichever worker serves the push, none may serve a page meanwhile.
        push = held_push_in(postgres_url, port, token)
        pages: list[Any] = [Fetch(f"{base}/console/login") for _ in range(8)]
        time.sleep(1.5)
        assert all(p.is_alive() for p in pages), "a worker served a page while the other had a push in flight"
        health_answers(base)
        assert push.finish() == 200
        for p in pages:
            p.join(30)
            assert p.response is not None and p.response.status_code == 200
            assert p.done_at >= push.released_at
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()


def test_the_cross_process_wait_can_be_turned_off(postgres_url: str) -> None:
    """``XUHUI_HUB_SYNC_ACROSS_PROCESSES=0`` (say, behind a PgBouncer in transaction mode): each
    process gates only its own pages, as before."""
    token = station_token(postgres_url)
    env = {**gate_env(20), admission.ACROSS_ENV: "0"}
    a = HubProcess(postgres_url, extra_env=env).start()
    b = HubProcess(postgres_url, extra_env=env).start()
    try:
        push = HeldPush(a.port, token)
        time.sleep(0.5)
        assert sync_locks_held(postgres_url) == 0
        t0 = time.monotonic()
        assert httpx.get(f"{b.url}/console/login", timeout=30).status_code == 200
        assert time.monotonic() - t0 < 5.0
        assert push.finish() == 200
    finally:
        a.stop()
        b.stop()
