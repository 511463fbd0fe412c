"""The intake form's reads (services.intake) and the rows the Core save path writes, without Qt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, EventKind, Request, RequestEvent, SyncState
from xuhui_desk.services.intake import (
    Duplicate,
    EnterpriseInput,
    EnterpriseMatch,
    IntakeInput,
    RecentIntake,
    TodaysIntakes,
    create_request,
    duplicates_for,
    enterprise_by_uscc,
    intake_receipt,
    load_station_router,
    lookup_enterprises,
    todays_intakes,
)
from xuhui_desk.services.station import set_setting
from xuhui_desk.validation import name_key

USCC = "9131010452601815X3"
NAME = "上海云启智能科技有限公司"


def add_enterprise(db: Database, name: str, uscc: str | None = None, **details: str) -> None:
    with db.write() as s:
        s.add(Enterprise(name=name, name_key=name_key(name), uscc=uscc, **details))


def save(db: Database, name: str = NAME, uscc: str = USCC, description: str = "想申请一笔银行贷款，需要担保",
         **kwargs: object) -> object:
    ent = {k: kwargs.pop(k) for k in ("contact_name", "phone", "park", "building") if k in kwargs}
    return create_request(db, IntakeInput(EnterpriseInput(name, uscc, **ent), description, **kwargs))  # type: ignore[arg-type]


def test_lookup_by_part_of_the_name_or_the_start_of_the_code(station_db: Database) -> None:
    add_enterprise(station_db, NAME, USCC, contact_name="陈晓峰", phone="13816620451", park="漕河泾开发区",
                   building="科技绿洲三期5号楼")
    add_enterprise(station_db, "云启咖啡店")
    add_enterprise(station_db, "上海枫林生物医药有限公司")
    found = lookup_enterprises(station_db, "云启")
    # A name that starts with the typed text comes first.
    assert [m.name for m in found] == ["云启咖啡店", NAME]
    assert found[1] == EnterpriseMatch(NAME, USCC, "陈晓峰", "13816620451", "漕河泾开发区", "科技绿洲三期5号楼")
    assert found[0].uscc == ""  # no credit code: "", never None
    assert [m.name for m in lookup_enterprises(station_db, USCC[:8].lower())] == [NAME]
    assert lookup_enterprises(station_db, "  ") == []
    assert len(lookup_enterprises(station_db, "上海", limit=1)) == 1


def test_lookup_treats_like_wildcards_as_text(station_db: Database) -> None:
    add_enterprise(station_db, "上海百分百有限公司")
    add_enterprise(station_db, "上海100%有限公司")
    assert [m.name for m in lookup_enterprises(station_db, "%")] == ["上海100%有限公司"]
    assert lookup_enterprises(station_db, "_") == []


def test_enterprise_by_uscc(station_db: Database) -> None:
    add_enterprise(station_db, NAME, USCC, phone="13816620451")
    match = enterprise_by_uscc(station_db, USCC)
    assert match is not None and (match.name, match.phone) == (NAME, "13816620451")
    assert enterprise_by_uscc(station_db, USCC[:-1] + "4") is None


def test_duplicates_for_are_plain_data(station_db: Database) -> None:
    first = save(station_db, category="finance")
    found = duplicates_for(station_db, f" {NAME} ", USCC.lower(), "finance")
    assert found == [Duplicate(first.uuid, first.tracking_no, "new", found[0].created_at,  # type: ignore[attr-defined]
                               "想申请一笔银行贷款，需要担保")]
    assert type(found[0].status) is str
    assert duplicates_for(station_db, NAME, USCC, "legal") == []
    # Outside the 30 days, or for another company: none.
    assert duplicates_for(station_db, NAME, USCC, "finance", now=datetime.now(UTC) + timedelta(days=31)) == []
    assert duplicates_for(station_db, "别的公司", "", "finance") == []


def test_todays_intakes_counts_the_shanghai_day(station_db: Database) -> None:
    noon = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    yesterday = datetime(2026, 11, 25, 15, 59, tzinfo=UTC)  # 23:59 on the 25th in Shanghai
    create_request(station_db, IntakeInput(EnterpriseInput("昨天的公司"), "想咨询房租补贴政策"), now=yesterday)
    saved = [create_request(station_db, IntakeInput(EnterpriseInput(f"今天的公司{i}"), "想咨询房租补贴政策"),
                            now=noon + timedelta(minutes=i)) for i in range(7)]
    today = todays_intakes(station_db, limit=5, now=noon + timedelta(hours=1))
    assert isinstance(today, TodaysIntakes) and today.total == 7
    assert [r.tracking_no for r in today.latest] == [s.tracking_no for s in reversed(saved)][:5]
    assert today.latest[0] == RecentIntake(saved[-1].uuid, saved[-1].tracking_no, "今天的公司6", saved[-1].category,
                                           noon + timedelta(minutes=6))
    assert todays_intakes(station_db, now=noon + timedelta(days=1)) == TodaysIntakes(0, ())


def test_router_and_receipt_read_through_the_database(station_db: Database) -> None:
    router = load_station_router(station_db)
    assert router.suggest("想申请银行贷款").category.value == "finance"
    saved = save(station_db)
    receipt = intake_receipt(station_db, saved.uuid, "zh_CN")  # type: ignore[attr-defined]
    assert receipt.tracking_no == saved.tracking_no and receipt.enterprise_name == NAME  # type: ignore[attr-defined]
    assert receipt.station_address == "徐汇区漕溪北路1号"


def test_the_core_save_writes_what_the_models_read(station_db: Database) -> None:
    now = datetime(2026, 11, 26, 2, 30, 15, 123456, tzinfo=UTC)
    result = create_request(station_db, IntakeInput(EnterpriseInput(NAME, USCC, phone="13816620451"),
                                                    "想申请一笔银行贷款", urgency="urgent"), now=now)
    with station_db.session() as s:
        request = s.scalars(select(Request)).one()
        assert (request.uuid, request.tracking_no, request.created_at, request.updated_at) == (
            result.uuid, result.tracking_no, now, now)
        assert (request.status, request.urgency, request.revision, request.sync_state) == (
            "new", "urgent", 1, SyncState.PENDING)
        assert request.sla_due_at == result.sla_due_at and request.sla_provisional in (True, False)
        assert request.synced_revision is None and request.first_response_at is None
        event = s.scalars(select(RequestEvent)).one()
        assert (event.kind, event.origin, event.occurred_at, event.sync_state) == (
            EventKind.CREATED, "station", now, SyncState.PENDING)
        assert event.data == {"category": "finance", "department": result.department, "channel": "walk_in",
                              "suggested_category": "finance", "status": "new"}
        enterprise = request.enterprise
        assert (enterprise.revision, enterprise.sync_state, enterprise.first_seen_at) == (1, SyncState.PENDING, now)
        assert enterprise.name_sort and enterprise.uuid and enterprise.name_key == name_key(NAME)


def test_a_known_enterprise_is_updated_once_and_queued_for_sync(station_db: Database) -> None:
    save(station_db, phone="13816620451", park="漕河泾开发区")
    with station_db.write() as s:
        s.scalars(select(Enterprise)).one().sync_state = SyncState.SYNCED
    save(station_db, phone="", park="漕河泾开发区")  # nothing new: the entry is left alone
    with station_db.session() as s:
        e = s.scalars(select(Enterprise)).one()
        assert (e.revision, e.sync_state, e.phone) == (1, SyncState.SYNCED, "13816620451")
    later = datetime.now(UTC) + timedelta(minutes=5)
    create_request(station_db, IntakeInput(EnterpriseInput(NAME, USCC, contact_name="王先生"), "想咨询贷款贴息"),
                   now=later)
    with station_db.session() as s:
        e = s.scalars(select(Enterprise)).one()
        assert (e.revision, e.sync_state, e.contact_name, e.phone) == (2, SyncState.PENDING, "王先生", "13816620451")
        assert e.updated_at == later


def test_a_changed_default_specialist_is_used_at_the_next_save(station_db: Database) -> None:
    save(station_db)
    set_setting(station_db, "specialist", "王芳")
    save(station_db)
    with station_db.session() as s:
        assert s.scalars(select(Request.specialist).order_by(Request.id)).all() == ["李敏", "王芳"]
        assert s.scalars(select(RequestEvent.actor).order_by(RequestEvent.id)).all() == ["李敏", "王芳"]
