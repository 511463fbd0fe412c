"""District commands never fall over on one bad row (audit H2): each of the audit's poison
records is written straight into the hub database (the door now refuses them), and the real
``xuhui-hub request list/show/update`` and ``report`` still work for every station, naming the
row they skipped or the value they left out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from tests.hub.test_api import Station, enterprise, request_rec
from tests.synckit import HubThread, hub_cli, make_uscc
from xuhui_desk.hub import store
from xuhui_desk.hub.models import HubEvent, HubRequest
from xuhui_desk.hub.report_rows import build_hub_report_checked
from xuhui_desk.models import new_uuid

FAR = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
WEEK = "2026-W48"  # NOW of test_api (26 November 2026) is in it


def _poison(hub: HubThread) -> dict[str, str]:
    """Two stations' clean requests, then the audit's poison written directly into the database."""
    a, b = Station(hub, "XH03"), Station(hub, "XH04")
    try:
        ent_a, ent_b = enterprise(), enterprise(uscc=make_uscc(9))
        reqs_a = [request_rec(ent_a["uuid"], n) for n in range(1, 8)]
        assert {r["status"] for r in a.results([ent_a, *reqs_a])} == {"accepted"}
        assert {r["status"] for r in b.results([ent_b, request_rec(ent_b["uuid"], 1, code="XH04")])} == {"accepted"}
    finally:
        a.client.close()
        b.client.close()
    numbers = {r["uuid"]: r["tracking_no"] for r in reqs_a}
    names = ["rating_abc", "due_9999", "event_9999", "due_2001", "hacked", "rating_minus_7", "clean"]
    poison = dict(zip(names, [numbers[r["uuid"]] for r in reqs_a], strict=True))
    with hub.db.write() as s:
        rows = {r.tracking_no: r for r in s.scalars(select(HubRequest))}

        def event(tracking_no: str, kind: str, data: dict[str, object], when: datetime | None = None) -> None:
            req = rows[tracking_no]
            s.add(HubEvent(uuid=new_uuid(), request=req, kind=kind, actor="李敏", origin="station",
                           occurred_at=when or req.created_at, data=data, received_at=req.received_at))

        event(poison["rating_abc"], "status_changed", {"from": "new", "status": "routed"})
        event(poison["rating_abc"], "rated", {"rating": "abc"})
        rows[poison["due_9999"]].sla_due_at = FAR
        event(poison["event_9999"], "note", {"note": "x"}, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))
        old = rows[poison["due_2001"]]
        old.created_at = datetime(2001, 6, 1, 1, 0, tzinfo=UTC)
        old.sla_due_at = datetime(2001, 6, 8, 9, 30, tzinfo=UTC)
        event(poison["hacked"], "status_changed", {"status": "<hacked>", "from": "new"})
        event(poison["rating_minus_7"], "rated", {"rating": -7})
    return poison


def test_list_show_and_update_survive_every_poisoned_row(hub: HubThread) -> None:
    poison = _poison(hub)
    url = hub.db.url
    listed = hub_cli(url, "request", "list", "--json", check=False)
    assert listed.returncode == 0, listed.stderr
    shown = {r["tracking_no"] for r in json.loads(listed.stdout)}
    assert poison["clean"] in shown and any(t.startswith("XH04-") for t in shown)
    # The rows it cannot use are named on standard error, with the reason, not a traceback.
    for name in ("due_9999", "due_2001"):
        assert poison[name] not in shown and f"skipped {poison[name]}" in listed.stderr
    assert "Traceback" not in listed.stderr
    plain = hub_cli(url, "request", "list", check=False)
    assert plain.returncode == 0 and "skipped" in plain.stdout
    for name in poison:
        shown_one = hub_cli(url, "request", "show", poison[name], check=False)
        assert shown_one.returncode == 0, (name, shown_one.stderr)
        json.loads(shown_one.stdout)
    flagged = json.loads(hub_cli(url, "request", "show", poison["event_9999"]).stdout)
    assert flagged["events"][-1]["invalid"] == ["occurred_at: time.range"]
    assert json.loads(hub_cli(url, "request", "show", poison["due_9999"]).stdout)["problems"]
    # The district can still correct the poisoned requests.
    for name in ("due_9999", "due_2001", "hacked"):
        updated = hub_cli(url, "request", "update", poison[name], "--status", "cancelled", "--json", check=False)
        assert updated.returncode == 0, (name, updated.stderr)
        assert json.loads(updated.stdout)["status"] == "cancelled"


def test_the_roll_up_skips_and_flags_the_poison_and_its_figures_add_up(hub: HubThread, tmp_path: Path) -> None:
    poison = _poison(hub)
    out = tmp_path / "district.xlsx"
    ran = hub_cli(hub.db.url, "report", "--week", WEEK, "--out", str(out), "--json", check=False)
    assert ran.returncode == 0, ran.stderr
    payload = json.loads(ran.stdout)
    skipped = {s["tracking_no"]: s["reason"] for s in payload["skipped"]}
    assert {poison[n] for n in ("rating_abc", "due_9999", "event_9999", "due_2001", "hacked",
                                "rating_minus_7")} <= set(skipped)
    assert "rating 'abc'" in skipped[poison["rating_abc"]]
    assert "'<hacked>'" in skipped[poison["hacked"]]
    assert poison["clean"] not in skipped
    assert out.is_file() and "Traceback" not in ran.stderr
    report, _ = build_hub_report_checked(hub.db, WEEK, now=datetime(2026, 11, 30, tzinfo=UTC))
    # No fake status or rating reaches the figures, and the category table adds up to the total.
    assert {r.status for r in report.requests} <= {"new", "routed"}
    assert all(r.rating is None for r in report.requests)
    assert sum(report.category_total(c) for c in report.categories) == report.totals.new
    assert poison["due_9999"] not in {r.tracking_no for r in report.requests}
    assert store.list_requests(hub.db)  # and the listing still lists
