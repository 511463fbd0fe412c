"""Realistic generated workstation databases for the benchmarks (deterministic, cached).

    .venv/bin/python benchmarks/generate.py                       # the default 200,000-request database
    .venv/bin/python benchmarks/generate.py --total 20000 --week-total 2000 --out /tmp/small.db

A database holds ``total`` requests received over the two years that end with ISO week ``week``
(``week_total`` of them in that week, about 150 more on the Monday after it, until 18:00 — the
database's "now", when a lead makes the report), from ``enterprises`` companies with valid
unified social credit codes (GB 32100-2015 check characters, as the program validates them) and
valid mobile or Shanghai landline numbers; a few regular visitors, a long tail of occasional ones.
Descriptions are built from phrase templates per category and subcategory (an opening, the need
with its amounts, products, places and people filled in, a closing), so that the text varies like
what companies say at the counter and each text fits its category. Each request has its timeline
(created; routed, in progress, replied, closed or cancelled; some ratings, a few rectifications
after a bad rating; a few notes) and the status, first response, resolution, rating and revision
that timeline implies; SLA due times come from the program's own taxonomy and working-day
calendar. What changed in the last four hours before "now" is waiting to be synced; the rest is
synced.

How: the program's migrations create the schema (:func:`xuhui_desk.db.open_database`) and the
station is set up as the first-run wizard does; then the rows go in with plain ``sqlite3``
``executemany`` in one transaction. The full-text indexes (``request_fts``, trigram, migration 0002;
``request_bigram``, migration 0005) are built once after the rows, from the same SQL the triggers
run per row — the same index, several times faster — merged ('optimize'), and the triggers are
put back. The file is
built under a temporary name and renamed when complete.

Cached in ``benchmarks/data/`` under a name made of every parameter, the generator version and
the schema revision (:func:`database`); :func:`generate_database` copies a cached file with the
same parameters instead of generating again.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA_DIR = ROOT / "benchmarks" / "data"
#: Bumped whenever the generated content changes, so that cached files are made again.
GENERATOR_VERSION = 3
SHANGHAI = ZoneInfo("Asia/Shanghai")

STATION_CODE = "XH03"
STATION_NAME = "徐家汇服务站"
STATION_ADDRESS = "徐汇区漕溪北路1号"
SPECIALISTS = ("李敏", "王芳", "陈思远", "周婷")
#: What is younger than this (relative to the database's "now") has not been synced yet.
UNSYNCED_HOURS = 4

DEFAULTS: dict[str, Any] = {"total": 200_000, "week_total": 10_000, "week": "2026-W47", "enterprises": 5_000,
                            "seed": 2026}

# --- companies ------------------------------------------------------------------------------------

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬斌宇浩凯健"
         "俊帆帅旭宁龙林欣晨辰雨轩子涵梓萱一诺思远博文佳怡")
BRANDS = ("汇智", "星辰", "云启", "光启", "徐光", "衡山", "滨江", "龙华", "枫林", "天平", "康健", "华泾",
          "凌云", "田林", "虹梅", "斜土", "长桥", "南丹", "瑞金", "乐山", "宜山", "钦州", "桂林", "零陵",
          "宛平", "肇嘉", "天钥", "建国", "东安", "番禺", "凯旋", "吴兴", "襄阳", "永嘉", "安福", "武康",
          "嘉善", "岳阳", "高安", "五原", "泰安", "兴国", "余庆", "华山", "镇宁", "华辰", "嘉禾", "星河",
          "蓝湾", "瑞丰", "远景", "德信", "申恒", "启明", "睿信", "博源", "海纳", "鼎盛", "优创", "智领")
TRADES = ("科技", "信息技术", "生物医药", "文化传媒", "咨询管理", "餐饮管理", "建筑设计", "人工智能", "数据科技",
          "商务咨询", "教育科技", "网络科技", "医疗器械", "新能源", "供应链管理", "广告", "投资管理", "软件",
          "智能制造", "新材料", "检测技术", "物联网", "电子商务", "环保科技")
FORMS = ("有限公司", "有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
PARKS = ("漕河泾开发区", "徐汇滨江", "枫林生命科学园", "华泾科技园", "西岸智塔", "徐家汇中心", "光启城", "徐汇软件园",
         "田林街道", "长桥街道")
BUILDINGS = ("A座", "B座", "C座", "1号楼", "2号楼", "3号楼", "科汇大厦", "创新中心", "智慧谷", "国际广场")
#: Region codes of credit codes (mostly Xuhui, 310104; companies from other districts visit too).
REGIONS = ("310104",) * 8 + ("310115", "310101", "310112", "310106")
ORG_CHARS = "0123456789" * 3 + "ABCDEFGHJKLMNPQRTUWXY"

# --- what they ask for ------------------------------------------------------------------------------

FILL: dict[str, tuple[str, ...]] = {
    "amount": ("50", "80", "100", "150", "200", "300", "500", "800", "1000", "2000"),
    "n": ("2", "3", "5", "6", "8", "10", "12", "15", "20", "30"),
    "area": ("60", "80", "120", "150", "200", "300", "450", "600"),
    "use": ("采购原材料", "发放员工工资", "扩大生产", "研发投入", "支付房租", "承接新订单"),
    "bank": ("工商银行", "建设银行", "上海银行", "农商银行", "招商银行", "中国银行"),
    "product": ("芯片", "医疗器械", "工业软件", "新材料", "动漫", "检测设备", "智能硬件", "生物试剂", "无人机", "储能"),
    "degree": ("博士", "硕士", "应届本科生", "留学回国人员", "高级工程师"),
    "role": ("软件工程师", "销售", "财务", "研发人员", "实验员", "设计师", "算法工程师", "客服"),
    "country": ("美国", "日本", "德国", "新加坡", "法国", "韩国", "英国"),
    "year": ("2024", "2025", "2026"),
    "partner": ("供应商", "经销商", "外包公司", "合作高校", "境外客户"),
    "licence": ("医疗器械经营许可证", "人力资源服务许可证", "网络文化经营许可证", "道路运输经营许可证",
                "食品经营许可证"),
    "scope": ("技术进出口", "医疗器械销售", "人工智能应用软件开发", "食品销售", "第二类增值电信业务"),
    "park": PARKS,
    "trade": TRADES,
}
NEEDS: dict[str, dict[str, tuple[str, ...]]] = {
    "finance": {
        "bank_loan": ("想申请{amount}万元的银行信用贷款，用于{use}", "流动资金紧张，咨询{bank}的科技贷款和贴息政策",
                      "能不能推荐几家银行做{amount}万元的流动资金贷款", "贷款快到期了，资金周转紧张需要过桥资金"),
        "guarantee": ("申请政策性融资担保，担保费率能否降低", "咨询区里融资担保的条件，贷款额度{amount}万元"),
        "equity": ("希望对接天使投资和风险投资机构，计划融资{amount}万元",
                   "{product}项目准备做A轮融资，想参加区里的路演活动"),
        "listing": ("公司计划在科创板上市，咨询上市辅导和奖励政策", "咨询发行公司债券的流程和条件"),
        "ip_pledge": ("有{n}项发明专利，想办理知识产权质押融资", "咨询专利质押贷款的贴息比例"),
        "leasing": ("采购{product}设备需要融资租赁，金额约{amount}万元", "设备采购想做融资租赁，咨询有哪些合作机构"),
    },
    "talent": {
        "settlement": ("新招的{degree}想办理人才引进落户", "员工居住证积分达到120分后怎么申请",
                       "应届{degree}落户打分的材料怎么准备", "员工居住证转户口需要哪些条件"),
        "housing": ("想为{n}名员工申请人才公寓", "咨询人才安居租房补贴的申请条件"),
        "foreign_talent": ("{country}籍员工的工作许可要续期", "外籍高管申请永久居留需要哪些材料"),
        "recruitment": ("要招聘{n}名{role}，希望参加区里的招聘会", "招用应届毕业生有没有一次性补贴"),
        "training": ("员工申请职称评审的渠道", "咨询职业技能培训补贴，计划培训{n}人"),
        "social_insurance": ("社保缴费基数调整有疑问", "公积金开户和补缴的手续怎么办"),
    },
    "legal": {
        "contract": ("客户拖欠货款{amount}万元，想发律师函", "需要律师审核与{partner}签订的合作合同"),
        "litigation": ("和房东的租赁纠纷准备起诉，咨询诉讼流程", "被{partner}起诉，需要法律援助"),
        "mediation": ("和{partner}的合同违约纠纷想申请商事调解", "希望通过调解解决货款争议，金额约{amount}万元"),
        "ip_protection": ("商标被人抢注想维权", "发现有公司仿冒我们{product}产品的外观设计"),
        "labor_dispute": ("员工离职后申请劳动仲裁，想咨询怎么应对", "{n}名员工要求补发加班费，想了解法律规定"),
        "compliance": ("准备向{country}出口{product}，咨询跨境数据合规", "想做个人信息保护合规审查"),
    },
    "credit": {
        "credit_repair": ("行政处罚信息想申请信用修复", "{year}年的处罚已经整改完成，咨询信用修复流程"),
        "abnormal_list": ("因为年报逾期被列入经营异常名录，想申请移出", "通过登记的住所无法联系被列入经营异常名录"),
        "dishonesty": ("法定代表人被列为失信被执行人，影响投标", "咨询失信联合惩戒的解除条件"),
        "credit_report": ("投标需要开具公共信用信息报告", "银行贷款需要企业信用报告"),
        "credit_rating": ("纳税信用等级被评为C级，咨询如何提升", "申请企业信用评级需要准备哪些材料"),
        "objection": ("信用中国网站上的信息有误，想提出异议", "公示的处罚信息和事实不符，申请更正"),
    },
    "policy": {
        "subsidy": ("咨询房租补贴的申报条件", "{year}年度研发费用补贴什么时候申报", "首次进入规上企业的奖励怎么申请",
                    "咨询{product}产业的专项扶持资金"),
        "qualification": ("高新技术企业认定的材料准备", "专精特新中小企业申报咨询", "科技型中小企业评价入库怎么办"),
        "apply_free": ("免申即享的稳岗补贴什么时候发放", "免申即享的扶持资金一直没有到账"),
        "tax_incentive": ("研发费用加计扣除怎么操作", "咨询小微企业税收优惠政策"),
        "voucher": ("申请科技创新券，用于{product}检测", "服务券可以用于哪些服务机构"),
    },
    "space": {
        "office_space": ("想在{park}找{area}平米的办公室", "公司扩张需要增加{area}平米办公面积"),
        "property": ("办公楼的空调经常坏，物业处理不及时", "办公室漏水物业不处理", "物业费收费标准有疑问"),
        "parking": ("园区停车位太少，员工停车难", "希望在楼下增设新能源汽车充电桩"),
        "network": ("楼宇的宽带信号太差", "手机信号覆盖差，影响客户来电", "希望楼里引入千兆光纤"),
    },
    "permit": {
        "registration": ("办理营业执照地址变更", "公司法定代表人变更需要哪些材料", "注册资本增加到{amount}万元的流程"),
        "license": ("{licence}续期", "申请{licence}需要哪些材料"),
        "deregistration": ("公司注销需要哪些材料", "咨询简易注销的条件"),
        "business_license": ("营业执照经营范围变更，增加{scope}", "营业执照遗失补办"),
        "tax_affairs": ("税务登记信息变更", "发票额度不够用，申请增加"),
        "property_registration": ("购买的办公用房办理不动产登记", "咨询一件事办理开办企业的流程"),
    },
    "other": {
        "environment": ("楼下餐饮油烟太大，影响办公", "周边工地夜间施工噪音扰民"),
        "traffic": ("附近公交班次太少，员工通勤不便", "园区门口道路拥堵，希望增设信号灯"),
        "amenities": ("员工食堂的就餐问题", "希望园区周边增加便利店和午餐选择"),
        "feedback": ("想了解区里的活动安排", "建议服务站周末也开放", "希望组织企业交流活动"),
    },
}
OPENINGS = ("", "", "", "您好，", "我司是一家{trade}企业，", "我们公司在{park}，", "企业负责人来站咨询：",
            "公司成立{n}年了，", "朋友介绍来的，")
DETAILS = ("", "", "", "，之前已经咨询过一次", "，材料已经准备好了", "，想了解办理时限", "，需要哪些材料请列个清单")
CLOSINGS = ("。", "。", "，请尽快联系我们。", "，时间比较急。", "，麻烦给个答复。", "，谢谢！", "，下周前需要结果。",
            "，希望服务站协助对接相关部门。")
CATEGORY_WEIGHTS = {"finance": 16, "talent": 15, "legal": 10, "credit": 8, "policy": 20, "space": 9, "permit": 16,
                    "other": 6}
CHANNELS = (("walk_in", 70), ("phone", 20), ("visit", 10))
RATINGS = ((5, 0.55), (4, 0.25), (3, 0.1), (2, 0.06), (1, 0.04))
LEVELS = {5: "very_satisfied", 4: "satisfied", 3: "neutral", 2: "dissatisfied", 1: "very_dissatisfied"}
RATING_COMMENTS = {5: ("办理很及时", "服务态度很好", ""), 4: ("总体满意", ""), 3: ("", "还可以"),
                   2: ("回复太慢", "问题没有解决"), 1: ("一直没人联系", "答复不清楚")}
NOTES = ("已电话联系企业，约定下周上门", "企业补充了材料", "已转相关部门跟进", "企业来电询问进度")


def _db_time(moment: datetime) -> str:
    """The way SQLAlchemy stores the program's UTC datetimes in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def describe(rng: random.Random, category: str) -> tuple[str, str]:
    """(subcategory code, description) of a request of ``category``."""
    subcategory = rng.choice(list(NEEDS[category]))
    need = rng.choice(NEEDS[category][subcategory])
    text = rng.choice(OPENINGS) + need + rng.choice(DETAILS) + rng.choice(CLOSINGS)
    while "{" in text:
        start = text.index("{")
        end = text.index("}", start)
        text = text[:start] + rng.choice(FILL[text[start + 1:end]]) + text[end + 1:]
    return subcategory, text


