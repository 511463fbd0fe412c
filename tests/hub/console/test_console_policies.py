"""The console's policy pages (政策, issue 15) in a real browser (Debian's Chromium via Playwright)
against a real ``xuhui-hub serve``: the catalogue published with the real ``xuhui-hub policy
publish``, company profiles and policy pushes sent over the real sync API with a station token."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.hub.console.conftest import add_console_user, csrf_of, login
from tests.synckit import HubProcess, hub_cli
from xuhui_desk.resources import resource_path
from xuhui_desk.sync_protocol import (
    ENTERPRISE,
    POLICIES_PATH,
    POLICY_PUSH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    push_body,
    to_wire,
)

SAMPLE = str(resource_path("policies", "sample_catalogue.json"))
#: 免申即享: 专精特新 (any of 专精特新 / 专精特新小巨人) and registered in Xuhui.
NO_APPLICATION = "XS-2026-004"
LOAN = "XS-2026-001"  # finance_center, online
#: name → profile (None: no profile at all).
COMPANIES: dict[str, dict[str, Any] | None] = {
    "上海精工传感科技有限公司": {"qualifications": ["专精特新"], "registered_in_xuhui": True, "size": "small"},
    "上海微纳芯片有限公司": {"qualifications": ["专精特新小巨人"], "size": "medium"},  # registration unknown
    "上海普通贸易有限公司": {"qualifications": [], "registered_in_xuhui": True},
    "上海未知画像有限公司": None,
}


@dataclass
class PolicyWorld:
    url: str
    database_url: str
    token: str
    companies: dict[str, str] = field(default_factory=dict)  # name → enterprise uuid
    users: dict[str, str] = field(default_factory=dict)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, headers={
            "Authorization": f"Bearer {self.token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)})

    def push(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self.client() as c:
            resp = c.post("/api/v1/sync/push", json=push_body(str(uuid.uuid4()), "XH05", records))
        assert resp.status_code == 200, resp.text
        return resp.json()["results"]

    def feed(self) -> dict[str, Any]:
        with self.client() as c:
            return c.get(POLICIES_PATH).json()

    def add_user(self, username: str, role: str, *departments: str, station: str | None = None) -> str:
        return add_console_user(self.database_url, username, role, *departments, station=station)


@pytest.fixture(scope="module")
def pworld(database_url: str) -> Iterator[PolicyWorld]:
    token = hub_cli(database_url, "station", "add", "XH05", "--name", "徐家汇服务站").stdout.strip()
    hub_cli(database_url, "policy", "publish", SAMPLE, "--by", "区政策科")
    hub = HubProcess(database_url).start()
    try:
        w = PolicyWorld(hub.url, database_url, token)
        now = datetime.now(UTC)
        records = []
        for i, (name, profile) in enumerate(COMPANIES.items()):
            uid = str(uuid.uuid4())
            w.companies[name] = uid
            records.append(to_wire(ENTERPRISE, uid, 1, {
                "name": name, "uscc": None, "contact_name": "张伟", "phone": f"1381234567{i}", "park": "",
                "building": "", "first_seen_at": now, "updated_at": now, "profile": profile}))
        pushes = [
            (w.companies["上海精工传感科技有限公司"],
             [{"id": NO_APPLICATION, "version": 1}, {"id": LOAN, "version": 1}]),
            (w.companies["上海微纳芯片有限公司"], [{"id": LOAN, "version": 1}]),
        ]
        for ent, items in pushes:
            records.append(to_wire(POLICY_PUSH, str(uuid.uuid4()), 1, {
                "enterprise_uuid": ent, "pushed_by": "李敏", "pushed_at": now, "channel": "print_a5",
                "policies": items, "request_uuid": None}))
        assert {r["status"] for r in w.push(records)} == {"accepted"}
        yield w
    finally:
        hub.stop()


def test_catalogue_list_and_a_no_application_policy_with_the_companies_that_qualify(
        pworld: PolicyWorld, page: Any) -> None:
    pworld.add_user("coord-p", "coordinator")
    login(page, pworld.url, "coord-p")
    page.click("nav >> text=政策")
    assert page.url == f"{pworld.url}/console/policies"
    rows = page.locator("#policies tbody tr")
    with open(SAMPLE, encoding="utf-8") as fh:
        assert rows.count() == len(json.load(fh)["policies"])
    assert page.locator(f"#policies tr[data-policy={LOAN}] td[data-pushes]").inner_text() == "2"
    assert page.locator(f"#policies tr[data-policy={NO_APPLICATION}] td").nth(3).inner_text() == "免申即享"
    assert page.locator("#policies tr[data-policy=XS-2025-024] span.late").inner_text() == "已到期"
    page.click(f"#policies tr[data-policy={NO_APPLICATION}] td.mono a")
    assert "专精特新企业贷款贴息" in page.locator("h1").inner_text(), page.content()[:3000]
    eligible = page.locator("#eligible tbody tr")
    assert eligible.count() == 1 and "上海精工传感科技有限公司" in eligible.inner_text()
    possible = page.locator("#possible tbody tr")
    assert possible.count() == 1 and "上海微纳芯片有限公司" in possible.inner_text()
    assert possible.locator("[data-fact=registered_in_xuhui]").count() == 1  # the fact to ask
    assert page.locator("#qualifying >> text=上海普通贸易有限公司").count() == 0  # not eligible: left out
    assert page.locator("#qualifying >> text=共 3 家有画像的企业").count() == 1
    assert page.locator("#per-station tr[data-station=XH05]").count() == 1
    # A policy that needs an application lists no companies (that is the station's matching).
    page.goto(f"{pworld.url}/console/policies/{LOAN}")
    assert page.locator("#qualifying").count() == 0 and page.locator("#push-items tbody tr").count() == 2
    # English.
    page.goto(f"{pworld.url}/console/policies?lang=en")
    assert page.locator("h1 >> text=Policy catalogue").count() == 1


def test_policy_editor_edits_withdraws_and_the_feed_follows(pworld: PolicyWorld, page: Any) -> None:
    pworld.add_user("editor-p", "policy_editor")
    pworld.add_user("admin-p", "admin")
    login(page, pworld.url, "editor-p")
    assert page.url == f"{pworld.url}/console/policies"  # no inbox for a policy editor
    assert page.locator("nav >> text=待办诉求").count() == 0
    before = pworld.feed()["catalogue_version"]
    policy = "XS-2026-010"
    page.goto(f"{pworld.url}/console/policies/{policy}")
    page.click("#edit-policy")
    # A bad condition: every problem shown, nothing saved.
    page.fill("textarea[name=conditions]", '{"size": ["tiny"], "min_staff": 3}')
    page.click("#save-policy")
    problems = page.locator("#problems").inner_text()
    assert "conditions.size" in problems and "conditions.min_staff" in problems
    assert pworld.feed()["catalogue_version"] == before
    page.fill("textarea[name=conditions]", '{"min_revenue_wan": 800, "qualifications_any": ["高新技术企业"]}')
    page.fill("input[name=benefit]", "按新增研发费用的 15% 补助")
    page.click("#save-policy")
    assert "done=updated" in page.url and page.locator("#policy-version").inner_text() == "2"
    assert page.locator("#versions tbody tr").count() == 2
    assert page.locator("#conditions tr[data-condition=min_revenue_wan] >> text=800").count() == 1
    feed = pworld.feed()
    assert feed["catalogue_version"] == before + 1
    served = next(p for p in feed["policies"] if p["id"] == policy)
    assert served["version"] == 2 and served["conditions"]["min_revenue_wan"] == 800
    # Saving unchanged content makes no new version.
    page.click("#edit-policy")
    page.click("#save-policy")
    assert "done=unchanged" in page.url and pworld.feed()["catalogue_version"] == before + 1
    # Withdraw (the confirmation accepted): it leaves the feed.
    page.once("dialog", lambda d: d.accept())
    page.fill("input[name=reason]", "政策调整")
    page.click("#withdraw")
    assert page.locator("#policy-status").get_attribute("data-status") == "withdrawn"
    assert policy not in {p["id"] for p in pworld.feed()["policies"]}
    # A new policy from the console.
    page.goto(f"{pworld.url}/console/policies/new")
    page.fill("input[name=id]", "XS-2026-900")
    page.fill("input[name=title]", "控制台新建的示例政策")
    page.fill("textarea[name=conditions]", '{"size": ["micro"]}')
    page.click("#save-policy")
    assert "done=created" in page.url and "XS-2026-900" in {p["id"] for p in pworld.feed()["policies"]}
    # The audit log has each change.
    login(page, pworld.url, "admin-p")
    page.goto(f"{pworld.url}/console/audit")
    for action in ("policy_edit", "policy_withdraw", "policy_create"):
        assert page.locator(f"#audit tr[data-action={action}]").count() >= 1, action


def test_only_policy_editors_create_edit_and_withdraw(pworld: PolicyWorld, page: Any) -> None:
    pworld.add_user("fin-e", "handler", "finance_center")
    pworld.add_user("editor-e", "policy_editor")
    before = pworld.feed()
    policy = "XS-2026-010"
    url = f"{pworld.url}/console/policies"
    login(page, pworld.url, "fin-e")
    page.goto(f"{url}/{policy}")
    assert page.locator("#edit-policy").count() == 0 and page.locator("#withdraw").count() == 0
    token = csrf_of(page.content())
    for path in ("/new", f"/{policy}/edit"):
        assert page.request.get(f"{url}{path}", max_redirects=0).status == 403, path
    form = {"csrf_token": token, "id": "XS-2026-901", "title": "不该出现的政策", "conditions": "{}",
            "apply": "online", "valid_from": "2026-01-01", "reason": "试图撤回"}
    for path in ("/new", f"/{policy}/edit", f"/{policy}/withdraw"):
        assert page.request.post(f"{url}{path}", form=form, max_redirects=0).status == 403, path
    assert pworld.feed() == before
    # An editor without the form's CSRF token is refused too.
    login(page, pworld.url, "editor-e")
    forged = page.request.post(f"{url}/{policy}/withdraw", form={"reason": "伪造"}, max_redirects=0)
    assert forged.status == 403 and pworld.feed() == before


def test_follow_up_by_the_departments_handler(pworld: PolicyWorld, page: Any) -> None:
    pworld.add_user("fin-p", "handler", "finance_center")
    pworld.add_user("legal-p", "handler", "legal_center")
    pworld.add_user("view-p", "viewer")
    url = f"{pworld.url}/console/policies/{LOAN}"
    # Another department's handler and a viewer see the pushes but cannot follow them up.
    for user in ("legal-p", "view-p"):
        login(page, pworld.url, user)
        page.goto(url)
        assert page.locator("#push-items tbody tr").count() == 2
        assert page.locator("#push-items button").count() == 0
    item = page.locator("#push-items tbody tr").first.get_attribute("data-item")
    refused = page.request.post(f"{url}/follow-up", form={"csrf_token": csrf_of(page.content()), "item": item,
                                                          "state": "applied"}, max_redirects=0)
    assert refused.status == 403
    login(page, pworld.url, "fin-p")
    page.goto(url)
    row = page.locator(f"#push-items tr[data-item='{item}']")
    # No CSRF token: refused, nothing changes.
    forged = page.request.post(f"{url}/follow-up", form={"item": item, "state": "applied"}, max_redirects=0)
    assert forged.status == 403 and row.get_attribute("data-state") == "pushed"
    row.locator("button[data-next=applied]").click()
    row = page.locator(f"#push-items tr[data-item='{item}']")
    assert row.get_attribute("data-state") == "applied" and "fin-p" in row.inner_text()
    assert row.locator("button[data-next=granted]").count() == 1
    row.locator("button[data-next=granted]").click()
    row = page.locator(f"#push-items tr[data-item='{item}']")
    assert row.get_attribute("data-state") == "granted" and row.locator("button").count() == 0
    assert page.locator("#per-station tr[data-station=XH05]").inner_text().split()[1:] == ["2", "1", "0", "1", "0"]
    # A step that is no longer possible (granted → applied) is refused with a message.
    again = page.request.post(f"{url}/follow-up", form={"csrf_token": csrf_of(page.content()), "item": item,
                                                        "state": "applied"}, max_redirects=0)
    assert again.status == 400 and "这一步跟进不可用" in again.text()
    # An item of another policy cannot be moved through this policy's page.
    page.goto(f"{pworld.url}/console/policies/{NO_APPLICATION}")
    other = page.locator("#push-items tbody tr").first.get_attribute("data-item")
    wrong = page.request.post(f"{url}/follow-up", form={"csrf_token": csrf_of(page.content()), "item": other,
                                                        "state": "applied"}, max_redirects=0)
    assert wrong.status == 404
