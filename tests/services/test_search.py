"""Finding requests: full-text search (trigram and bigram indexes), filters, orders, counts, speed."""

from __future__ import annotations

import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.bulk_data import add_request, template_database
from xuhui_desk.db import Database, open_database
from xuhui_desk.services.directory import update_enterprise
from xuhui_desk.services.intake import EnterpriseInput
from xuhui_desk.services.search import (
    ATTENTION,
    OPEN,
    RECENT,
    RequestFilter,
    count,
    counts,
    fetch_rows,
    find_ids,
    list_requests,
    looks_like_tracking_no,
    queue_snapshot,
    search_terms,
)

USCC_A = "9131010452601815X3"
USCC_B = "91310104MA1FL0QW8K"
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _nos(db: Database, **kwargs: object) -> list[str]:
    with db.session() as s:
        return [r.tracking_no for r in list_requests(s, RequestFilter(**kwargs))]  # type: ignore[arg-type]


def _bigram_ok(db: Database) -> None:
    """FTS5's own check that the bigram index matches the text it indexes."""
    with db.write() as s:
        s.execute(text("INSERT INTO request_bigram(request_bigram, rank) VALUES ('integrity-check', 1)"))
        s.execute(text("INSERT INTO request_fts(request_fts, rank) VALUES ('integrity-check', 1)"))


@pytest.fixture
def sample(station_db: Database) -> dict[str, str]:
    db = station_db
    t = NOW - timedelta(days=10)
    return {
        "loan": add_request(db, "想申请一笔银行贷款，需要担保", name="上海星河科技有限公司", uscc=USCC_A,
                            created_at=t),
        "hukou": add_request(db, "新招的博士想办理人才引进落户", name="上海云启生物医药有限公司", uscc=USCC_B,
                             category="talent", created_at=t + timedelta(hours=1)),
        "license": add_request(db, "办理营业执照地址变更", name="徐汇区老王餐饮店", category="permit",
                               created_at=t + timedelta(hours=2)),
        "pledge": add_request(db, "了解知识产权质押融资和贷款贴息", name="上海星河科技有限公司", uscc=USCC_A,
                              created_at=t + timedelta(hours=3)),
    }


def test_two_character_chinese_terms(station_db: Database, sample: dict[str, str]) -> None:
    assert _nos(station_db, search="贷款") == [sample["pledge"], sample["loan"]]
    assert _nos(station_db, search="落户") == [sample["hukou"]]
    assert _nos(station_db, search="餐饮") == [sample["license"]]  # in the enterprise name
    assert _nos(station_db, search="星河") == [sample["pledge"], sample["loan"]]
    assert _nos(station_db, search="户人") == []  # not adjacent in any text
    assert _nos(station_db, search="贴息") == [sample["pledge"]]  # the last two characters of a text


def test_one_character_and_longer_terms(station_db: Database, sample: dict[str, str]) -> None:
    assert _nos(station_db, search="息") == [sample["pledge"]]
    assert set(_nos(station_db, search="贷")) == {sample["loan"], sample["pledge"]}
    assert _nos(station_db, search="人才引进") == [sample["hukou"]]
    assert _nos(station_db, search="质押融资") == [sample["pledge"]]
    assert _nos(station_db, search="云启生物") == [sample["hukou"]]


def test_credit_code_and_tracking_number(station_db: Database, sample: dict[str, str]) -> None:
    assert _nos(station_db, search=USCC_A) == [sample["pledge"], sample["loan"]]
    assert _nos(station_db, search=USCC_A.lower()) == [sample["pledge"], sample["loan"]]
    assert _nos(station_db, search="MA1FL0") == [sample["hukou"]]
    assert _nos(station_db, search=sample["license"]) == [sample["license"]]
    assert _nos(station_db, search=sample["license"].lower()) == [sample["license"]]
    assert looks_like_tracking_no(sample["license"]) and not looks_like_tracking_no("贷款")


def test_terms_combine_and_odd_input_is_safe(station_db: Database, sample: dict[str, str]) -> None:
    assert _nos(station_db, search="贷款 担保") == [sample["loan"]]
    assert _nos(station_db, search="星河  质押融资") == [sample["pledge"]]
    assert _nos(station_db, search="贷款　落户") == []  # full-width space separates terms too
    assert search_terms(" 贷款  贷款 落户 ") == ["贷款", "落户"]
    # Punctuation, quotes and FTS syntax are searched as text, never parsed.
    assert _nos(station_db, search="，需") == [sample["loan"]]
    assert _nos(station_db, search='"') == []
    assert _nos(station_db, search="贷款 AND OR NOT * ( )") == []
    assert _nos(station_db, search="%") == [] and _nos(station_db, search="_") == []
    assert _nos(station_db, search="   ") == _nos(station_db)


