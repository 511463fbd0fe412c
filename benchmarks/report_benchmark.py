"""Weekly report benchmark: a 10,000-request week in a 200,000-request database.

    .venv/bin/python benchmarks/report_benchmark.py            # generate (once) and measure
    .venv/bin/python benchmarks/report_benchmark.py --no-readme --repeat 5

Measures, in one run and on the same rows:

* the report end to end (``export_weekly_report``: SQL, figures, the three-sheet workbook with charts);
* the floor: the fastest raw .xlsx dump of the same rows in Python — xlsxwriter with
  ``constant_memory`` — and, for reference, an unstyled openpyxl write-only dump.

Prints the figures and the ratio to the floor (target ≤ 1.5×) and records them in
``benchmarks/README.md``, section "Weekly report". The database is generated once into
``benchmarks/data/`` (raw ``sqlite3`` ``executemany`` into the migrated schema; the shared
generator ``benchmarks/generate.py`` is used instead when it exists and offers
``generate_database``) and reused by later runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from xuhui_desk.services.reports import SHANGHAI, parse_week  # noqa: E402

DATA_DIR = ROOT / "benchmarks" / "data"
README = ROOT / "benchmarks" / "README.md"
STATION = ("XH03", "徐家汇服务站", "徐汇区漕溪北路1号")
TARGET_RATIO = 1.5

# ------------------------------------------------------------------------------------ generation

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欣晨辰雨轩子涵梓萱一诺思远博文佳怡"  # noqa: E501
_BRANDS = ["汇智", "星辰", "云启", "光启", "漕河泾", "徐光", "衡山", "滨江", "龙华", "枫林", "天平", "康健", "华泾",
           "凌云", "田林", "虹梅", "斜土", "长桥", "湖南", "南丹", "瑞金", "乐山", "宜山", "钦州", "桂林", "零陵",
           "宛平", "肇嘉", "天钥", "建国", "复兴", "东安", "中山", "番禺", "凯旋", "吴兴", "襄阳", "永嘉", "安福",
           "武康", "淮海", "嘉善", "岳阳", "高安", "五原", "泰安", "兴国", "余庆", "华山", "镇宁"]
_TRADES = ["科技", "信息技术", "生物医药", "文化传媒", "咨询管理", "餐饮管理", "建筑设计", "人工智能", "数据科技",
           "商务咨询", "教育科技", "网络科技", "医疗器械", "新能源", "供应链管理", "广告", "投资管理", "软件"]
_FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "工作室", "有限责任公司"]
_DESCRIPTIONS = {
    "finance": ["想申请银行信用贷款，流动资金紧张", "咨询知识产权质押融资", "希望对接天使投资和风险投资机构"],
    "talent": ["员工落户积分怎么申请", "想申请人才公寓", "招聘应届毕业生有没有补贴"],
    "legal": ["劳动合同纠纷需要法律咨询", "商标被抢注怎么办", "合同违约想申请商事调解"],
    "credit": ["被列入经营异常名录，想申请移出", "行政处罚信息信用修复", "需要开具企业信用报告"],
    "policy": ["高新技术企业认定申报", "房租补贴政策咨询", "免申即享的扶持资金什么时候发放"],
    "space": ["办公室漏水物业不处理", "楼宇网络信号差", "想找一处两百平的办公场地"],
    "permit": ["办理营业执照经营范围变更", "公司注销流程咨询", "食品经营许可证办理"],
    "other": ["反映园区周边停车难", "咨询展会场地", "希望组织企业交流活动"],
}
_DEPARTMENTS = {
    "finance": "finance_center", "talent": "talent_service", "legal": "legal_center", "credit": "credit_repair",
    "policy": "policy_service", "space": "building_service", "permit": "admin_service_center",
    "other": "admin_service_center",
}
_CATEGORY_WEIGHTS = {"finance": 16, "talent": 15, "legal": 10, "credit": 8, "policy": 20, "space": 9, "permit": 16,
                     "other": 6}
_RATINGS = ((5, 0.55), (4, 0.25), (3, 0.1), (2, 0.06), (1, 0.04))
_LEVELS = {5: "very_satisfied", 4: "satisfied", 3: "neutral", 2: "dissatisfied", 1: "very_dissatisfied"}


def _db(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _uscc(rng: random.Random) -> str:
    from xuhui_desk.validation import USCC_CHARSET, org_code_check_char, uscc_check_char

    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY"[:10] + "ABCDEFGHJK") for _ in range(8))
    first17 = "91" + "310104" + body + org_code_check_char(body)
    assert all(c in USCC_CHARSET for c in first17)
    return first17 + uscc_check_char(first17)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.75:
        prefix = rng.choice(["138", "139", "136", "150", "152", "186", "189", "177", "135"])
        return f"{prefix}{rng.randrange(10**8):08d}"
    return f"021-{rng.choice('56')}{rng.randrange(10**7):07d}"


def _weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


class _SlaDue:
    """SLA due times by the program's own calendar and taxonomy, cached per day (fast for 200k)."""

    def __init__(self) -> None:
        from xuhui_desk.services.taxonomy import load_taxonomy
        from xuhui_desk.services.workdays import default_calendar

        self.calendar = default_calendar()
        self.taxonomy = load_taxonomy()
        self.cache: dict[tuple[date, bool, int], datetime] = {}

    def __call__(self, category: str, urgency: str, created: datetime) -> datetime:
        days = self.taxonomy.sla_days(category, urgency)
        local = created.astimezone(SHANGHAI)
        key = (local.date(), local.time() < self.calendar.closes_at, days)
        due = self.cache.get(key)
        if due is None:
            due = self.cache[key] = self.calendar.add_workdays(created, days)
        return due


