"""A station's contact with the company reads as such on the district console's timeline: the
label "联系企业", the channel, the planned callback and the summary (real hub process, real
station command line, Chromium)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.hub.console.conftest import World, login


def test_a_contact_shows_on_the_console_timeline(world: World, page: Any) -> None:
    world.add_user("fin-contact", "handler", "finance_center")
    tracking_no = world.of_department("finance_center")[0]
    callback = (date.today() + timedelta(days=2)).isoformat()
    world.station.cli("contact", tracking_no, "--channel", "phone", "--summary", "已电话告知企业贴息材料清单 📋",
                      "--callback", callback)
    world.station.sync()
    login(page, world.url, "fin-contact")
    page.goto(f"{world.url}/console/requests/{tracking_no}")
    row = page.locator("#timeline tr[data-kind=contact]")
    assert row.count() == 1
    text = row.inner_text()
    assert "联系企业" in text and "电话" in text and f"约定回访 {callback}" in text
    assert "已电话告知企业贴息材料清单 📋" in text
    assert "contact" not in text  # no raw codes
