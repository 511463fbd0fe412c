#!/usr/bin/env python3
"""Screenshots of every page of the district console, in Chinese, into docs/console/*.png.

A temporary hub (``xuhui-hub serve`` on an SQLite file) and two real stations (the ``xuhui-desk``
command) are set up; the stations take in realistic requests and sync; console users are made
with ``xuhui-hub user add``; a handler accepts, asks, replies and transfers, a company rates one
request from the tracking page. Then Debian's Chromium (Playwright, nothing downloaded) opens each
page at desktop width (1366 px) — and the public tracking page at phone width (390 px) — and
saves a full-page screenshot.

    .venv/bin/python scripts/console_screenshots.py [--out docs/console]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "Xuhui-console-2026"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

REQUESTS = {
    "XH03": [
        ("上海云帆科技有限公司", "想申请一笔银行信用贷款，资金周转紧张，希望对接区融资服务中心"),
        ("上海星河生物医药有限公司", "新招的博士想办理人才引进落户，需要了解申请条件和材料"),
        ("上海启明信息技术有限公司", "企业想申请知识产权质押融资贷款，请协助对接银行"),
        ("上海远景智能装备有限公司", "和供应商的合同出现违约纠纷，希望申请商事调解"),
        ("上海卓越软件有限公司", "因为年报逾期被列入经营异常名录，想申请信用修复"),
        ("上海蓝海咨询有限公司", "咨询房租补贴的申报条件和截止时间"),
        ("上海澄明文化传媒有限公司", "楼宇的宽带信号太差，影响直播业务"),
        ("上海汇智教育科技有限公司", "办理营业执照经营范围变更，想走一件事窗口"),
    ],
    "XH07": [
        ("上海恒通物流有限公司", "申请银行贷款扩大车队，想了解融资渠道和贴息政策"),
        ("上海新禾农业科技有限公司", "想申请科技型中小企业信用贷款"),
        ("上海知行法律咨询有限公司", "跨境业务合规审查需要法律服务支持"),
        ("上海安泰医疗器械有限公司", "高层次人才想申请人才公寓"),
        ("上海鸿业建材有限公司", "创业担保贷款申请被退回，想了解原因"),
    ],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(list(args), input=stdin, capture_output=True, text=True, timeout=180,
                            env={**os.environ, **(env or {})}, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed: {result.stderr}")
    return result.stdout


class Console:
    """An httpx client signed in to the console (for setting up the pages' data)."""

    def __init__(self, base: str, username: str) -> None:
        self.c = httpx.Client(base_url=base)
        page = self.c.get("/console/login").text
        self.c.post("/console/login", data={"csrf_token": self.csrf(page), "username": username,
                                            "password": PASSWORD})

    @staticmethod
    def csrf(html: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found
        return found.group(1)

    def act(self, tracking_no: str, action: str, **form: str) -> None:
        page = self.c.get(f"/console/requests/{tracking_no}").text
        r = self.c.post(f"/console/requests/{tracking_no}/{action}", data={"csrf_token": self.csrf(page), **form})
        assert r.status_code == 303, (action, r.status_code, r.text[:300])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    from xuhui_desk.tracking import tracking_code

    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="xuhui-console-shots-"))
    db_url = f"sqlite:///{work / 'hub.db'}"
    hub_env = {"XUHUI_HUB_DATABASE_URL": db_url}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen([str(BIN / "xuhui-hub"), "serve", "--port", str(port), "--log-level", "warning"],
                           env={**os.environ, **hub_env})
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        numbers: dict[str, tuple[str, str]] = {}
        names = {"XH03": "漕河泾开发区服务站", "XH07": "徐家汇商圈服务站"}
        for code, items in REQUESTS.items():
            token = run(str(BIN / "xuhui-hub"), "station", "add", code, "--name", names[code], env=hub_env).strip()
            folder = work / code
            desk = [str(BIN / "xuhui-desk"), "--data-dir", str(folder)]
            run(*desk, "init", "--station-code", code, "--station-name", names[code])
            run(*desk, "settings", "set", "hub_url", base)
            run(*desk, "settings", "set", "hub_token", token)
            lines = "\n".join(json.dumps({"enterprise": {"name": n, "contact_name": "张伟", "phone": "13812345678"},
                                          "description": d}, ensure_ascii=False) for n, d in items) + "\n"
            for line in run(*desk, "intake", "--json-lines", "-", "--json", stdin=lines).splitlines():
                row = json.loads(line)
                numbers[row["tracking_no"]] = (row["uuid"], code)
            run(*desk, "sync", "--json")
        run(str(BIN / "xuhui-hub"), "station", "add", "XH12", "--name", "滨江服务站", env=hub_env)
        for user, role, extra in (("admin", "admin", []), ("coordinator", "coordinator", []),
                                  ("wangfang", "handler", ["--department", "finance_center"]),
                                  ("viewer", "viewer", ["--station", "XH03"])):
            run(str(BIN / "xuhui-hub"), "user", "add", user, "--role", role, "--password-stdin",
                "--name", {"wangfang": "王芳", "coordinator": "李静"}.get(user, user), *extra,
                stdin=PASSWORD + "\n", env=hub_env)
        handler = Console(base, "wangfang")
        listing = json.loads(run(str(BIN / "xuhui-hub"), "request", "list", "--json", env=hub_env))
        fin = [r["tracking_no"] for r in listing if r["department"] == "finance_center"]
        handler.act(fin[0], "accept")
        handler.act(fin[0], "ask", text="请补充近三个月的银行流水和纳税证明")
        handler.act(fin[1], "reply", reply="已对接建设银行徐汇支行，客户经理将在三个工作日内联系企业。")
        handler.act(fin[2], "transfer", department="policy_service", reason="属于贴息政策咨询，转政策窗口办理")
        handler.act(fin[3], "reply", reply="已为企业推荐两家合作银行，请留意来电。")
        # A company rates one reply from its phone (a low rating: rectification).
        uuid = numbers[fin[3]][0]
        track = httpx.Client(base_url=base)
        page = track.get(f"/track/{fin[3]}?code={tracking_code(uuid)}")
        track.post(f"/track/{fin[3]}/rate", data={"csrf_token": Console.csrf(page.text), "code": tracking_code(uuid),
                                                  "rating": "2", "comment": "答复没有解决实际问题"})
        for code in REQUESTS:
            run(str(BIN / "xuhui-desk"), "--data-dir", str(work / code), "sync", "--json")

        replied = fin[1]
        shots: list[tuple[str, str, str, dict[str, int]]] = [
            ("login", "", "/console/login", {}),
            ("inbox", "wangfang", "/console/", {}),
            ("inbox-search", "coordinator", "/console/?q=贷款&status=all", {}),
            ("request", "wangfang", f"/console/requests/{fin[0]}", {}),
            ("request-replied", "coordinator", f"/console/requests/{fin[3]}", {}),
            ("dashboard", "coordinator", "/console/dashboard", {}),
            ("stations", "admin", "/console/stations", {}),
            ("rollup", "coordinator", "/console/rollup", {}),
            ("users", "admin", "/console/users", {}),
            ("audit", "admin", "/console/audit", {}),
            ("not-found", "wangfang", f"/console/requests/{next(n for n in numbers if n not in fin)}", {}),
            ("inbox-en", "wangfang", "/console/?lang=en", {}),
        ]
        uuid_replied = numbers[replied][0]
        phone_shots = [
            ("track-form", f"/track/{replied}"),
            ("track-status", f"/track/{replied}?code={tracking_code(uuid_replied)}"),
            ("track-wrong-code", f"/track/{replied}?code=ABCDEF"),
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            contexts: dict[str, object] = {}
            for name, user, path, _ in shots:
                if user not in contexts:
                    ctx = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
                    if user:
                        pg = ctx.new_page()
                        pg.goto(f"{base}/console/login")
                        pg.fill("input[name=username]", user)
                        pg.fill("input[name=password]", PASSWORD)
                        pg.click("button[type=submit]")
                        pg.close()
                    contexts[user] = ctx
                ctx = contexts[user]
                pg = ctx.new_page()  # type: ignore[attr-defined]
                pg.goto(f"{base}{path}")
                if name == "stations":  # the token shown once after "add"
                    pg.fill("form[action='/console/stations/add'] input[name=code]", "XH15")
                    pg.fill("input[name=name]", "虹梅路服务站")
                    pg.click("text=新增并生成令牌")
                pg.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                pg.close()
                print(f"{args.out / (name + '.png')}")
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2,
                                        locale="zh-CN")
            for name, path in phone_shots:
                pg = phone.new_page()
                pg.goto(f"{base}{path}")
                pg.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                pg.close()
                print(f"{args.out / (name + '.png')}")
            browser.close()
    finally:
        hub.terminate()
        hub.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
