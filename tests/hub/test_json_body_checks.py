"""The hub's checks of a decoded body (hub/http.py): the quick path (no surrogate can be in a UTF-8
body without a ``\\uD8xx``-style escape or a surrogate's bytes, so only the depth is walked) must
refuse exactly what the full walk refuses, with the same message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuhui_desk.hub.http import MAX_JSON_DEPTH, ApiError, check_decoded_json, decode_json_body, may_hold_surrogates

LIMIT = 10_000_000

# Texts with and without lone surrogates, Chinese, emoji and backslashes.
texts = st.text(alphabet=st.one_of(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
                                   st.sampled_from(list("a\\u中文😀\"d8")), st.characters()), max_size=12)
values = st.recursive(st.none() | st.booleans() | st.integers() | texts,
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                      max_leaves=30)


def _verdict(value: Any, texts: bool) -> str | None:
    try:
        check_decoded_json(value, texts=texts)
    except ValueError as exc:
        return str(exc)
    return None


@settings(max_examples=400, deadline=None)
@given(values, st.booleans())
def test_the_quick_path_refuses_what_the_full_walk_refuses(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    decoded = json.loads(body)
    assert _verdict(decoded, texts=may_hold_surrogates(body)) == _verdict(decoded, texts=True)


def test_only_a_surrogate_escape_or_its_bytes_call_for_the_text_walk() -> None:
    assert may_hold_surrogates(rb'{"a": "\ud800"}')
    assert may_hold_surrogates(rb'{"a": "\uDFFF"}')
    assert may_hold_surrogates('{"a": "\ud800"}'.encode("utf-8", "surrogatepass"))
    assert may_hold_surrogates('{"a": "x"}'.encode("utf-16"))  # not UTF-8: no short cut
    assert not may_hold_surrogates(rb'{"a": "\u4e2d\uD7FF\uE000"}')
    assert not may_hold_surrogates('{"企业": "上海😀有限公司"}'.encode())


def test_too_deep_is_refused_and_placed_on_the_quick_path() -> None:
    deep: Any = "x"
    for _ in range(MAX_JSON_DEPTH + 1):
        deep = {"k": deep}
    body = json.dumps({"records": [deep]}).encode()
    assert not may_hold_surrogates(body)
    with pytest.raises(ApiError) as refused:
        decode_json_body(body, "identity", LIMIT)
    assert "nested deeper than 64 levels" in str(refused.value)
    assert "records[0]" in str(refused.value)
    shallow = json.dumps({"records": [{"k": {"k": "上海"}}]}).encode()
    assert decode_json_body(shallow, "identity", LIMIT) == ({"records": [{"k": {"k": "上海"}}]}, len(shallow))


def test_a_lone_surrogate_is_still_refused_and_placed() -> None:
    body = json.dumps({"records": [{"values": {"name": "上海\ud800"}}]}).encode()
    with pytest.raises(ApiError) as refused:
        decode_json_body(body, "identity", LIMIT)
    assert "records[0].values.name" in str(refused.value)