# --- companies ------------------------------------------------------------------------------------


def make_uscc(rng: random.Random, taken: set[str]) -> str:
    """A valid, unused unified social credit code (legal-person company, ``91`` + region + org code)."""
    from xuhui_desk.validation import org_code_check_char, uscc_check_char

    while True:
        body = "".join(rng.choice(ORG_CHARS) for _ in range(8))
        first17 = "91" + rng.choice(REGIONS) + body + org_code_check_char(body)
        code = first17 + uscc_check_char(first17)
        if code not in taken:
            taken.add(code)
            return code


def make_phone(rng: random.Random) -> str:
    """A mainland mobile or a Shanghai landline, in the program's normalised form."""
    if rng.random() < 0.75:
        prefix = rng.choice(("138", "139", "136", "150", "152", "186", "189", "177", "135", "158"))
        return f"{prefix}{rng.randrange(10**8):08d}"
    return f"021-{rng.choice('56')}{rng.randrange(10**7):07d}"


@dataclass
class Company:
    id: int
    uuid: str
    name: str
    name_key: str
    uscc: str | None
    contact: str
    phone: str
    park: str
    building: str


def make_companies(rng: random.Random, count: int) -> list[Company]:
    from xuhui_desk.validation import name_key

    companies: list[Company] = []
    names: set[str] = set()
    codes: set[str] = set()
    while len(companies) < count:
        if rng.random() < 0.04:  # sole traders: no credit code of the company kind
            name = f"徐汇区{rng.choice(BRANDS)}{rng.choice(('餐饮店', '工作室', '便利店', '设计工作室'))}"
        elif rng.random() < 0.1:
            name = f"{rng.choice(BRANDS)}（上海）{rng.choice(TRADES)}{rng.choice(FORMS)}"
        else:
            name = f"上海{rng.choice(BRANDS)}{rng.choice(BRANDS)}{rng.choice(TRADES)}{rng.choice(FORMS)}"
        if name in names:
            continue
        names.add(name)
        sole = name.startswith("徐汇区")
        contact = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        companies.append(Company(
            id=len(companies) + 1, uuid=_uuid(rng), name=name, name_key=name_key(name),
            uscc=None if sole or rng.random() < 0.02 else make_uscc(rng, codes), contact=contact,
            phone=make_phone(rng), park=rng.choice(PARKS), building=rng.choice(BUILDINGS)))
    return companies


