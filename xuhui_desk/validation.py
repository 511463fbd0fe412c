"""Validation of what a specialist types: credit codes, phones, names and texts.

Checks return :class:`Issue` objects rather than raising, so a form can show every
problem next to its field at once. An issue names its field and carries a message
code; :meth:`Issue.message` renders it in the user's language from
``resources/messages/validation.toml`` (the wording lives there, not in code).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from xuhui_desk.resources import resource_path

# GB 32100-2015: 31 characters (no I, O, Z, S, V).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
# GB 11714-1997: the organisation code inside the credit code (positions 9–17).
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

LIMITS = {
    "enterprise_name": 100,
    "contact_name": 50,
    "park": 100,
    "building": 100,
    "description": 4000,
    "note": 2000,
    "reply": 2000,
    "comment": 1000,
    "specialist": 50,
    "summary": 2000,
    "reply_title": 50,
    "reply_text": 2000,
    "view_name": 40,
}
MIN_DESCRIPTION = 4


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    field: str
    code: str
    severity: Severity = Severity.ERROR
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def message(self, language: str = "zh_CN") -> str:
        catalog = _catalog()
        lang = language if language in catalog else "zh_CN"
        template = catalog[lang].get(self.code, self.code)
        field_label = catalog[lang].get(f"field.{self.field}", self.field)
        return template.format(field=field_label, **self.params)

    def to_dict(self, language: str = "zh_CN") -> dict[str, str]:
        return {"field": self.field, "code": self.code, "severity": str(self.severity),
                "message": self.message(language)}


class ValidationFailed(ValueError):
    """Raised by services when input has errors; ``issues`` says which and why."""

    def __init__(self, issues: list[Issue], language: str = "zh_CN") -> None:
        self.issues = issues
        super().__init__("; ".join(i.message(language) for i in issues))


@cache
def _catalog() -> dict[str, dict[str, str]]:
    with resource_path("messages", "validation.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {lang: {k: str(v) for k, v in table.items()} for lang, table in data.items()}


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


# --- unified social credit code ---------------------------------------------------------------

def normalize_uscc(raw: str) -> str:
    """Trim, full-width to half-width, drop inner spaces and dashes, upper case."""
    text = to_halfwidth(_CONTROL.sub("", raw or "")).strip().upper()
    return re.sub(r"[\s\-]", "", text)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    def value(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - 55

    remainder = 11 - sum(value(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def check_uscc(raw: str, field_name: str = "uscc") -> tuple[str, list[Issue]]:
    """Normalise a credit code and list what is wrong with it (empty list: valid).

    A wrong final check character is an error; an organisation code (positions 9–17)
    that fails its own mod-11 check is a warning the specialist may accept, since some
    codes issued before the standard carry legacy organisation codes.
    """
    code = normalize_uscc(raw)
    if not code:
        return code, []
    if len(code) != 18:
        return code, [Issue(field_name, "uscc.length", params={"length": len(code)})]
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        return code, [Issue(field_name, "uscc.charset", params={"chars": "".join(bad)})]
    if not code[2:8].isdigit():
        return code, [Issue(field_name, "uscc.region")]
    if uscc_check_char(code[:17]) != code[17]:
        return code, [Issue(field_name, "uscc.checksum")]
    org = code[8:17]
    if not all(c.isdigit() or "A" <= c <= "Z" for c in org[:8]) or org_code_check_char(org[:8]) != org[8]:
        return code, [Issue(field_name, "uscc.org_code", Severity.WARNING)]
    return code, []


# --- phones -----------------------------------------------------------------------------------

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_SHANGHAI = re.compile(r"^(?:(?:\+?86)?0?21)?([2-9]\d{7})(?:(?:转|ext\.?|x|#)(\d{1,6}))?$", re.IGNORECASE)


def check_phone(raw: str, field_name: str = "phone") -> tuple[str, list[Issue]]:
    """A mainland mobile (optional +86) or a Shanghai landline (optional 021 / +86 21, extension).

    Returns the normalised form: ``13812345678`` or ``021-64871234`` (``-转123`` for an extension).
    """
    text = to_halfwidth(raw or "").strip()
    if not text:
        return "", []
    compact = re.sub(r"[\s\-()（）]", "", text)
    if m := _MOBILE.match(compact):
        return m.group(1), []
    if m := _SHANGHAI.match(compact):
        number = f"021-{m.group(1)}"
        return (number + f"转{m.group(2)}" if m.group(2) else number), []
    if compact.startswith(("0", "+860")) and not compact.startswith(("021", "+8621")):
        return text, [Issue(field_name, "phone.not_shanghai")]
    return text, [Issue(field_name, "phone.invalid")]


# --- names and texts --------------------------------------------------------------------------

# Control characters, and lone surrogates (from "\\ud800" in JSON or undecodable bytes):
# SQLite cannot store the latter as UTF-8 at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


# Invisible characters that change how text around them is shown: the bidirectional embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069; "正常公司\u202etxt.exe" shows reversed)
# and the direction marks (U+200E, U+200F, U+061C); zero-width spaces and joiners (U+200B,
# U+200C, U+2060) and the byte-order mark (U+FEFF). A company name or a request never needs them.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u200c\u2060\ufeff]")
_ZWJ = "\u200d"


def _emoji(char: str) -> bool:
    """A pictographic character that takes part in emoji ZWJ sequences (👨‍👩‍👧, 🏳️‍🌈)."""
    code = ord(char)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF


def _drop_zero_width_joiners(text: str) -> str:
    """U+200D stays only where it joins two emoji (after an optional U+FE0F), so 👨‍👩‍👧 stays one
    family; anywhere else it is an invisible character and goes."""
    if _ZWJ not in text:
        return text
    out = []
    for i, char in enumerate(text):
        if char == _ZWJ:
            before = text[i - 1] if i else ""
            if before == "\ufe0f" and i > 1:
                before = text[i - 2]
            after = text[i + 1] if i + 1 < len(text) else ""
            if not (before and after and _emoji(before) and _emoji(after)):
                continue
        out.append(char)
    return "".join(out)


_SPACES = re.compile(r"\s+")


def clean_text(raw: str | None, *, multiline: bool = False) -> str:
    """Strip control characters, lone surrogates, bidirectional controls and zero-width characters
    (keeping newlines in multi-line text, and a zero-width joiner inside an emoji sequence) and
    outer whitespace. Every text the station stores from input goes through here."""
    text = _INVISIBLE.sub("", _CONTROL.sub("", raw or ""))
    text = _drop_zero_width_joiners(text)
    if not multiline:
        text = _SPACES.sub(" ", text)
    return text.strip()


def check_text(value: str, field_name: str, *, required: bool = False, minimum: int = 0) -> list[Issue]:
    limit = LIMITS.get(field_name, 1000)
    if not value:
        return [Issue(field_name, "text.required")] if required else []
    if len(value) > limit:
        return [Issue(field_name, "text.too_long", params={"limit": limit, "length": len(value)})]
    if len(value) < minimum:
        return [Issue(field_name, "text.too_short", params={"minimum": minimum})]
    return []


def name_key(name: str) -> str:
    """The form of an enterprise name used to recognise it again: half-width, no spaces or brackets kind."""
    text = to_halfwidth(name).lower()
    text = text.replace("(", "").replace(")", "")
    return re.sub(r"[\s·.,]", "", text)


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]
