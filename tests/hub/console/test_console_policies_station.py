"""Issue 15 end to end, every part real: the district publishes the sample catalogue with
``xuhui-hub policy publish``; a station (the ``xuhui-desk`` command on its own data folder) pulls
it by ``xuhui-desk sync``, matches one of its companies with reasons — possible while facts are
unknown, eligible once the intake gave them —, records that the policy list was handed over, and
syncs; the coordinator then sees that station's push on the policy's page in a real browser, and
a withdrawn policy leaves the station at its next sync."""

from __future__ import annotations

import json
from typing import Any

from tests.hub.console.conftest import World, login, run
from tests.synckit import VENV_BIN, hub_cli
from xuhui_desk.resources import resource_path

SAMPLE = str(resource_path("policies", "sample_catalogue.json"))
LOAN = "XS-2026-001"  # 小微企业首次贷款贴息: size micro/small, registered in Xuhui; keywords 贷款…
COMPANY = "上海云帆科技有限公司"  # taken in by the world's intake, without any profile fact


def _matches(world: World, *extra: str) -> dict[str, dict[str, Any]]:
    out = world.station.cli("policies", "--company", COMPANY, "--json", *extra).stdout
    return {m["policy_id"]: m for m in json.loads(out)}


def test_a_published_policy_is_matched_handed_over_and_seen_by_the_district(world: World, page: Any) -> None:
    hub_cli(world.database_url, "policy", "publish", SAMPLE, "--by", "区政策科")
    world.station.sync()

    before = _matches(world)[LOAN]
    assert before["outcome"] == "possible"
    assert set(before["missing"]) == {"registered_in_xuhui", "size"}
    assert all(isinstance(r, str) and r for r in before["reasons"])

    # The company comes back; this time the intake records what it said of itself.
    line = json.dumps({"enterprise": {"name": COMPANY, "contact_name": "张伟", "phone": "13812345678",
                                      "size": "small", "registered_in_xuhui": True},
                       "description": "上次的贷款已批下来，想了解贷款贴息怎么申请"}, ensure_ascii=False)
    run(str(VENV_BIN / "xuhui-desk"), "--data-dir", str(world.station.folder), "intake", "--json-lines", "-",
        "--json", stdin=line + "\n")
    after = _matches(world, "--text", "贷款贴息")[LOAN]
    assert after["outcome"] == "eligible" and after["missing"] == [] and after["relevant"] is True

    world.station.cli("policies", "--push", COMPANY, LOAN, "--channel", "print_a5", "--by", "李敏")
    world.station.sync()

    world.add_user("coord-e2e", "coordinator")
    login(page, world.url, "coord-e2e")
    page.goto(f"{world.url}/console/policies/{LOAN}")
    station_row = page.locator("#per-station tr[data-station=XH03]")
    assert station_row.count() == 1 and station_row.inner_text().split()[1] == "1"
    items = page.locator("#push-items tbody tr")
    assert items.count() == 1
    assert COMPANY in items.first.inner_text() and items.first.get_attribute("data-state") == "pushed"

    hub_cli(world.database_url, "policy", "withdraw", LOAN)
    world.station.sync()
    assert LOAN not in _matches(world)