# --- time ---------------------------------------------------------------------------------------------


def intake_times(rng: random.Random, first: date, last: date, count: int,
                 before: datetime | None = None) -> list[datetime]:
    """``count`` intake times from ``first`` to ``last`` (inclusive): mostly working-day office
    hours, a few evenings and weekends; none at or after ``before``."""
    if count <= 0:
        return []
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights = list(itertools.accumulate(1.0 if d.weekday() < 5 else 0.12 for d in days))
    times: list[datetime] = []
    while len(times) < count:
        day = days[bisect.bisect_left(weights, rng.random() * weights[-1])]
        hour = rng.uniform(8.5, 17.5) if rng.random() < 0.93 else rng.uniform(0, 24)
        local = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(hours=hour)
        moment = local.astimezone(UTC).replace(microsecond=rng.randrange(1_000_000))
        if before is None or moment < before:
            times.append(moment)
    return times


class SlaDue:
    """SLA due times by the program's own taxonomy and calendar, cached per (day, before closing, days)."""

    def __init__(self) -> None:
        from xuhui_desk.services.taxonomy import load_taxonomy
        from xuhui_desk.services.workdays import default_calendar

        self.calendar = default_calendar()
        self.taxonomy = load_taxonomy()
        self.cache: dict[tuple[date, bool, int], datetime | None] = {}

    def __call__(self, category: str, urgency: str, created: datetime) -> datetime | None:
        from xuhui_desk.services.workdays import CalendarYearUnknown

        days = self.taxonomy.sla_days(category, urgency)
        local = created.astimezone(SHANGHAI)
        key = (local.date(), local.time() < self.calendar.closes_at, days)
        if key not in self.cache:
            try:
                self.cache[key] = self.calendar.add_workdays(created, days)
            except CalendarYearUnknown:
                self.cache[key] = None
        return self.cache[key]


