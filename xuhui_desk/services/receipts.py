"""What goes on the receipt a company takes home from the counter (no Qt here).

This module decides the receipt's *content*: the tracking URL behind the QR code,
the one-line summary of the request, the QR module matrix, the wording in the
chosen language and the dates shown in Asia/Shanghai. Drawing it on paper or
into a PDF is :mod:`xuhui_desk.ui.receipt_render`'s job.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import qrcode
import qrcode.constants

from xuhui_desk.resources import resource_path
from xuhui_desk.tracking import tracking_code

if TYPE_CHECKING:
    from xuhui_desk.db import Database

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
PLACEHOLDER: Final = "{tracking_no}"
#: Optional: the receipt's verification code (see :mod:`xuhui_desk.tracking`), so the QR code opens
#: the hub's tracking page already verified: ``https://hub.example.cn/track/{tracking_no}?code={code}``.
CODE_PLACEHOLDER: Final = "{code}"
ELLIPSIS: Final = "…"
LANGUAGES: Final = ("zh", "en")
QR_BORDER: Final = 4
SUMMARY_LIMIT: Final = 60


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """Everything printed on one receipt, already in display form except the dates."""

    station_name: str
    station_address: str
    tracking_no: str
    created_at: datetime  # aware; shown in Asia/Shanghai
    enterprise_name: str
    uscc: str  # "" for a sole trader without a credit code
    category_label: str
    summary: str
    specialist: str
    expected_response: datetime | date | None  # an aware datetime is shown as its Shanghai date
    tracking_url: str
    language: str = "zh_CN"
    #: The verification code the public tracking page asks for ("" when the request's uuid was not given).
    tracking_code: str = ""

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("ReceiptData.created_at must be timezone-aware")
        expected = self.expected_response
        if isinstance(expected, datetime) and (expected.tzinfo is None or expected.utcoffset() is None):
            raise ValueError("ReceiptData.expected_response must be timezone-aware when it is a datetime")
        if not self.tracking_no.strip():
            raise ValueError("ReceiptData.tracking_no is empty")


@dataclass(frozen=True, slots=True)
class ReceiptField:
    """One labelled line of the receipt (``key`` is the label's key in labels.toml)."""

    key: str
    label: str
    value: str


# --- tracking URL -----------------------------------------------------------------------------------


def tracking_url(template: str, tracking_no: str, code: str = "") -> str:
    """The URL the QR code encodes: ``template`` with ``{tracking_no}`` replaced by the quoted number
    and ``{code}`` (optional in the template) by the receipt's verification ``code``.

    Raises ``ValueError`` with a message fit for the user when the template has no
    ``{tracking_no}`` placeholder, does not give an absolute http(s) URL, or the
    tracking number is empty, or the template has ``{code}`` and no code is given.
    """
    template = template.strip()
    if not tracking_no.strip():
        raise ValueError("the tracking number is empty")
    if PLACEHOLDER not in template:
        raise ValueError(
            f"the tracking URL template {template!r} has no {PLACEHOLDER} placeholder "
            "(e.g. https://example.gov.cn/track/{tracking_no})"
        )
    if any(ch.isspace() for ch in template):
        raise ValueError(f"the tracking URL template {template!r} contains whitespace")
    if CODE_PLACEHOLDER in template and not code.strip():
        raise ValueError(f"the tracking URL template {template!r} has a {CODE_PLACEHOLDER} placeholder "
                         "but the request's verification code is unknown")
    url = template.replace(PLACEHOLDER, quote(tracking_no.strip(), safe=""))
    url = url.replace(CODE_PLACEHOLDER, quote(code.strip(), safe=""))
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as exc:
        raise ValueError(f"the tracking URL template {template!r} does not give a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok:
        raise ValueError(
            f"the tracking URL template {template!r} must give an absolute http:// or https:// URL"
        )
    return url


# --- summary ------------------------------------------------------------------------------------------

_WORD = re.compile(r"\S+")
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_TAGS = range(0xE0020, 0xE0080)
_ZWJ = "\u200d"


def _repair_surrogates(text: str) -> str:
    """Join UTF-16 surrogate pairs left in a ``str`` and replace lone surrogates with U+FFFD."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _extends(previous: str, ch: str) -> bool:
    """Whether ``ch`` belongs to the grapheme before it (marks, selectors, modifiers, tags, ZWJ)."""
    code = ord(ch)
    return (
        previous == _ZWJ  # ZWJ glues the next character on (family and profession emoji)
        or ("\ud800" <= previous <= "\udbff" and "\udc00" <= ch <= "\udfff")  # a stray UTF-16 pair
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or code in _SKIN_TONES
        or code in _TAGS
        or ch == _ZWJ
    )


def _graphemes(text: str) -> Iterator[str]:
    """User-perceived characters, close enough to UAX #29 for names, emoji and flags.

    Lazy, so a huge text costs only what is taken from it.
    """
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if ord(text[i]) in _REGIONAL_INDICATORS and j < n and ord(text[j]) in _REGIONAL_INDICATORS:
            j += 1  # a flag is a pair of regional indicators
        while j < n and _extends(text[j - 1], text[j]):
            j += 1
        yield text[i:j]
        i = j


def _clean(cluster: str) -> str:
    cluster = _repair_surrogates(cluster)
    return "".join(ch for ch in cluster if unicodedata.category(ch) != "Cc")


def _is_wide(ch: str) -> bool:
    """Chinese characters and full-width punctuation: a line break between two of them is no space."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def summarize(description: str, limit: int = SUMMARY_LIMIT) -> str:
    """``description`` on one line of at most ``limit`` user-perceived characters.

    Runs of whitespace (line breaks, tabs, the ideographic space) become one
    space, or none where a single line break falls between two Chinese
    characters or full-width punctuation marks (text typed with hard wraps). Control
    characters are dropped and lone UTF-16 surrogates replaced. A text that
    does not fit is cut between characters (never inside an emoji, a flag or a
    base-plus-accent pair) and ends with ``…``, counted in ``limit``. Only as
    much of a huge text as the summary needs is examined.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    kept: list[str] = []
    previous_end = 0
    for match in _WORD.finditer(description):
        gap = description[previous_end : match.start()]
        previous_end = match.end()
        first = True
        for raw in _graphemes(match.group()):
            cluster = _clean(raw)
            if not cluster:
                continue
            if first and kept:
                hard_wrap = _line_breaks(gap) == 1 and _is_wide(kept[-1][-1]) and _is_wide(cluster[0])
                if not hard_wrap:
                    if len(kept) == limit:
                        return _cut(kept, limit)
                    kept.append(" ")
            first = False
            if len(kept) == limit:
                return _cut(kept, limit)
            kept.append(cluster)
    return "".join(kept).rstrip()


def _line_breaks(gap: str) -> int:
    return gap.count("\n") + gap.count("\r") - gap.count("\r\n")


def _cut(kept: list[str], limit: int) -> str:
    del kept[limit - 1 :]
    return "".join(kept).rstrip() + ELLIPSIS


# --- QR code ------------------------------------------------------------------------------------------


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code of ``url`` (error correction M) as rows of modules, ``True`` = dark.

    The matrix includes the 4-module quiet zone the standard asks for, so a
    renderer only has to draw it as it is.
    """
    if not url:
        raise ValueError("nothing to encode in the QR code")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


# --- wording and dates ------------------------------------------------------------------------------


def language_key(language: str) -> str:
    """``zh_CN``, ``zh-CN``, ``zh`` → ``zh``; ``en``, ``en_US`` → ``en``; anything else → ``zh``."""
    base = language.replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else "zh"


@cache
def printed_labels(file_name: str) -> Mapping[str, Mapping[str, Any]]:
    """The wording of a printed paper (``resources/receipts/FILE_NAME``), one table per language;
    a file missing a language's table is refused when first read."""
    with resource_path("receipts", file_name).open("rb") as fh:
        raw = tomllib.load(fh)
    missing = [lang for lang in LANGUAGES if lang not in raw]
    if missing:
        raise ValueError(f"resources/receipts/{file_name} has no table for {missing}")
    return MappingProxyType({lang: MappingProxyType(raw[lang]) for lang in LANGUAGES})


def receipt_labels(language: str) -> Mapping[str, Any]:
    """The receipt's wording (from ``resources/receipts/labels.toml``) in ``language``."""
    return printed_labels("labels.toml")[language_key(language)]


def format_datetime(moment: datetime, language: str) -> str:
    """An aware datetime as Shanghai wall-clock time in the receipt's style."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("format_datetime needs a timezone-aware datetime")
    local = moment.astimezone(SHANGHAI)
    labels = receipt_labels(language)
    return str(labels["datetime"]).format(**_date_fields(local.date(), labels), hour=local.hour,
                                          minute=local.minute)


def format_date(day: datetime | date, language: str) -> str:
    """A date (or the Shanghai date of an aware datetime) in the receipt's style, with the weekday."""
    if isinstance(day, datetime):
        if day.tzinfo is None or day.utcoffset() is None:
            raise ValueError("format_date needs a timezone-aware datetime")
        day = day.astimezone(SHANGHAI).date()
    labels = receipt_labels(language)
    return str(labels["date"]).format(**_date_fields(day, labels))


def _date_fields(day: date, labels: Mapping[str, Any]) -> dict[str, object]:
    return {
        "year": day.year,
        "month": day.month,
        "day": day.day,
        "weekday": labels["weekdays"][day.weekday()],
        "month_name": labels["month_names"][day.month - 1],
    }


def receipt_fields(data: ReceiptData) -> list[ReceiptField]:
    """The labelled lines of the receipt, in print order (the tracking number first)."""
    labels = receipt_labels(data.language)
    expected = format_date(data.expected_response, data.language) if data.expected_response else ""
    rows = [
        ("tracking_no", data.tracking_no),
        ("created_at", format_datetime(data.created_at, data.language)),
        ("enterprise", data.enterprise_name),
        ("uscc", data.uscc),
        ("category", data.category_label),
        ("summary", data.summary),
        ("specialist", data.specialist),
        ("expected_response", expected),
    ]
    if data.tracking_code:
        rows.append(("tracking_code", data.tracking_code))
    not_provided = str(labels["not_provided"])
    return [ReceiptField(key, str(labels[key]), value.strip() or not_provided) for key, value in rows]


def address_line(data: ReceiptData) -> str:
    """``服务站地址：…`` in the receipt's language, or "" when the station has no address."""
    if not data.station_address.strip():
        return ""
    return str(receipt_labels(data.language)["address"]).format(address=data.station_address.strip())


def receipt_text(data: ReceiptData) -> str:
    """The receipt as plain text (for logs, the command line and tests)."""
    labels = receipt_labels(data.language)
    lines = [data.station_name, str(labels["title"]), ""]
    lines += [f"{field.label}: {field.value}" for field in receipt_fields(data)]
    lines += ["", str(labels["scan_hint"]), data.tracking_url, ""]
    if address := address_line(data):
        lines.append(address)
    lines.append(str(labels["keep_note"]))
    return "\n".join(lines) + "\n"


def build_receipt(
    *,
    station_name: str,
    station_address: str,
    tracking_no: str,
    created_at: datetime,
    enterprise_name: str,
    uscc: str | None,
    category_label: str,
    description: str,
    specialist: str,
    expected_response: datetime | date | None,
    url_template: str,
    language: str = "zh_CN",
    summary_limit: int = SUMMARY_LIMIT,
    request_uuid: str = "",
) -> ReceiptData:
    """A :class:`ReceiptData` from a request's fields: summarizes the description, builds the URL.

    With ``request_uuid`` the receipt carries the verification code of the public tracking page
    (printed, and in the URL where the template has ``{code}``).
    Raises ``ValueError`` (see :func:`tracking_url`) when the URL template is unusable.
    """
    code = tracking_code(request_uuid) if request_uuid.strip() else ""
    return ReceiptData(
        station_name=station_name.strip(),
        station_address=station_address.strip(),
        tracking_no=tracking_no.strip(),
        created_at=created_at,
        enterprise_name=" ".join(enterprise_name.split()),
        uscc=(uscc or "").strip(),
        category_label=category_label.strip(),
        summary=summarize(description, summary_limit),
        specialist=specialist.strip(),
        expected_response=expected_response,
        tracking_url=tracking_url(url_template, tracking_no, code),
        language=language,
        tracking_code=code,
    )


class RequestNotFoundForReceipt(LookupError):
    """No request with that tracking number or uuid."""


def request_receipt(db: Database, key: str, language: str) -> ReceiptData:
    """The receipt of a saved request (``key``: uuid or tracking number) in ``language``, read in its
    own session: what the GUI prints and reprints (:func:`receipt_for_request` does the work)."""
    with db.session() as session:
        return receipt_for_request(session, key, language)


def receipt_for_request(session: Any, key: str, language: str) -> ReceiptData:
    """The receipt of a saved request (``key``: tracking number or uuid), from the database: the one
    builder behind the GUI's print and ``xuhui-desk receipt``. Raises
    :class:`RequestNotFoundForReceipt`, or ``ValueError`` for an unusable tracking URL template."""
    from sqlalchemy import or_, select

    from xuhui_desk.models import Request
    from xuhui_desk.services.station import get_setting, require_station, station_address
    from xuhui_desk.services.taxonomy import load_taxonomy

    key = key.strip()
    request = session.scalars(select(Request).where(or_(Request.tracking_no == key, Request.uuid == key))).first()
    if request is None:
        raise RequestNotFoundForReceipt(key)
    station = require_station(session)
    try:
        label = load_taxonomy().category(request.category).label(language)
    except KeyError:
        label = request.category
    return build_receipt(
        station_name=station.name,
        station_address=station_address(session),
        tracking_no=request.tracking_no,
        created_at=request.created_at,
        enterprise_name=request.enterprise.name,
        uscc=request.enterprise.uscc,
        category_label=label,
        description=request.description,
        specialist=request.specialist,
        expected_response=request.sla_due_at,
        url_template=get_setting(session, "tracking_url_template"),
        language=language,
        request_uuid=request.uuid,
    )
