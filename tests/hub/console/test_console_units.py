"""The console's parts without a browser: the receipt's verification code, the wording catalog,
accounts (passwords, lockout, sessions), the ``xuhui-hub user`` commands, and a tracking-page
rating reaching a station through the real sync (station side of ``actions.rate``)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.synckit import HubThread, add_requests, open_station
from xuhui_desk.hub.console import accounts, actions
from xuhui_desk.hub.console.i18n import LANGUAGES, catalog
from xuhui_desk.hub.database import open_hub_database
from xuhui_desk.services.receipts import build_receipt, receipt_fields, tracking_url
from xuhui_desk.tracking import ALPHABET, code_matches, tracking_code

TEMPLATES = Path(__file__).resolve().parents[3] / "xuhui_desk" / "hub" / "console" / "templates"
UUID = "0F8FAD5B-D9CB-469F-A165-70867728950E"


# --- the verification code ---------------------------------------------------------------------

def test_the_code_is_the_first_30_bits_of_the_hash_in_an_unambiguous_alphabet() -> None:
    bits = bin(int.from_bytes(hashlib.sha256(b"xuhui-track:" + UUID.lower().encode()).digest(), "big"))[2:].zfill(256)
    expected = "".join(ALPHABET[int(bits[i:i + 5], 2)] for i in range(0, 30, 5))
    assert tracking_code(UUID) == tracking_code(UUID.lower()) == expected
    assert len(ALPHABET) == 32 and not set("01OI") & set(ALPHABET)
    codes = {tracking_code(f"00000000-0000-4000-8000-{i:012d}") for i in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 6 and set(c) <= set(ALPHABET) for c in codes)


def test_a_typed_code_matches_in_any_case_with_spaces() -> None:
    code = tracking_code(UUID)
    assert code_matches(UUID, f" {code[:3].lower()} {code[3:]} ")
    assert not code_matches(UUID, code[:5]) and not code_matches(UUID, "AAAAAA") and not code_matches(UUID, "")
    with pytest.raises(ValueError):
        tracking_code("  ")


def test_the_receipt_carries_the_code_and_a_template_may_put_it_in_the_url() -> None:
    code = tracking_code(UUID)
    assert tracking_url("https://hub.example.cn/track/{tracking_no}?code={code}", "XH03-20261206-001", code) \
        == f"https://hub.example.cn/track/XH03-20261206-001?code={code}"
    # A template without {code} keeps working (the company types the printed code).
    assert tracking_url("https://qyfw.xuhui.gov.cn/track/{tracking_no}", "XH03-1", code) \
        == "https://qyfw.xuhui.gov.cn/track/XH03-1"
    with pytest.raises(ValueError, match="code"):
        tracking_url("https://hub.example.cn/track/{tracking_no}?code={code}", "XH03-1")
    data = build_receipt(station_name="漕河泾服务站", station_address="", tracking_no="XH03-20261206-001",
                         created_at=datetime(2026, 12, 6, 2, 0, tzinfo=UTC), enterprise_name="上海云帆科技有限公司",
                         uscc=None, category_label="融资服务", description="想申请贷款", specialist="李敏",
                         expected_response=None, url_template="https://hub.example.cn/track/{tracking_no}?code={code}",
                         request_uuid=UUID)
    assert data.tracking_url.endswith(f"?code={code}")
    assert ("tracking_code", "查询验证码", code) in [(f.key, f.label, f.value) for f in receipt_fields(data)]


# --- wording ------------------------------------------------------------------------------------

def test_both_languages_have_every_key_the_templates_use() -> None:
    table = catalog()
    assert set(table["zh_CN"]) == set(table["en"])
    used: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+|[a-z_]+)["']""", path.read_text("utf-8")))
    for path in (TEMPLATES.parent).glob("*.py"):
        used |= set(re.findall(r"""["']((?:login|error|request|track|stations|users|dashboard|inbox|rollup)"""
                               r"""\.[a-z_0-9]+)["']""", path.read_text("utf-8")))
    missing = {k for k in used if k not in table["zh_CN"] and not k.startswith("error.title_")
               and not k.endswith((".html", "_"))}
    assert missing == set()
    # Keys made from a prefix and a code in the templates.
    from xuhui_desk.hub.console.accounts import ROLES
    from xuhui_desk.hub.console.pages import _DONE

    assert {f"request.done_{a}" for a in _DONE} | {f"role.{r}" for r in ROLES} <= set(table["zh_CN"])
    assert {f"error.title_{n}" for n in (400, 403, 404, 429)} <= set(table["zh_CN"])
    assert all(lang in table for lang in LANGUAGES)
    assert re.search(r"[\u4e00-\u9fff]", table["zh_CN"]["nav.inbox"]) and table["en"]["nav.inbox"] == "Inbox"


# --- accounts -----------------------------------------------------------------------------------

@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    hub = open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    yield hub
    hub.close()


