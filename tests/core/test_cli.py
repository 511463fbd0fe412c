"""The command line end to end, as scripts use it: real processes on a temporary data folder."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = [
    {"enterprise": {"name": "上海示例科技有限公司", "uscc": "9131010452601815X3", "contact_name": "王先生",
                    "phone": "13812345678"}, "description": "想了解知识产权质押融资怎么办理"},
    {"enterprise": {"name": "上海示例科技有限公司", "uscc": "9131010452601815X3"},
     "description": "希望对接银行科技贷款", "category": "finance"},
    {"enterprise": {"name": "代码错误公司", "uscc": "9131010452601815X4"}, "description": "咨询信用修复"},
]


def desk(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XUHUI_DESK_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "xuhui_desk", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def ready(data_dir: Path) -> Path:
    p = desk(data_dir, "init", "--station-code", "XS01", "--station-name", "示例服务站")
    assert p.returncode == 0, p.stderr
    return data_dir


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def test_intake_keeps_valid_lines_and_reports_invalid(ready: Path) -> None:
    lines = "\n".join(json.dumps(x, ensure_ascii=False) for x in SAMPLE)
    lines += "\n{not json\n[1, 2]\n" + json.dumps({"enterprise": {"name": "好公司"}, "description": "", "urgency": "x"})
    p = desk(ready, "intake", "--json-lines", "-", "--json", stdin=lines)
    assert p.returncode != 0
    results = _lines(p.stdout)
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5, 6]
    assert [r["ok"] for r in results] == [True, True, False, False, False, False]
    assert re.fullmatch(r"XS01-\d{8}-001", results[0]["tracking_no"])  # type: ignore[arg-type]
    errors = {r["line"]: {e["field"] for e in r["errors"]} for r in results if not r["ok"]}  # type: ignore[union-attr]
    assert errors == {3: {"uscc"}, 4: {"line"}, 5: {"line"}, 6: {"description", "urgency"}}
    assert "校验位" in results[2]["errors"][0]["message"]  # type: ignore[index]

    listed = json.loads(desk(ready, "list", "--json").stdout)
    assert len(listed) == 2
    for row in listed:
        assert {"uuid", "tracking_no", "enterprise_name", "uscc", "category", "status", "description",
                "created_at"} <= row.keys()
        assert row["created_at"].endswith("+08:00")


def test_intake_from_file_human_output(ready: Path, tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps(SAMPLE[0], ensure_ascii=False) + "\n", encoding="utf-8")
    p = desk(ready, "intake", "--json-lines", str(f))
    assert p.returncode == 0 and "line 1: saved XS01-" in p.stdout
    missing = desk(ready, "intake", "--json-lines", str(tmp_path / "nope.jsonl"))
    assert missing.returncode != 0 and "no such file" in missing.stderr
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    bad = desk(ready, "intake", "--json-lines", str(binary))
    # Each line is decoded on its own: the bad one is reported, nothing crashes.
    assert bad.returncode == 3 and "not UTF-8" in bad.stdout and "Traceback" not in bad.stderr


def test_list_filters_and_search(ready: Path) -> None:
    desk(ready, "intake", "--json-lines", "-", stdin="\n".join(json.dumps(x, ensure_ascii=False) for x in SAMPLE))
    assert len(json.loads(desk(ready, "list", "--search", "质押融资", "--json").stdout)) == 1
    assert len(json.loads(desk(ready, "list", "--search", "贷款", "--json").stdout)) == 1
    assert len(json.loads(desk(ready, "list", "--search", "9131010452601815X3", "--json").stdout)) == 2
    assert len(json.loads(desk(ready, "list", "--status", "closed", "--json").stdout)) == 0


def test_settings(ready: Path) -> None:
    assert desk(ready, "settings", "set", "hub_url", "https://hub.example.cn/").returncode == 0
    assert desk(ready, "settings", "get", "hub_url").stdout.strip() == "https://hub.example.cn"
    bad = desk(ready, "settings", "set", "language", "fr")
    assert bad.returncode != 0 and "language must be" in bad.stderr
    unknown = desk(ready, "settings", "get", "colour")
    assert unknown.returncode != 0 and "unknown setting" in unknown.stderr
    assert unknown.stderr.rstrip().endswith("specialist, station_address, tracking_url_template")


def test_hub_token_is_stored_but_never_printed(ready: Path) -> None:
    """Audit M1: ``settings set/get hub_token`` printed the token; now only ``***``, as ``show`` does."""
    put = desk(ready, "settings", "set", "hub_token", "--", "-secret-")
    assert put.returncode == 0 and "-secret-" not in put.stdout + put.stderr
    assert put.stdout.strip() == "hub_token = ***"
    got = desk(ready, "settings", "get", "hub_token")
    assert got.stdout.strip() == "***" and "-secret-" not in got.stdout
    as_json = desk(ready, "settings", "get", "hub_token", "--json")
    assert json.loads(as_json.stdout) == {"hub_token": "***"}
    con = sqlite3.connect(ready / "xuhui_desk.db")
    assert con.execute("SELECT value FROM settings WHERE key = 'hub_token'").fetchone()[0] == "-secret-"
    con.close()


def test_update_and_route(ready: Path) -> None:
    desk(ready, "intake", "--json-lines", "-", stdin=json.dumps(SAMPLE[0], ensure_ascii=False))
    no = json.loads(desk(ready, "list", "--json").stdout)[0]["tracking_no"]
    ok = desk(ready, "update", no, "--status", "routed", "--note", "已转融资服务中心", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "routed"
    refused = desk(ready, "update", no, "--status", "closed")
    assert refused.returncode != 0 and "cannot go from routed to closed" in refused.stderr
    assert desk(ready, "update", "XS01-19990101-001", "--note", "x").returncode != 0
    route = json.loads(desk(ready, "route", "公司想申请一笔银行贷款，需要担保", "--json").stdout)
    assert route["category"] == "finance" and route["reasons"]
    assert {"category", "confidence"} <= route["alternatives"][0].keys()


def test_backup_and_restore(ready: Path) -> None:
    desk(ready, "intake", "--json-lines", "-", stdin=json.dumps(SAMPLE[0], ensure_ascii=False))
    backup = json.loads(desk(ready, "backup", "--json").stdout)["backup"]
    desk(ready, "intake", "--json-lines", "-", stdin=json.dumps(SAMPLE[1], ensure_ascii=False))
    assert len(json.loads(desk(ready, "list", "--json").stdout)) == 2
    p = desk(ready, "restore", backup)
    assert p.returncode == 0, p.stderr
    assert len(json.loads(desk(ready, "list", "--json").stdout)) == 1


def test_uninitialised_and_too_new_give_clear_messages(data_dir: Path) -> None:
    p = desk(data_dir, "intake", "--json-lines", "-", stdin=json.dumps(SAMPLE[0], ensure_ascii=False))
    assert p.returncode != 0 and "init" in p.stderr and "Traceback" not in p.stderr
    db = data_dir / "xuhui_desk.db"
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    p = desk(data_dir, "list")
    assert p.returncode != 0 and "newer version" in p.stderr and "Traceback" not in p.stderr


def test_data_dir_option_wins(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    p = desk(tmp_path / "unused", "--data-dir", str(other), "init", "--station-code", "XH01", "--station-name", "站")
    assert p.returncode == 0, p.stderr
    assert (other / "xuhui_desk.db").exists()
