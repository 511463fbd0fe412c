"""The district console at district scale on PostgreSQL: 15 stations × 2 years.

    .venv/bin/python benchmarks/console_benchmark.py --database-url postgresql+psycopg://… \
        [--requests 1000000] [--runs 60] [--keep]

Not part of ``run_all.py`` (it needs PostgreSQL and loads for minutes). The data go into a fresh
schema ``console_bench`` of the given database (dropped at the end unless ``--keep``; with
``--reuse`` an existing load is used again):

* 15 stations, 100,000 enterprises, ``--requests`` requests spread evenly over the 730 days before
  now (nine departments by category; closed or cancelled except the last 10 days, whose requests
  are new, routed, in progress or replied), 5 timeline events each (created, routed, in progress,
  reply, replied/closed — or notes where the status has not got that far), one change-feed entry
  for each of the last 60 days' requests — generated with set-based ``INSERT … SELECT
  generate_series`` (no ORM objects), then ``ANALYZE``.

Timed through the real app (``xuhui-hub serve`` in its own process on 127.0.0.1; ``--hub-workers
N`` runs it as ``serve --workers N``), HTTP with a session cookie, p50/p95 of ``--runs`` after 5
warm-ups, each beside its **floor**: the same statements in raw SQL on a psycopg connection (the
inbox statement compiled from the console's own query, with the n-gram condition a rare term gets;
the request page's two statements; the dashboard's cache read, or its candidate and timeline reads):

* inbox first page of a department handler (default filter: open work by due time);
* inbox search for a 2-character term (贷款), handler and coordinator; for a 2-character term found
  nowhere (鲲鹏) and a rare term (编号999999), coordinator (whole district);
* request page (random requests of the handler's department);
* dashboard of the last complete week and of the four weeks to its end (coordinator), figures kept
  (the warm-ups store them); the week's first view ever (the kept figures deleted before each view,
  so the view computes them); and — what real use looks like — views of the running week and of the
  last complete one while a station pushes a batch every ``--push-every`` seconds (default 1), each
  view right after a push has been answered (so the hub has always changed since the figures were
  kept: the view serves them marked "updating" while one recompute runs in the background), with
  how many views were marked so and how old the figures they showed were.

Sync under load: push throughput (records/s, ``--push-batches`` batches, default 40, of 33 new
requests with their enterprise and event) alone, then while 20 simulated handlers browse (threads
looping inbox and request pages, ``--think`` seconds apart; default 0, back to back), with the
handlers' page times (p50/p95) for 5 s of browsing alone and during the push burst. The hub's sync-first admission
(xuhui_desk/hub/admission.py) runs with its defaults unless ``--console-wait S`` /
``--console-concurrency N`` say otherwise (``0`` and ``0``: the gate off, pages as before it).
``--only pages|dashboard|sync`` (repeatable) measures a part. Targets: inbox ≤ 50 ms, request
≤ 30 ms, dashboard ≤ 300 ms p95; sync keeps its throughput.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import re
import statistics
import sys
import threading
import time
import uuid as uuid_module
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCHEMA = "console_bench"
CATEGORIES = ["finance", "talent", "legal", "credit", "policy", "space", "permit", "other"]
DEPARTMENTS = ["finance_center", "talent_service", "legal_center", "credit_repair", "policy_service",
               "building_service", "admin_service_center", "enterprise_service_center"]
TEXTS = ["想申请一笔银行信用贷款，资金周转紧张", "新招的博士想办理人才引进落户", "和供应商的合同出现违约纠纷需要调解",
         "因为年报逾期被列入经营异常名录", "咨询房租补贴的申报条件", "楼宇的宽带信号太差", "办理营业执照地址变更",
         "想了解知识产权质押融资", "申请创业担保贷款被退回", "高层次人才想申请人才公寓"]


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def load(url: str, n: int) -> None:
    """Create the schema and fill it with set-based SQL."""
    from sqlalchemy import create_engine, text

    from xuhui_desk.hub.database import open_hub_database

    admin = create_engine(url)
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        c.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    db = open_hub_database(_schema_url(url))  # migrations, as a hub would
    db.close()
    started = time.perf_counter()
    engine = create_engine(_schema_url(url))
    cats, depts, texts = _sql_array(CATEGORIES), _sql_array(DEPARTMENTS), _sql_array(TEXTS)
    steps = [
        ("stations", """
            INSERT INTO stations (id, code, name, token_hash, created_at, token_issued_at, last_seen_at)
            SELECT g, 'XH' || lpad(g::text, 2, '0'), '第' || g || '服务站', NULL, now(), now(),
                   now() - (g % 3) * interval '20 hours'
            FROM generate_series(1, 15) g"""),
        ("enterprises", """
            INSERT INTO enterprises (id, uuid, station_id, name, uscc, contact_name, phone, park, building,
                                     first_seen_at, updated_at, revision, content_hash, received_at, changed_at)
            SELECT g, md5('e' || g)::uuid::text, 1 + g % 15, '上海测试' || g || '科技有限公司', NULL, '王先生',
                   '13812345678', '漕河泾开发区', '', now() - interval '800 days', now() - interval '800 days', 1, 'x',
                   now() - interval '800 days', now() - interval '800 days'
            FROM generate_series(1, 100000) g"""),
        ("requests", f"""
            INSERT INTO requests (id, uuid, station_id, tracking_no, enterprise_id, channel, category, subcategory,
                description, urgency, specialist, created_at, updated_at, sla_due_at, first_response_at,
                resolved_at, rating, rating_comment, linked_request_uuid, suggested_category, station_status,
                station_department, status, department, department_by_district, reply, revision, content_hash,
                received_at, changed_at)
            SELECT i, md5('r' || i)::uuid::text, 1 + i % 15,
                   'XH' || lpad((1 + i % 15)::text, 2, '0') || '-' ||
                       to_char(t.created AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(i::text, 7, '0'),
                   1 + (i::bigint * 7919) % 100000, 'walk_in', ({cats})[1 + i % 8], NULL,
                   ({texts})[1 + i % 10] || '，编号' || i, CASE WHEN i % 20 = 0 THEN 'urgent' ELSE 'normal' END,
                   '李敏', t.created, t.created, t.created + interval '7 days', t.created + interval '1 hour',
                   CASE WHEN t.recent THEN NULL ELSE t.created + interval '3 days' END,
                   CASE WHEN NOT t.recent AND i % 3 = 0 THEN 1 + i % 5 END, NULL, NULL, ({cats})[1 + i % 8],
                   t.status, ({depts})[1 + i % 8], t.status, ({depts})[1 + i % 8], false, NULL, 1, 'x',
                   t.created, t.created
            FROM generate_series(1, {n}) i,
                 LATERAL (SELECT now() - interval '730 days' + (i::float / {n}) * interval '730 days' AS created) c,
                 LATERAL (SELECT c.created, c.created > now() - interval '10 days' AS recent,
                     CASE WHEN c.created > now() - interval '10 days'
                          THEN (ARRAY['new','routed','in_progress','replied'])[1 + i % 4]
                          WHEN i % 50 = 0 THEN 'cancelled' ELSE 'closed' END AS status) t"""),
        ("events", """
            INSERT INTO events (id, uuid, request_id, kind, actor, origin, occurred_at, data, received_at)
            SELECT (r.id - 1) * 5 + k, md5('v' || r.id || '-' || k)::uuid::text, r.id,
                   CASE WHEN k > s.stage THEN 'note'
                        ELSE (ARRAY['created','routed','status_changed','reply','status_changed'])[k] END,
                   CASE WHEN k <= 2 THEN '李敏' ELSE '王芳' END,
                   CASE WHEN k <= 2 OR k > s.stage THEN 'station' ELSE 'hub' END,
                   r.created_at + (ARRAY[interval '0', interval '1 hour', interval '1 day', interval '3 days',
                                         interval '3 days 1 minute'])[k],
                   CASE WHEN k > s.stage THEN json_build_object('note', '跟进记录 ' || k)
                        WHEN k = 1 THEN json_build_object('category', r.category, 'department', r.department,
                                                          'status', 'new')
                        WHEN k = 2 THEN json_build_object('from', 'new', 'status', 'routed')
                        WHEN k = 3 THEN json_build_object('from', 'routed', 'status', 'in_progress')
                        WHEN k = 4 THEN json_build_object('text', '已答复企业')
                        ELSE json_build_object('from', 'in_progress', 'status',
                                               'replied')
                   END,
                   r.created_at + (ARRAY[interval '0', interval '1 hour', interval '1 day', interval '3 days',
                                         interval '3 days 1 minute'])[k]
            FROM requests r
            CROSS JOIN LATERAL (SELECT CASE r.status WHEN 'new' THEN 1 WHEN 'routed' THEN 2 WHEN 'in_progress'
                                THEN 3 ELSE 5 END AS stage) s
            CROSS JOIN generate_series(1, 5) k"""),
        ("changes", """
            INSERT INTO changes (station_id, request_id, payload, created_at)
            SELECT r.station_id, r.id, json_build_object('request_uuid', r.uuid, 'tracking_no', r.tracking_no,
                   'status', r.status, 'department', r.department, 'events', json_build_array(),
                   'department_by_district', false), r.created_at + interval '1 day'
            FROM requests r WHERE r.created_at > now() - interval '60 days' ORDER BY r.id"""),
        ("sequences", """
            SELECT setval(pg_get_serial_sequence('stations', 'id'), 15),
                   setval(pg_get_serial_sequence('enterprises', 'id'), 100000),
                   setval(pg_get_serial_sequence('requests', 'id'), (SELECT max(id) FROM requests)),
                   setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))"""),
    ]
    for name, sql in steps:
        t0 = time.perf_counter()
        with engine.begin() as c:
            c.execute(text(sql))
        print(f"  loaded {name} in {time.perf_counter() - t0:.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE"))
    engine.dispose()
    print(f"  load total {time.perf_counter() - started:.0f} s", flush=True)


def _schema_url(url: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{SCHEMA}"


def _start_hub(hub: Any, workers: int) -> Any:
    """``hub`` (a tests.synckit.HubProcess) started as ``xuhui-hub serve --workers N``."""
    if workers <= 1:
        return hub.start()
    import subprocess

    import httpx

    from tests.synckit import VENV_BIN, wait_for

    hub.proc = subprocess.Popen(
        [str(VENV_BIN / "xuhui-hub"), "serve", "--host", "127.0.0.1", "--port", str(hub.port), "--log-level",
         "warning", "--workers", str(workers)], env=hub.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def up() -> bool:
        try:
            return httpx.get(f"{hub.url}/api/v1/health", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=60, interval=0.1)
    return hub


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any], runs: int, warm: int = 5) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("XUHUI_BENCH_POSTGRES_URL")
                        or os.environ.get("XUHUI_TEST_POSTGRES_URL"))
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="use the schema loaded by an earlier run")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--only", choices=["pages", "dashboard", "sync"], action="append",
                        help="measure only these parts (repeatable; default: all)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each simulated handler waits between pages (default 0: back to back)")
    parser.add_argument("--hub-workers", type=int, default=1,
                        help="run the hub as `xuhui-hub serve --workers N` (default 1)")
    parser.add_argument("--push-batches", type=int, default=40,
                        help="batches of 99 records per push measurement, alone and while browsing (default 40)")
    parser.add_argument("--push-every", type=float, default=1.0,
                        help="seconds between a station's pushes while the dashboard is viewed (default 1)")
    parser.add_argument("--console-wait", type=float, default=None,
                        help="the hub's XUHUI_HUB_CONSOLE_WAIT_SECONDS (default: the hub's own; 0: pages do not wait)")
    parser.add_argument("--per-process-gate", action="store_true",
                        help="XUHUI_HUB_SYNC_ACROSS_PROCESSES=0: each hub process gates only its own pages")
    parser.add_argument("--console-concurrency", type=int, default=None,
                        help="the hub's XUHUI_HUB_CONSOLE_CONCURRENCY (default: the hub's own; 0: no cap)")
    args = parser.parse_args()
    if not args.database_url or "postgresql" not in args.database_url:
        raise SystemExit("give --database-url postgresql+psycopg://… (or XUHUI_BENCH_POSTGRES_URL)")
    import httpx
    import psycopg
    from sqlalchemy import create_engine, text
    from sqlalchemy.dialects import postgresql

    from tests.synckit import HubProcess
    from xuhui_desk.hub.console import accounts, casework
    from xuhui_desk.hub.database import open_hub_database
    from xuhui_desk.hub.store import add_station
    from xuhui_desk.services.reports import SHANGHAI, last_complete_week, week_of
    from xuhui_desk.sync_protocol import PROTOCOL_HEADER, PUSH_PATH, push_body, to_wire

    if not args.reuse:
        print(f"loading {args.requests:,} requests and {5 * args.requests:,} events …", flush=True)
        load(args.database_url, args.requests)
    url = _schema_url(args.database_url)
    db = open_hub_database(url)
    with create_engine(url).connect() as c:
        counts = {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("requests", "events", "changes")}
    print(f"  rows: {counts}", flush=True)
    for name, role, depts in (("bench-handler", "handler", ["finance_center"]), ("bench-coord", "coordinator", [])):
        with contextlib.suppress(accounts.AccountError):
            accounts.create_user(db, name, "bench-password-1", role, departments=depts)
    handler_token, handler = accounts.login(db, "bench-handler", "bench-password-1")
    coord_token, coordinator = accounts.login(db, "bench-coord", "bench-password-1")
    push_token = add_station(db, "XH01", rotate=True)

    # The hub in its own process, as deployed (the clients below would otherwise share its GIL).
    from xuhui_desk.hub import admission

    gate_env = {}
    if args.console_wait is not None:
        gate_env[admission.WAIT_ENV] = str(args.console_wait)
    if args.console_concurrency is not None:
        gate_env[admission.CONCURRENCY_ENV] = str(args.console_concurrency)
    if args.per_process_gate:
        gate_env[admission.ACROSS_ENV] = "0"
    gate = admission.AdmissionSettings(
        console_wait_seconds=args.console_wait if args.console_wait is not None
        else admission.AdmissionSettings.console_wait_seconds,
        console_concurrency=args.console_concurrency if args.console_concurrency is not None
        else admission.AdmissionSettings.console_concurrency)
    hub = _start_hub(HubProcess(url, extra_env=gate_env), args.hub_workers)
    parts = set(args.only or ["pages", "dashboard", "sync"])
    base = hub.url
    h = httpx.Client(base_url=base, cookies={"xuhui_console": handler_token}, timeout=60)
    co = httpx.Client(base_url=base, cookies={"xuhui_console": coord_token}, timeout=60)
    raw = psycopg.connect(args.database_url.replace("postgresql+psycopg://", "postgresql://"),
                          options=f"-csearch_path={SCHEMA}")
    raw.autocommit = True

    def sql_of(stmt: Any) -> str:
        return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))

    def floor(sql: str) -> Callable[[], None]:
        def run() -> None:
            with raw.cursor() as cur:
                cur.execute(sql)
                cur.fetchall()
        return run

    results: list[tuple[str, list[float], list[float] | None, float | None]] = []

    def check(r: httpx.Response) -> None:
        if r.status_code != 200:
            raise SystemExit(f"{r.request.url}: {r.status_code} {r.text[:300]}")

    # Inbox first page (handler): the console's own statement, compiled, is the floor.
    captured: dict[str, str] = {}

    def inbox_sql(who: accounts.Principal, f: casework.InboxFilter) -> str:
        from sqlalchemy import select

        from xuhui_desk.hub.models import HubEnterprise, HubRequest, HubStation

        stmt = (select(HubRequest.id, HubRequest.tracking_no, HubRequest.created_at, HubRequest.sla_due_at,
                       HubRequest.status, HubRequest.category, HubRequest.department, HubRequest.urgency,
                       HubStation.code, HubEnterprise.name)
                .join(HubEnterprise, HubEnterprise.id == HubRequest.enterprise_id)
                .join(HubStation, HubStation.id == HubRequest.station_id))
        stmt = casework.scope(stmt, who)
        if f.status == casework.STATUS_OPEN_WORK:
            stmt = stmt.where(HubRequest.status.in_(casework.OPEN_WORK)).order_by(
                HubRequest.sla_due_at.is_(None), HubRequest.sla_due_at, HubRequest.id)
        else:
            stmt = stmt.order_by(HubRequest.id.desc())
        if f.q:
            stmt = casework._search(stmt, f.q)
            if who.sees_all_departments:  # as casework.inbox does on PostgreSQL
                from xuhui_desk.hub.console import search_index

                with db.session() as s:
                    for term in casework.search_terms(f.q):
                        found_in = search_index.rare_term_condition(s, term)
                        if found_in is not None:
                            stmt = stmt.where(found_in)
        return sql_of(stmt.limit(51))

    if "pages" in parts:
        captured["inbox"] = inbox_sql(handler, casework.InboxFilter())
        results.append(("inbox first page (handler, open work by due time)",
                        timed(lambda: check(h.get("/console/")), args.runs), timed(floor(captured["inbox"]), args.runs),
                        50))
        q = "贷款"
        results.append((f"inbox search '{q}', all statuses (handler)",
                        timed(lambda: check(h.get("/console/", params={"q": q, "status": "all"})), args.runs),
                        timed(floor(inbox_sql(handler, casework.InboxFilter(status="all", q=q))), args.runs), 50))
        results.append((f"inbox search '{q}', all statuses (coordinator: whole district)",
                        timed(lambda: check(co.get("/console/", params={"q": q, "status": "all"})), args.runs),
                        timed(floor(inbox_sql(coordinator, casework.InboxFilter(status="all", q=q))), args.runs),
                        None))
        absent = "鲲鹏"  # two characters found nowhere: the plain match's worst case (it reads every row)
        results.append((f"inbox search '{absent}' (2 characters, in no request), all statuses (coordinator)",
                        timed(lambda: check(co.get("/console/", params={"q": absent, "status": "all"})), 10),
                        timed(floor(inbox_sql(coordinator, casework.InboxFilter(status="all", q=absent))), 10),
                        None))
        rare = "编号999999"
        results.append((f"inbox search '{rare}' (rare), all statuses (coordinator: whole district)",
                        timed(lambda: check(co.get("/console/", params={"q": rare, "status": "all"})), 10),
                        timed(floor(inbox_sql(coordinator, casework.InboxFilter(status="all", q=rare))), 10), None))
    with raw.cursor() as cur:
        cur.execute("SELECT tracking_no FROM requests WHERE department = 'finance_center' ORDER BY random() LIMIT 500")
        numbers = [r[0] for r in cur.fetchall()]
    if "pages" in parts:
        rng = random.Random(7)

        def request_page() -> None:
            check(h.get(f"/console/requests/{rng.choice(numbers)}"))

        def request_floor() -> None:
            no = rng.choice(numbers)
            with raw.cursor() as cur:
                cur.execute("SELECT r.*, e.*, s.* FROM requests r JOIN enterprises e ON e.id = r.enterprise_id "
                            "JOIN stations s ON s.id = r.station_id WHERE r.tracking_no = %s", (no,))
                rid = cur.fetchone()[0]
                cur.execute("SELECT kind, actor, origin, occurred_at, data FROM events WHERE request_id = %s "
                            "ORDER BY id", (rid,))
                cur.fetchall()

        results.append(("request page (handler's department, random)", timed(request_page, args.runs),
                        timed(request_floor, args.runs), 30))
    week = last_complete_week(datetime.now(UTC))
    start, end = week.start, week.end

    def dashboard_floor() -> None:
        with raw.cursor() as cur:
            cur.execute("""
                SELECT r.id, r.tracking_no, r.created_at, e.name, e.uscc, e.contact_name, e.phone, r.category,
                       r.department, r.sla_due_at, r.status, r.first_response_at, r.resolved_at, r.rating, s.code
                FROM requests r JOIN enterprises e ON e.id = r.enterprise_id JOIN stations s ON s.id = r.station_id
                WHERE r.created_at < %(end)s AND (r.created_at >= %(start)s
                      OR r.status IN ('new', 'routed', 'in_progress') OR r.changed_at >= %(start)s
                      OR r.updated_at >= %(start)s OR r.id IN (SELECT request_id FROM events
                          WHERE occurred_at >= %(start)s OR received_at >= %(start)s))
                ORDER BY r.id""", {"start": start, "end": end})
            ids = [row[0] for row in cur.fetchall()]
            cur.execute("SELECT request_id, occurred_at, kind, data FROM events WHERE request_id = ANY(%s) "
                        "ORDER BY id", (ids,))
            cur.fetchall()

    def cache_floor() -> None:
        # What a cached view reads: the freshness token, the entry (and the stations, not shown).
        with raw.cursor() as cur:
            cur.execute("SELECT (SELECT max(id) FROM events), (SELECT max(received_at) FROM events), "
                        "(SELECT max(id) FROM requests), (SELECT max(changed_at) FROM requests), "
                        "(SELECT max(changed_at) FROM enterprises)")
            cur.fetchall()
            cur.execute("SELECT figures FROM console_dashboard_cache WHERE period = %s AND scope = '' "
                        "AND language = 'zh_CN'", (week.label,))
            cur.fetchall()

    def uncached_view() -> None:
        with raw.cursor() as cur:
            cur.execute("DELETE FROM console_dashboard_cache")  # as after a change: recomputed
        check(co.get("/console/dashboard", params={"week": week.label}))

    # A station's pushes (batches of 33 new requests with their enterprise and event: 99 records).
    counter = iter(range(10**9))

    def batch() -> dict[str, Any]:
        now = datetime.now(UTC)
        day = now.strftime("%Y%m%d")
        records = []
        for _ in range(33):
            k = next(counter)
            e_uuid, r_uuid = str(uuid_module.uuid4()), str(uuid_module.uuid4())
            records.append(to_wire("enterprise", e_uuid, 1, {
                "name": f"上海压测{k}科技有限公司", "uscc": None, "contact_name": "王先生", "phone": "13812345678",
                "park": "", "building": "", "first_seen_at": now, "updated_at": now}))
            records.append(to_wire("request", r_uuid, 1, {
                "tracking_no": f"XH01-{day}-{900000 + k}", "enterprise_uuid": e_uuid, "channel": "walk_in",
                "category": "finance", "subcategory": None, "department": "finance_center",
                "description": "想申请一笔银行信用贷款", "urgency": "normal", "status": "new", "sla_due_at": None,
                "specialist": "李敏", "created_at": now, "updated_at": now, "first_response_at": None,
                "resolved_at": None, "rating": None, "rating_comment": None, "linked_request_uuid": None,
                "suggested_category": "finance", "status_base": None}))
            records.append(to_wire("event", str(uuid_module.uuid4()), 1, {
                "request_uuid": r_uuid, "kind": "created", "actor": "李敏", "origin": "station", "occurred_at": now,
                "data": {"status": "new"}}))
        return push_body(str(uuid_module.uuid4()), "XH01", records)

    pusher = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {push_token}", PROTOCOL_HEADER: "1"},
                          timeout=60)

    def push_rate(batches: int) -> float:
        bodies = [batch() for _ in range(batches)]
        t0 = time.perf_counter()
        for body in bodies:
            r = pusher.post(PUSH_PATH, json=body)
            assert r.status_code == 200, r.text[:200]
        return batches * 99 / (time.perf_counter() - t0)

    running = week_of(datetime.now(UTC))
    under_push: list[tuple[str, int, int, float]] = []

    def views_while_pushing(params: dict[str, str], runs: int) -> tuple[list[float], list[float], int]:
        """``runs`` dashboard views, each as soon as the next push of a station pushing every
        ``--push-every`` seconds has been answered: (view times in ms, age of the figures shown
        in s, views marked "updating")."""
        check(co.get("/console/dashboard", params=params))  # figures kept from here on
        stop, landed = threading.Event(), threading.Event()

        def push_steadily() -> None:
            while not stop.is_set():
                r = pusher.post(PUSH_PATH, json=batch())
                assert r.status_code == 200, r.text[:200]
                landed.set()
                stop.wait(args.push_every)

        thread = threading.Thread(target=push_steadily, daemon=True)
        thread.start()
        times: list[float] = []
        ages: list[float] = []
        updating = 0
        try:
            for _ in range(runs):
                landed.clear()
                assert landed.wait(60), "no push landed"
                t0 = time.perf_counter()
                r = co.get("/console/dashboard", params=params)
                times.append((time.perf_counter() - t0) * 1000)
                check(r)
                marked = re.search(r'id="updating" data-computed-at="([^"]+)"', r.text)
                if marked:
                    updating += 1
                    ages.append((datetime.now(UTC) - datetime.fromisoformat(marked.group(1))).total_seconds())
        finally:
            stop.set()
            thread.join(60)
        return times, ages, updating

    last_day = week.end.astimezone(SHANGHAI).date() - timedelta(days=1)
    span = {"from": (last_day - timedelta(days=27)).isoformat(), "to": last_day.isoformat()}
    if "dashboard" in parts:
        results.append((f"dashboard, week {week.label} (coordinator), figures kept",
                        timed(lambda: check(co.get("/console/dashboard", params={"week": week.label})),
                              max(10, args.runs // 3), warm=2),
                        timed(cache_floor, max(10, args.runs // 3), warm=2), 300))
        results.append((f"dashboard, 4 weeks {span['from']}..{span['to']} (coordinator), figures kept",
                        timed(lambda: check(co.get("/console/dashboard", params=span)), max(10, args.runs // 3),
                              warm=2), None, 300))
        results.append((f"dashboard, week {week.label}, first view ever (no figures kept: computed in the view)",
                        timed(uncached_view, 5, warm=1), timed(dashboard_floor, 5, warm=1), None))
        # Views while a station pushes: each view right after a push has landed (so the hub has
        # always changed since the kept figures), the running week and the last complete one.
        for label, params in ((f"running week {running.label}", {"week": running.label}),
                              (f"week {week.label}", {"week": week.label})):
            times, ages, updating = views_while_pushing(params, args.runs)
            under_push.append((label, updating, len(times), max(ages, default=0.0)))
            results.append((f"dashboard, {label} (coordinator), each view right after a push (a push every "
                            f"{args.push_every:g} s, running throughout)", times,
                            timed(cache_floor, max(10, args.runs // 3), warm=2), 300))

    alone = loaded = page_rate = 0.0
    if "sync" in parts:
        # Sync under load.
        push_rate(3)
        alone = push_rate(args.push_batches)
        stop = threading.Event()
        pages = [0]
        # Each page's (finished at, seconds taken), to split them into "browsing alone" and
        # "during the push burst" by when they finished.
        page_times: list[tuple[float, float]] = []

        def browse(i: int) -> None:
            c = httpx.Client(base_url=base, cookies={"xuhui_console": handler_token}, timeout=60)
            r = random.Random(i)
            while not stop.is_set():
                p0 = time.perf_counter()
                c.get("/console/") if r.random() < 0.4 else c.get(f"/console/requests/{r.choice(numbers)}")
                p1 = time.perf_counter()
                page_times.append((p1, p1 - p0))
                pages[0] += 1
                if args.think:
                    stop.wait(args.think)
            c.close()

        browsers = [threading.Thread(target=browse, args=(i,), daemon=True) for i in range(20)]
        for b in browsers:
            b.start()
        time.sleep(2)
        alone_from = time.perf_counter()
        time.sleep(5)
        t0, p0 = time.perf_counter(), pages[0]
        loaded = push_rate(args.push_batches)
        t1 = time.perf_counter()
        page_rate = (pages[0] - p0) / (t1 - t0)
        pages_alone = [d * 1000 for end, d in list(page_times) if alone_from <= end < t0]
        pages_burst = [d * 1000 for end, d in list(page_times) if t0 <= end <= t1]
        stop.set()
        for b in browsers:
            b.join(timeout=30)

    print()
    version = raw.info.server_version
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}; PostgreSQL {version // 10000}.{version % 100}; "
          f"{counts['requests']:,} requests, {counts['events']:,} events; the app and PostgreSQL share the machine")
    print("| what | p50 | p95 | floor p50 / p95 (raw SQL) | target p95 | verdict |")
    print("|---|---|---|---|---|---|")
    for name, figures, floor_figures, target in results:
        fl = f"{statistics.median(floor_figures):.1f} / {pct(floor_figures, .95):.1f} ms" if floor_figures else "—"
        verdict = "—" if target is None else ("met" if pct(figures, .95) <= target else "MISSED")
        tgt = f"≤ {target} ms" if target else "—"
        print(f"| {name} | {statistics.median(figures):.1f} ms | {pct(figures, .95):.1f} ms | {fl} | {tgt} | "
              f"{verdict} |")
    for label, updating, views, oldest in under_push:
        print(f"(dashboard, {label}, views right after pushes: {updating} of {views} served the kept figures "
              f"marked \"updating\"; the oldest of them {oldest:.1f} s old)")
    print(f"(load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())})")
    if "sync" in parts:
        print(f"| sync push alone ({args.push_batches} batches; hub workers: {args.hub_workers}) | "
              f"{alone:,.0f} records/s | | | | |")
        print(f"| sync push while 20 handlers browse (think {args.think:g} s; {page_rate:.0f} pages/s served "
              f"meanwhile; hub workers: "
              f"{args.hub_workers}) | {loaded:,.0f} records/s | | | keeps its throughput | "
              f"{loaded / alone:.0%} of alone |")
        print(f"(hub admission: console wait {gate.console_wait_seconds:g} s, console concurrency "
              f"{gate.console_concurrency or 'no cap'}, sync linger {gate.sync_linger_seconds:g} s, "
              f"{'per process' if args.per_process_gate else 'across processes (PostgreSQL)'}; "
              f"0 s / no cap = gate off)")
        for label, times in (("browsing alone, 5 s", pages_alone), ("during the push burst", pages_burst)):
            if times:
                print(f"| handlers' pages, {label} ({len(times)} pages) | {statistics.median(times):.1f} ms | "
                      f"{pct(times, .95):.1f} ms | | | |")
    hub.stop()
    raw.close()
    db.close()
    if not args.keep:
        eng = create_engine(args.database_url)
        with eng.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        eng.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
