"""Fixtures of the console tests: one real ``xuhui-hub serve`` process (PostgreSQL when
``XUHUI_TEST_POSTGRES_URL`` is set, SQLite otherwise), a real station (the ``xuhui-desk``
command on its own data folder) that synced requests to it, console users made with the real
``xuhui-hub user add``, and Debian's Chromium driven by Playwright (nothing is downloaded).

The world is shared by the module's tests (starting a hub, a station and a browser takes
seconds); each test works on its own requests and users so that the order does not matter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.synckit import POSTGRES_ENV, VENV_BIN, HubProcess, hub_cli, postgres_schema_url

PASSWORD = "Xuhui-console-2026"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Requests the station takes in (the router sends them to these departments).
INTAKE = [
    ("上海云帆科技有限公司", "想申请一笔银行信用贷款，资金周转紧张，希望对接区融资服务中心"),
    ("上海星河生物医药有限公司", "新招的博士想办理人才引进落户，需要了解申请条件"),
    ("上海启明信息技术有限公司", "企业想申请知识产权质押融资贷款，请协助对接银行"),
    ("上海远景智能装备有限公司", "申请银行贷款用于购置设备，想了解贴息政策"),
    ("上海卓越软件有限公司", "想办理一笔流动资金贷款，银行要求担保"),
    ("上海蓝海咨询有限公司", "需要融资担保服务，申请中小企业贷款"),
    ("上海澄明文化传媒有限公司", "申请创业担保贷款，资金周转困难"),
    ("上海汇智教育科技有限公司", "想了解银行信用贷款的申请材料"),
    ("上海恒通物流有限公司", "申请银行贷款扩大车队，想了解融资渠道"),
    ("上海新禾农业科技有限公司", "想申请科技型中小企业信用贷款"),
]


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, input=stdin, timeout=120,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args[:4])} failed ({result.returncode}): {result.stderr}")
    return result


def add_console_user(database_url: str, username: str, role: str, *departments: str,
                     station: str | None = None) -> str:
    """A console user made with the real ``xuhui-hub user add`` (password ``PASSWORD``)."""
    args = ["user", "add", username, "--role", role, "--password-stdin", "--name", username]
    for d in departments:
        args += ["--department", d]
    if station:
        args += ["--station", station]
    run(str(VENV_BIN / "xuhui-hub"), *args, env={"XUHUI_HUB_DATABASE_URL": database_url}, stdin=PASSWORD + "\n")
    return username


@dataclass
class Station:
    folder: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(str(VENV_BIN / "xuhui-desk"), "--data-dir", str(self.folder), *args)

    def sync(self) -> dict[str, Any]:
        out = json.loads(self.cli("sync", "--json").stdout)
        assert out["ok"], out
        return out  # type: ignore[no-any-return]

    def requests(self) -> dict[str, dict[str, Any]]:
        return {r["tracking_no"]: r for r in json.loads(self.cli("list", "--json").stdout)}


@dataclass
class World:
    url: str
    database_url: str
    station: Station
    #: tracking number → (uuid, department) as the station recorded them, in intake order.
    requests: dict[str, tuple[str, str]] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # username → role

    def add_user(self, username: str, role: str, *departments: str, station: str | None = None) -> str:
        self.users[username] = role
        return add_console_user(self.database_url, username, role, *departments, station=station)

    def of_department(self, department: str) -> list[str]:
        """The requests the station routed to ``department`` at intake, in intake order (fixed for the
        module: a test that transfers one does not shift the others)."""
        return [no for no, (_uuid, dept) in self.requests.items() if dept == department]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get(POSTGRES_ENV):
        with postgres_schema_url() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.db'}"


@pytest.fixture(scope="module")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    token = hub_cli(database_url, "station", "add", "XH03", "--name", "漕河泾服务站").stdout.strip()
    # Quick lockouts and tracking limits for the tests (the defaults are documented in docs/console.md).
    hub = HubProcess(database_url, extra_env={"XUHUI_CONSOLE_LOCK_AFTER": "4", "XUHUI_CONSOLE_BACKOFF_AFTER": "3",
                                              "XUHUI_TRACK_MAX_FAILURES": "5",
                                              "XUHUI_HUB_TRUSTED_PROXIES": "127.0.0.1/32"}).start()
    try:
        station = Station(tmp_path_factory.mktemp("station"))
        station.cli("init", "--station-code", "XH03", "--station-name", "漕河泾服务站")
        station.cli("settings", "set", "hub_url", hub.url)
        station.cli("settings", "set", "hub_token", token)
        lines = "\n".join(json.dumps({"enterprise": {"name": name, "contact_name": "张伟", "phone": "13812345678"},
                                      "description": text}, ensure_ascii=False) for name, text in INTAKE)
        result = run(str(VENV_BIN / "xuhui-desk"), "--data-dir", str(station.folder), "intake", "--json-lines", "-",
                     "--json", stdin=lines + "\n")
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert all(r["ok"] for r in rows), rows
        station.sync()
        listed = station.requests()
        w = World(hub.url, database_url, station)
        for r in rows:
            w.requests[r["tracking_no"]] = (r["uuid"], listed[r["tracking_no"]]["department"])
        yield w
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium package is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    try:
        yield pg
    finally:
        context.close()


def login(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no csrf_token field"
    return found.group(1)
