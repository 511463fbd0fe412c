"""Large, realistic request tables for the queue and search tests and the benchmarks.

Rows go in with plain ``sqlite3.executemany`` into a database that the program migrated,
so the full-text triggers index them exactly as they index a request saved at the counter.
200,000 requests take about ten seconds; :func:`template_database` builds one file per
test session and each test copies it.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from xuhui_desk.services.pinyin_order import pinyin_sort_key
from xuhui_desk.validation import USCC_CHARSET, name_key, uscc_check_char

STATUSES = ("new", "routed", "in_progress", "replied", "closed", "cancelled")
CATEGORIES = ("finance", "talent", "legal", "credit", "policy", "space", "permit", "other")
DEPARTMENTS = {
    "finance": "finance_center", "talent": "talent_service", "legal": "legal_center",
    "credit": "credit_repair", "policy": "policy_service", "space": "building_service",
    "permit": "admin_service_center", "other": "enterprise_service_center",
}
PHRASES = {
    "finance": ["想申请一笔银行信用贷款", "资金周转紧张需要过桥资金", "了解知识产权质押融资", "希望对接天使投资人",
                "咨询融资担保的费率", "设备采购需要融资租赁"],
    "talent": ["新招的博士想办理人才引进落户", "应届毕业生居住证积分怎么办理", "申请人才公寓", "外籍员工工作许可续期",
               "希望参加区里的校园招聘会"],
    "legal": ["和供应商的合同出现违约纠纷", "商标被人抢注想维权", "员工离职带走客户资料", "需要律师审核股东协议",
              "跨境数据合规咨询"],
    "credit": ["因为年报逾期被列入经营异常名录", "行政处罚信息想申请信用修复", "纳税信用等级被评为C级",
               "需要开具公共信用信息报告"],
    "policy": ["咨询房租补贴的申报条件", "高新技术企业认定的材料准备", "免申即享的稳岗补贴什么时候发放",
               "专精特新企业申报"],
    "space": ["办公楼的空调经常坏", "想在园区里找两百平米的办公室", "楼宇的宽带信号太差", "物业费收费标准有疑问"],
    "permit": ["办理营业执照地址变更", "公司注销需要哪些材料", "食品经营许可证续期", "一件事办理开办企业"],
    "other": ["员工食堂的就餐问题", "附近停车位太少", "想了解区里的活动安排"],
}
TAILS = ["，请尽快联系我们。", "，时间比较急。", "，麻烦给个答复。", "。", "，谢谢！", "，下周前需要结果。"]
BRANDS = ["华辰", "嘉禾", "星河", "云启", "汇智", "蓝湾", "瑞丰", "远景", "凌波", "德信", "光启", "申恒", "徐汇",
          "漕河泾", "枫林", "万科", "衡山", "田林", "康健", "虹梅", "长桥", "龙华", "斜土", "天平", "湖南"]
TRADES = ["科技", "信息技术", "生物医药", "智能制造", "文化传媒", "咨询", "人工智能", "新材料", "贸易", "餐饮管理"]
PARKS = ["漕河泾开发区", "徐汇滨江", "枫林生命科学园", "华泾科技园", "西岸智塔", "徐家汇中心"]

START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)


def make_uscc(rng: random.Random) -> str:
    body = "91310104" + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


def _naive(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def populate(path: Path, n_requests: int, *, n_enterprises: int | None = None, seed: int = 7,
             now: datetime | None = None) -> None:
    """Add ``n_requests`` requests (oldest first, ids ascending) to the migrated database at ``path``.

    Those of the last twelve days are mostly open, a fifth of those overdue relative to ``now``.
    """
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    n_enterprises = n_enterprises or max(1, n_requests // 8)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")  # 256 MB: the full-text builds stay in memory
    con.execute("BEGIN")
    first = con.execute("SELECT coalesce(max(id), 0) FROM enterprises").fetchone()[0]
    enterprises = []
    seen: set[str] = set()
    for i in range(n_enterprises):
        name = f"上海{rng.choice(BRANDS)}{rng.choice(BRANDS)}{rng.choice(TRADES)}有限公司"
        if name in seen:
            name = name.replace("有限公司", f"{i}号有限公司")
        seen.add(name)
        created = _naive(START)
        enterprises.append((first + i + 1, str(uuid.UUID(int=rng.getrandbits(128))), name, name_key(name),
                            pinyin_sort_key(name), make_uscc(rng) if rng.random() < 0.8 else None, "王先生",
                            "13812345678", rng.choice(PARKS), "", created, created, 1, "synced"))
    con.executemany(
        "INSERT INTO enterprises(id, uuid, name, name_key, name_sort, uscc, contact_name, phone, park, building,"
        " first_seen_at, updated_at, revision, sync_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        enterprises,
    )
    step = (now - START - timedelta(days=1)) / max(n_requests, 1)
    first_request = con.execute("SELECT coalesce(max(id), 0) FROM requests").fetchone()[0]
    rows = []
    per_day: dict[str, int] = {}
    for i in range(n_requests):
        created = START + step * i
        category = rng.choice(CATEGORIES)
        age = now - created
        # Open requests are the recent ones; about a fifth of those are past their due time.
        if age < timedelta(days=12) and rng.random() < 0.85:
            status = rng.choice(STATUSES[:4])
            due = max(created + timedelta(days=7), now + timedelta(hours=rng.randrange(2, 120)))
            if rng.random() < 0.2:
                due = now - timedelta(hours=rng.choice((3, 30, 80, 200)))
        else:
            status = rng.choice(("closed",) * 9 + ("cancelled",))
            due = created + timedelta(days=rng.choice((2, 5, 7)))
        day = (created + timedelta(hours=8)).strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        text = rng.choice(PHRASES[category]) + rng.choice(TAILS)
        enterprise_id = first + rng.randrange(n_enterprises) + 1
        rows.append((first_request + i + 1, str(uuid.UUID(int=rng.getrandbits(128))),
                     f"XH03-{day}-{per_day[day]:03d}", enterprise_id, "walk_in", category, DEPARTMENTS[category],
                     text, "urgent" if rng.random() < 0.1 else "normal", status, _naive(due), "李敏",
                     _naive(created), _naive(created), 1, rng.choice(("synced",) * 8 + ("pending", "error"))))
    # The full-text triggers index row by row; building both indexes once afterwards is four
    # times faster and gives the same index (the search tests check the triggers themselves).
    triggers = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'request_%'"
    ).fetchall()
    for name, _sql in triggers:
        con.execute(f"DROP TRIGGER {name}")
    con.executemany(
        "INSERT INTO requests(id, uuid, tracking_no, enterprise_id, channel, category, department, description,"
        " urgency, status, sla_due_at, specialist, created_at, updated_at, revision, sync_state)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    # Intake after the generated rows continues each day's sequence.
    con.executemany(
        "INSERT INTO daily_sequences(station_code, day, last) VALUES ('XH03', ?, ?) "
        "ON CONFLICT(station_code, day) DO UPDATE SET last = max(last, excluded.last)",
        list(per_day.items()),
    )
    con.execute(
        "INSERT INTO request_fts(rowid, tracking_no, enterprise_name, uscc, description) "
        "SELECT r.id, r.tracking_no, e.name, coalesce(e.uscc, ''), r.description "
        "FROM requests r JOIN enterprises e ON e.id = r.enterprise_id WHERE r.id > ?", (first_request,)
    )
    con.execute("INSERT INTO request_bigram(request_bigram) VALUES ('rebuild')")
    for _name, sql in triggers:
        con.execute(sql)
    con.execute("COMMIT")
    con.execute("PRAGMA optimize")
    con.close()


def new_database(path: Path) -> None:
    """A migrated, initialised workstation database at ``path``."""
    from xuhui_desk.db import open_database
    from xuhui_desk.services.station import init_station

    db = open_database(path)
    try:
        init_station(db, "XH03", "徐家汇服务站", "漕溪北路1号", specialist="李敏")
    finally:
        db.close()


def template_database(directory: Path, n_requests: int, **kwargs: object) -> Path:
    """Build (once per ``directory``) a database with ``n_requests`` generated requests."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bulk-{n_requests}.db"
    if not path.exists():
        building = directory / f"building-{n_requests}.db"
        building.unlink(missing_ok=True)
        new_database(building)
        populate(building, n_requests, **kwargs)  # type: ignore[arg-type]
        building.rename(path)  # complete or absent, never half-built
    return path