Event = tuple[datetime, str, str, str, dict[str, Any]]  # (when, kind, actor, origin, data)


def lifecycle(rng: random.Random, created: datetime, due: datetime | None, horizon: datetime, specialist: str,
              department: str) -> list[Event]:
    """What happened to a request after intake, cut at ``horizon`` (the database's "now")."""
    events: list[Event] = []
    t = created
    status = "new"

    def step(target: str, hours: float, actor: str = specialist, **extra: Any) -> bool:
        nonlocal t, status
        t = t + timedelta(hours=hours)
        if t >= horizon:
            return False
        # The department's own progress and replies come from the district hub.
        origin = "station" if actor == specialist else "hub"
        events.append((t, "status_changed", actor, origin, {"from": status, "status": target, **extra}))
        status = target
        return True

    sla_hours = max(4.0, ((due or created + timedelta(days=7)) - created).total_seconds() / 3600)
    if rng.random() < 0.03:
        step("cancelled", rng.uniform(0.5, 48), note="企业已自行解决")
        return events
    if not step("routed", rng.lognormvariate(1.0, 1.0)):
        return events
    if rng.random() < 0.08:
        note_at = t + timedelta(hours=rng.uniform(1, 30))
        if note_at < horizon:
            events.append((note_at, "note", specialist, "station", {"note": rng.choice(NOTES)}))
            t = note_at
    if not step("in_progress", rng.lognormvariate(1.5, 1.0), actor=department):
        return events
    if not step("replied", sla_hours * rng.uniform(0.2, 1.35), actor=department):
        return events
    if rng.random() < 0.6:
        rated_at = t + timedelta(hours=rng.uniform(2, 72))
        if rated_at >= horizon:
            return events
        rating = rng.choices([r for r, _ in RATINGS], weights=[w for _, w in RATINGS])[0]
        events.append((rated_at, "rated", specialist, "station",
                       {"rating": rating, "level": LEVELS[rating], "comment": rng.choice(RATING_COMMENTS[rating])}))
        t = rated_at
        if rating <= 2:
            events.append((rated_at, "rectification", specialist, "station", {
                "from": status, "status": "in_progress", "due": (rated_at + timedelta(days=5)).isoformat(),
                "reason": "dissatisfied_rating"}))
            status = "in_progress"
            if step("replied", rng.uniform(24, 240), actor=department):
                step("closed", rng.uniform(24, 200))
            return events
        step("closed", 0.0, note="rated")
        return events
    step("closed", rng.uniform(24, 200))
    return events


