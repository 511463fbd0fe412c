from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuhui_desk.validation import (
    USCC_CHARSET,
    Severity,
    check_phone,
    check_text,
    check_uscc,
    clean_text,
    name_key,
    normalize_uscc,
    org_code_check_char,
    uscc_check_char,
)

VALID = "9131010452601815X3"


def build_code(prefix: str, region: str, org_body: str) -> str:
    """A credit code with correct organisation-code and final check characters."""
    first17 = prefix + region + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


codes = st.builds(
    build_code,
    st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "53", "Y1"]),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=string.digits + "ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)


def test_known_valid_code() -> None:
    assert check_uscc(VALID) == (VALID, [])


@given(codes)
def test_every_code_with_correct_check_character_passes(code: str) -> None:
    normalized, issues = check_uscc(code)
    assert normalized == code
    assert issues == []


@given(codes, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_CHARSET))
def test_every_single_character_change_fails(code: str, position: int, replacement: str) -> None:
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1:]
    _, issues = check_uscc(changed)
    assert issues, f"{changed} was accepted"
    # A change in the organisation-code part may be caught by the org check (a warning)
    # only when the final check character happens to match; any other change is an error.
    assert any(i.severity is Severity.ERROR for i in issues) or 8 <= position <= 16


def test_final_check_character_is_a_hard_error() -> None:
    _, issues = check_uscc(VALID[:-1] + "4")
    assert [i.code for i in issues] == ["uscc.checksum"]
    assert issues[0].severity is Severity.ERROR
    assert "校验位" in issues[0].message()
    assert "check character" in issues[0].message("en")


def test_org_code_failure_is_a_warning() -> None:
    org_body = "52601815"
    wrong_org = "1" if org_code_check_char(org_body) != "1" else "2"
    first17 = "913101" + "04" + org_body + wrong_org
    code = first17 + uscc_check_char(first17)
    _, issues = check_uscc(code)
    assert [(i.code, i.severity) for i in issues] == [("uscc.org_code", Severity.WARNING)]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("  9131010452601815x3 ", VALID),
        ("９１３１０１０４５２６０１８１５Ｘ３", VALID),
        ("913101-0452601815X3", VALID),
    ],
)
def test_normalisation(raw: str, code: str) -> None:
    assert normalize_uscc(raw) == code
    assert check_uscc(raw) == (code, [])


@pytest.mark.parametrize(
    ("raw", "issue"),
    [
        ("91310104526018", "uscc.length"),
        ("9131010452601815I3", "uscc.charset"),
        ("91AB010452601815X3", "uscc.region"),
        ("913101045260181😀X3", "uscc.charset"),
    ],
)
def test_bad_codes_name_the_problem(raw: str, issue: str) -> None:
    _, issues = check_uscc(raw)
    assert issues and issues[0].code == issue
    assert issues[0].field == "uscc"
    assert "统一社会信用代码" in issues[0].message()


def test_empty_code_is_allowed_for_sole_traders() -> None:
    assert check_uscc("   ") == ("", [])


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("021-64871234", "021-64871234"),
        ("(021) 6487 1234", "021-64871234"),
        ("+86 21 64871234", "021-64871234"),
        ("64871234", "021-64871234"),
        ("021-64871234转808", "021-64871234转808"),
    ],
)
def test_valid_phones(raw: str, normalized: str) -> None:
    assert check_phone(raw) == (normalized, [])


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12812345678", "phone.invalid"),
        ("1381234567", "phone.invalid"),
        ("010-62345678", "phone.not_shanghai"),
        ("021-1234567", "phone.invalid"),
        ("abc", "phone.invalid"),
        ("☎️13812345678", "phone.invalid"),
    ],
)
def test_invalid_phones(raw: str, code: str) -> None:
    _, issues = check_phone(raw)
    assert [i.code for i in issues] == [code]
    assert "联系电话" in issues[0].message()


def test_text_limits_and_cleaning() -> None:
    assert check_text("", "description", required=True)[0].code == "text.required"
    long = "字" * 5000
    issue = check_text(long, "description")[0]
    assert issue.code == "text.too_long" and "4000" in issue.message()
    assert clean_text(" a\x00b\x07 \n c ") == "ab c"
    assert clean_text("第一行\n第二行\x1b", multiline=True) == "第一行\n第二行"


def test_name_key_ignores_width_spaces_and_brackets() -> None:
    assert name_key("上海 示例（科技）有限公司") == name_key("上海示例(科技)有限公司")
