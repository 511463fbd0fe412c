"""``xuhui-desk policies --company KEY`` and ``--push`` end to end: real processes on a temporary
data folder whose catalogue is the shipped sample (stored as the hub's feed would store it), the
profile given through ``intake --json-lines``; bad input gets a clear message, a non-zero exit and
loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.test_cli import desk
from xuhui_desk.policies import parse_catalogue
from xuhui_desk.resources import resource_path

COMPANY = {"name": "上海示例科技有限公司", "uscc": "9131010452601815X3", "contact_name": "王先生",
           "phone": "13812345678", "industry_code": "6513", "established": "2024-06-01",
           "registered_in_xuhui": True, "size": "small", "qualifications": ["科技型中小企业"], "employees": 12}


def _store_sample_catalogue(data_dir: Path) -> list[str]:
    from xuhui_desk.config import database_path
    from xuhui_desk.db import open_database
    from xuhui_desk.services.policies import replace_catalogue

    raw = json.loads(Path(str(resource_path("policies", "sample_catalogue.json"))).read_text(encoding="utf-8"))
    policies = parse_catalogue(raw)
    db = open_database(database_path(data_dir))
    try:
        replace_catalogue(db, 1, policies)
    finally:
        db.close()
    return [p.id for p in policies]


@pytest.fixture
def station(data_dir: Path) -> Path:
    assert desk(data_dir, "init", "--station-code", "XS01", "--station-name", "示例服务站").returncode == 0
    assert desk(data_dir, "settings", "set", "specialist", "李敏").returncode == 0
    line = json.dumps({"enterprise": COMPANY, "description": "想申请银行贷款，资金周转紧张"}, ensure_ascii=False)
    p = desk(data_dir, "intake", "--json-lines", "-", "--json", stdin=line)
    assert p.returncode == 0, p.stderr
    _store_sample_catalogue(data_dir)
    return data_dir


def test_matches_for_a_company_with_reasons_and_the_facts_to_ask(station: Path) -> None:
    p = desk(station, "policies", "--company", COMPANY["uscc"], "--json")
    assert p.returncode == 0, p.stderr
    matches = json.loads(p.stdout)
    assert matches and {"policy_id", "outcome", "reasons", "missing"} <= set(matches[0])
    outcomes = [m["outcome"] for m in matches]
    assert outcomes == sorted(outcomes, key=["eligible", "possible", "not_eligible"].index)
    assert {"eligible", "not_eligible"} <= set(outcomes)
    # The intake line's facts are the profile: revenue was not given, so it is asked, never assumed.
    asked = {f for m in matches for f in m["missing"]}
    assert asked <= {"revenue_wan"} and all(isinstance(r, str) and r for m in matches for r in m["reasons"])
    # The request's text puts the policies about loans first within each outcome.
    with_text = json.loads(desk(station, "policies", "--company", "上海示例科技有限公司", "--text", "想申请贷款",
                                "--json").stdout)
    eligible = [m for m in with_text if m["outcome"] == "eligible"]
    assert eligible and eligible[0]["relevant"] is True
    human = desk(station, "policies", "--company", "上海示例科技有限公司")
    assert human.returncode == 0 and "policies in force" in human.stdout


def test_the_company_file_lists_the_known_facts_only(station: Path) -> None:
    listed = json.loads(desk(station, "company", COMPANY["uscc"], "--json").stdout)
    assert listed["profile"]["facts"] == {
        "industry_code": "I6513", "established": "2024-06-01", "registered_in_xuhui": True, "size": "small",
        "qualifications": ["科技型中小企业"], "employees": 12}


def test_a_push_is_recorded_and_bad_ones_refused_with_nothing_written(station: Path) -> None:
    matches = json.loads(desk(station, "policies", "--company", COMPANY["uscc"], "--json").stdout)
    chosen = [m["policy_id"] for m in matches if m["outcome"] == "eligible"][:2]
    p = desk(station, "policies", "--push", COMPANY["uscc"], *chosen, "--channel", "print_a5", "--json")
    assert p.returncode == 0, p.stderr
    push = json.loads(p.stdout)
    assert [i["id"] for i in push["policies"]] == chosen and push["channel"] == "print_a5"
    assert push["pushed_by"] == "李敏" and push["sync_state"] == "pending"
    told = desk(station, "policies", "--push", "上海示例科技有限公司", chosen[0], "--by", "张伟")
    assert told.returncode == 0 and "told" in told.stdout and "张伟" in told.stdout

    unknown = desk(station, "policies", "--push", COMPANY["uscc"], "P-NOPE")
    assert unknown.returncode == 3 and "P-NOPE" in unknown.stderr and "Traceback" not in unknown.stderr
    twice = desk(station, "policies", "--push", COMPANY["uscc"], chosen[0], chosen[0])
    assert twice.returncode == 3 and "Traceback" not in twice.stderr
    nobody = desk(station, "policies", "--push", "没有这家公司", chosen[0])
    assert nobody.returncode == 1 and "no company" in nobody.stderr
    neither = desk(station, "policies")
    assert neither.returncode == 2 and "--company" in neither.stderr
    bare = desk(station, "policies", "--push", COMPANY["uscc"])
    assert bare.returncode == 2

    from xuhui_desk.config import database_path
    from xuhui_desk.db import open_database
    from xuhui_desk.services.policies import find_company_by_key, pushes_for_company

    db = open_database(database_path(station))
    try:
        eid, _ = find_company_by_key(db, COMPANY["uscc"])
        assert [len(p.policies) for p in pushes_for_company(db, eid)] == [1, len(chosen)]
    finally:
        db.close()


def test_a_station_without_a_catalogue_says_where_it_comes_from(data_dir: Path) -> None:
    assert desk(data_dir, "init", "--station-code", "XS01", "--station-name", "示例服务站").returncode == 0
    line = json.dumps({"enterprise": {"name": "上海示例科技有限公司"}, "description": "咨询房租补贴"},
                      ensure_ascii=False)
    assert desk(data_dir, "intake", "--json-lines", "-", stdin=line).returncode == 0
    assert json.loads(desk(data_dir, "policies", "--company", "上海示例科技有限公司", "--json").stdout) == []
    human = desk(data_dir, "policies", "--company", "上海示例科技有限公司")
    assert human.returncode == 0 and "arrives with sync" in human.stdout


def test_bad_profile_facts_in_an_intake_line_refuse_the_line(station: Path) -> None:
    bad = dict(COMPANY, name="上海另一家科技有限公司", uscc="", established="2024-13-01", size="huge", employees=-3)
    line = json.dumps({"enterprise": bad, "description": "咨询房租补贴的申报条件"}, ensure_ascii=False)
    p = desk(station, "intake", "--json-lines", "-", "--json", stdin=line)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    text = p.stdout + p.stderr
    for label in ("成立日期", "企业规模", "从业人数"):
        assert label in text, text
    assert desk(station, "policies", "--company", "上海另一家科技有限公司").returncode == 1  # not saved