# --- the database -------------------------------------------------------------------------------------


def head_revision() -> str:
    from xuhui_desk.db import head_revision as head

    return head()


def cache_path(*, total: int = DEFAULTS["total"], week_total: int = DEFAULTS["week_total"],
               week: str = DEFAULTS["week"], enterprises: int = DEFAULTS["enterprises"],
               seed: int = DEFAULTS["seed"]) -> Path:
    """Where the database with these parameters is cached."""
    return DATA_DIR / (f"desk-{total}-{week_total}-{week}-e{enterprises}-s{seed}-g{GENERATOR_VERSION}"
                       f"-r{head_revision()}.db")


def database(*, total: int = DEFAULTS["total"], week_total: int = DEFAULTS["week_total"],
             week: str = DEFAULTS["week"], enterprises: int = DEFAULTS["enterprises"], seed: int = DEFAULTS["seed"],
             regenerate: bool = False, progress: Callable[[str], None] = print) -> Path:
    """The cached database with these parameters, generated first when missing."""
    path = cache_path(total=total, week_total=week_total, week=week, enterprises=enterprises, seed=seed)
    if regenerate or not path.exists():
        _build(path, total=total, week_total=week_total, week=week, enterprises=enterprises, seed=seed,
               progress=progress)
    return path


def generate_database(path: Path, *, total: int = DEFAULTS["total"], week_total: int = DEFAULTS["week_total"],
                      week: str = DEFAULTS["week"], enterprises: int = DEFAULTS["enterprises"],
                      seed: int = DEFAULTS["seed"], regenerate: bool = False,
                      progress: Callable[[str], None] = print) -> Path:
    """A workstation database at ``path`` (see the module doc): a copy of the cached one with the
    same parameters, generated into the cache first if needed. Returns ``path``."""
    path = Path(path)
    cached = database(total=total, week_total=week_total, week=week, enterprises=enterprises, seed=seed,
                      regenerate=regenerate, progress=progress)
    if path.resolve() != cached.resolve():
        copy_database(cached, path)
    return path