def copy_database(template: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, dest)
    return dest


def add_request(db: Any, description: str, *, name: str = "上海测试科技有限公司", uscc: str = "",
                category: str = "finance", status: str = "new", created_at: datetime | None = None,
                sla_due_at: datetime | None = None, urgency: str = "normal", synced: bool = False,
                contact_name: str = "", phone: str = "") -> str:
    """Save one request the way intake does (enterprise matched or added, a ``created`` event,
    the next tracking number), without the router: returns its tracking number."""
    from xuhui_desk.models import EventKind, Request, RequestEvent, SyncState
    from xuhui_desk.services.intake import EnterpriseInput, next_tracking_no, upsert_enterprise
    from xuhui_desk.services.station import require_station

    created_at = created_at or datetime.now(UTC)
    with db.write() as session:
        enterprise, _ = upsert_enterprise(
            session, EnterpriseInput(name=name, uscc=uscc, contact_name=contact_name, phone=phone), created_at)
        request = Request(
            tracking_no=next_tracking_no(session, require_station(session).code, created_at),
            enterprise_id=enterprise.id, channel="walk_in", category=category, department=DEPARTMENTS[category],
            description=description, urgency=urgency, status=status, sla_due_at=sla_due_at, specialist="李敏",
            created_at=created_at, updated_at=created_at, suggested_category=category,
        )
        if synced:
            request.synced_revision = 1
            request.sync_state = SyncState.SYNCED
        session.add(request)
        session.flush()
        session.add(RequestEvent(request_id=request.id, kind=EventKind.CREATED, actor="李敏", occurred_at=created_at,
                                 data={"category": category, "status": "new"}))
        if status != "new":
            session.add(RequestEvent(request_id=request.id, kind=EventKind.STATUS_CHANGED, actor="李敏",
                                     occurred_at=created_at, data={"from": "new", "status": status}))
        return request.tracking_no
