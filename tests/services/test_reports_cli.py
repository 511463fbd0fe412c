"""`xuhui-desk report` and `xuhui-desk receipt` run as a user runs them: a process on a data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from xuhui_desk.config import database_path
from xuhui_desk.db import open_database
from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
from xuhui_desk.services.station import init_station

SH = ZoneInfo("Asia/Shanghai")
WEEK = "2026-W47"  # Monday 2026-11-16 to Sunday 2026-11-22: over whenever the tests run


class _Router:
    def __init__(self, category: str) -> None:
        self.category = category

    def suggest(self, text: str, enterprise_name: str | None = None, **_options: Any) -> Any:
        return SimpleNamespace(category=self.category, subcategory=None)

    def learn(self, text: str, category: str) -> None:
        pass


@pytest.fixture
def data(tmp_path: Path) -> dict[str, Any]:
    folder = tmp_path / "data"
    db = open_database(database_path(folder))
    try:
        init_station(db, "XH03", "徐家汇服务站", "徐汇区漕溪北路1号", specialist="李敏")
        numbers = []
        for day, category in ((16, "finance"), (18, "talent"), (22, "policy"), (23, "legal")):
            when = datetime(2026, 11, day, 10, tzinfo=SH).astimezone(UTC)
            enterprise = EnterpriseInput(name=f"上海命令行{day}科技有限公司", uscc="", contact_name="王小明",
                                         phone="13812345678")
            numbers.append(create_request(db, IntakeInput(enterprise, "想了解政策和办理流程", category=category),
                                          router=_Router(category), now=when).tracking_no)
    finally:
        db.close()
    return {"dir": folder, "numbers": numbers}


def run(data_dir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XUHUI_DESK_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "xuhui_desk", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


def test_report_default_file_name_in_the_current_folder(data: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "work"
    out.mkdir()
    result = run(data["dir"], "report", "--week", WEEK, cwd=out)
    assert result.returncode == 0, result.stderr
    path = out / "XH03-2026-W47.xlsx"
    assert path.is_file()
    assert "3 new" in result.stdout and str(path.name) in result.stdout
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "诉求明细", "超期未办结"]
    requests = wb["诉求明细"]
    assert [r[0] for r in requests.iter_rows(min_row=2, values_only=True)] == data["numbers"][:3]
    assert requests["E2"].value == "王**" and requests["F2"].value == "138****5678"


def test_report_json_unmasked_english(data: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "out" / "week.xlsx"
    target.parent.mkdir()
    refused = run(data["dir"], "report", "--week", WEEK, "--out", str(target), "--unmasked")
    assert refused.returncode != 0 and "--reason" in refused.stderr and not target.exists()
    result = run(data["dir"], "report", "--week", WEEK, "--out", str(target), "--unmasked", "--language", "en",
                 "--reason", "区里核对回访电话", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["path"] == str(target.resolve())
    assert (payload["week"], payload["station"], payload["new"], payload["partial"]) == (WEEK, "XH03", 3, False)
    assert payload["by_category"]["finance"] == 1 and payload["by_category"]["legal"] == 0
    assert payload["daily_new"] == [1, 0, 1, 0, 0, 0, 1]
    wb = load_workbook(target)
    assert wb.sheetnames == ["Summary", "Requests", "Overdue"]
    assert wb["Requests"]["E2"].value == "王小明" and wb["Requests"]["F2"].value == "13812345678"
    from xuhui_desk.services import audit

    db = open_database(database_path(data["dir"]))
    try:
        (entry,) = audit.entries(db, action=audit.UNMASKED_REPORT)
        assert (entry.reason, entry.actor, entry.details["week"]) == ("区里核对回访电话", "李敏", WEEK)
    finally:
        db.close()


@pytest.mark.parametrize("week", ["2026-48", "2026-W60", "last week"])
def test_report_bad_week_is_a_usage_error(data: dict[str, Any], week: str) -> None:
    result = run(data["dir"], "report", "--week", week)
    assert result.returncode == 2
    assert "YYYY-Www" in result.stderr or "has weeks" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_week_not_begun_and_bad_out(data: dict[str, Any], tmp_path: Path) -> None:
    future = (datetime.now(UTC) + timedelta(days=21)).isocalendar()
    result = run(data["dir"], "report", "--week", f"{future.year}-W{future.week:02d}")
    assert result.returncode == 2 and "has not begun" in result.stderr
    result = run(data["dir"], "report", "--week", WEEK, "--out", str(tmp_path / "report.csv"))
    assert result.returncode == 2 and ".xlsx" in result.stderr
    result = run(data["dir"], "report")
    assert result.returncode == 2 and "--week" in result.stderr


def test_receipt_unknown_tracking_number(data: dict[str, Any], tmp_path: Path) -> None:
    result = run(data["dir"], "receipt", "XH03-20991231-999", "--out", str(tmp_path / "r.pdf"))
    assert result.returncode == 1
    assert "no request with tracking number 'XH03-20991231-999'" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize("layout", ["thermal", "a5"])
def test_receipt_pdf(data: dict[str, Any], tmp_path: Path, layout: str) -> None:
    target = tmp_path / f"{layout}.pdf"
    number = data["numbers"][0]
    result = run(data["dir"], "receipt", number, "--out", str(target), "--layout", layout, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["tracking_no"] == number and payload["layout"] == layout
    assert payload["tracking_url"] == f"https://qyfw.xuhui.gov.cn/track/{number}"
    assert target.read_bytes().startswith(b"%PDF")