def test_index_follows_enterprise_renames_and_edits(station_db: Database, sample: dict[str, str]) -> None:
    db = station_db
    with db.session() as s:
        enterprise_id = s.execute(text("SELECT id FROM enterprises WHERE uscc = :u"), {"u": USCC_A}).scalar_one()
    update_enterprise(db, enterprise_id, EnterpriseInput(name="上海银河量子计算有限公司", uscc=USCC_A))
    assert _nos(db, search="星河") == []
    assert _nos(db, search="星河科技") == []
    assert _nos(db, search="银河") == [sample["pledge"], sample["loan"]]
    assert _nos(db, search="量子计算") == [sample["pledge"], sample["loan"]]
    # A new credit code is found at once; the old one is gone.
    update_enterprise(db, enterprise_id, EnterpriseInput(name="上海银河量子计算有限公司", uscc=""))
    assert _nos(db, search=USCC_A) == []
    # Editing the description (before the first sync) re-indexes the request.
    with db.write() as s:
        s.execute(text("UPDATE requests SET description = '咨询公司注销需要哪些材料' WHERE tracking_no = :n"),
                  {"n": sample["license"]})
    assert _nos(db, search="执照") == [] and _nos(db, search="注销") == [sample["license"]]
    _bigram_ok(db)


def test_filters_and_open_status(station_db: Database, sample: dict[str, str]) -> None:
    db = station_db
    with db.write() as s:
        s.execute(text("UPDATE requests SET status = 'cancelled' WHERE tracking_no = :n"), {"n": sample["hukou"]})
    assert _nos(db, category="finance") == [sample["pledge"], sample["loan"]]
    assert _nos(db, status="cancelled") == [sample["hukou"]]
    assert sample["hukou"] not in _nos(db, status=OPEN)
    assert _nos(db, status=OPEN, search="落户") == []
    t = NOW - timedelta(days=10)
    assert _nos(db, created_from=t + timedelta(minutes=30), created_to=t + timedelta(hours=2, minutes=30)) == [
        sample["license"], sample["hukou"]]
    with db.session() as s:
        enterprise_id = s.execute(text("SELECT id FROM enterprises WHERE uscc = :u"), {"u": USCC_A}).scalar_one()
        assert count(s, RequestFilter(enterprise_id=enterprise_id)) == 2
        assert count(s, RequestFilter(search="贷款", category="finance")) == 2


def test_attention_order_puts_overdue_first(station_db: Database) -> None:
    db = station_db
    now = datetime.now(UTC)
    old = add_request(db, "早前的诉求已经办结", status="closed", created_at=now - timedelta(days=30),
                      sla_due_at=now - timedelta(days=20))
    late = add_request(db, "超期较多的诉求", created_at=now - timedelta(days=20), sla_due_at=now - timedelta(days=9))
    later = add_request(db, "刚刚超期的诉求", created_at=now - timedelta(days=10), sla_due_at=now - timedelta(hours=2))
    fresh = add_request(db, "刚受理的诉求", created_at=now - timedelta(hours=1), sla_due_at=now + timedelta(days=5))
    undated = add_request(db, "没有截止时间的诉求", created_at=now - timedelta(minutes=5))
    assert _nos(db, sort=ATTENTION) == [late, later, undated, fresh, old]
    assert _nos(db, sort=ATTENTION, overdue_only=True) == [late, later]
    assert _nos(db) == [undated, fresh, later, late, old]  # newest first
    with db.session() as s:
        flt = RequestFilter(sort=ATTENTION)
        everything = find_ids(s, flt)
        pages = [find_ids(s, flt, limit=2, offset=o) for o in (0, 2, 4)]
        assert [i for p in pages for i in p] == everything
        assert find_ids(s, flt, offset=3) == everything[3:]
        snap = queue_snapshot(s, flt)
        assert (snap.ids, snap.total, snap.overdue) == (everything, 5, 2)
        plain = queue_snapshot(s, RequestFilter(sort=RECENT))
        assert (plain.total, plain.overdue) == (5, 2)
        assert counts(s, RequestFilter(search="诉求")) == counts(s, RequestFilter())
        rows = fetch_rows(s, everything[:2])
        assert [rows[i].summary for i in everything[:2]] == ["超期较多的诉求", "刚刚超期的诉求"]


