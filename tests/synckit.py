"""Test machinery for sync: a real hub on 127.0.0.1 (uvicorn in a thread, or an ``xuhui-hub``
process), a fault-injecting HTTP proxy between station and hub, and helpers that fill a
station database and compare what station and hub hold.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid as uuid_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, text

from xuhui_desk.db import Database, open_database
from xuhui_desk.models import Enterprise, EventKind, Origin, Request, RequestEvent, SyncState
from xuhui_desk.validation import USCC_CHARSET, name_key, uscc_check_char

POSTGRES_ENV = "XUHUI_TEST_POSTGRES_URL"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("condition not met in time")


# --- hub database URLs ------------------------------------------------------------------------

@contextlib.contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A fresh schema in the test PostgreSQL database, dropped afterwards."""
    from sqlalchemy import create_engine, text

    base = os.environ[POSTGRES_ENV]
    schema = f"t_{uuid_module.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# --- the hub ----------------------------------------------------------------------------------

class HubThread:
    """The real hub app served by uvicorn on a free port, in a thread of the test process."""

    def __init__(self, database_url: str, **config: Any) -> None:
        import uvicorn

        from xuhui_desk.hub.app import HubConfig, create_app
        from xuhui_desk.hub.database import open_hub_database

        self.db = open_hub_database(database_url)
        self.config = HubConfig(**config)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(self.db, self.config)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error",
                                                    ws="none", lifespan="off", access_log=False))
        self.thread = threading.Thread(target=self.server.run, name="hub", daemon=True)

    def start(self) -> HubThread:
        self.thread.start()
        wait_for(lambda: self.server.started)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.db.close()

    def add_station(self, code: str) -> str:
        from xuhui_desk.hub import store

        return store.add_station(self.db, code, rotate=True)


