"""The sync panel's list of refused records (``services.sync.refused_rows``), against a real hub:
what the hub refused, with the request to open, the company, the entry's kind and the reason in
the GUI's language; and the panel reads it only through the service (no SQL in ``ui/``)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.synckit import add_requests
from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, EventKind, Origin, Request, RequestEvent
from xuhui_desk.services.sync import RefusedRow, SyncOptions, refused_rows, rejected_records, run_sync
from xuhui_desk.validation import name_key

FAST = SyncOptions(read_timeout=5.0, health_timeout=2.0, connect_timeout=1.0, attempts=2, backoff_base=0.01,
                   backoff_max=0.05)
ROOT = Path(__file__).resolve().parents[2]


def test_refused_rows_name_the_request_the_company_the_entry_and_the_reason(station: Database) -> None:
    good = add_requests(station, 2)
    (bad,) = add_requests(station, 1, description="贷", start=20)
    assert run_sync(station, options=FAST).rejected == 1
    with station.write() as s:
        request = s.scalars(select(Request).where(Request.uuid == good[0])).one()
        # A timeline entry a month ahead of the hub's clock, and a company with a phone number
        # no one can call: the hub refuses both.
        note = RequestEvent(request_id=request.id, kind=EventKind.NOTE, origin=Origin.STATION,
                            occurred_at=datetime.now(UTC) + timedelta(days=30), data={"text": "回访"})
        s.add(note)
        s.add(Enterprise(name="上海退回测试有限公司", name_key=name_key("上海退回测试有限公司"), phone="12"))
        s.flush()
        note_uuid, tracking_no, company = note.uuid, request.tracking_no, request.enterprise.name
    summary = run_sync(station, options=FAST)
    assert summary.ok and summary.rejected == 2, summary.errors

    rows = refused_rows(station, "zh_CN")
    assert [(r.type, r.uuid) for r in rows] == [(r.type, r.uuid) for r in rejected_records(station)]
    by_type = {r.type: r for r in rows}
    assert set(by_type) == {"request", "enterprise", "event"}
    refused_request = by_type["request"]
    assert refused_request.uuid == bad and refused_request.request_uuid == bad
    assert refused_request.reason == "诉求内容过短：至少4个字" and refused_request.kind == "rejected"
    assert refused_request.name.startswith("上海测试") and refused_request.event_kind is None
    entry = by_type["event"]
    assert entry == RefusedRow("event", note_uuid, good[0], tracking_no, company, "note", "rejected",
                               entry.reason)
    assert entry.reason
    firm = by_type["enterprise"]
    assert firm.name == "上海退回测试有限公司" and firm.request_uuid is None and firm.tracking_no is None
    # The same rows in English: only the reasons change.
    english = refused_rows(station, "en")
    assert [r.uuid for r in english] == [r.uuid for r in rows]
    assert "too short" in next(r.reason for r in english if r.type == "request")


def test_nothing_refused_is_an_empty_list(station: Database) -> None:
    add_requests(station, 3)
    assert run_sync(station, options=FAST).ok
    assert refused_rows(station, "zh_CN") == []


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_sync_panel_and_controller_read_through_the_service_only() -> None:
    for name in ("sync_panel.py", "sync_controller.py"):
        imported = _imports(ROOT / "xuhui_desk" / "ui" / name)
        offenders = {n for n in imported if n.split(".")[0] == "sqlalchemy" or n == "xuhui_desk.models"}
        assert not offenders, f"ui/{name} imports {sorted(offenders)}"