def _intake_times(rng: random.Random, first: date, last: date, count: int) -> list[datetime]:
    """``count`` intake times between two dates: mostly working-day office hours, a few evenings/weekends."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights = [1.0 if d.weekday() < 5 else 0.12 for d in days]
    picked = rng.choices(days, weights=weights, k=count)
    times = []
    for day in picked:
        hour = rng.uniform(8.5, 17.5) if rng.random() < 0.93 else rng.uniform(0, 24)
        local = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(hours=hour)
        times.append(local.astimezone(UTC).replace(microsecond=0))
    times.sort()
    return times


def _lifecycle(rng: random.Random, created: datetime, due: datetime, horizon: datetime) -> list[tuple[datetime, str,
                                                                                                      dict[str, Any]]]:
    """Status and rating events after intake, cut at ``horizon`` (the database's "now")."""
    events: list[tuple[datetime, str, dict[str, Any]]] = []
    t = created
    status = "new"

    def step(kind: str, target: str, hours: float, **extra: Any) -> bool:
        nonlocal t, status
        t = t + timedelta(hours=hours)
        if t >= horizon:
            return False
        events.append((t, kind, {"from": status, "status": target, **extra}))
        status = target
        return True

    sla_hours = max(4.0, (due - created).total_seconds() / 3600)
    if rng.random() < 0.03:
        step("status_changed", "cancelled", rng.uniform(0.5, 48))
        return events
    if not step("status_changed", "routed", rng.lognormvariate(1.0, 1.0)):
        return events
    if not step("status_changed", "in_progress", rng.lognormvariate(1.5, 1.0)):
        return events
    if not step("status_changed", "replied", sla_hours * rng.uniform(0.2, 1.35)):
        return events
    if rng.random() < 0.6:
        t2 = t + timedelta(hours=rng.uniform(2, 72))
        if t2 < horizon:
            rating = rng.choices([r for r, _ in _RATINGS], weights=[w for _, w in _RATINGS])[0]
            events.append((t2, "rated", {"rating": rating, "level": _LEVELS[rating], "comment": ""}))
            t = t2
            if rating <= 2:
                events.append((t2, "rectification", {"from": status, "status": "in_progress",
                                                     "reason": "dissatisfied_rating"}))
                status = "in_progress"
                step("status_changed", "replied", rng.uniform(24, 240))
                return events
            step("status_changed", "closed", 0.0, note="rated")
            return events
    step("status_changed", "closed", rng.uniform(24, 200))
    return events


def generate_database(path: Path, *, total: int = 200_000, week_total: int = 10_000, week: str = "2026-W48",
                      enterprises: int = 5_000, seed: int = 48, progress: Callable[[str], None] = print) -> Path:
    """A workstation database of ``total`` requests over two years ending the Monday after ``week``,
    ``week_total`` of them received during ``week``; statuses, ratings and timelines as the workflow
    writes them. Written with raw sqlite3 into the schema the program's migrations create."""
    from xuhui_desk.db import open_database
    from xuhui_desk.services.station import init_station

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(path)
    init_station(db, *STATION, specialist="李敏")
    db.close()

    rng = random.Random(seed)
    target = parse_week(week)
    horizon = target.end + timedelta(hours=18)  # the report is made on Monday afternoon
    first_day = target.days[0] - timedelta(weeks=103)
    sla = _SlaDue()
    started = time.perf_counter()

    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    first_seen = _db(datetime.combine(first_day, datetime.min.time(), tzinfo=SHANGHAI))
    ent_rows = []
    names: set[str] = set()
    while len(ent_rows) < enterprises:
        name = f"上海{rng.choice(_BRANDS)}{rng.choice(_BRANDS)}{rng.choice(_TRADES)}{rng.choice(_FORMS)}"
        if name in names:
            continue
        names.add(name)
        contact = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        uscc = _uscc(rng) if rng.random() < 0.95 else None
        ent_rows.append((len(ent_rows) + 1, str(uuid.UUID(int=rng.getrandbits(128))), name, name, uscc, contact,
                         _phone(rng), "漕河泾开发区" if rng.random() < 0.4 else "徐家汇商圈", "", first_seen,
                         first_seen, 1, "synced"))
    con.executemany(
        "INSERT INTO enterprises(id, uuid, name, name_key, uscc, contact_name, phone, park, building, first_seen_at, "
        "updated_at, revision, sync_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", ent_rows)

    times = _intake_times(rng, first_day, target.days[0] - timedelta(days=1), total - week_total - 150)
    times += _intake_times(rng, target.days[0], target.days[-1], week_total - 2)
    # The week's edges: the last second of Sunday is in the week, Monday 00:00 is not.
    times += [target.end - timedelta(seconds=1), target.start]
    times += _intake_times(rng, target.days[-1] + timedelta(days=1), target.days[-1] + timedelta(days=1), 149)
    times += [target.end]
    times.sort()

    sequences: dict[str, int] = {}
    request_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    event_id = 0
    for request_id, created in enumerate(times, start=1):
        day = created.astimezone(SHANGHAI).strftime("%Y%m%d")
        sequences[day] = sequences.get(day, 0) + 1
        category = _weighted(rng, _CATEGORY_WEIGHTS)
        urgency = "urgent" if rng.random() < 0.08 else "normal"
        due = sla(category, urgency, created)
        lifecycle = _lifecycle(rng, created, due, horizon)
        status, first_response, resolved, rating, updated = "new", None, None, None, created
        event_id += 1
        event_rows.append((event_id, str(uuid.UUID(int=rng.getrandbits(128))), request_id, "created", "李敏",
                           "station", _db(created), json.dumps({
                               "category": category, "department": _DEPARTMENTS[category], "channel": "walk_in",
                               "suggested_category": category, "status": "new"}, ensure_ascii=False), "synced"))
        for at, kind, data in lifecycle:
            event_id += 1
            event_rows.append((event_id, str(uuid.UUID(int=rng.getrandbits(128))), request_id, kind,
                               "李敏" if kind != "status_changed" or data["status"] != "replied" else "区融资服务中心",
                               "station", _db(at), json.dumps(data, ensure_ascii=False), "synced"))
            updated = at
            if kind == "rated":
                rating = data["rating"]
            if "status" in data:
                if first_response is None:
                    first_response = at
                if data["status"] in ("replied", "closed") and resolved is None:
                    resolved = at
                if data["status"] == "in_progress" and data["from"] in ("replied", "closed"):
                    resolved = None
                status = data["status"]
        request_rows.append((
            request_id, str(uuid.UUID(int=rng.getrandbits(128))), f"XH03-{day}-{sequences[day]:03d}",
            rng.randrange(1, enterprises + 1), "walk_in", category, None, _DEPARTMENTS[category],
            rng.choice(_DESCRIPTIONS[category]), urgency, status, _db(due), "李敏", _db(created), _db(updated),
            _db(first_response) if first_response else None, _db(resolved) if resolved else None, rating, None,
            category, 1, "synced",
        ))
        if len(request_rows) >= 20_000:
            _flush(con, request_rows, event_rows)
            progress(f"  {request_id:,} requests ({time.perf_counter() - started:.0f} s)")
    _flush(con, request_rows, event_rows)
    con.executemany("INSERT INTO daily_sequences(station_code, day, last) VALUES (?,?,?)",
                    [(STATION[0], day, last) for day, last in sequences.items()])
    con.commit()
    con.execute("PRAGMA optimize")
    con.close()
    progress(f"  generated {len(times):,} requests, {event_id:,} events in {time.perf_counter() - started:.0f} s")
    return path


def _flush(con: sqlite3.Connection, requests: list[tuple[Any, ...]], events: list[tuple[Any, ...]]) -> None:
    con.executemany(
        "INSERT INTO requests(id, uuid, tracking_no, enterprise_id, channel, category, subcategory, department, "
        "description, urgency, status, sla_due_at, specialist, created_at, updated_at, first_response_at, "
        "resolved_at, rating, rating_comment, suggested_category, revision, sync_state) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", requests)
    con.executemany(
        "INSERT INTO request_events(id, uuid, request_id, kind, actor, origin, occurred_at, data, sync_state) "
        "VALUES (?,?,?,?,?,?,?,?,?)", events)
    con.commit()
    requests.clear()
    events.clear()


def _shared_generator() -> Callable[..., Any] | None:
    """``benchmarks/generate.py``'s ``generate_database`` when another benchmark provides one."""
    shared = ROOT / "benchmarks" / "generate.py"
    if not shared.exists():
        return None
    spec = importlib.util.spec_from_file_location("benchmarks_generate", shared)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "generate_database", None)


