from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, EventKind, Request, RequestEvent, RoutingCorrection
from xuhui_desk.services.intake import (
    EnterpriseInput,
    IntakeInput,
    create_request,
    find_duplicates_for,
)
from xuhui_desk.validation import ValidationFailed

USCC = "9131010452601815X3"


def intake(name: str = "上海示例科技有限公司", uscc: str = USCC, description: str = "想申请一笔银行贷款，需要担保",
           **kwargs: object) -> IntakeInput:
    ent = {k: kwargs.pop(k) for k in ("contact_name", "phone", "park", "building") if k in kwargs}
    return IntakeInput(enterprise=EnterpriseInput(name=name, uscc=uscc, **ent), description=description,
                       **kwargs)  # type: ignore[arg-type]


def test_create_request_saves_everything(station_db: Database) -> None:
    now = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
    result = create_request(station_db, intake(contact_name="王先生", phone="+86 138 1234 5678"), now=now)
    assert result.tracking_no == "XH03-20261126-001"
    assert result.category == "finance"
    with station_db.session() as s:
        req = s.scalars(select(Request)).one()
        assert req.uuid == result.uuid
        assert req.status == "new"
        assert req.department and req.sla_due_at and req.sla_due_at > now
        assert req.specialist == "李敏"
        assert req.enterprise.phone == "13812345678"
        events = s.scalars(select(RequestEvent)).all()
        assert [(e.kind, e.actor, e.occurred_at) for e in events] == [(EventKind.CREATED, "李敏", now)]


def test_tracking_date_is_shanghai_day(station_db: Database) -> None:
    late_utc = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # 01:00 on the 27th in Shanghai
    assert create_request(station_db, intake(), now=late_utc).tracking_no == "XH03-20261127-001"


def test_enterprise_reused_by_credit_code_then_by_name(station_db: Database) -> None:
    first = create_request(station_db, intake())
    second = create_request(station_db, intake(name="上海示例科技有限公司（新名称）", phone="021-64871234"))
    assert not first.enterprise_reused and second.enterprise_reused
    create_request(station_db, intake(name="徐汇个体小店", uscc=""))
    again = create_request(station_db, intake(name=" 徐汇个体小店 ", uscc=""))
    assert again.enterprise_reused
    with station_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 2
        ent = s.scalars(select(Enterprise).where(Enterprise.uscc == USCC)).one()
        assert ent.phone == "021-64871234"  # newer contact details kept


def test_code_added_later_upgrades_the_entry(station_db: Database) -> None:
    create_request(station_db, intake(uscc=""))
    result = create_request(station_db, intake())
    assert result.enterprise_reused
    with station_db.session() as s:
        assert s.scalars(select(Enterprise.uscc)).all() == [USCC]


def test_invalid_input_saves_nothing(station_db: Database) -> None:
    with pytest.raises(ValidationFailed) as info:
        create_request(station_db, intake(uscc=USCC[:-1] + "4", phone="123", description=""))
    fields = {i.field for i in info.value.issues}
    assert fields == {"uscc", "phone", "description"}
    with station_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Request)) == 0
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_emoji_and_huge_text(station_db: Database) -> None:
    saved = create_request(station_db, intake(description="想咨询办公室漏水问题 💧🏢 谢谢🙏"))
    with station_db.session() as s:
        assert "💧🏢" in s.scalars(select(Request.description)).one()
    assert saved.tracking_no
    with pytest.raises(ValidationFailed, match="过长"):
        create_request(station_db, intake(description="很长" * 3000))


def test_chosen_category_overrides_and_is_recorded(station_db: Database) -> None:
    result = create_request(station_db, intake(description="想申请一笔银行贷款", category="policy"))
    assert result.category == "policy"
    with station_db.session() as s:
        corr = s.scalars(select(RoutingCorrection)).one()
        assert (corr.suggested, corr.chosen) == ("finance", "policy")


def test_unknown_category_is_refused(station_db: Database) -> None:
    with pytest.raises(ValidationFailed, match="诉求类别"):
        create_request(station_db, intake(category="banking"))


def test_duplicate_warning(station_db: Database) -> None:
    create_request(station_db, intake(description="想申请一笔银行贷款", category="finance"))
    dupes = find_duplicates_for(station_db.session(), "上海示例科技有限公司", USCC, "finance")
    assert len(dupes) == 1
    assert find_duplicates_for(station_db.session(), "上海示例科技有限公司", USCC, "legal") == []
    assert find_duplicates_for(station_db.session(), "别的公司", "", "finance") == []


def test_not_initialised(db: Database) -> None:
    from xuhui_desk.services.station import NotInitialised

    with pytest.raises(NotInitialised, match="init"):
        create_request(db, intake())


def test_thousand_saves_have_unique_numbers(station_db: Database) -> None:
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    numbers = {create_request(station_db, intake(description=f"第{i}次咨询贷款"), now=now).tracking_no
               for i in range(1000)}
    assert len(numbers) == 1000
    assert "XH03-20261126-1000" in numbers  # the sequence widens past three digits


WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from xuhui_desk.db import open_database
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
db = open_database(Path(sys.argv[1]))
now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
for i in range(int(sys.argv[2])):
    r = create_request(db, IntakeInput(EnterpriseInput(name="并发测试公司" + sys.argv[3]), "并发咨询贷款 %d" % i,
                       category="finance"), now=now)
    print(r.tracking_no, flush=True)
"""


def test_two_processes_saving_at_once_never_share_a_number(station_db: Database, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, str(script), str(station_db.path), "150", tag],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in "AB"]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outputs]
    numbers = [line for out, _ in outputs for line in out.split()]
    assert len(numbers) == 300 and len(set(numbers)) == 300
    assert all(re.fullmatch(r"XH03-20261126-\d{3,}", n) for n in numbers)
    with station_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Request)) == 300
