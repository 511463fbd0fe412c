#!/usr/bin/env python3
"""Screenshots of the main screens, in Chinese, at 1366×768, into docs/screenshot-*.png.

A temporary data folder is filled with a station, a tenant directory and a few dozen
realistic requests (through the intake and workflow services, as the program itself
would), then each screen is shown and grabbed with QWidget.grab():

    today (the page the program opens on: what is due, with its count in the navigation),
    intake (a description typed, the suggestion and the duplicate banner shown),
    intake-saved (the tracking number after saving), queue, detail, directory,
    company-file (Ctrl+E on the request shown), settings, reply-texts (the lead's ready-made replies),
    policies-intake / policies-file / policies-profile / policies-today / policies-companies (政策速递:
    the policies beside the intake form, the company file's 政策 and 企业画像 tabs, Today's new policies
    and the companies that may qualify),
    specialist-switch (Ctrl+Shift+U), wizard (the first-run wizard on an empty database)

Run it under a real X server (the way a specialist sees the program) or offscreen:

    .venv/bin/python scripts/screenshots.py            # no display: re-runs itself under xvfb-run
    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py --out /tmp/shots

Every page at the sizes and in the languages the program must fit (issue: every screen fits),
into docs/screenshots/PAGE-WxH-LANG.png:

    .venv/bin/python scripts/screenshots.py --matrix

``--only PREFIX`` saves only the shots whose name starts with PREFIX (``--matrix --only policies``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT = 1366, 768
MATRIX_SIZES = ("1024x700", "1366x768", "1920x1080")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# "Now" for the generated history: the real time, so that today's intakes and overdue marks are live.
NOW = datetime.now(UTC).replace(second=0, microsecond=0)

ENTERPRISES = [
    # name, org-code body (8 digits), contact, phone, park, building
    ("上海云启智能科技有限公司", "31245671", "陈晓峰", "13816620451", "漕河泾开发区", "科技绿洲三期5号楼"),
    ("上海西岸数字传媒有限公司", "35566102", "王思琪", "021-64871234", "西岸传媒港", "西岸数字谷A座"),
    ("上海枫林生物医药有限公司", "32107785", "赵海燕", "13917735620", "枫林生命健康产业园", "枫林国际大厦"),
    ("上海衡山坊餐饮管理有限公司", "30981276", "刘德明", "13601882307", "", "衡山坊8号"),
    ("上海西岸智算科技有限公司", "36650913", "孙一鸣", "18621035566", "西岸智慧谷", "西岸智塔"),
    ("上海漕河泾新材料有限公司", "33812004", "周建国", "13761542289", "漕河泾开发区", "宜山路700号"),
    ("上海徐家汇商务咨询有限公司", "34420017", "吴佳怡", "021-54241188", "徐家汇商圈", "港汇中心二座"),
    ("上海华泾供应链管理有限公司", "37290536", "郑立新", "13564471920", "华泾镇", "华发路88号"),
    ("上海龙华文旅发展有限公司", "38817345", "黄雅婷", "18917726643", "龙华会", "龙华中路596号"),
    ("上海田林数码科技有限公司", "39904128", "马骏", "13311853762", "田林街道", "田林路140号"),
    ("上海康健园林工程有限公司", "30217746", "何振华", "13482226019", "康健街道", "康健路56号"),
    ("上海斜土路设计工作室有限公司", "31678423", "林晓", "15021118890", "斜土街道", "斜土路1221号"),
]
REPLY = "已电话告知企业办理流程和所需材料，企业表示清楚。"
SOLE_TRADER = ("徐汇区李记便利店", "", "李建平", "13524418876", "", "天钥桥路328号")

REQUESTS = [
    # enterprise index, days ago, text, category override or None, status path
    (0, 2, "公司计划扩大生产线，想申请500万元银行贷款，咨询有没有贴息或者担保支持。", None, ""),
    (0, 16, "我们有三项发明专利，想了解知识产权质押融资的办理流程和合作银行。", None, "routed"),
    (1, 1, "新招的两名硕士想办理上海落户，咨询人才引进需要满足哪些条件。", None, ""),
    (1, 9, "公司视频作品被别的平台盗用，想咨询怎么维权、要不要发律师函。", None, "routed,in_progress"),
    (2, 3, "外籍研发总监的工作许可下个月到期，想了解续办需要的材料。", None, "routed"),
    (2, 25, "想给骨干员工申请人才公寓，咨询申请条件和排队时间。", None, "routed,in_progress,replied"),
    (3, 0, "准备在徐汇再开一家餐饮门店，食品经营许可证怎么申请，要多久？", None, ""),
    (3, 30, "门店装修时被投诉噪音，想了解街道的协调渠道。", "other", "routed,in_progress,replied,closed"),
    (4, 5, "正在准备A轮融资，希望对接区里的产业引导基金和创投机构。", None, "routed"),
    (4, 12, "想申报今年的高新技术企业认定，咨询时间安排和需要准备的材料。", None, "routed,in_progress"),
    (5, 21, "公司被列入经营异常名录，原因是去年年报漏报，想申请移出。", None, "routed,in_progress,replied"),
    (5, 4, "办公楼的手机信号很差，想请物业协调运营商增加室内基站。", None, ""),
    (6, 7, "客户拖欠货款80多万元，合同纠纷想先调解，请推荐商事调解机构。", None, "routed"),
    (6, 28, "去年的行政处罚已经履行完毕，想做信用修复，需要去哪里办理？", None, "routed,in_progress,replied,closed"),
    (7, 2, "听说有房租补贴，我们这种刚入驻的初创企业能不能申请？", None, ""),
    (7, 18, "咨询“免申即享”的政策有哪些，我们公司符合哪些。", None, "routed,in_progress"),
    (8, 6, "公司要变更注册地址和法定代表人，想了解一件事办理流程。", None, "routed"),
    (8, 35, "公司计划简易注销一家子公司，咨询需要满足的条件。", None, "routed,in_progress,replied,closed"),
    (9, 0, "扩张需要再租500平方米办公室，希望推荐园区里的空置楼层。", None, ""),
    (9, 14, "员工培训想申请职业技能培训补贴，咨询申报流程。", None, "routed,in_progress"),
    (10, 3, "准备和海外企业签合作协议，想了解跨境合规方面的风险和法律服务。", None, "routed"),
    (10, 22, "想了解区里有没有组织企业参观交流的活动。", None, "routed,in_progress,replied"),
    (11, 0, "工作室想申请文创扶持资金，咨询今年的申报时间。", None, ""),
    (11, 11, "公司商标被人抢注了，想咨询异议和维权的办法。", None, "routed,in_progress"),
    (12, 0, "个体户想办理营业执照变更经营范围，加上预包装食品销售。", None, ""),
    (12, 19, "店门口的共享单车乱停放，影响经营，希望协调处理。", "other", "routed"),
    (0, 33, "想咨询研发费用加计扣除和专精特新企业的申报条件。", None, "routed,in_progress,replied,closed"),
    (2, 40, "公司需要一笔流动资金贷款，希望推荐随申融平台上的产品。", None, "routed,in_progress,replied,closed"),
    (4, 10, "员工的居住证积分怎么办理，公司需要提供什么材料？", None, "routed,in_progress"),
    (6, 1, "写字楼空调坏了两个星期，物业一直没有修。", None, ""),
    (8, 26, "公司想申请企业信用报告，用于招投标。", None, "routed,in_progress,replied"),
    (1, 13, "想了解西岸的影视拍摄场地和相关扶持政策。", None, "routed"),
    (3, 8, "餐厅排油烟设施需要改造，消防和环保手续怎么办？", None, "routed,in_progress"),
    (5, 38, "合同违约被起诉，希望申请法律援助或律师咨询。", None, "routed,in_progress,replied,closed"),
    (9, 4, "公司网络宽带需要升级到千兆，楼宇里能不能接入？", None, "routed"),
    (7, 45, "申请上市前需要准备哪些合规材料，区里有没有上市奖励？", None, "routed,in_progress,replied,closed"),
]
RATINGS = {7: (5, "调解很及时，非常满意"), 13: (4, ""), 17: (5, ""), 26: (3, "回复有点慢"), 35: (5, "")}


def uscc_for(body8: str) -> str:
    from xuhui_desk.validation import org_code_check_char, uscc_check_char

    first17 = "913101" + "04" + body8 + org_code_check_char(body8)
    return first17 + uscc_check_char(first17)


def populate(db: object) -> dict[str, str]:
    """Station, directory and requests; returns a few uuids of interest."""
    from xuhui_desk.services import workflow
    from xuhui_desk.services.assignment import load_router
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
    from xuhui_desk.services.station import init_station, set_setting

    init_station(db, "XH03", "徐家汇服务站", "徐汇区漕溪北路88号1楼", specialist="李敏")  # type: ignore[arg-type]
    set_setting(db, "hub_url", "https://qyfw-hub.xuhui.gov.cn")  # type: ignore[arg-type]
    with db.session() as session:  # type: ignore[attr-defined]
        router = load_router(session)
    people = [(*e[:1], uscc_for(e[1]), *e[2:]) for e in ENTERPRISES] + [SOLE_TRADER]
    found: dict[str, str] = {}
    for index, (who, days, text, category, path) in enumerate(REQUESTS):
        name, uscc, contact, phone, park, building = people[who]
        # Today's requests a few minutes apart (never yesterday); older ones in office hours, Shanghai time.
        if days == 0:
            when = NOW - timedelta(minutes=5 + index)
        else:
            day = (NOW.astimezone(SHANGHAI) - timedelta(days=days)).replace(hour=9, minute=0)
            when = (day + timedelta(minutes=(index * 37) % 480)).astimezone(UTC)
        data = IntakeInput(EnterpriseInput(name, uscc, contact, phone, park, building), text, category=category,
                           urgency="urgent" if index % 9 == 4 else "normal",
                           channel=("walk_in", "phone", "visit")[index % 5 % 3])
        result = create_request(db, data, router=router, now=when)  # type: ignore[arg-type]
        found.setdefault("first", result.uuid)
        if index == 5:
            found["detail"] = result.uuid
        step = when
        for status in filter(None, path.split(",")):
            step += timedelta(hours=20)
            reply = REPLY if status == "replied" else None  # "replied" records what the enterprise was told
            workflow.apply(db, result.uuid, status=status, reply=reply,  # type: ignore[arg-type]
                           now=min(step, NOW))
        if index in RATINGS:
            rating, comment = RATINGS[index]
            workflow.apply(db, result.uuid, rating=rating, comment=comment,  # type: ignore[arg-type]
                           now=min(step + timedelta(hours=2), NOW))
    # Two callbacks for Today: one planned for today, one planned yesterday and not made yet.
    from xuhui_desk.services.followup import record_contact

    record_contact(db, found["first"], "phone", "企业下午三点后方便，届时回电告知进度",  # type: ignore[arg-type]
                   NOW.astimezone(SHANGHAI).date(), now=NOW - timedelta(days=1))
    record_contact(db, found["detail"], "visit", "约定上门核实租赁合同",  # type: ignore[arg-type]
                   (NOW - timedelta(days=1)).astimezone(SHANGHAI).date(), now=NOW - timedelta(days=2))
    return found


# A few policies of the kinds the district offers, in our own words (samples, not real policies).
POLICIES = [
    {"id": "S-LOAN-01", "title": "小微企业贷款贴息（示例）", "department": "区金融办", "apply": "online",
     "apply_link": "https://zwdt.sh.gov.cn/govPortals/sample/loan", "link": "https://www.xuhui.gov.cn/sample/loan",
     "benefit": "新增银行贷款按实际利息的 50% 贴息，每家每年最高 30 万元",
     "conditions": {"size": ["micro", "small"], "registered_in_xuhui": True, "keywords_any": ["贷款", "贴息", "融资"]}},
    {"id": "S-RD-02", "title": "研发投入补贴（示例）", "department": "区科委", "apply": "online",
     "apply_link": "https://zwdt.sh.gov.cn/govPortals/sample/rd", "link": "https://www.xuhui.gov.cn/sample/rd",
     "benefit": "按上年度研发费用增量的 10% 给予补贴，最高 100 万元",
     "conditions": {"qualifications_any": ["高新技术企业", "科技型中小企业"], "min_revenue_wan": 500}},
    {"id": "S-RENT-03", "title": "初创企业房租补贴（示例）", "department": "区商务委", "apply": "window",
     "apply_where": "徐汇区行政服务中心二楼 12 号窗口", "link": "https://www.xuhui.gov.cn/sample/rent",
     "benefit": "入驻区内园区的初创企业，首年房租补贴 30%",
     "conditions": {"max_age_years": 3, "registered_in_xuhui": True}},
    {"id": "S-AI-04", "title": "人工智能算力券（示例）", "department": "区科委", "apply": "no_application",
     "link": "https://www.xuhui.gov.cn/sample/ai", "benefit": "符合条件的企业自动获得算力券，抵扣算力费用最高 20%",
     "conditions": {"industry_prefix": ["I65"], "registered_in_xuhui": True}},
    {"id": "S-HQ-05", "title": "总部企业落户奖励（示例）", "department": "区投促办", "apply": "window",
     "apply_where": "徐汇区投资促进办公室", "link": "", "benefit": "经认定的总部企业给予一次性落户奖励",
     "conditions": {"min_employees": 300, "size": ["large"]}},
]


def populate_policies(db: object) -> None:
    """The sample policies (as the sync brings them) and the profiles of a few companies."""
    from datetime import date

    from xuhui_desk.policies import CompanyProfile, parse_policy
    from xuhui_desk.services.company_file import company_file
    from xuhui_desk.services.policies import replace_catalogue, save_company_profile

    day = NOW.astimezone(SHANGHAI).date()
    policies = [parse_policy({**p, "valid_from": f"{day.year - 1}-01-01", "valid_to": f"{day.year + 1}-12-31",
                              "summary": "示例政策，由本项目撰写", "sample": True}) for p in POLICIES]
    replace_catalogue(db, 1, policies)  # type: ignore[arg-type]
    profiles = {
        0: CompanyProfile(industry_code="I6513", registered_in_xuhui=True, size="small", employees=46,
                          qualifications=frozenset({"高新技术企业"})),
        4: CompanyProfile(industry_code="I6520", established=date(day.year - 2, 3, 1), registered_in_xuhui=True,
                          size="micro", employees=12, revenue_wan=800, qualifications=frozenset()),
        9: CompanyProfile(registered_in_xuhui=True, size="small"),
    }
    for index, profile in profiles.items():
        enterprise_id = company_file(db, uscc_for(ENTERPRISES[index][1]), limit=1).profile.id  # type: ignore[arg-type]
        save_company_profile(db, enterprise_id, profile, actor="李敏")  # type: ignore[arg-type]


def settle(app: object, tasks: object, ms: int = 400) -> None:
    """Let background work finish and the event loop catch up."""
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + ms / 1000
    while True:
        QCoreApplication.processEvents()
        busy = getattr(tasks, "busy", False)
        if not busy and time.monotonic() >= deadline:
            break
        if time.monotonic() > deadline + 20:
            break
        time.sleep(0.01)
    QCoreApplication.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default: docs/)")
    parser.add_argument("--language", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--size", default=f"{WIDTH}x{HEIGHT}", help="window size WxH (default 1366x768)")
    parser.add_argument("--suffix", default="", help="appended to each file name (e.g. -1024x700-en)")
    parser.add_argument("--matrix", action="store_true",
                        help="every page at 1024x700 and 1366x768 (and 1920x1080) in zh_CN and en, into "
                             "docs/screenshots/")
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)  # PAGE.png, no prefix
    parser.add_argument("--only", default="", help="save only the shots whose name starts with this (e.g. policies)")
    args = parser.parse_args()
    if args.matrix:
        import subprocess

        out = ROOT / "docs" / "screenshots"
        for size in MATRIX_SIZES:
            for language in ("zh_CN", "en"):
                subprocess.run([sys.executable, str(Path(__file__).resolve()), "--out", str(out), "--language",
                                language, "--size", size, f"--suffix=-{size}-{language}", "--plain",
                                f"--only={args.only}"],
                               check=True)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    width, height = (int(n) for n in args.size.lower().split("x"))

    from PySide6.QtCore import Qt

    from xuhui_desk.config import database_path
    from xuhui_desk.db import open_database
    from xuhui_desk.ui.app import create_application
    from xuhui_desk.ui.i18n import install_translators
    from xuhui_desk.ui.main_window import MainWindow, Page
    from xuhui_desk.ui.tasks import TaskRunner
    from xuhui_desk.ui.wizard import FirstRunWizard

    app = create_application([sys.argv[0]])
    install_translators(args.language)
    shots: list[Path] = []

    def save(widget: object, name: str) -> None:
        if not name.startswith(args.only):
            return
        path = args.out / (f"{name}{args.suffix}.png" if args.plain else f"screenshot-{name}{args.suffix}.png")
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        shots.append(path)

    with tempfile.TemporaryDirectory(prefix="xuhui-shots-") as tmp:
        data_dir = Path(tmp) / "data"
        db = open_database(database_path(data_dir))
        uuids = populate(db)
        populate_policies(db)
        tasks = TaskRunner()
        window = MainWindow(db, tasks, data_dir)
        window.resize(width, height)
        window.set_sync_status(True, 3, NOW - timedelta(minutes=12), None)
        window.show()
        settle(app, tasks, 800)
        save(window, "today")

        window.show_page(Page.INTAKE)
        form = window.intake_form
        form.name_edit.setFocus()
        form.name_edit.setText(ENTERPRISES[0][0])
        form.uscc_edit.setText(uscc_for(ENTERPRISES[0][1]))
        form.contact_edit.setText(ENTERPRISES[0][2])
        form.phone_edit.setText(ENTERPRISES[0][3])
        form.park_edit.setText(ENTERPRISES[0][4])
        form.building_edit.setText(ENTERPRISES[0][5])
        form.description_edit.setFocus()
        form.description_edit.setPlainText("上个月申请的银行贷款还没有批下来，想再问一下担保公司的进度，另外能不能申请贴息。")
        form.description_edit.moveCursor(form.description_edit.textCursor().MoveOperation.End)
        form.update_suggestion()
        settle(app, tasks, 700)
        save(window, "intake")
        # The policies of the company typed (as when its credit code is left or it is chosen).
        form.policy_card.set_company(uscc_for(ENTERPRISES[0][1]))
        form.policy_card.set_text(form.description_edit.toPlainText())
        settle(app, tasks, 900)
        form.side_column.verticalScrollBar().setValue(form.policy_card.y() - 8)  # the card at the top
        settle(app, tasks, 100)
        save(window, "policies-intake")

        form.dismiss_duplicate()
        form.accept_suggestion()
        form.save()
        settle(app, tasks, 600)
        save(window, "intake-saved")

        window.show_page(Page.QUEUE)
        settle(app, tasks, 800)
        save(window, "queue")
        window.show_request(uuids["detail"])
        settle(app, tasks, 800)
        save(window, "detail")
        # Ctrl+E on the request shown: its company's file (企业档案).
        window.queue_view.table.setFocus()
        window.queue_view.open_company_file()
        settle(app, tasks, 800)
        company = getattr(window.queue_view, "company_dialog", None)
        if company is not None:
            save(company, "company-file")
            company.close()
        # 政策速递 in the company file: the policies tab, then the profile (企业画像).
        from xuhui_desk.ui.company_file.dialog import open_company_file

        company = open_company_file(window, db, tasks, uscc_for(ENTERPRISES[4][1]))
        company.resize(min(1000, width - 40), min(640, height - 60))
        settle(app, tasks, 900)
        company.show_policies_tab()
        settle(app, tasks, 300)
        save(company, "policies-file")
        company.tabs.setCurrentIndex(3)
        settle(app, tasks, 300)
        save(company, "policies-profile")
        company.close()
        window.show_page(Page.TODAY)
        settle(app, tasks, 800)
        save(window, "policies-today")
        chosen = POLICIES[0]
        companies = window.show_policy_companies(str(chosen["id"]), str(chosen["title"]))
        settle(app, tasks, 800)
        save(companies, "policies-companies")
        companies.close()

        window.show_page(Page.DIRECTORY)
        settle(app, tasks, 800)
        save(window, "directory")

        window.show_page(Page.REPORTS)
        settle(app, tasks)
        save(window, "reports")

        window.show_page(Page.SETTINGS)
        settle(app, tasks)
        save(window, "settings")
        replies = window.page(Page.SETTINGS).edit_reply_texts()  # type: ignore[attr-defined]
        settle(app, tasks, 600)
        save(replies, "reply-texts")
        replies.close()

        window.switch_specialist()
        settle(app, tasks)
        if window.switcher is not None:
            save(window.switcher, "specialist-switch")
            window.switcher.reject()

        window.close()
        settle(app, tasks)
        tasks.wait()
        db.close()

        empty_dir = Path(tmp) / "empty"
        db = open_database(database_path(empty_dir))
        wizard = FirstRunWizard(db, tasks)
        wizard.show()
        wizard.station_page.code_edit.setText("XH03")
        wizard.station_page.name_edit.setText("徐家汇服务站")
        wizard.station_page.address_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        settle(app, tasks)
        save(wizard, "wizard")
        wizard.hide()  # (reject() would ask before discarding what was typed)
        tasks.wait()
        db.close()
        window.deleteLater()
        wizard.deleteLater()
        settle(app, tasks, 50)

    platform = app.platformName()
    for path in shots:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  ({platform})")
    return 0


def _display_or_xvfb() -> None:
    """Without a display (and no platform chosen), run again under Xvfb with a true-colour screen."""
    import shutil

    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("XUHUI_DESK_SCREENSHOTS_XVFB") or not shutil.which("xvfb-run"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return
    os.environ["XUHUI_DESK_SCREENSHOTS_XVFB"] = "1"
    os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable,
                           str(Path(__file__).resolve()), *sys.argv[1:]])


if __name__ == "__main__":
    _display_or_xvfb()
    sys.exit(main())