def copy_database(source: Path, dest: Path) -> Path:
    """A plain file copy of a closed, checkpointed database (no -wal or -shm beside it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    partial = dest.with_name(dest.name + ".copying")
    shutil.copyfile(source, partial)
    partial.replace(dest)
    return dest


def _build(path: Path, *, total: int, week_total: int, week: str, enterprises: int, seed: int,
           progress: Callable[[str], None]) -> None:
    from xuhui_desk.db import open_database
    from xuhui_desk.services.pinyin_order import pinyin_sort_key
    from xuhui_desk.services.reports import parse_week
    from xuhui_desk.services.station import init_station
    from xuhui_desk.services.taxonomy import load_taxonomy

    started = time.perf_counter()
    progress(f"generating {path.name}: {total:,} requests ({week_total:,} in {week}), {enterprises:,} enterprises …")
    building = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    db = open_database(building)
    try:
        init_station(db, STATION_CODE, STATION_NAME, STATION_ADDRESS, specialist=SPECIALISTS[0])
    finally:
        db.close()

    rng = random.Random(seed)
    target = parse_week(week)
    horizon = target.end + timedelta(hours=18)  # Monday 18:00 after the week: the database's "now"
    unsynced_after = horizon - timedelta(hours=UNSYNCED_HOURS)
    first_day = target.days[0] - timedelta(weeks=103)
    taxonomy = load_taxonomy()
    sla = SlaDue()
    companies = make_companies(rng, enterprises)
    # Regular visitors and a long tail: company k is chosen with weight 1 / (k + 1) ** 0.8.
    company_weights = list(itertools.accumulate(1 / (k + 1) ** 0.8 for k in range(len(companies))))

    after = min(150, max(0, total - week_total))
    before_week = max(0, total - week_total - after)
    times = intake_times(rng, first_day, target.days[0] - timedelta(days=1), before_week)
    in_week = intake_times(rng, target.days[0], target.days[-1], max(0, week_total - 2))
    # The week's edges: the last second of Sunday is in the week, Monday 00:00 is not.
    in_week += [target.end - timedelta(seconds=1), target.start][:week_total - len(in_week)]
    monday_after = target.days[-1] + timedelta(days=1)
    times += in_week + intake_times(rng, monday_after, monday_after, after - 1, before=horizon) + [target.end][:after]
    times.sort()
    progress(f"  {len(times):,} intake times ({time.perf_counter() - started:.0f} s)")

    categories = list(CATEGORY_WEIGHTS)
    category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS.values()))
    channels = [c for c, _ in CHANNELS]
    channel_cum = list(itertools.accumulate(w for _, w in CHANNELS))
    departments = {(c.code, s): taxonomy.department_for(c.code, s).code
                   for c in taxonomy.categories for s in [None, *c.subcategories]}
    department_labels = {d.code: d.label("zh_CN") for d in taxonomy.departments}
    sequences: dict[str, int] = {}
    first_seen: dict[int, datetime] = {}
    requests: list[tuple[Any, ...]] = []
    # (when, request id, kind, actor, origin, data, sync state)
    events: list[tuple[datetime, int, str, str, str, str, str]] = []
    for request_id, created in enumerate(times, start=1):
        day = created.astimezone(SHANGHAI).strftime("%Y%m%d")
        sequences[day] = sequences.get(day, 0) + 1
        company = companies[bisect.bisect_left(company_weights, rng.random() * company_weights[-1])]
        first_seen.setdefault(company.id, created)
        category = categories[bisect.bisect_left(category_cum, rng.random() * category_cum[-1])]
        subcategory, description = describe(rng, category)
        department = departments[(category, subcategory)]
        urgency = "urgent" if rng.random() < 0.08 else "normal"
        channel = channels[bisect.bisect_left(channel_cum, rng.random() * channel_cum[-1])]
        specialist = SPECIALISTS[rng.randrange(len(SPECIALISTS))]
        due = sla(category, urgency, created)
        # One request in twenty was routed by hand to another category than the router suggested.
        suggested = category if rng.random() < 0.95 else rng.choice(categories)
        history = lifecycle(rng, created, due, horizon, specialist, department_labels.get(department, department))
        status, first_response, resolved, rating, comment, updated = "new", None, None, None, None, created
        unsynced = 0
        events.append((created, request_id, "created", specialist, "station", json.dumps({
            "category": category, "department": department, "channel": channel, "suggested_category": suggested,
            "status": "new"}), "pending" if created > unsynced_after else "synced"))
        own = 0
        for at, kind, actor, origin, data in history:
            # Changes made here bump the revision and wait for sync; the hub's arrive synced.
            pending = origin == "station" and at > unsynced_after
            own += origin == "station"
            unsynced += pending
            events.append((at, request_id, kind, actor, origin, json.dumps(data), "pending" if pending else "synced"))
            updated = at
            if kind == "rated":
                rating, comment = data["rating"], data["comment"] or None
            if kind == "rectification":
                due = datetime.fromisoformat(data["due"])
            if "status" in data:
                if first_response is None:
                    first_response = at
                if data["status"] in ("replied", "closed") and resolved is None:
                    resolved = at
                if data["status"] == "in_progress" and data["from"] in ("replied", "closed"):
                    resolved = None
                status = data["status"]
        revision = 1 + own
        if created > unsynced_after:
            sync_state, synced_revision = "pending", None
        elif unsynced:
            sync_state, synced_revision = "pending", revision - unsynced
        else:
            sync_state, synced_revision = "synced", revision
        requests.append((
            request_id, _uuid(rng), f"{STATION_CODE}-{day}-{sequences[day]:03d}", company.id, channel, category,
            subcategory, department, description, urgency, status, _db_time(due) if due else None, specialist,
            _db_time(created), _db_time(updated), _db_time(first_response) if first_response else None,
            _db_time(resolved) if resolved else None, rating, comment, None, suggested, revision, synced_revision,
            sync_state, None))
    # Timeline ids in the order things happened, as the workflow appends them.
    events.sort(key=lambda e: (e[0], e[1]))
    event_rows = [(i, _uuid(rng), request_id, kind, actor, origin, _db_time(at), data, sync)
                  for i, (at, request_id, kind, actor, origin, data, sync) in enumerate(events, start=1)]
    del events
    epoch = datetime.combine(first_day, datetime.min.time(), tzinfo=SHANGHAI)
    enterprise_rows = []
    for c in companies:
        seen = first_seen.get(c.id, epoch)
        pending = seen > unsynced_after
        enterprise_rows.append((c.id, c.uuid, c.name, c.name_key, pinyin_sort_key(c.name), c.uscc, c.contact,
                                c.phone, c.park, c.building, _db_time(seen), _db_time(seen), 1,
                                None if pending else 1, "pending" if pending else "synced"))
    progress(f"  {len(requests):,} requests, {len(event_rows):,} timeline events in memory "
             f"({time.perf_counter() - started:.0f} s)")

    con = sqlite3.connect(building, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("PRAGMA cache_size=-262144")  # 256 MB: the index builds stay in memory
        con.execute("BEGIN IMMEDIATE")
        triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _sql in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        con.executemany(
            "INSERT INTO enterprises(id, uuid, name, name_key, name_sort, uscc, contact_name, phone, park, building, "
            "first_seen_at, updated_at, revision, synced_revision, sync_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            enterprise_rows)
        con.executemany(
            "INSERT INTO requests(id, uuid, tracking_no, enterprise_id, channel, category, subcategory, department, "
            "description, urgency, status, sla_due_at, specialist, created_at, updated_at, first_response_at, "
            "resolved_at, rating, rating_comment, linked_request_uuid, suggested_category, revision, "
            "synced_revision, sync_state, sync_error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            requests)
        con.executemany(
            "INSERT INTO request_events(id, uuid, request_id, kind, actor, origin, occurred_at, data, sync_state) "
            "VALUES (?,?,?,?,?,?,?,?,?)", event_rows)
        con.executemany("INSERT INTO daily_sequences(station_code, day, last) VALUES (?,?,?)",
                        [(STATION_CODE, day, last) for day, last in sequences.items()])
        progress(f"  rows inserted ({time.perf_counter() - started:.0f} s)")
        # The full-text indexes from the same SQL as their triggers (migrations 0002 and 0005).
        con.execute(
            "INSERT INTO request_fts(rowid, tracking_no, enterprise_name, uscc, description) "
            "SELECT r.id, r.tracking_no, e.name, coalesce(e.uscc, ''), r.description "
            "FROM requests r JOIN enterprises e ON e.id = r.enterprise_id")
        con.execute("INSERT INTO request_bigram(request_bigram) VALUES ('rebuild')")
        # A bulk build leaves many segments and merges half done; the first saves after it would
        # pay for finishing them (one save took 270 ms). Merged once, the indexes are in the steady
        # state of a database grown by daily intake, whose small merges are spread over the saves.
        con.execute("INSERT INTO request_fts(request_fts) VALUES ('optimize')")
        con.execute("INSERT INTO request_bigram(request_bigram) VALUES ('optimize')")
        for _name, sql in triggers:
            con.execute(sql)
        con.execute("COMMIT")
        progress(f"  full-text indexes built ({time.perf_counter() - started:.0f} s)")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    building.replace(path)
    size = path.stat().st_size / 1e6
    progress(f"  done: {path} ({size:.0f} MB) in {time.perf_counter() - started:.0f} s")


def describe_database(path: Path) -> dict[str, Any]:
    """A few facts about a generated database (for the benchmarks' output)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        def one(sql: str) -> Any:
            return con.execute(sql).fetchone()[0]

        return {
            "requests": one("SELECT count(*) FROM requests"),
            "enterprises": one("SELECT count(*) FROM enterprises"),
            "events": one("SELECT count(*) FROM request_events"),
            "open": one("SELECT count(*) FROM requests WHERE status IN ('new','routed','in_progress','replied')"),
            "distinct_descriptions": one("SELECT count(DISTINCT description) FROM requests"),
            "pending": one("SELECT count(*) FROM requests WHERE sync_state = 'pending'"),
            "first": one("SELECT min(created_at) FROM requests"),
            "last": one("SELECT max(created_at) FROM requests"),
            "megabytes": round(path.stat().st_size / 1e6),
        }
    finally:
        con.close()


def sample_descriptions(count: int = 8, seed: int = 1) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        category = rng.choice(list(NEEDS))
        yield f"{category}: {describe(rng, category)[1]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=DEFAULTS["total"])
    parser.add_argument("--week-total", type=int, default=DEFAULTS["week_total"])
    parser.add_argument("--week", default=DEFAULTS["week"], help="ISO week YYYY-Www (default %(default)s)")
    parser.add_argument("--enterprises", type=int, default=DEFAULTS["enterprises"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--out", type=Path, help="copy the database here (default: just the cache)")
    parser.add_argument("--regenerate", action="store_true", help="generate again even if cached")
    parser.add_argument("--samples", action="store_true", help="print a few generated descriptions and stop")
    args = parser.parse_args(argv)
    if args.samples:
        print("\n".join(sample_descriptions()))
        return 0
    params = {"total": args.total, "week_total": args.week_total, "week": args.week,
              "enterprises": args.enterprises, "seed": args.seed}
    if args.out:
        path = generate_database(args.out, regenerate=args.regenerate, **params)
    else:
        path = database(regenerate=args.regenerate, **params)
    print(path)
    print(json.dumps(describe_database(path), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