class HubProcess:
    """``xuhui-hub serve`` as a child process (it can be killed like a real server)."""

    def __init__(self, database_url: str, port: int | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "XUHUI_HUB_DATABASE_URL": database_url, **(extra_env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> HubProcess:
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "xuhui-hub"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def up() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"hub exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                return httpx.get(f"{self.url}/api/v1/health", timeout=0.5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=30, interval=0.05)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()


def hub_cli(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XUHUI_HUB_DATABASE_URL": database_url}
    result = subprocess.run([str(VENV_BIN / "xuhui-hub"), *args], env=env, capture_output=True, text=True,
                            timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"xuhui-hub {' '.join(args)} failed: {result.stderr}")
    return result


# --- the fault-injecting proxy ----------------------------------------------------------------

@dataclass
class Seen:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Fault:
    """What the proxy does with one request. ``forward`` False answers without the hub."""

    forward: bool = True
    #: After forwarding: "drop" (close without answering), "500", "garbage", or None (pass on).
    after: str | None = None
    #: Answer with this status instead of forwarding (forward False).
    status: int = 502
    #: Hold the request this long (before forwarding) — a hub that does not answer in time.
    hang: float = 0.0
    #: Called before the request goes to the hub (e.g. to revoke a token, edit a record).
    before: Callable[[], None] | None = None
    #: Called after the hub answered, before the answer is passed on.
    hook: Callable[[], None] | None = None
    #: Rewrites the hub's answer body (a man in the middle); the answer is passed on uncompressed.
    rewrite: Callable[[bytes], bytes] | None = None
    #: Rewrites the station's request body before it goes to the hub (damage on the way).
    rewrite_request: Callable[[bytes], bytes] | None = None


@dataclass
class ProxyState:
    latency: float = 0.0
    body_limit: int | None = None
    rule: Callable[[Seen], Fault | None] | None = None
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection"}


class FaultProxy:
    """A small HTTP/1.1 proxy in front of the hub that adds latency, enforces a body limit
    (413) and applies per-request faults chosen by ``rule``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.state = ProxyState()
        self.client = httpx.Client(base_url=upstream, timeout=60)
        state = self.state
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: without this, Nagle's algorithm and
            # the client's delayed ACK add ~40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, body, {k.lower(): v for k, v in self.headers.items()})
                with state.lock:
                    state.seen.append(seen)
                fault = state.rule(seen) if state.rule else None
                if state.latency:
                    time.sleep(state.latency)
                if state.body_limit is not None and len(body) > state.body_limit:
                    self._answer(413, b'{"error":"too_large","message":"proxy body limit"}')
                    return
                if fault is not None and fault.hang:
                    state.stopping.wait(fault.hang)
                    self.close_connection = True
                    return
                if fault is not None and not fault.forward:
                    self._answer(fault.status, b'{"error":"injected","message":"injected failure"}')
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                if fault is not None and fault.before is not None:
                    fault.before()
                if fault is not None and fault.rewrite_request is not None:
                    body = fault.rewrite_request(body)
                try:
                    req = proxy.client.build_request(self.command, self.path, content=body, headers=headers)
                    resp = proxy.client.send(req, stream=True)
                    try:
                        raw = b"".join(resp.iter_raw())
                    finally:
                        resp.close()
                except httpx.HTTPError:
                    self.close_connection = True  # the hub went away: so does the answer
                    return
                if fault is not None and fault.hook is not None:
                    fault.hook()
                headers_out = list(resp.headers.items())
                if fault is not None and fault.rewrite is not None:
                    if resp.headers.get("content-encoding") == "gzip":
                        import gzip

                        raw = gzip.decompress(raw)
                    raw = fault.rewrite(raw)
                    headers_out = [(k, v) for k, v in headers_out if k.lower() != "content-encoding"]
                after = fault.after if fault is not None else None
                if after == "drop":
                    self.close_connection = True
                    return
                if after == "500":
                    self._answer(500, b"Internal Server Error", "text/plain")
                    return
                if after == "garbage":
                    self._answer(200, b"<html>not json{{{", "application/json")
                    return
                self.send_response(resp.status_code)
                for k, v in headers_out:
                    if k.lower() not in _HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _answer(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # server_close() waits for handlers still running (held ones are released by stop()).
        self.server.daemon_threads = False
        self.server.block_on_close = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="fault-proxy", daemon=True)

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.state.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        self.client.close()

    def pushes(self) -> list[Seen]:
        with self.state.lock:
            return [s for s in self.state.seen if s.path.startswith("/api/v1/sync/push")]


# --- the station ------------------------------------------------------------------------------

_TEMPLATE: list[Path] = []


def _template() -> Path:
    """An empty, migrated workstation database, made once per test process and copied."""
    if not _TEMPLATE:
        import atexit
        import shutil
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="xuhui-sync-template-"))
        atexit.register(shutil.rmtree, folder, True)
        open_database(folder / "xuhui_desk.db").close()
        _TEMPLATE.append(folder / "xuhui_desk.db")
    return _TEMPLATE[0]


def open_station(folder: Path, code: str = "XH03", hub_url: str = "", token: str = "") -> Database:
    import shutil

    from xuhui_desk.services.station import init_station, set_setting

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template(), folder / "xuhui_desk.db")
    db = open_database(folder / "xuhui_desk.db")
    init_station(db, code, f"{code} 服务站", specialist="李敏")
    if hub_url:
        set_setting(db, "hub_url", hub_url)
    if token:
        set_setting(db, "hub_token", token)
    return db


def make_uscc(n: int) -> str:
    digits = f"{n:09d}"
    body = "91310104" + "".join(USCC_CHARSET[int(c) + 10] if i % 3 == 0 else c for i, c in enumerate(digits))
    return body + uscc_check_char(body)


CATEGORIES = ("finance", "talent", "legal", "credit", "policy", "space", "permit", "other")
TEXTS = ("想申请一笔银行信用贷款，资金周转紧张", "新招的博士想办理人才引进落户", "和供应商的合同出现违约纠纷需要调解",
         "因为年报逾期被列入经营异常名录", "咨询房租补贴的申报条件", "楼宇的宽带信号太差", "办理营业执照地址变更")


def add_requests(db: Database, count: int, *, code: str | None = None, enterprises: int | None = None,
                 now: datetime | None = None, description: str | None = None, start: int = 0) -> list[str]:
    """Requests saved as intake saves them (enterprise, request, ``created`` event, tracking
    number), without the router; returns their uuids in creation order."""
    from xuhui_desk.services.intake import SHANGHAI
    from xuhui_desk.services.station import require_station

    now = now or datetime.now(UTC)
    enterprises = enterprises or max(1, count // 4)
    with db.write() as s:
        code = code or require_station(s).code
        ents: dict[int, Enterprise] = {}
        for k in sorted({(start + i) % enterprises for i in range(count)}):
            name = f"上海测试{start + k:05d}科技有限公司"
            ent = s.scalars(select(Enterprise).where(Enterprise.name_key == name_key(name))).first()
            if ent is None:
                ent = Enterprise(name=name, name_key=name_key(name), uscc=make_uscc(start * 7 + k + 1),
                                 contact_name="王先生", phone="13812345678", park="漕河泾开发区",
                                 first_seen_at=now, updated_at=now)
                s.add(ent)
            ents[k] = ent
        s.flush()
        # The daily sequence moves by ``count`` at once, as ``count`` intakes would move it.
        day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
        last = s.execute(text("INSERT INTO daily_sequences(station_code, day, last) VALUES (:c, :d, :n) "
                              "ON CONFLICT(station_code, day) DO UPDATE SET last = last + :n RETURNING last"),
                         {"c": code, "d": day, "n": count}).scalar_one()
        rows = []
        for i in range(count):
            category = CATEGORIES[(start + i) % len(CATEGORIES)]
            seq = last - count + 1 + i
            rows.append({"uuid": str(uuid_module.uuid4()), "tracking_no": f"{code}-{day}-{seq:03d}",
                         "enterprise_id": ents[(start + i) % enterprises].id, "channel": "walk_in",
                         "category": category, "department": f"{category}_dept", "urgency": "normal",
                         "description": description or TEXTS[(start + i) % len(TEXTS)], "status": "new",
                         "specialist": "李敏", "created_at": now, "updated_at": now,
                         "sla_due_at": now + timedelta(days=5), "suggested_category": category, "revision": 1,
                         "sync_state": "pending"})
        # Core executemany: the same rows (and index triggers) as intake writes, much faster.
        s.execute(insert(Request.__table__), rows)
        ids = dict(s.execute(select(Request.uuid, Request.id)).all())
        s.execute(insert(RequestEvent.__table__), [
            {"uuid": str(uuid_module.uuid4()), "request_id": ids[r["uuid"]], "kind": EventKind.CREATED.value,
             "actor": "李敏", "origin": "station", "occurred_at": now, "sync_state": "pending",
             "data": {"category": r["category"], "department": r["department"], "status": "new"}} for r in rows])
        return [r["uuid"] for r in rows]


def edit_request(db: Database, uuid: str, **changes: Any) -> None:
    """An edit as the workflow makes one: fields changed, revision bumped, pending again."""
    with db.write() as s:
        req = s.scalars(select(Request).where(Request.uuid == uuid)).one()
        for key, value in changes.items():
            setattr(req, key, value)
        req.revision += 1
        req.sync_state = SyncState.PENDING
        req.sync_error = None


def station_states(db: Database, model: Any = Request) -> dict[str, str]:
    with db.session() as s:
        return dict(s.execute(select(model.uuid, model.sync_state)).all())  # type: ignore[arg-type]


# --- comparing both ends ----------------------------------------------------------------------

REQUEST_KEYS = ("tracking_no", "category", "description", "status", "department", "channel", "urgency")


def station_snapshot(db: Database) -> dict[str, Any]:
    with db.session() as s:
        reqs = {r.uuid: (tuple(getattr(r, k) for k in REQUEST_KEYS), r.enterprise.uuid, r.revision)
                for r in s.scalars(select(Request))}
        events: dict[str, set[str]] = {}
        for ev_uuid, req_uuid in s.execute(select(RequestEvent.uuid, Request.uuid).join(Request)):
            events.setdefault(req_uuid, set()).add(ev_uuid)
        ents = {e.uuid: (e.name, e.uscc, e.revision) for e in s.scalars(select(Enterprise))}
    return {"requests": reqs, "events": events, "enterprises": ents}


def hub_snapshot(hub_db: Any, station: str | None = None) -> dict[str, Any]:
    from xuhui_desk.hub.models import HubEnterprise, HubEvent, HubRequest, HubStation

    with hub_db.session() as s:
        stmt = select(HubRequest)
        if station:
            stmt = stmt.join(HubStation, HubStation.id == HubRequest.station_id).where(HubStation.code == station)
        rows = list(s.scalars(stmt).unique())
        reqs = {r.uuid: (tuple(getattr(r, k) for k in REQUEST_KEYS), r.enterprise.uuid, r.revision) for r in rows}
        ids = {r.id: r.uuid for r in rows}
        events: dict[str, set[str]] = {}
        for ev_uuid, req_id in s.execute(select(HubEvent.uuid, HubEvent.request_id)):
            if req_id in ids:
                events.setdefault(ids[req_id], set()).add(ev_uuid)
        ent_ids = {r.enterprise.uuid for r in rows}
        ents = {e.uuid: (e.name, e.uscc, e.revision) for e in s.scalars(select(HubEnterprise))
                if e.uuid in ent_ids}
    return {"requests": reqs, "events": events, "enterprises": ents}


def assert_converged(db: Database, hub_db: Any, station: str | None = None, *, expect: int | None = None) -> None:
    """Station and hub hold exactly the same requests, events and enterprises; nothing pending,
    nothing left sending, no duplicates (uuids and tracking numbers are unique on both ends)."""
    mine = station_snapshot(db)
    theirs = hub_snapshot(hub_db, station)
    if expect is not None:
        assert len(mine["requests"]) == expect, f"station holds {len(mine['requests'])} requests, want {expect}"
    assert set(mine["requests"]) == set(theirs["requests"]), (
        f"only on station: {len(set(mine['requests']) - set(theirs['requests']))}, "
        f"only on hub: {len(set(theirs['requests']) - set(mine['requests']))}")
    diff = {k: (mine["requests"][k], theirs["requests"][k]) for k in mine["requests"]
            if mine["requests"][k] != theirs["requests"][k]}
    assert not diff, f"{len(diff)} requests differ, e.g. {next(iter(diff.items()))}"
    assert mine["events"] == theirs["events"], "timelines differ"
    used = {v[1] for v in mine["requests"].values()}
    assert {k: v for k, v in mine["enterprises"].items() if k in used} == theirs["enterprises"]
    tracking = [v[0][0] for v in theirs["requests"].values()]
    assert len(tracking) == len(set(tracking)), "duplicate tracking numbers on the hub"
    with db.session() as s:
        for model in (Enterprise, Request, RequestEvent):
            left = s.scalars(select(model.sync_state).where(model.sync_state != SyncState.SYNCED)).all()
            if model is RequestEvent:
                left = s.scalars(select(model.sync_state).where(model.sync_state != SyncState.SYNCED,
                                                                model.origin == Origin.STATION)).all()
            assert not left, f"{model.__name__}: {len(left)} not synced ({set(left)})"


@contextlib.contextmanager
def running(*things: Any) -> Iterator[None]:
    try:
        yield
    finally:
        for thing in reversed(things):
            thing.stop()
