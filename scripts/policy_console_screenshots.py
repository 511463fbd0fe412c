#!/usr/bin/env python3
"""Screenshots of the console's policy pages (政策, issue 15), in Chinese (and the catalogue in
English), into docs/console/policies*.png.

A temporary hub (``xuhui-hub serve`` on an SQLite file) publishes the sample catalogue with the
real ``xuhui-hub policy publish``; two stations send company profiles and policy pushes over the
real sync API (as a station's sync does); console users are made with ``xuhui-hub user add``; a
finance handler records follow-ups. Then Debian's Chromium (Playwright, nothing downloaded) opens
each page at desktop width (1366 px) and saves a full-page screenshot.

    .venv/bin/python scripts/policy_console_screenshots.py [--out docs/console]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from console_screenshots import CHROMIUM_ARGS, PASSWORD, free_port, run  # noqa: E402


def _profile(**facts: Any) -> dict[str, Any]:
    return facts


#: station → (company, profile, policies pushed to it).
COMPANIES: dict[str, list[tuple[str, dict[str, Any] | None, list[str]]]] = {
    "XH03": [
        ("上海精工传感科技有限公司",
         _profile(industry_code="C4011", established="2016-04-12", registered_in_xuhui=True, size="small",
                  qualifications=["专精特新", "高新技术企业"], employees=86, revenue_wan=5200),
         ["XS-2026-004", "XS-2026-001", "XS-2026-010"]),
        ("上海云帆科技有限公司",
         _profile(industry_code="I6513", established="2021-09-01", registered_in_xuhui=True, size="micro",
                  qualifications=["科技型中小企业"], employees=18),
         ["XS-2026-001", "XS-2026-013"]),
        ("上海微纳芯片有限公司",
         _profile(industry_code="C3973", size="medium", qualifications=["专精特新小巨人"]),
         ["XS-2026-004"]),
        ("上海启明信息技术有限公司",
         _profile(industry_code="I6510", registered_in_xuhui=True, size="small", qualifications=[]),
         ["XS-2026-001"]),
        ("上海蓝海咨询有限公司", None, []),
    ],
    "XH07": [
        ("上海恒通物流有限公司",
         _profile(industry_code="G5430", established="2012-03-20", registered_in_xuhui=True, size="medium",
                  qualifications=[], employees=230),
         ["XS-2026-001"]),
        ("上海新禾农业科技有限公司",
         _profile(registered_in_xuhui=True, qualifications=["专精特新"], size="small"),
         ["XS-2026-004", "XS-2026-002"]),
        ("上海安泰医疗器械有限公司",
         _profile(industry_code="C3581", established="2019-07-08", size="small",
                  qualifications=["专精特新", "高新技术企业"], registered_in_xuhui=False),
         []),
    ],
}


class Console:
    """A signed-in console session (plain HTTP, for the set-up steps)."""

    def __init__(self, base: str, username: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=10)
        page = self.client.get("/console/login")
        self.client.post("/console/login", data={"csrf_token": self.csrf(page.text), "username": username,
                                                 "password": PASSWORD})

    @staticmethod
    def csrf(html: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found
        return found.group(1)

    def follow_up(self, policy_id: str, state: str, nth: int = 0) -> None:
        page = self.client.get(f"/console/policies/{policy_id}").text
        items = re.findall(r'data-item="(\d+)" data-state="(\w+)"', page)
        item = [i for i, _s in items][nth]
        self.client.post(f"/console/policies/{policy_id}/follow-up",
                         data={"csrf_token": self.csrf(page), "item": item, "state": state})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    from xuhui_desk.sync_protocol import ENTERPRISE, POLICY_PUSH, PROTOCOL_HEADER, PROTOCOL_VERSION, push_body, to_wire

    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="xuhui-policy-shots-"))
    db_url = f"sqlite:///{work / 'hub.db'}"
    hub_env = {"XUHUI_HUB_DATABASE_URL": db_url}
    hub_bin = str(Path(sys.executable).parent / "xuhui-hub")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run(hub_bin, "policy", "publish", str(ROOT / "resources" / "policies" / "sample_catalogue.json"),
        "--by", "区营商办", env=hub_env)
    tokens = {code: run(hub_bin, "station", "add", code, "--name", name, env=hub_env).strip()
              for code, name in (("XH03", "漕河泾开发区服务站"), ("XH07", "徐家汇商圈服务站"))}
    hub = subprocess.Popen([hub_bin, "serve", "--port", str(port), "--log-level", "warning"],
                           env={**os.environ, **hub_env})
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        now = datetime.now(UTC)
        for code, companies in COMPANIES.items():
            records = []
            for i, (name, profile, pushed) in enumerate(companies):
                ent = str(uuid.uuid4())
                records.append(to_wire(ENTERPRISE, ent, 1, {
                    "name": name, "uscc": None, "contact_name": "张伟", "phone": f"1381234560{i}", "park": "",
                    "building": "", "first_seen_at": now, "updated_at": now, "profile": profile}))
                if pushed:
                    records.append(to_wire(POLICY_PUSH, str(uuid.uuid4()), 1, {
                        "enterprise_uuid": ent, "pushed_by": "李敏" if code == "XH03" else "陈晨",
                        "pushed_at": now - timedelta(hours=2 * i),
                        "channel": ("print_a5", "print_thermal", "told")[i % 3],
                        "policies": [{"id": p, "version": 1} for p in pushed], "request_uuid": None}))
            headers = {"Authorization": f"Bearer {tokens[code]}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
            resp = httpx.post(f"{base}/api/v1/sync/push", json=push_body(str(uuid.uuid4()), code, records),
                              headers=headers)
            assert resp.status_code == 200 and all(r["status"] == "accepted" for r in resp.json()["results"]), resp.text
        for user, role, extra in (("coordinator", "coordinator", []), ("zhengce", "policy_editor", []),
                                  ("wangfang", "handler", ["--department", "finance_center"])):
            run(hub_bin, "user", "add", user, "--role", role, "--password-stdin",
                "--name", {"wangfang": "王芳", "coordinator": "李静", "zhengce": "赵政"}[user], *extra,
                stdin=PASSWORD + "\n", env=hub_env)
        handler = Console(base, "wangfang")
        handler.follow_up("XS-2026-001", "applied", 0)
        handler.follow_up("XS-2026-001", "granted", 0)
        handler.follow_up("XS-2026-001", "applied", 1)
        handler.follow_up("XS-2026-004", "granted", 0)

        shots = [
            ("policies", "coordinator", "/console/policies", None),
            ("policies-en", "coordinator", "/console/policies?lang=en", None),
            ("policy-no-application", "coordinator", "/console/policies/XS-2026-004", None),
            ("policy-follow-up", "wangfang", "/console/policies/XS-2026-001", None),
            ("policy-edit", "zhengce", "/console/policies/XS-2026-013/edit", "bad"),
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            for name, user, path, action in shots:
                ctx = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
                pg = ctx.new_page()
                pg.goto(f"{base}/console/login")
                pg.fill("input[name=username]", user)
                pg.fill("input[name=password]", PASSWORD)
                pg.click("button[type=submit]")
                pg.goto(f"{base}{path}")
                if action == "bad":  # the edit form showing what is wrong with a condition
                    pg.fill("textarea[name=conditions]", '{"industry_prefix": ["I65", "X9"], "size": ["tiny"]}')
                    pg.click("#save-policy")
                pg.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                ctx.close()
                print(args.out / f"{name}.png")
            browser.close()
    finally:
        hub.terminate()
        hub.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
