"""``xuhui-desk today | company | contact | callback done`` end to end: real processes on a
temporary data folder; bad input gets a clear message, a non-zero exit and loses nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.core.test_cli import desk

COMPANY = {"name": "上海示例科技有限公司", "uscc": "9131010452601815X3", "contact_name": "王先生",
           "phone": "13812345678"}


@pytest.fixture
def taken(data_dir: Path) -> tuple[Path, str]:
    """A station with one request taken in; its tracking number."""
    assert desk(data_dir, "init", "--station-code", "XS01", "--station-name", "示例服务站").returncode == 0
    assert desk(data_dir, "settings", "set", "specialist", "李敏").returncode == 0
    line = json.dumps({"enterprise": COMPANY, "description": "希望对接银行科技贷款", "category": "finance"},
                      ensure_ascii=False)
    p = desk(data_dir, "intake", "--json-lines", "-", "--json", stdin=line)
    assert p.returncode == 0, p.stderr
    return data_dir, json.loads(p.stdout)["tracking_no"]


def _timeline_kinds(data_dir: Path) -> int:
    listed = json.loads(desk(data_dir, "company", COMPANY["uscc"], "--json").stdout)
    return len(listed["contacts"])


def test_contact_today_and_company(taken: tuple[Path, str]) -> None:
    data_dir, tracking_no = taken
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    p = desk(data_dir, "contact", tracking_no, "--channel", "phone", "--summary", "已电话联系 📞", "--callback",
             tomorrow, "--json")
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    assert (result["tracking_no"], result["channel"], result["callback_on"], result["actor"]) == (
        tracking_no, "phone", tomorrow, "李敏")
    human = desk(data_dir, "contact", tracking_no, "--channel", "visit", "--summary", "上门走访")
    assert human.returncode == 0 and "1 earlier callback(s) done" in human.stdout

    p = desk(data_dir, "today", "--json")
    assert p.returncode == 0, p.stderr
    payload = json.loads(p.stdout)
    assert set(payload["counts"]) == {"overdue", "due_today", "due_soon", "callbacks_overdue", "callbacks_today",
                                      "low_ratings", "refused"}
    assert payload["counts"]["callbacks_today"] == 0 and payload["counts"]["callbacks_overdue"] == 0
    assert desk(data_dir, "today", "--mine").returncode == 0

    p = desk(data_dir, "company", "上海示例科技有限公司", "--json")
    assert p.returncode == 0, p.stderr
    found = json.loads(p.stdout)
    assert found["profile"]["uscc"] == COMPANY["uscc"] and found["open_count"] == 1
    assert [r["tracking_no"] for r in found["requests"]] == [tracking_no]
    assert [c["channel"] for c in found["contacts"]] == ["visit", "phone"]
    assert "上海示例科技有限公司" in desk(data_dir, "company", "示例科技").stdout

    desk(data_dir, "contact", tracking_no, "--channel", "message", "--summary", "约回电", "--callback", tomorrow)
    p = desk(data_dir, "callback", "done", tracking_no, "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["callbacks_closed"] == 1
    again = desk(data_dir, "callback", "done", tracking_no)
    assert again.returncode == 1 and "no open callback" in again.stderr


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--channel", "phone", "--summary", ""], 3, "请填写联系内容"),
        (["--channel", "phone", "--summary", "长" * 2001], 3, "联系内容过长"),
        (["--channel", "fax", "--summary", "已联系"], 3, "联系方式"),
        (["--channel", "phone", "--summary", "已联系", "--callback", "2027-02-30"], 3, "回访日期应为日期"),
        (["--channel", "phone", "--summary", "已联系", "--callback", "2020-01-01"], 3, "不能早于今天"),
        (["--channel", "phone"], 2, "--summary"),
    ],
)
def test_bad_contact_input_is_refused_clearly(taken: tuple[Path, str], args: list[str], code: int,
                                              words: str) -> None:
    data_dir, tracking_no = taken
    p = desk(data_dir, "contact", tracking_no, *args)
    assert p.returncode == code
    assert words in p.stderr and "Traceback" not in p.stderr
    assert _timeline_kinds(data_dir) == 0  # nothing written


def test_unknown_request_and_company(taken: tuple[Path, str]) -> None:
    data_dir, _ = taken
    p = desk(data_dir, "contact", "XS01-20990101-999", "--channel", "phone", "--summary", "已联系")
    assert p.returncode == 1 and "XS01-20990101-999" in p.stderr and "Traceback" not in p.stderr
    p = desk(data_dir, "company", "不存在的公司", "--json")
    assert p.returncode == 1 and "no company matches" in p.stderr and p.stdout == ""