@pytest.mark.parametrize(
    ("sort", "first"),
    # 甲 (jia) before 乙 (yi): pinyin, not code points.
    [("tracking_no", "a"), ("enterprise_name", "a"), ("status", "a"), ("sla_due_at", "b"), ("urgency", "b"),
     ("created_at", "a"), ("category", "b"), ("department", "b"), ("sync_state", "a"), ("updated_at", "a")],
)
def test_column_sorts(station_db: Database, sort: str, first: str) -> None:
    now = datetime.now(UTC)
    a = add_request(station_db, "甲的诉求内容", name="上海甲科技有限公司", category="talent",
                    created_at=now - timedelta(days=2), sla_due_at=now + timedelta(days=3))
    b = add_request(station_db, "乙的诉求内容", name="上海乙科技有限公司", category="finance", urgency="urgent",
                    created_at=now - timedelta(days=1), sla_due_at=now + timedelta(days=1), synced=True,
                    status="routed")
    with station_db.write() as s:  # b was changed last
        s.execute(text("UPDATE requests SET updated_at = :t WHERE tracking_no = :n"),
                  {"t": (now - timedelta(hours=1)).replace(tzinfo=None).isoformat(sep=" "), "n": b})
    expected = [a, b] if first == "a" else [b, a]
    assert _nos(station_db, sort=sort, descending=False) == expected
    assert _nos(station_db, sort=sort, descending=True) == expected[::-1]


def test_bigram_index_is_built_for_existing_requests_by_the_migration(data_dir: Path) -> None:
    """Upgrading a 0004 database indexes the requests it already holds."""
    from alembic import command
    from alembic.config import Config

    from xuhui_desk.config import database_path
    from xuhui_desk.db import make_engine
    from xuhui_desk.resources import migrations_dir

    path = database_path(data_dir)
    engine = make_engine(path)
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0004")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO enterprises(id, uuid, name, name_key, first_seen_at, updated_at) "
                "VALUES (1, 'e1', '上海老字号食品有限公司', 'k', '2026-01-01', '2026-01-01')")
    con.execute("INSERT INTO requests(id, uuid, tracking_no, enterprise_id, channel, category, description, "
                "urgency, status, created_at, updated_at) VALUES (1, 'r1', 'XH03-20260101-001', 1, 'walk_in', "
                "'permit', '食品经营许可证续期', 'normal', 'new', '2026-01-01', '2026-01-01')")
    con.commit()
    con.close()
    db = open_database(path)
    try:
        assert _nos(db, search="许可") == ["XH03-20260101-001"]
        assert _nos(db, search="食品") == ["XH03-20260101-001"]
        _bigram_ok(db)
    finally:
        db.close()


# --- speed on 200,000 requests ------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> object:
    path = template_database(tmp_path_factory.getbasetemp() / "bulk", 200_000)
    db = open_database(path)
    yield db
    db.close()


@pytest.mark.slow
def test_newest_fifty_are_fast_on_200k(big_db: Database) -> None:
    terms = ["贷款", "落户", "融资", "上海", "星河", "补贴", "停车", "宽带", "注销", "信用",  # 2 characters
             "营业执照", "人才引进", "913", "XH0", "华辰嘉", "免申即享", "知识产权质押", "经营异常"]
    timings: list[float] = []
    with big_db.session() as s:
        assert count(s, RequestFilter()) == 200_000
        for term in terms:
            find_ids(s, RequestFilter(search=term), limit=50)  # warm the page cache
            for _ in range(5):
                started = time.perf_counter()
                ids = find_ids(s, RequestFilter(search=term), limit=50)
                timings.append((time.perf_counter() - started) * 1000)
            assert ids, term
        for status in (None, OPEN):
            started = time.perf_counter()
            find_ids(s, RequestFilter(status=status, sort=ATTENTION), limit=50)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"newest 50 on 200k: median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms")
    assert p95 <= 20, timings


# --- company names in pinyin order (D13) ----------------------------------------------------------

AUDIT_ORDER = ["东", "乐", "云", "五", "优", "余", "光"]  # what the audit saw: code-point order


def test_pinyin_sort_key() -> None:
    from xuhui_desk.services.pinyin_order import pinyin_sort_key

    assert pinyin_sort_key("上海东安云") == "shang hai dong an yun"
    # The most common reading of a heteronym; ü is spelt v (and sorts after u).
    assert [pinyin_sort_key(c) for c in "乐重行长女"] == ["le", "zhong", "xing", "zhang", "nv"]
    # Other characters keep their order: Latin letters lowercased, full-width made narrow, one token a run.
    assert pinyin_sort_key("ABC科技") == pinyin_sort_key("ａｂｃ科技") == "abc ke ji"
    assert pinyin_sort_key("3M（中国）") == "3m( zhong guo )"
    assert pinyin_sort_key(" 上海 Tech ") == "shang hai tech"
    # Syllable by syllable: 西安 (xi an) before 先 (xian); Traditional characters have their readings too.
    assert pinyin_sort_key("西安") < pinyin_sort_key("先")
    assert pinyin_sort_key("上海\u6771方") == pinyin_sort_key("上海东方")


