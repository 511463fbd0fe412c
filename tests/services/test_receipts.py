"""Receipt content: tracking URL, summary, QR matrix, wording and Shanghai dates (no Qt)."""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest

from xuhui_desk.resources import resource_path
from xuhui_desk.services.receipts import (
    ELLIPSIS,
    ReceiptData,
    build_receipt,
    format_date,
    format_datetime,
    language_key,
    qr_matrix,
    receipt_fields,
    receipt_labels,
    receipt_text,
    summarize,
    tracking_url,
)

TEMPLATE = "https://qyfw.xuhui.gov.cn/track/{tracking_no}"


def graphemes_ok(text: str) -> bool:
    """No dangling joiner, modifier, selector, lone regional indicator or lone surrogate."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return False
    if text.endswith("\u200d"):
        return False
    flags = [ch for ch in text if 0x1F1E6 <= ord(ch) <= 0x1F1FF]
    return len(flags) % 2 == 0


# --- tracking URL -------------------------------------------------------------------------------------


def test_tracking_url_fills_the_placeholder() -> None:
    assert tracking_url(TEMPLATE, "XH03-20261126-007") == "https://qyfw.xuhui.gov.cn/track/XH03-20261126-007"
    assert tracking_url("http://hub.local:8700/t?no={tracking_no}&s=1", "A1") == "http://hub.local:8700/t?no=A1&s=1"


def test_tracking_url_quotes_the_number() -> None:
    assert tracking_url(TEMPLATE, "XH 03/7?#") == "https://qyfw.xuhui.gov.cn/track/XH%2003%2F7%3F%23"
    assert tracking_url(TEMPLATE, "徐汇-1").endswith("/track/%E5%BE%90%E6%B1%87-1")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("https://qyfw.xuhui.gov.cn/track/", "placeholder"),
        ("https://qyfw.xuhui.gov.cn/track/{tracking}", "placeholder"),
        ("ftp://qyfw.xuhui.gov.cn/{tracking_no}", "http"),
        ("javascript:alert({tracking_no})", "http"),
        ("/track/{tracking_no}", "http"),
        ("qyfw.xuhui.gov.cn/track/{tracking_no}", "http"),
        ("https:///track/{tracking_no}", "http"),
        ("https://qyfw.xuhui.gov.cn/track me/{tracking_no}", "whitespace"),
        ("https://qyfw.xuhui.gov.cn:99999/{tracking_no}", "URL"),
    ],
)
def test_tracking_url_rejects_bad_templates(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tracking_url(template, "XH03-20261126-007")


def test_tracking_url_rejects_an_empty_number() -> None:
    with pytest.raises(ValueError, match="empty"):
        tracking_url(TEMPLATE, "  ")


# --- summary ------------------------------------------------------------------------------------------


def test_summary_collapses_whitespace_to_one_line() -> None:
    assert summarize("  申请\t人才公寓\n\n 咨询  政策 \u3000 ") == "申请 人才公寓 咨询 政策"
    assert summarize("Need a\r\nloan") == "Need a loan"


def test_summary_joins_hard_wrapped_chinese_without_a_space() -> None:
    assert summarize("希望了解贴息政策，\n最好能对接银行") == "希望了解贴息政策，最好能对接银行"
    assert summarize("办理\r\n营业执照变更") == "办理营业执照变更"
    assert summarize("公司 ABC\n科技") == "公司 ABC 科技"


def test_summary_keeps_short_text_and_cuts_long_text_with_an_ellipsis() -> None:
    assert summarize("x" * 60) == "x" * 60
    cut = summarize("融资" * 100)
    assert len(cut) == 60 and cut.endswith(ELLIPSIS)
    assert summarize("ab cd", 3) == "ab" + ELLIPSIS  # no space before the ellipsis
    assert summarize("abcdef", 1) == ELLIPSIS
    assert summarize("") == summarize(" \n\t ") == ""


@pytest.mark.parametrize(
    "unit",
    [
        "😀",
        "👨\u200d👩\u200d👧\u200d👦",  # family: ZWJ sequence
        "👍🏽",  # skin tone
        "🇨🇳",  # flag: two regional indicators
        "❤\ufe0f",  # variation selector
        "e\u0301",  # combining accent
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # tag sequence
    ],
)
@pytest.mark.parametrize("limit", [1, 2, 5, 13, 60])
def test_summary_never_cuts_inside_an_emoji(unit: str, limit: int) -> None:
    for prefix in ("", "a", "企业"):
        text = prefix + unit * 80
        result = summarize(text, limit)
        body = result.removesuffix(ELLIPSIS)
        assert result.endswith(ELLIPSIS)
        assert body.startswith(prefix[: limit - 1])
        rest = body[len(prefix) :] if len(body) >= len(prefix) else ""
        assert len(rest) % len(unit) == 0, (unit, limit, result)
        assert rest == unit * (len(rest) // len(unit))
        assert graphemes_ok(result)


def test_summary_repairs_surrogates_and_drops_control_characters() -> None:
    assert summarize("\ud83d\ude00 ok") == "😀 ok"
    assert summarize("bad \ud83d end") == "bad \ufffd end"
    assert summarize("a\x00b\x07c d\x1b") == "abc d"
    result = summarize("😀" * 100, 10)
    result.encode("utf-8")  # printable: no lone surrogates


def test_summary_of_a_huge_text_is_fast_and_bounded() -> None:
    start = time.perf_counter()
    assert summarize("企" * 5_000_000) == "企" * 59 + ELLIPSIS
    assert summarize("a" * 5_000_000 + " b", 10) == "a" * 9 + ELLIPSIS
    assert summarize(" " * 5_000_000 + "诉求") == "诉求"
    assert summarize("诉 " * 2_000_000, 7) == "诉 诉 诉" + ELLIPSIS
    assert time.perf_counter() - start < 3.0


def test_summary_rejects_a_zero_limit() -> None:
    with pytest.raises(ValueError):
        summarize("x", 0)


# --- QR code ------------------------------------------------------------------------------------------


def decode_matrix(matrix: list[list[bool]], scale: int = 8) -> str:
    image = np.where(np.array(matrix, dtype=bool), 0, 255).astype(np.uint8)
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(image)
    return text


@pytest.mark.parametrize(
    "url",
    [
        "https://qyfw.xuhui.gov.cn/track/XH03-20261126-007",
        "http://127.0.0.1:8700/track/XH12-20260101-999",
        tracking_url(TEMPLATE + "?lang=zh_CN&src=receipt", "XH03-20261231-123"),
    ],
)
def test_qr_matrix_decodes_to_the_url(url: str) -> None:
    matrix = qr_matrix(url)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 8 - 21) % 4 == 0  # a QR version plus the 4-module quiet zone each side
    border = [matrix[i][j] for i in range(size) for j in range(size) if min(i, j, size - 1 - i, size - 1 - j) < 4]
    assert not any(border)
    assert decode_matrix(matrix) == url


def test_qr_matrix_rejects_nothing() -> None:
    with pytest.raises(ValueError):
        qr_matrix("")


# --- wording and dates -------------------------------------------------------------------------------


def test_labels_exist_in_both_languages_with_the_same_keys() -> None:
    with resource_path("receipts", "labels.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    assert set(raw) == {"zh", "en"}
    assert set(raw["zh"]) == set(raw["en"])
    assert raw["zh"]["title"] == "企业诉求受理回执"
    for lang in ("zh", "en"):
        assert len(raw[lang]["weekdays"]) == 7 and len(raw[lang]["month_names"]) == 12
    assert receipt_labels("zh_CN")["uscc"] == "统一社会信用代码"
    assert receipt_labels("en")["title"] == "Enterprise Request Receipt"


@pytest.mark.parametrize(
    ("language", "key"), [("zh_CN", "zh"), ("zh-CN", "zh"), ("zh", "zh"), ("en", "en"), ("en_US", "en"), ("fr", "zh")]
)
def test_language_key(language: str, key: str) -> None:
    assert language_key(language) == key


def test_dates_are_shown_in_shanghai() -> None:
    late_utc = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # 27 Nov 07:30 in Shanghai
    assert format_datetime(late_utc, "zh_CN") == "2026年11月27日 07:30"
    assert format_datetime(late_utc, "en") == "27 Nov 2026, 07:30"
    new_york = timezone(timedelta(hours=-5))
    assert format_datetime(datetime(2026, 11, 26, 12, 0, tzinfo=new_york), "zh_CN") == "2026年11月27日 01:00"
    assert format_date(datetime(2026, 12, 2, 16, 30, tzinfo=UTC), "zh_CN") == "2026年12月3日（星期四）"
    assert format_date(date(2026, 12, 3), "en") == "Thu 3 Dec 2026"
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 1, 1), "zh_CN")


def sample(**changes: object) -> ReceiptData:
    values: dict[str, object] = {
        "station_name": "徐汇区漕河泾开发区企业服务站",
        "station_address": "上海市徐汇区宜山路700号",
        "tracking_no": "XH03-20261126-007",
        "created_at": datetime(2026, 11, 26, 6, 42, tzinfo=UTC),
        "enterprise_name": "上海汇智云链信息科技有限公司",
        "uscc": "91310104MA1FL3KQ2X",
        "category_label": "融资服务",
        "description": "希望了解知识产权质押融资",
        "specialist": "王晓梅",
        "expected_response": datetime(2026, 12, 3, 1, 30, tzinfo=UTC),
        "url_template": TEMPLATE,
    }
    values.update(changes)
    return build_receipt(**values)  # type: ignore[arg-type]


def test_build_receipt_and_its_fields() -> None:
    data = sample(description="希望了解\n知识产权质押融资" + "。" * 100, enterprise_name="  上海  汇智 ")
    assert data.tracking_url == "https://qyfw.xuhui.gov.cn/track/XH03-20261126-007"
    assert data.summary.endswith(ELLIPSIS) and "\n" not in data.summary
    assert data.enterprise_name == "上海 汇智"
    fields = {field.key: field for field in receipt_fields(data)}
    assert list(fields) == [
        "tracking_no", "created_at", "enterprise", "uscc", "category", "summary", "specialist",
        "expected_response",
    ]
    assert fields["created_at"].value == "2026年11月26日 14:42"
    assert fields["expected_response"].value == "2026年12月3日（星期四）"
    assert fields["uscc"].label == "统一社会信用代码"
    text = receipt_text(data)
    assert "企业诉求受理回执" in text and data.tracking_url in text and "服务站地址：上海市徐汇区宜山路700号" in text


def test_missing_values_say_not_provided() -> None:
    data = sample(uscc=None, expected_response=None, station_address="")
    fields = {field.key: field.value for field in receipt_fields(data)}
    assert fields["uscc"] == "未提供"
    assert fields["expected_response"] == "未提供"
    assert "服务站地址" not in receipt_text(data)
    english = {field.key: field.value for field in receipt_fields(sample(uscc="", language="en"))}
    assert english["uscc"] == "not provided"


def test_receipt_data_requires_aware_datetimes_and_a_number() -> None:
    with pytest.raises(ValueError, match="aware"):
        sample(created_at=datetime(2026, 11, 26, 14, 42))
    with pytest.raises(ValueError, match="aware"):
        sample(expected_response=datetime(2026, 12, 3, 9, 30))
    with pytest.raises(ValueError):
        sample(tracking_no="")
    with pytest.raises(ValueError, match="placeholder"):
        sample(url_template="https://qyfw.xuhui.gov.cn/track/")


def test_receipt_wording_is_simplified_chinese() -> None:
    opencc = pytest.importorskip("opencc")
    t2s = opencc.OpenCC("t2s")
    for key, value in receipt_labels("zh_CN").items():
        for text in value if isinstance(value, list) else [value]:
            assert t2s.convert(text) == text, key
            assert "(" not in text, key  # no pinyin reading aids; Chinese text uses full-width brackets


def test_the_service_does_not_import_qt() -> None:
    code = (
        "import sys, xuhui_desk.services.receipts\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
