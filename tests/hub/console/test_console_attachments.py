"""Attachments in the district console: listed on the request page and downloadable by those who
may see the request (a handler of another department gets 404), whole files only."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
from sqlalchemy import select, update

from tests.synckit import HubThread, add_requests, open_station
from xuhui_desk.hub import attachments as hub_att
from xuhui_desk.hub.console import accounts
from xuhui_desk.hub.console.web import SESSION_COOKIE
from xuhui_desk.hub.models import HubRequest
from xuhui_desk.models import Request
from xuhui_desk.services import attachments as att
from xuhui_desk.services.sync import run_sync


def _session(hub: HubThread, username: str, department: str) -> httpx.Client:
    accounts.create_user(hub.db, username, "long enough 1", "handler", departments=[department])
    token, _who = accounts.login(hub.db, username, "long enough 1")
    client = httpx.Client(base_url=hub.url)
    client.cookies.set(SESSION_COOKIE, token)
    return client


def test_the_department_sees_and_downloads_whole_files_only(tmp_path: Path) -> None:
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}").start()
    try:
        db = open_station(tmp_path / "station", "XH03", hub.url, hub.add_station("XH03"))
        add_requests(db, 2)
        with db.session() as s:
            first, second = s.scalars(select(Request.tracking_no).order_by(Request.id)).all()
        photo = tmp_path / "营业执照.png"
        content = b"\x89PNG\r\n\x1a\n" + os.urandom(40_000)
        photo.write_bytes(content)
        att.add_attachment(db, first, photo)
        # The second request's file is only half on the hub: never listed, never served.
        scan = tmp_path / "scan.pdf"
        half = b"%PDF-1.7\n" + os.urandom(2000)
        scan.write_bytes(half)
        att.add_attachment(db, second, scan)
        assert run_sync(db).ok
        sha = hashlib.sha256(content).hexdigest()
        scan_sha = hashlib.sha256(half).hexdigest()
        with hub.db.write() as s:
            s.execute(update(HubRequest).where(HubRequest.tracking_no.in_([first, second]))
                      .values(department="finance_center"))
            s.execute(update(hub_att.AttachmentFile).where(hub_att.AttachmentFile.sha256 == scan_sha)
                      .values(complete=False, received=100))
        db.close()
        with _session(hub, "fin", "finance_center") as fin, _session(hub, "tal", "talent_service") as tal:
            page = fin.get(f"/console/requests/{first}")
            assert page.status_code == 200 and 'id="attachments"' in page.text and "营业执照.png" in page.text
            got = fin.get(f"/console/requests/{first}/attachments/{sha}")
            assert got.status_code == 200 and got.content == content
            assert got.headers["content-type"] == "image/png"
            assert got.headers["content-disposition"].startswith("attachment;")
            assert tal.get(f"/console/requests/{first}/attachments/{sha}").status_code == 404
            assert fin.get(f"/console/requests/{first}/attachments/{'0' * 64}").status_code == 404
            assert fin.get(f"/console/requests/{second}/attachments/{sha}").status_code == 404  # not that request's
            assert fin.get(f"/console/requests/{second}/attachments/{scan_sha}").status_code == 404  # half a file
            assert 'id="attachments"' not in fin.get(f"/console/requests/{second}").text
            anonymous = httpx.get(f"{hub.url}/console/requests/{first}/attachments/{sha}", follow_redirects=False)
            assert anonymous.status_code in (303, 302, 401) and not anonymous.content.startswith(b"\x89PNG")
        assert [a["sha256"] for a in hub_att.attachments_of(hub.db, first)] == [sha]
        assert hub_att.attachments_of(hub.db, second) == []
    finally:
        hub.stop()


def test_hub_cli_request_show_lists_attachments(tmp_path: Path) -> None:
    import json

    from tests.synckit import hub_cli

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = HubThread(url).start()
    try:
        db = open_station(tmp_path / "station", "XH03", hub.url, hub.add_station("XH03"))
        add_requests(db, 1)
        with db.session() as s:
            number = s.scalars(select(Request.tracking_no)).one()
        pdf = tmp_path / "a.pdf"
        pdf.write_bytes(b"%PDF-1.7\n" + os.urandom(500))
        info = att.add_attachment(db, number, pdf)
        assert run_sync(db).ok
        db.close()
    finally:
        hub.stop()
    shown = json.loads(hub_cli(url, "request", "show", number, "--json").stdout)
    assert [(a["sha256"], a["name"], a["size"]) for a in shown["attachments"]] == [(info.sha256, "a.pdf", info.size)]