def test_company_names_sort_in_pinyin_order(station_db: Database) -> None:
    """The audit's 东, 乐, 云, 五, 优, 余, 光 (code-point order) sort as dong, guang, le, wu, you, yu, yun."""
    names = {c: f"上海{c}启科技有限公司" for c in AUDIT_ORDER}
    made = {c: add_request(station_db, f"{c}的诉求", name=name, created_at=NOW - timedelta(hours=i))
            for i, (c, name) in enumerate(names.items())}
    expected = [made[c] for c in "东光乐五优余云"]
    assert _nos(station_db, sort="enterprise_name", descending=False) == expected
    assert _nos(station_db, sort="enterprise_name", descending=True) == expected[::-1]
    # The directory lists them the same way.
    from xuhui_desk.services.directory import fetch_enterprises, find_enterprise_ids

    with station_db.session() as s:
        ids = find_enterprise_ids(s)
        rows = fetch_enterprises(s, ids)
        assert [rows[i].name[2] for i in ids] == list("东光乐五优余云")
        assert [rows[i].name[2] for i in find_enterprise_ids(s, descending=True)] == list("云余优五乐光东")


@pytest.fixture(scope="module")
def paging_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_database(tmp_path_factory.getbasetemp() / "paging", 24_000, n_enterprises=3_000)


def test_paging_a_list_sorted_by_company_returns_every_request_once(paging_path: Path, tmp_path: Path) -> None:
    """24,000 requests of 3,000 companies (many names sharing their first syllables): pages of a
    sort by company name, both ways, join up to the whole list, each request once, in pinyin order."""
    from tests.bulk_data import copy_database

    db = open_database(copy_database(paging_path, tmp_path / "paging.db"))
    try:
        with db.session() as s:
            key_of = dict(s.execute(text("SELECT r.id, e.name_sort FROM requests r "
                                         "JOIN enterprises e ON e.id = r.enterprise_id")).all())
            assert all(key_of.values()), "every generated company has its sort key"
            for descending in (False, True):
                flt = RequestFilter(sort="enterprise_name", descending=descending)
                everything = find_ids(s, flt)
                assert len(everything) == len(set(everything)) == count(s, flt) == 24_000
                pages = [find_ids(s, flt, limit=1000, offset=o) for o in range(0, 24_000, 1000)]
                assert [i for page in pages for i in page] == everything
                keys = [key_of[i] for i in everything]
                assert keys == sorted(keys, reverse=descending)
                # Within one company, the newest request first.
                firm = s.execute(text("SELECT enterprise_id FROM requests WHERE id = :i"),
                                 {"i": everything[0]}).scalar_one()
                own = [i for i in everything if i in set(s.scalars(
                    text("SELECT id FROM requests WHERE enterprise_id = :e").bindparams(e=firm)))]
                assert own == sorted(own, reverse=True)
            # The open requests through the queue's own snapshot (the first page first, then the rest).
            snap = queue_snapshot(s, RequestFilter(status=OPEN, sort="enterprise_name", descending=False))
            assert len(snap.ids) == len(set(snap.ids)) == snap.total > 0
    finally:
        db.close()


def test_migration_0007_back_fills_the_sort_key(data_dir: Path) -> None:
    """Upgrading a 0006 database gives its existing companies their pinyin key."""
    from alembic import command
    from alembic.config import Config

    from xuhui_desk.config import database_path
    from xuhui_desk.db import make_engine
    from xuhui_desk.resources import migrations_dir
    from xuhui_desk.services.pinyin_order import pinyin_sort_key

    path = database_path(data_dir)
    engine = make_engine(path)
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0006")
    engine.dispose()
    con = sqlite3.connect(path)
    names = [f"上海{c}启科技有限公司" for c in AUDIT_ORDER]
    con.executemany("INSERT INTO enterprises(uuid, name, name_key, first_seen_at, updated_at) "
                    "VALUES (?, ?, ?, '2026-01-01', '2026-01-01')", [(f"e{i}", n, n) for i, n in enumerate(names)])
    con.commit()
    con.close()
    db = open_database(path)
    try:
        with db.session() as s:
            stored = dict(s.execute(text("SELECT name, name_sort FROM enterprises")).all())
        assert stored == {n: pinyin_sort_key(n) for n in names}
    finally:
        db.close()