def ensure_database(path: Path, *, total: int, week_total: int, week: str, regenerate: bool) -> Path:
    if path.exists() and not regenerate:
        return path
    print(f"generating {path} ({total:,} requests, {week_total:,} in {week}) …")
    shared = _shared_generator()
    if shared is not None:
        try:
            return Path(shared(path, total=total, week_total=week_total, week=week))
        except TypeError:
            print("  benchmarks/generate.py has another signature; using this benchmark's generator")
    return generate_database(path, total=total, week_total=week_total, week=week)


# ------------------------------------------------------------------------------------ measuring


def _best(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def _records(report: Any) -> tuple[list[list[Any]], list[list[Any]]]:
    """The exact cell values the report writes on its two big sheets (dates as serial numbers)."""
    from xuhui_desk.services.reports.workbook import _overdue_records, _request_records, report_labels

    labels = report_labels(report.language)
    return _request_records(report, labels), _overdue_records(report, labels)


_DATE_COLUMNS = {1: "yyyy-mm-dd hh:mm", 9: "yyyy-mm-dd", 10: "yyyy-mm-dd"}
_OVERDUE_DATE_COLUMNS = {1: "yyyy-mm-dd hh:mm", 8: "yyyy-mm-dd"}


def floor_xlsxwriter(path: Path, sheets: list[tuple[list[list[Any]], dict[int, str]]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats: dict[str, Any] = {}
    for records, date_columns in sheets:
        ws = wb.add_worksheet()
        column_formats = {c: formats.setdefault(f, wb.add_format({"num_format": f})) for c, f in date_columns.items()}
        for r, record in enumerate(records):
            for c, value in enumerate(record):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value, column_formats.get(c))
    wb.close()


def floor_openpyxl(path: Path, sheets: list[tuple[list[list[Any]], dict[int, str]]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for records, _date_columns in sheets:
        ws = wb.create_sheet()
        for record in records:
            ws.append(record)
    wb.save(path)


def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs (`nproc`), {cpu or 'unknown CPU'}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def _versions() -> str:
    import lxml
    import openpyxl
    import sqlalchemy
    import xlsxwriter

    return (f"openpyxl {openpyxl.__version__} (lxml {lxml.__version__}), xlsxwriter {xlsxwriter.__version__}, "
            f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}")


def write_readme(section: str) -> None:
    """Replace (or add) the "Weekly report" section of benchmarks/README.md."""
    if README.exists():
        text = README.read_text(encoding="utf-8")
    else:
        text = ("# Benchmarks\n\nReproducible benchmarks on generated data (not tests). Each prints its figure and "
                "the ratio to the floor measured in the same run.\n\nMachine: " + _machine() + "\n")
    pattern = re.compile(r"^## Weekly report\n.*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(text)
    text = pattern.sub(lambda _m: section, text) if found else text.rstrip("\n") + "\n\n" + section
    README.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to use (default: generated into benchmarks/data/)")
    parser.add_argument("--total", type=int, default=200_000)
    parser.add_argument("--week-total", type=int, default=10_000)
    parser.add_argument("--week", default="2026-W48")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best counts")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-readme", action="store_true", help="do not update benchmarks/README.md")
    args = parser.parse_args(argv)

    from xuhui_desk.db import open_database
    from xuhui_desk.services.reports import build_weekly_report, export_weekly_report, write_weekly_report

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    path = args.db or DATA_DIR / f"report-{args.total}-{args.week_total}-{args.week}.db"
    ensure_database(path, total=args.total, week_total=args.week_total, week=args.week, regenerate=args.regenerate)
    week = parse_week(args.week)
    now = week.end + timedelta(hours=18)
    out_dir = Path(tempfile.mkdtemp(prefix="xuhui-report-bench-"))

    def end_to_end() -> Any:
        db = open_database(path)
        try:
            return export_weekly_report(db, week, out_dir / "report.xlsx", now=now)
        finally:
            db.close()

    end_to_end()  # warm the OS cache and the imports, as a lead's second click would
    total_s, report = _best(args.repeat, end_to_end)
    db = open_database(path)
    with db.session() as s:
        build_s, _ = _best(args.repeat, lambda: build_weekly_report(s, week, now=now))
    db.close()
    write_s, _ = _best(args.repeat, lambda: write_weekly_report(report, out_dir / "write.xlsx"))
    requests, overdue = _records(report)
    sheets = [(requests, _DATE_COLUMNS), (overdue, _OVERDUE_DATE_COLUMNS)]
    xlsxwriter_s, _ = _best(args.repeat, lambda: floor_xlsxwriter(out_dir / "floor.xlsx", sheets))
    openpyxl_s, _ = _best(args.repeat, lambda: floor_openpyxl(out_dir / "floor-openpyxl.xlsx", sheets))
    ratio = total_s / xlsxwriter_s
    size = (out_dir / "report.xlsx").stat().st_size
    cells = sum(sum(v is not None for v in r) for r in requests + overdue)

    lines = [
        f"database: {path.name} ({args.total:,} requests), week {week.label}: {report.totals.new:,} new, "
        f"{report.totals.resolved:,} resolved, {report.totals.open:,} open, {report.totals.overdue:,} overdue",
        f"rows written: {len(requests):,} requests + {len(overdue):,} overdue ({cells:,} cells); "
        f"workbook {size / 1e6:.1f} MB",
        f"report end to end      {total_s:6.3f} s   (SQL + figures {build_s:.3f} s, workbook {write_s:.3f} s)",
        f"floor: xlsxwriter      {xlsxwriter_s:6.3f} s   (constant_memory, same rows, no styles or charts)",
        f"openpyxl write-only    {openpyxl_s:6.3f} s   (same rows, unstyled; for reference)",
        f"ratio to the floor     {ratio:6.2f}×   "
        f"(target ≤ {TARGET_RATIO}×: {'met' if ratio <= TARGET_RATIO else 'MISSED'})",
    ]
    print("\n".join(lines))
    if not args.no_readme:
        section = "\n".join([
            "## Weekly report",
            "",
            "`.venv/bin/python benchmarks/report_benchmark.py` (generates `benchmarks/data/report-*.db` on first "
            "run, about a minute; `--repeat N`, `--regenerate`, `--no-readme`).",
            "",
            f"Measured {datetime.now(SHANGHAI):%Y-%m-%d} on {_machine()}; {_versions()}. Best of {args.repeat} "
            f"runs after one warm-up; load average {load:.1f} when the run began (a shared machine: absolute "
            "times vary by ±30 % between runs, the ratio much less).",
            "",
            "| what | seconds |",
            "|---|---|",
            f"| weekly report end to end (`export_weekly_report`: SQL, figures, summary with 2 charts, "
            f"{len(requests):,}-row requests sheet, {len(overdue):,}-row overdue sheet) | {total_s:.3f} |",
            f"| of which SQL + figures (`build_weekly_report`) | {build_s:.3f} |",
            f"| of which the workbook (`write_weekly_report`) | {write_s:.3f} |",
            f"| **floor**: xlsxwriter `constant_memory`, the same {cells:,} cells, no styles | {xlsxwriter_s:.3f} |",
            f"| openpyxl write-only, the same cells, unstyled (reference) | {openpyxl_s:.3f} |",
            "",
            f"**Ratio to the floor: {ratio:.2f}×** (target ≤ {TARGET_RATIO}×: "
            f"{'met' if ratio <= TARGET_RATIO else 'missed'}). Week {week.label} of a "
            f"{args.total:,}-request database: {report.totals.new:,} new, {report.totals.resolved:,} resolved, "
            f"{report.totals.open:,} open and {report.totals.overdue:,} overdue at week end; workbook "
            f"{size / 1e6:.1f} MB.",
            "",
            "How: openpyxl writes the workbook in write-only mode — the summary with its native charts, the "
            "styles, each sheet's set-up (column widths, frozen header, auto-filter, print) and header row — "
            "and the data rows of the two big sheets are then streamed as worksheet XML straight into the "
            "file's compressed part (inline strings, numbers, the date style registered by openpyxl). openpyxl "
            "building a cell object per value costs about 7 µs a cell, 1.2× xlsxwriter's own per-cell calls, "
            "which alone would put the report at about 2× the floor; built directly, a cell costs under 1 µs. "
            "The figures come from two SQL statements (the candidate requests with their columns; one grouped "
            "pass over the timelines of those touched after the cut-off or rated during the week) and a "
            "cumulative working-hours clock instead of a day-by-day walk per interval.",
            "",
        ])
        write_readme(section)
        print(f"recorded in {README.relative_to(ROOT)}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
