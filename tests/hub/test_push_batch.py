"""A batch that creates rows and then refers to them again in the same batch (the hub inserts new
rows at the end of a batch with Core; what changes such a row goes through the ORM): over real
HTTP on SQLite and PostgreSQL, answers and stored rows as if the records came one by one."""

from __future__ import annotations

from tests.hub.test_api import Station, enterprise, event_rec, request_rec
from tests.synckit import HubThread, make_uscc
from xuhui_desk.hub import store


def test_a_request_created_and_updated_in_one_batch(hub: HubThread, station: Station) -> None:
    ent = enterprise()
    req = request_rec(ent["uuid"])
    newer = request_rec(ent["uuid"], uid=req["uuid"], rev=2, description="想申请一笔银行信用贷款，金额五百万")
    ev = event_rec(req["uuid"])
    results = station.results([ent, req, newer, ev, ev])
    assert [r["status"] for r in results] == ["accepted", "accepted", "accepted", "accepted", "duplicate"]
    (row,) = store.list_requests(hub.db)
    assert row["revision"] == 2 and row["description"].endswith("五百万")
    detail = store.request_detail(hub.db, row["tracking_no"])
    assert [e["uuid"] for e in detail["events"]] == [ev["uuid"]]
    # The same records again in a new batch: all duplicates, nothing stored twice.
    assert [r["status"] for r in station.results([ent, newer, ev])] == ["duplicate"] * 3
    assert len(store.list_requests(hub.db)) == 1


def test_a_request_moved_to_an_enterprise_new_in_the_same_batch(hub: HubThread, station: Station) -> None:
    first = enterprise()
    req = request_rec(first["uuid"])
    assert [r["status"] for r in station.results([first, req])] == ["accepted"] * 2
    second = enterprise(name="上海另一家科技有限公司", uscc=make_uscc(2))
    moved = request_rec(second["uuid"], uid=req["uuid"], rev=2)
    assert [r["status"] for r in station.results([second, moved])] == ["accepted"] * 2
    (row,) = store.list_requests(hub.db)
    assert row["enterprise_name"] == "上海另一家科技有限公司" and row["revision"] == 2


def test_an_enterprise_twice_in_a_batch_and_a_refused_record_among_new_ones(hub: HubThread,
                                                                          station: Station) -> None:
    ent = enterprise()
    renamed = enterprise(uid=ent["uuid"], rev=2, name="上海示例科技（集团）有限公司")
    good = request_rec(ent["uuid"], 1)
    bad = request_rec(ent["uuid"], 2, description="贷")
    taken = request_rec(ent["uuid"], 1)  # another request with good's tracking number
    orphan = event_rec("00000000-0000-4000-8000-000000000000")
    results = station.results([ent, renamed, good, bad, taken, event_rec(good["uuid"]), orphan])
    assert [r["status"] for r in results] == ["accepted", "accepted", "accepted", "rejected", "rejected",
                                              "accepted", "rejected"]
    assert results[3]["errors"][0]["field"] == "description"
    assert results[4]["errors"][0]["code"] == "tracking_no.taken"
    assert results[6]["errors"][0]["code"] == "request.unknown"
    (row,) = store.list_requests(hub.db)
    assert row["uuid"] == good["uuid"] and row["enterprise_name"] == "上海示例科技（集团）有限公司"