def test_passwords_are_argon2_and_refusals_say_why(db) -> None:  # type: ignore[no-untyped-def]
    accounts.create_user(db, "wangfang", "long enough 1", "handler", departments=["finance_center"])
    from sqlalchemy import select

    from xuhui_desk.hub.models import ConsoleUser

    with db.session() as s:
        stored = s.scalars(select(ConsoleUser.password_hash)).one()
    assert stored.startswith("$argon2id$") and "long enough 1" not in stored
    for kwargs, message in (
        ({"username": "x1", "password": "short", "role": "admin"}, "at least 10"),
        ({"username": "x2", "password": "long enough 1", "role": "handler"}, "needs at least one"),
        ({"username": "x3", "password": "long enough 1", "role": "boss"}, "unknown role"),
        ({"username": "x4", "password": "long enough 1", "role": "handler", "departments": ["nope"]},
         "unknown department"),
        ({"username": "wangfang", "password": "long enough 1", "role": "admin"}, "exists already"),
        ({"username": "x5", "password": "aaaaaaaaaaaa", "role": "admin"}, "4 different"),
    ):
        with pytest.raises(accounts.AccountError, match=message):
            accounts.create_user(db, **kwargs)  # type: ignore[arg-type]


def test_back_off_lockout_and_reset(db) -> None:  # type: ignore[no-untyped-def]
    accounts.create_user(db, "li", "long enough 1", "coordinator")
    policy = accounts.LoginPolicy(backoff_after=3, lock_after=5, lock_minutes=15)
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    reasons = []
    for i in range(5):
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.login(db, "li", "wrong password", policy=policy, now=now + timedelta(seconds=10 * i))
        reasons.append(refused.value.reason)
    assert reasons == ["failed"] * 5
    # Right after the 3rd failure a 4th attempt waits (back-off) — checked without the password.
    with pytest.raises(accounts.LoginRefused) as refused:
        accounts.login(db, "li", "long enough 1", policy=policy, now=now + timedelta(seconds=41))
    assert refused.value.reason == "locked" and refused.value.retry_after > 14 * 60
    assert accounts.login(db, "li", "long enough 1", policy=policy, now=now + timedelta(minutes=16))[1].role \
        == "coordinator"
    # Unknown names are refused the same way (and count the same).
    with pytest.raises(accounts.LoginRefused) as refused:
        accounts.login(db, "nobody", "long enough 1", policy=policy, now=now)
    assert refused.value.reason == "failed"


def test_sessions_expire_when_idle_and_end_on_disable_or_password_change(db) -> None:  # type: ignore[no-untyped-def]
    accounts.create_user(db, "zhao", "long enough 1", "viewer", station="XH03")
    policy = accounts.LoginPolicy(idle_minutes=30, max_hours=12)
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    token, who = accounts.login(db, "zhao", "long enough 1", policy=policy, now=now)
    assert who.station_code == "XH03" and not who.may_act and not who.may_see_phone
    assert accounts.resume(db, token, policy=policy, now=now + timedelta(minutes=29)) is not None
    # Each request extends the idle time (written at most once a minute) …
    assert accounts.resume(db, token, policy=policy, now=now + timedelta(minutes=55)) is not None
    # … but 30 minutes without one end the session, and it stays ended.
    assert accounts.resume(db, token, policy=policy, now=now + timedelta(minutes=90)) is None
    assert accounts.resume(db, token, policy=policy, now=now + timedelta(minutes=91)) is None
    token, _ = accounts.login(db, "zhao", "long enough 1", policy=policy, now=now + timedelta(hours=2))
    accounts.set_disabled(db, "zhao")
    assert accounts.resume(db, token, policy=policy, now=now + timedelta(hours=2, minutes=1)) is None
    accounts.set_disabled(db, "zhao", False)
    token, _ = accounts.login(db, "zhao", "long enough 1", policy=policy, now=now + timedelta(hours=3))
    accounts.set_password(db, "zhao", "another password 2")
    assert accounts.resume(db, token, policy=policy, now=now + timedelta(hours=3, minutes=1)) is None
    assert accounts.resume(db, "forged-token", policy=policy, now=now) is None


# --- the command ----------------------------------------------------------------------------------

