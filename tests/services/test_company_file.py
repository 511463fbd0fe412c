"""The company file (services/company_file.py): found by id, credit code or name; open requests
first; contacts and open callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.synckit import add_requests, make_uscc, open_station
from xuhui_desk.db import Database
from xuhui_desk.services.company_file import CompanyAmbiguous, CompanyNotFound, company_file
from xuhui_desk.services.followup import record_contact
from xuhui_desk.services.workflow import apply, find_request

NOW = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Database]:
    db = open_station(tmp_path / "station")
    yield db
    db.close()


def test_the_file_by_name_code_or_id_with_open_requests_first(station: Database) -> None:
    # Two companies; requests 0, 2, 4 belong to the first (上海测试00000科技有限公司).
    uuids = add_requests(station, 6, enterprises=2, now=NOW - timedelta(days=2))
    apply(station, uuids[0], status="cancelled", now=NOW - timedelta(days=1))
    apply(station, uuids[2], status="routed", now=NOW - timedelta(days=1))
    apply(station, uuids[2], status="replied", reply="已答复", now=NOW - timedelta(days=1))
    apply(station, uuids[2], rating=4, now=NOW)  # closes it
    record_contact(station, uuids[4], "phone", "电话确认材料 📎", "2027-03-12", now=NOW)
    found = company_file(station, "上海测试00000科技有限公司")
    assert found.profile.name == "上海测试00000科技有限公司" and found.profile.contact_name == "王先生"
    assert [(r.uuid, r.status, r.is_open) for r in found.requests] == [
        (uuids[4], "new", True), (uuids[2], "closed", False), (uuids[0], "cancelled", False)]
    assert found.requests[1].rating == 4 and found.requests[1].department == "legal_dept"
    assert found.open_count == 1
    assert [(c.request_uuid, c.channel, c.summary, c.actor, c.callback_on) for c in found.contacts] == [
        (uuids[4], "phone", "电话确认材料 📎", "李敏", "2027-03-12")]
    with station.session() as s:
        tracking_no = find_request(s, uuids[4]).tracking_no
    assert found.open_callbacks == ((tracking_no, "2027-03-12"),)

    uscc = found.profile.uscc
    assert uscc is not None
    spaced = " ".join([uscc[:6].lower(), uscc[6:12], uscc[12:]])
    assert company_file(station, spaced).profile.id == found.profile.id
    assert company_file(station, found.profile.id).profile.id == found.profile.id
    assert company_file(station, str(found.profile.id)).profile.id == found.profile.id
    assert company_file(station, "测试00000").profile.id == found.profile.id  # part of the name
    payload = found.to_dict()
    assert payload["total"] == 3 and payload["requests"][0]["open"] is True
    assert payload["contacts"][0]["occurred_at"].endswith("+08:00")


def test_unknown_and_ambiguous_keys_say_so(station: Database) -> None:
    add_requests(station, 4, enterprises=2, now=NOW)
    with pytest.raises(CompanyAmbiguous) as caught:
        company_file(station, "上海测试")
    assert caught.value.candidates == ["上海测试00000科技有限公司", "上海测试00001科技有限公司"]
    for key in ("不存在的公司", make_uscc(999), "99999", "", "   ", "100%_"):
        with pytest.raises(CompanyNotFound):
            company_file(station, key)
