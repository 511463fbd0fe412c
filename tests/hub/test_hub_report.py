"""``xuhui-hub report``: the district's weekly roll-up from requests two stations pushed through
the real hub, with district replies before and after the week's cut-off."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.synckit import VENV_BIN, HubThread, add_requests, hub_cli, open_station
from xuhui_desk.db import Database
from xuhui_desk.hub import store
from xuhui_desk.hub.cli import main
from xuhui_desk.hub.report_rows import build_hub_report
from xuhui_desk.services.labels import status_label
from xuhui_desk.services.reports import report_labels
from xuhui_desk.services.sync import run_sync

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026, Shanghai time


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def district(tmp_path: Path, hub: HubThread) -> Iterator[dict[str, Any]]:
    """XH03: five requests on Wednesday of the week, two answered by the district on Thursday.
    XH07: three on Wednesday (one answered only after the week), one left open from the week before."""
    xh03 = open_station(tmp_path / "xh03", "XH03", hub.url, hub.add_station("XH03"))
    xh07 = open_station(tmp_path / "xh07", "XH07", hub.url, hub.add_station("XH07"))
    stations: list[Database] = [xh03, xh07]
    try:
        add_requests(xh03, 5, now=at(18), start=0)
        add_requests(xh07, 1, now=at(9), start=40)  # week 46, due on the 14th: overdue at the cut-off
        add_requests(xh07, 3, now=at(18), start=50)
        for db in stations:
            summary = run_sync(db)
            assert summary.ok and summary.pushed and summary.pending == 0, summary.error
        hub_requests = store.list_requests(hub.db)
        by_station: dict[str, list[str]] = {}
        for r in hub_requests:
            by_station.setdefault(r["station"], []).append(r["tracking_no"])
        assert {k: len(v) for k, v in by_station.items()} == {"XH03": 5, "XH07": 4}
        for tracking_no in by_station["XH03"][:2]:
            store.district_update(hub.db, tracking_no, reply="已联系合作银行，下周一面谈", now=at(19))
        late = next(t for t in by_station["XH07"] if "-20261118-" in t)
        store.district_update(hub.db, late, reply="已转区人才办", now=at(24))  # after the cut-off
        yield {"url": hub.db.url, "by_station": by_station, "late": late}
    finally:
        for db in stations:
            db.close()


def hub_report(url: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--database-url", url, "report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def totals(path: Path, language: str) -> dict[str, Any]:
    labels = report_labels(language)
    wb = load_workbook(path)
    summary = wb[labels["sheet_summary"]]
    figures = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    requests = list(wb[labels["sheet_requests"]].iter_rows(values_only=True))
    overdue = list(wb[labels["sheet_overdue"]].iter_rows(values_only=True))
    return {
        "new": figures[labels["total_new"]], "resolved": figures[labels["total_resolved"]],
        "open": figures[labels["total_open"]], "overdue": figures[labels["total_overdue"]],
        "header": requests[0], "requests": requests[1:], "overdue_rows": overdue[1:],
        "title": summary["A1"].value,
    }


def test_district_roll_up_of_two_stations(district: dict[str, Any], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "district.xlsx"
    code, stdout, err = hub_report(district["url"], "--week", WEEK, "--out", str(out), "--json", capsys=capsys)
    assert code == 0, err
    payload = json.loads(stdout)
    assert (payload["new"], payload["resolved"], payload["open"], payload["overdue"]) == (8, 2, 7, 1)
    assert payload["station"] is None and payload["stations"] == ["XH03", "XH07"]

    book = totals(out, "zh_CN")
    assert (book["new"], book["resolved"], book["open"], book["overdue"]) == (8, 2, 7, 1)
    labels = report_labels("zh_CN")
    assert book["header"][0] == labels["columns"]["station"]
    assert sorted(r[0] for r in book["requests"]) == ["XH03"] * 5 + ["XH07"] * 3
    assert all(str(r[1]).startswith(r[0] + "-") for r in book["requests"])  # station, then its tracking number
    assert labels["all_stations"] in book["title"]
    # Status as at the cut-off: the request answered on the 24th is still open in this report.
    late = next(r for r in book["requests"] if r[1] == district["late"])
    assert late[list(book["header"]).index(labels["columns"]["status"])] == status_label("new", "zh_CN")
    (overdue,) = book["overdue_rows"]
    assert overdue[0] == "XH07" and "-20261109-" in overdue[1]
    # Contacts are masked unless asked for.
    assert all(r[5].endswith("**") for r in book["requests"])


def test_one_station_and_english(district: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "xh07.xlsx"
    code, stdout, err = hub_report(district["url"], "--week", WEEK, "--station", "xh07", "--out", str(out),
                                   "--language", "en", capsys=capsys)
    assert code == 0, err
    assert "XH07" in stdout and "3 new" in stdout
    book = totals(out, "en")
    assert (book["new"], book["resolved"], book["open"], book["overdue"]) == (3, 0, 4, 1)
    assert book["header"][0] == "Station"
    assert {r[0] for r in book["requests"]} == {"XH07"} and len(book["requests"]) == 3
    assert book["title"].startswith("XH07")

    xh03 = build_hub_report_for(district["url"], "XH03")
    assert (xh03.totals.new, xh03.totals.resolved, xh03.totals.open, xh03.totals.overdue) == (5, 2, 3, 0)
    assert xh03.first_response.count == 2 and xh03.resolution.count == 2


def build_hub_report_for(url: str, station: str) -> Any:
    from xuhui_desk.hub.database import open_hub_database

    db = open_hub_database(url)
    try:
        return build_hub_report(db, WEEK, station=station, now=at(26, 12))
    finally:
        db.close()


def test_refusals(district: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = district["url"]
    code, _, err = hub_report(url, "--week", "2026-48", capsys=capsys)
    assert code == 2 and "YYYY-Www" in err
    code, _, err = hub_report(url, "--week", WEEK, "--station", "XH99", "--out", str(tmp_path / "x.xlsx"),
                              capsys=capsys)
    assert code == 1 and "no station XH99" in err
    code, _, err = hub_report(url, "--week", WEEK, "--out", str(tmp_path / "x.csv"), capsys=capsys)
    assert code == 2 and ".xlsx" in err
    code, _, err = hub_report(url, "--week", "2099-W01", "--out", str(tmp_path / "x.xlsx"), capsys=capsys)
    assert code == 2 and "not begun" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_the_real_command_writes_the_default_file(district: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = subprocess.run([str(VENV_BIN / "xuhui-hub"), "report", "--week", WEEK, "--station", "XH03"],
                            env={**os.environ, "XUHUI_HUB_DATABASE_URL": district["url"]},
                            cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    book = totals(folder / "XH03-2026-W47.xlsx", "zh_CN")
    assert (book["new"], book["resolved"], book["open"], book["overdue"]) == (5, 2, 3, 0)
    listed = json.loads(hub_cli(district["url"], "request", "list", "--station", "XH03", "--json").stdout)
    assert sorted(r["tracking_no"] for r in listed) == sorted(r[1] for r in book["requests"])
