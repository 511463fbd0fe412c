"""``content_hash_of`` (the hub's content hash cut from the canonical encoding it makes anyway)
gives exactly ``content_hash(to_wire(...))`` of the parsed record — stored hashes stay comparable
with those of every earlier hub — whatever form the station sent the record in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuhui_desk.sync_protocol import (
    ENTERPRISE,
    EVENT,
    FIELDS,
    POLICY_PUSH,
    REQUEST,
    UUID_FIELDS,
    _content_encoding,
    canonical_json,
    content_hash,
    content_hash_of,
    from_wire,
    to_wire,
)

# Texts that could confuse a cut made in bytes: the members' own spelling, quotes, backslashes,
# emoji and other characters beyond the BMP, control characters; and very long ones.
_TRICKY = st.sampled_from(['","revision":1', ',"revision":1,', '"status_base":null', ',"profile":null}',
                           '\\', '\\"', '"', "😀🧧", "\x00\x1f", "徐汇区漕河泾", "", " "])
# The last: a huge text (a 4,000-character description and more), quick to draw.
_TEXT = st.one_of(st.text(max_size=40), _TRICKY,
                  st.text(alphabet="😀汉\\\",r", min_size=1, max_size=6).map(lambda t: t * 1000))
_UUID = st.uuids().map(str)
_TIME = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))]))
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.one_of(_TEXT, st.sampled_from(["revision", "status_base", "profile", "zz"])),
                         inner, max_size=3), max_leaves=8)


def _value(kind: str) -> st.SearchStrategy[Any]:
    base = {"str": _TEXT, "int": st.integers(min_value=-5, max_value=10**12), "time": _TIME,
            "dict": st.dictionaries(st.one_of(_TEXT, st.just("revision")), _JSON, max_size=4),
            "list": st.lists(st.dictionaries(st.sampled_from(["id", "version", "revision"]), _JSON, max_size=3),
                             max_size=3)}[kind.rstrip("?")]
    return st.one_of(st.none(), base) if kind.endswith("?") else base


@st.composite
def wire_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record as ``to_wire`` writes it (a station's), any field None where it may be."""
    record_type = draw(st.sampled_from([ENTERPRISE, REQUEST, EVENT, POLICY_PUSH]))
    values = {name: draw(_value(kind)) for name, kind in FIELDS[record_type].items()}
    for name in UUID_FIELDS:  # a station writes them in lower case
        if name in values:
            values[name] = draw(_UUID if FIELDS[record_type][name] == "str" else st.none() | _UUID)
    return to_wire(record_type, draw(_UUID), draw(st.integers(min_value=1, max_value=2**31 - 1)), values)


def _time_spelling(text: str) -> str:
    return text.replace("+00:00", "Z") if text.endswith("+00:00") else text


# What other clients may send instead: each is parsed to the same record, or to another whose
# hash the slow way computes; the cut must then step aside.
_CHANGES = st.sampled_from(["none", "upper uuid", "time Z", "time +08:00", "drop key", "extra key",
                            "null container", "revision as last", "bool rating"])


def _changed(raw: dict[str, Any], change: str) -> dict[str, Any]:
    out = dict(raw)
    if change == "upper uuid":
        out["uuid"] = out["uuid"].upper()
    elif change == "time Z":
        for name, kind in FIELDS[out["type"]].items():
            if kind.startswith("time") and out[name] is not None:
                out[name] = _time_spelling(out[name])
    elif change == "time +08:00":
        for name, kind in FIELDS[out["type"]].items():
            if kind.startswith("time") and out[name] is not None:
                out[name] = datetime.fromisoformat(out[name]).astimezone(timezone(timedelta(hours=8))).isoformat()
    elif change == "drop key":  # one that may be missing: an optional field, an object or an array
        out.pop(sorted(name for name, kind in FIELDS[out["type"]].items() if kind.endswith("?")
                       or kind in ("dict", "list"))[-1])
    elif change == "extra key":
        out["zzz"] = {"revision": out["revision"]}
    elif change == "null container":
        for name, kind in FIELDS[out["type"]].items():
            if kind in ("dict", "list"):
                out[name] = None
    elif change == "revision as last":  # key order does not matter to canonical JSON
        revision = out.pop("revision")
        out["revision"] = revision
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wire_records(), _CHANGES)
def test_equals_the_hash_of_the_record_written_again(raw: dict[str, Any], change: str) -> None:
    sent = _changed(raw, change)
    record = from_wire(sent)
    expected = content_hash(to_wire(record.type, record.uuid, record.revision, record.values))
    assert content_hash_of(record, sent, canonical_json(sent)) == expected
    if change in ("none", "revision as last"):
        # A record as to_wire writes it takes the cut, not the long way round.
        assert _content_encoding(record, sent, canonical_json(sent)) is not None


def test_the_known_hashes_of_stored_records_do_not_change() -> None:
    """Hashes a hub stored before: an enterprise of before the profile field (null profile left
    out), and a request with a status base (left out)."""
    when = datetime(2026, 11, 26, 1, 2, 3, tzinfo=UTC)
    enterprise = to_wire(ENTERPRISE, "c8302fb3-0000-4000-8000-000000000001", 3, {
        "name": "上海徐汇😀有限公司", "uscc": None, "contact_name": "李", "phone": "13800000000", "park": "",
        "building": "", "first_seen_at": when, "updated_at": when, "profile": None})
    request = to_wire(REQUEST, "c8302fb3-0000-4000-8000-000000000002", 2, {
        "tracking_no": "XH03-20261126-001", "enterprise_uuid": "c8302fb3-0000-4000-8000-000000000001",
        "channel": "walk_in", "category": "finance", "description": "贷款贴息，\"急\"\\", "urgency": "normal",
        "status": "routed", "specialist": "王", "created_at": when, "updated_at": when, "status_base": "new"})
    # Computed by the hub before the cut existed (main at be42b96: content_hash(to_wire(...))).
    known = ("ce8722bf57cac38c74c75a1cbc43cea1006b998acf6e4c5961a2f57f29034082",
             "c5af55cbc139215ed750e85137f10d53e91d44459615325a99b940868d59535e")
    for raw, digest in zip((enterprise, request), known, strict=True):
        record = from_wire(raw)
        assert _content_encoding(record, raw, canonical_json(raw)) is not None
        assert content_hash_of(record, raw, canonical_json(raw)) == digest