def test_user_commands(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                       capsys: pytest.CaptureFixture[str]) -> None:
    from xuhui_desk.hub.cli import main

    url = db.url

    def hub(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--database-url", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    assert hub("user", "add", "admin", "--role", "admin", "--password-stdin", stdin="first admin pw\n")[0] == 0
    code, _out, err = hub("user", "add", "fin", "--role", "handler", "--department", "finance_center",
                          "--department", "credit_repair", "--password-stdin", stdin="handler pw 1\n")
    assert code == 0 and "fin added" in err
    code, _out, err = hub("user", "add", "bad", "--role", "handler", "--password-stdin", stdin="handler pw 1\n")
    assert code == 1 and "needs at least one --department" in err and "Traceback" not in err
    code, out, _ = hub("user", "list", "--json")
    import json

    rows = {r["username"]: r for r in json.loads(out)}
    assert rows["fin"]["departments"] == ["credit_repair", "finance_center"] and rows["admin"]["role"] == "admin"
    assert hub("user", "disable", "fin")[0] == 0
    assert "disabled" in hub("user", "list")[1]
    assert hub("user", "password", "fin", "--password-stdin", stdin="new handler pw\n")[0] == 0
    assert accounts.login(db, "admin", "first admin pw")[1].is_admin
    with pytest.raises(accounts.LoginRefused):  # disabled
        accounts.login(db, "fin", "new handler pw")


# --- a rating from the tracking page reaches the station --------------------------------------------

def test_a_low_rating_on_the_hub_starts_rectification_at_the_station(tmp_path: Path) -> None:
    from sqlalchemy import select

    from xuhui_desk.hub import store
    from xuhui_desk.models import Request
    from xuhui_desk.services.sync import run_sync

    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}").start()
    try:
        station = open_station(tmp_path / "station", "XH03", hub.url, hub.add_station("XH03"))
        low, high = add_requests(station, 2)
        assert run_sync(station).ok
        with station.session() as s:
            numbers = {r.uuid: r.tracking_no for r in s.scalars(select(Request))}
        for uuid in (low, high):
            store.district_update(hub.db, numbers[uuid], reply="已答复", actor="王芳")
        client = actions.Client("198.51.100.1", "test")
        result = actions.rate(hub.db, numbers[low], 1, "没有解决", "企业（扫码评价）", client)
        assert result["status"] == "in_progress" and result["due"] is not None
        assert actions.rate(hub.db, numbers[high], 4, "", "企业（扫码评价）", client)["status"] == "closed"
        with pytest.raises(actions.ActionRefused):  # closed now: no second rating
            actions.rate(hub.db, numbers[high], 5, "", "企业", client)
        assert run_sync(station).ok
        with station.session() as s:
            rows = {r.uuid: r for r in s.scalars(select(Request))}
            assert (rows[low].status, rows[low].rating, rows[low].rating_comment) == ("in_progress", 1, "没有解决")
            assert rows[low].sla_due_at == result["due"] and rows[low].resolved_at is None
            assert (rows[high].status, rows[high].rating) == ("closed", 4)
            kinds = [e.kind for e in rows[low].events]
            assert kinds[-2:] == ["rated", "rectification"]
    finally:
        hub.stop()


# --- the inbox ----------------------------------------------------------------------------------------

def test_inbox_pages_by_due_time_overdue_first_and_keyset(db) -> None:  # type: ignore[no-untyped-def]
    from xuhui_desk.hub.console import casework
    from xuhui_desk.hub.console.accounts import Principal
    from xuhui_desk.hub.models import HubEnterprise, HubRequest, HubStation

    now = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # a Tuesday
    with db.write() as s:
        st = HubStation(code="XH03", name="站", created_at=now)
        s.add(st)
        s.flush()
        ent = HubEnterprise(uuid="e-1", station_id=st.id, name="上海云帆科技有限公司", first_seen_at=now,
                            updated_at=now, content_hash="x")
        s.add(ent)
        s.flush()
        dues = [now + timedelta(days=d) if d is not None else None for d in (3, -2, None, 1, -5, 3, None, 8)]
        for i, due in enumerate(dues):
            s.add(HubRequest(uuid=f"r-{i}", station_id=st.id, tracking_no=f"XH03-20261208-{i:03d}",
                             enterprise_id=ent.id, channel="walk_in", category="finance", description="想申请贷款",
                             urgency="normal", created_at=now - timedelta(days=6), updated_at=now, sla_due_at=due,
                             station_status="routed", status="routed" if i != 5 else "replied",
                             department="finance_center" if i != 7 else "legal_center", content_hash="x"))
    who = Principal(1, "fin", "王芳", "handler", ("finance_center",))
    seen: list[str] = []
    f = casework.InboxFilter()
    while True:
        page = casework.inbox(db, who, f, limit=2, now=now)
        seen += [r.tracking_no for r in page.rows]
        if not page.next_after:
            break
        f.after = page.next_after
    # Open work of the handler's department only (no replied #5, no legal #7), overdue first, by due
    # time, rows without a due time last — each exactly once across the pages.
    assert [n[-1] for n in seen] == ["4", "1", "3", "0", "2", "6"]
    first = casework.inbox(db, who, casework.InboxFilter(), now=now).rows
    assert [r.overdue for r in first[:2]] == [True, True] and first[0].workdays_left < first[1].workdays_left < 0
    assert first[2].workdays_left > 0 and first[-1].workdays_left is None
    everything = casework.inbox(db, who, casework.InboxFilter(status="all", q="云帆 贷款"), now=now).rows
    assert [r.tracking_no[-1] for r in everything] == ["6", "5", "4", "3", "2", "1", "0"]  # newest first
    assert casework.inbox(db, who, casework.InboxFilter(status="all", q="云帆 落户"), now=now).rows == []
    with pytest.raises(casework.NotVisible):  # another department's request: as if it did not exist
        casework.load_request(db, who, "XH03-20261208-007", now=now)
