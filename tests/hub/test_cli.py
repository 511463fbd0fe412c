"""``xuhui-hub`` as scripts and district staff use it (real processes)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.synckit import VENV_BIN, HubThread, add_requests, hub_cli, open_station
from xuhui_desk.hub.database import open_hub_database
from xuhui_desk.hub.models import HubStation
from xuhui_desk.models import Request
from xuhui_desk.services.search import request_dict
from xuhui_desk.services.sync import run_sync


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def hub_cmd(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """``xuhui-hub`` run in this process (fast); the real executable is tested separately."""
    from xuhui_desk.hub.cli import main

    def run(url: str, *args: str, check: bool = True) -> Ran:
        capsys.readouterr()
        code = main(["--database-url", url, *args])
        out, err = capsys.readouterr()
        if check:
            assert code == 0, err
        return Ran(code, out, err)

    return run


def test_station_tokens(hub_database_url: str, hub_cmd: Callable[..., Ran]) -> None:
    added = hub_cli(hub_database_url, "station", "add", "xs01", "--name", "示例服务站")
    token = added.stdout
    assert re.fullmatch(r"xh1_[A-Za-z0-9_\-]{40,}\n", token), "stdout holds the token alone"
    again = hub_cmd(hub_database_url, "station", "add", "XS01", check=False)
    assert again.returncode == 1 and "--rotate" in again.stderr and again.stdout == ""
    rotated = hub_cmd(hub_database_url, "station", "add", "XS01", "--rotate").stdout
    assert rotated != token
    hub_cmd(hub_database_url, "station", "revoke", "XS01")
    listed = json.loads(hub_cmd(hub_database_url, "station", "list", "--json").stdout)
    assert [(s["code"], s["name"], s["active"]) for s in listed] == [("XS01", "示例服务站", False)]
    assert hub_cmd(hub_database_url, "station", "revoke", "NOPE", check=False).returncode == 1
    bad = hub_cmd(hub_database_url, "station", "add", "x-1", check=False)
    assert bad.returncode == 1 and "invalid station code" in bad.stderr
    hub = open_hub_database(hub_database_url)
    try:
        with hub.session() as s:
            stored = s.scalars(select(HubStation.token_hash)).one()
        assert stored is None  # revoked; and never the token itself
    finally:
        hub.close()


def test_request_list_and_update(hub_database_url: str, tmp_path: Path, hub_cmd: Callable[..., Ran]) -> None:
    hub = HubThread(hub_database_url).start()
    try:
        token = hub.add_station("XH03")
        db = open_station(tmp_path / "station", "XH03", hub.url, token)
        add_requests(db, 3)
        assert run_sync(db).ok
        listed = json.loads(hub_cli(hub_database_url, "request", "list", "--json").stdout)
        with db.session() as s:
            desk = {r.uuid: request_dict(r) for r in s.scalars(select(Request))}
        assert len(listed) == 3
        for row in listed:
            mine = desk[row["uuid"]]
            assert set(mine) <= set(row) and row["station"] == "XH03"
            assert row["created_at"] == mine["created_at"] and row["created_at"].endswith("+08:00")
            assert {k: row[k] for k in ("tracking_no", "enterprise_name", "uscc", "category", "status",
                                        "description")} == {k: mine[k] for k in ("tracking_no", "enterprise_name",
                                                                                  "uscc", "category", "status",
                                                                                  "description")}
        tracking = listed[1]["tracking_no"]
        out = hub_cmd(hub_database_url, "request", "update", tracking, "--status", "in_progress",
                      "--department", "legal_center", "--reply", "已转法律服务中心", "--actor", "区企业服务中心",
                      "--json")
        updated = json.loads(out.stdout)
        assert (updated["status"], updated["department"], updated["events_added"]) == (
            "in_progress", "legal_center", 3)
        shown = json.loads(hub_cmd(hub_database_url, "request", "show", tracking).stdout)
        assert [e["kind"] for e in shown["events"]] == ["created", "reassigned", "reply", "status_changed"]
        assert hub_cmd(hub_database_url, "request", "update", tracking, "--status", "nope", check=False).returncode == 1
        missing = hub_cmd(hub_database_url, "request", "update", "XH03-20200101-999", "--reply", "x", check=False)
        assert missing.returncode == 1 and "no request" in missing.stderr
        only = json.loads(hub_cmd(hub_database_url, "request", "list", "--station", "XH04", "--json").stdout)
        assert only == []
        summary = run_sync(db)
        assert summary.ok and summary.pulled == 1
        with db.session() as s:
            req = s.scalars(select(Request).where(Request.tracking_no == tracking)).one()
            assert (req.status, req.department) == ("in_progress", "legal_center")
            assert [e.kind for e in req.events][-3:] == ["reassigned", "reply", "status_changed"]
        db.close()
    finally:
        hub.stop()


def test_default_database_is_in_the_hub_data_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "XUHUI_HUB_DATABASE_URL"}
    result = subprocess.run([str(VENV_BIN / "xuhui-hub"), "station", "add", "XH01"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "xdg-data" / "xuhui_hub" / "hub.db").is_file()


def test_serve_without_the_hub_extra_says_which_extra(tmp_path: Path) -> None:
    """A workstation-only install (no fastapi/uvicorn) gets the install line, not a traceback."""
    import subprocess
    import sys

    code = (
        "import sys, importlib.abc\n"
        "class Missing(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'fastapi', 'uvicorn', 'starlette'}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Missing())\n"
        "from xuhui_desk.hub.cli import main\n"
        f"sys.exit(main(['--database-url', 'sqlite:///{tmp_path / 'hub.db'}', 'serve', '--port', '1']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "pip install 'xuhui-desk[hub]'" in out.stderr
