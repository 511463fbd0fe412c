"""The district's policies (政策速递): what a policy is, what a company's profile holds, and how the
two are matched — with the reasons in words.

Both ends use this module: the hub when a catalogue is published (``xuhui-hub policy publish``)
and when it lists the companies that qualify for a 免申即享 policy, the station when it matches
its companies at the counter, in the company file and across the directory. Standard library
only (no SQLAlchemy, no Qt), so that the hub and every station judge a company the same way.

Matching is three-valued. Every fact of a profile may be unknown (``None``) — an unknown fact is
never taken as false. A condition over an unknown fact is *unknown*; a policy is

* **eligible** when every condition is known and met,
* **possible** when nothing is violated but some facts are unknown (``Match.missing`` lists the
  facts to ask the company), and
* **not eligible** when a condition fails (its reason says which).

``keywords_any`` is the one condition that never decides eligibility: it says whether a policy is
*relevant* to a request's text (``Match.relevant``), which puts it first in the list. A policy
about loans is still worth telling a company eligible for it who came about office space.

The wording of reasons and fact names lives in ``resources/messages/policies.toml``.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

from xuhui_desk.resources import resource_path
from xuhui_desk.sync_protocol import FieldError

# --- vocabulary -------------------------------------------------------------------------------

SIZES = ("micro", "small", "medium", "large")
APPLY_MODES = ("online", "window", "no_application")
#: Qualifications the catalogue and the company file offer by name; a company may hold others
#: (free text of at most ``MAX_QUALIFICATION`` characters), which match only by exact name.
QUALIFICATIONS: tuple[str, ...] = (
    "高新技术企业",
    "专精特新",
    "专精特新小巨人",
    "科技型中小企业",
    "外资企业",
    "上市企业",
    "技术先进型服务企业",
    "软件企业",
    "跨国公司地区总部",
    "民办非企业单位",
)
PROFILE_FACTS = ("industry_code", "established", "registered_in_xuhui", "size", "qualifications",
                 "employees", "revenue_wan")
CONDITION_KEYS = ("industry_prefix", "registered_in_xuhui", "min_age_years", "max_age_years", "size",
                  "qualifications_any", "qualifications_all", "min_employees", "max_employees",
                  "min_revenue_wan", "max_revenue_wan", "keywords_any")
#: The profile fact each condition reads (``keywords_any`` reads a request's text instead).
CONDITION_FACT: dict[str, str | None] = {
    "industry_prefix": "industry_code",
    "registered_in_xuhui": "registered_in_xuhui",
    "min_age_years": "established",
    "max_age_years": "established",
    "size": "size",
    "qualifications_any": "qualifications",
    "qualifications_all": "qualifications",
    "min_employees": "employees",
    "max_employees": "employees",
    "min_revenue_wan": "revenue_wan",
    "max_revenue_wan": "revenue_wan",
    "keywords_any": None,
}

MAX_QUALIFICATION = 30
MAX_QUALIFICATIONS = 30
MAX_EMPLOYEES = 10_000_000
MAX_REVENUE_WAN = 1e10  # 万元: a hundred trillion yuan, well past any company
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_LINK = 500
MAX_ID = 40
MAX_LIST = 100
MAX_KEYWORD = 20
POLICY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_FIRST_DAY = date(2000, 1, 1)
_LAST_DAY = date(2100, 12, 31)

# GB/T 4754-2017: the section letter of each two-digit division (01–97).
_SECTIONS: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50), ("F", 51, 52),
    ("G", 53, 60), ("H", 61, 62), ("I", 63, 65), ("J", 66, 69), ("K", 70, 70), ("L", 71, 72),
    ("M", 73, 75), ("N", 76, 79), ("O", 80, 82), ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90),
    ("S", 91, 96), ("T", 97, 97),
)
_CODE = re.compile(r"([A-T])?(\d{2,4})?")


def _section_of(division: int) -> str | None:
    for letter, first, last in _SECTIONS:
        if first <= division <= last:
            return letter
    return None


# --- problems ---------------------------------------------------------------------------------


class ProfileError(ValueError):
    """A company profile (or one of its facts) that cannot be used; ``issues`` says which and why.
    Codes are ``profile.*``; the wording is in ``resources/messages/validation.toml``."""

    def __init__(self, issues: list[FieldError]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{i.field}: {i.code}" for i in issues))


@dataclass(frozen=True)
class Problem:
    """Why a catalogue (or one policy) cannot be published: ``where`` names the place
    (``policies[3].conditions.size``), ``code`` the kind; the wording, in either language, is in
    ``resources/messages/policies.toml`` (``problem.<code>``)."""

    where: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        template = _messages(language).get(f"problem.{self.code}", self.code)
        try:
            message = template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            message = self.code
        return f"{self.where}: {message}" if self.where else message


class CatalogueError(ValueError):
    """A catalogue (or one policy) that cannot be published. ``issues`` lists each
    :class:`Problem`; ``problems`` the same in English, one line each, e.g.
    ``policies[3].conditions.size: unknown size 'tiny' (known: …)``; ``texts(language)`` for a
    page in the reader's language."""

    def __init__(self, issues: list[Problem]) -> None:
        self.issues = issues
        super().__init__("\n".join(self.problems))

    @property
    def problems(self) -> list[str]:
        return self.texts("en")

    def texts(self, language: str) -> list[str]:
        return [p.text(language) for p in self.issues]


def _problem(problems: list[Problem], where: str, code: str, **params: Any) -> None:
    problems.append(Problem(where, code, params))


def _shown(value: Any, width: int) -> str:
    """A refused value as the message shows it (its repr, cut to ``width`` characters)."""
    return f"{value!r:.{width}}"


def normalize_industry_code(raw: str, *, field_name: str = "industry_code") -> str:
    """A GB/T 4754 code as its section letter and digits: ``"6513"``, ``"i6513"`` and ``"I 6513"``
    are all ``"I6513"``; a lone section letter (``"I"``) stays a section. Raises
    :class:`ProfileError` for anything else (a letter that does not go with the division, too
    many digits, …)."""
    text = unicodedata.normalize("NFKC", str(raw)).replace(" ", "").upper()
    m = _CODE.fullmatch(text)
    if not text or m is None or (m.group(2) is not None and len(m.group(2)) not in (2, 3, 4)):
        raise ProfileError([FieldError(field_name, "profile.industry_code", {"value": str(raw)[:20]})])
    letter, digits = m.group(1), m.group(2) or ""
    if digits:
        section = _section_of(int(digits[:2]))
        if section is None or (letter is not None and letter != section):
            raise ProfileError([FieldError(field_name, "profile.industry_code", {"value": str(raw)[:20]})])
        letter = section
    return f"{letter}{digits}"


# --- the company profile ----------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyProfile:
    """What the station knows of a company for matching. Every fact may be unknown (``None``);
    ``qualifications`` is ``None`` when unknown and an empty set when the company holds none."""

    industry_code: str | None = None
    established: date | None = None
    registered_in_xuhui: bool | None = None
    size: str | None = None
    qualifications: frozenset[str] | None = None
    employees: int | None = None
    revenue_wan: float | None = None

    def known(self) -> tuple[str, ...]:
        """The names of the facts that are known, in ``PROFILE_FACTS`` order."""
        return tuple(f for f in PROFILE_FACTS if getattr(self, f) is not None)

    def to_json(self) -> dict[str, Any]:
        """The known facts as JSON values (dates ISO, qualifications a sorted list); an unknown
        fact is left out."""
        out: dict[str, Any] = {}
        for name in self.known():
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, frozenset):
                value = sorted(value)
            out[name] = value
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any] | None, *, today: date | None = None) -> CompanyProfile:
        """A profile from its JSON form (the sync record's ``profile``, ``intake --json-lines``'s
        ``enterprise`` facts). A missing or null fact is unknown. Raises :class:`ProfileError`
        naming every fact that is not acceptable (an unknown key included)."""
        if obj is None:
            return cls()
        if not isinstance(obj, Mapping):
            raise ProfileError([FieldError("profile", "profile.not_object")])
        issues: list[FieldError] = []
        values: dict[str, Any] = {}
        for key in obj:
            if key not in PROFILE_FACTS:
                issues.append(FieldError(str(key)[:40], "profile.unknown_fact", {"fact": str(key)[:40]}))
        for name in PROFILE_FACTS:
            raw = obj.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[name] = _FACT_PARSERS[name](raw, today)
            except ProfileError as exc:
                issues.extend(exc.issues)
        if issues:
            raise ProfileError(issues)
        return cls(**values)


def _bad(fact: str, raw: Any, code: str | None = None, **params: Any) -> ProfileError:
    return ProfileError([FieldError(fact, code or f"profile.{fact}", {"value": str(raw)[:40], **params})])


def _parse_industry(raw: Any, _today: date | None) -> str:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise _bad("industry_code", raw)
    return normalize_industry_code(str(raw))


def _parse_established(raw: Any, today: date | None) -> date:
    if isinstance(raw, date):
        value = raw
    elif isinstance(raw, str):
        try:
            value = date.fromisoformat(raw.strip())
        except ValueError:
            raise _bad("established", raw) from None
    else:
        raise _bad("established", raw)
    latest = today or date.today()
    if value < date(1900, 1, 1) or value > latest:
        raise _bad("established", raw, "profile.established_range", latest=latest.isoformat())
    return value


_TRUE = {"true", "yes", "y", "1", "是", "注册在徐汇"}
_FALSE = {"false", "no", "n", "0", "否", "不是"}


def parse_yes_no(raw: Any, fact: str = "registered_in_xuhui") -> bool | None:
    """A yes/no fact from JSON or a roster cell: true/false, 是/否, yes/no, 1/0; an empty cell or
    ``未知`` is unknown (``None``). Raises :class:`ProfileError` for anything else."""
    if raw is None or isinstance(raw, bool):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    if text in ("", "未知", "unknown", "不详"):
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad(fact, raw, "profile.yes_no")


def _parse_registered(raw: Any, _today: date | None) -> bool:
    value = parse_yes_no(raw)
    if value is None:
        raise _bad("registered_in_xuhui", raw, "profile.yes_no")
    return value


_SIZE_NAMES = {"微型": "micro", "小型": "small", "中型": "medium", "大型": "large",
               "微型企业": "micro", "小型企业": "small", "中型企业": "medium", "大型企业": "large"}


def _parse_size(raw: Any, _today: date | None) -> str:
    text = str(raw).strip().lower() if isinstance(raw, str) else None
    value = _SIZE_NAMES.get(text, text) if text is not None else None
    if value not in SIZES:
        raise _bad("size", raw, choices="/".join(SIZES))
    return value


def _parse_qualifications(raw: Any, _today: date | None) -> frozenset[str]:
    if isinstance(raw, str):
        raw = [q for q in re.split(r"[,，、;；\n]", raw) if q.strip()]
    if not isinstance(raw, list | tuple | set | frozenset) or len(raw) > MAX_QUALIFICATIONS:
        raise _bad("qualifications", raw, limit=MAX_QUALIFICATIONS)
    out: set[str] = set()
    for item in raw:
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > MAX_QUALIFICATION:
            raise _bad("qualifications", item, limit=MAX_QUALIFICATIONS)
        out.add(unicodedata.normalize("NFKC", item).strip())
    return frozenset(out)


def _number(raw: Any, fact: str, *, integer: bool, upper: float) -> float:
    if isinstance(raw, bool):
        raise _bad(fact, raw)
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).replace(",", "").strip()
        try:
            raw = int(text) if integer else float(text)
        except ValueError:
            raise _bad(fact, raw) from None
    if not isinstance(raw, int | float) or not math.isfinite(raw) or raw < 0 or raw > upper:
        raise _bad(fact, raw)
    if integer and raw != int(raw):
        raise _bad(fact, raw)
    return raw


def _parse_employees(raw: Any, _today: date | None) -> int:
    return int(_number(raw, "employees", integer=True, upper=MAX_EMPLOYEES))


def _parse_revenue(raw: Any, _today: date | None) -> float:
    return float(_number(raw, "revenue_wan", integer=False, upper=MAX_REVENUE_WAN))


_FACT_PARSERS = {
    "industry_code": _parse_industry,
    "established": _parse_established,
    "registered_in_xuhui": _parse_registered,
    "size": _parse_size,
    "qualifications": _parse_qualifications,
    "employees": _parse_employees,
    "revenue_wan": _parse_revenue,
}


def parse_fact(name: str, raw: Any, *, today: date | None = None) -> Any:
    """One profile fact from a form field or a roster cell; ``None`` for empty (unknown).
    Raises :class:`ProfileError` when it cannot be read."""
    if name not in _FACT_PARSERS:
        raise KeyError(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if name == "registered_in_xuhui":
        return parse_yes_no(raw)
    return _FACT_PARSERS[name](raw, today)


# --- policies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One policy of the district's catalogue, as published (version ``version``)."""

    id: str
    version: int
    title: str
    department: str
    summary: str
    link: str
    valid_from: date
    valid_to: date | None
    apply: str
    apply_link: str
    apply_where: str
    benefit: str
    conditions: Mapping[str, Any]
    sample: bool = False
    #: The conditions over profile facts as tests, made once (see ``_TESTS``).
    checks: tuple[tuple[str, int, Callable[[Any, date], bool]], ...] = field(
        default=(), init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(
            (key, _FACT_INDEX[fact], _TESTS[key](required)) for key, required in self.conditions.items()
            if (fact := CONDITION_FACT[key]) is not None))

    def current(self, today: date) -> bool:
        """Whether the policy is in force on ``today`` (both ends of the window included)."""
        return self.valid_from <= today and (self.valid_to is None or today <= self.valid_to)

    def to_json(self) -> dict[str, Any]:
        """The catalogue form of the policy (what ``parse_policy`` reads back)."""
        return {
            "id": self.id, "version": self.version, "title": self.title, "department": self.department,
            "summary": self.summary, "link": self.link, "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None, "apply": self.apply,
            "apply_link": self.apply_link, "apply_where": self.apply_where, "benefit": self.benefit,
            "conditions": _conditions_json(self.conditions), "sample": self.sample,
        }


def _conditions_json(conditions: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in CONDITION_KEYS:
        if key in conditions:
            value = conditions[key]
            out[key] = list(value) if isinstance(value, tuple | frozenset) else value
    return out


_TEXT_FIELDS = {"title": (True, MAX_TITLE), "department": (True, 60), "summary": (False, MAX_TEXT),
                "link": (False, MAX_LINK), "apply_link": (False, MAX_LINK), "apply_where": (False, 200),
                "benefit": (False, 1000)}
_POLICY_KEYS = {"id", "version", "valid_from", "valid_to", "apply", "conditions", "sample",
                *_TEXT_FIELDS}


def _check_text_list(value: Any, where: str, problems: list[Problem], *, limit: int, normalize: Any = None) -> tuple:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST:
        _problem(problems, where, "list", limit=MAX_LIST)
        return ()
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > limit:
            _problem(problems, f"{where}[{i}]", "text_item", limit=limit, value=_shown(item, 40))
            continue
        text = unicodedata.normalize("NFKC", item).strip()
        if normalize is not None:
            try:
                text = normalize(text)
            except ProfileError:
                _problem(problems, f"{where}[{i}]", "industry", value=_shown(item, 20))
                continue
        out.append(text)
    return tuple(out)


def _check_number(value: Any, where: str, problems: list[Problem], *, integer: bool, upper: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < 0 or value > upper or (integer and value != int(value)):
        _problem(problems, where, "whole_number" if integer else "number", upper=f"{upper:g}",
                 value=_shown(value, 40))
        return None
    return int(value) if integer else float(value)


def _parse_conditions(obj: Any, where: str, problems: list[Problem]) -> dict[str, Any]:
    if obj is None:
        return {}
    if not isinstance(obj, Mapping):
        _problem(problems, where, "conditions_object")
        return {}
    out: dict[str, Any] = {}
    for key, value in obj.items():
        at = f"{where}.{key}"
        if key not in CONDITION_KEYS:
            _problem(problems, at, "unknown_condition", known=", ".join(CONDITION_KEYS))
        elif key == "industry_prefix":
            out[key] = _check_text_list(value, at, problems, limit=5, normalize=normalize_industry_code)
        elif key == "registered_in_xuhui":
            if not isinstance(value, bool):
                _problem(problems, at, "boolean")
            else:
                out[key] = value
        elif key == "size":
            sizes = _check_text_list(value, at, problems, limit=10)
            for s in sizes:
                if s not in SIZES:
                    _problem(problems, at, "size", value=_shown(s, 20), known=", ".join(SIZES))
            out[key] = tuple(s for s in SIZES if s in sizes)
        elif key in ("qualifications_any", "qualifications_all"):
            out[key] = _check_text_list(value, at, problems, limit=MAX_QUALIFICATION)
        elif key == "keywords_any":
            out[key] = _check_text_list(value, at, problems, limit=MAX_KEYWORD)
        elif key in ("min_age_years", "max_age_years", "min_employees", "max_employees"):
            number = _check_number(value, at, problems, integer=True,
                                   upper=200 if key.endswith("age_years") else MAX_EMPLOYEES)
            if number is not None:
                out[key] = number
        else:  # revenue bounds, 万元
            number = _check_number(value, at, problems, integer=False, upper=MAX_REVENUE_WAN)
            if number is not None:
                out[key] = number
    for low, high in (("min_age_years", "max_age_years"), ("min_employees", "max_employees"),
                      ("min_revenue_wan", "max_revenue_wan")):
        if low in out and high in out and out[low] > out[high]:
            _problem(problems, where, "range", low=low, high=high, low_value=f"{out[low]:g}",
                     high_value=f"{out[high]:g}")
    return {k: out[k] for k in CONDITION_KEYS if k in out}


def _parse_day(value: Any, where: str, problems: list[Problem], *, required: bool) -> date | None:
    if value is None and not required:
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or not _FIRST_DAY <= day <= _LAST_DAY:
        _problem(problems, where, "date", first=str(_FIRST_DAY), last=str(_LAST_DAY), value=_shown(value, 30))
    return day


def _collect_policy(obj: Any, where: str, problems: list[Problem], *, version: int) -> Policy | None:
    if not isinstance(obj, Mapping):
        _problem(problems, where, "object")
        return None
    start = len(problems)
    for key in obj:
        if key not in _POLICY_KEYS:
            _problem(problems, f"{where}.{key}", "unknown_field")
    pid = obj.get("id")
    if not isinstance(pid, str) or not POLICY_ID.fullmatch(pid):
        _problem(problems, f"{where}.id", "id", limit=MAX_ID, value=_shown(pid, 50))
    texts: dict[str, str] = {}
    for name, (required, limit) in _TEXT_FIELDS.items():
        value = obj.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
            _problem(problems, f"{where}.{name}", "required_text" if required else "text", limit=limit)
            continue
        texts[name] = value.strip()
    for name in ("link", "apply_link"):
        link = texts.get(name, "")
        if link and not re.match(r"https?://\S+$", link):
            _problem(problems, f"{where}.{name}", "link", value=_shown(link, 60))
    apply = obj.get("apply")
    if apply not in APPLY_MODES:
        _problem(problems, f"{where}.apply", "apply", known=", ".join(APPLY_MODES), value=_shown(apply, 30))
    valid_from = _parse_day(obj.get("valid_from"), f"{where}.valid_from", problems, required=True)
    valid_to = _parse_day(obj.get("valid_to"), f"{where}.valid_to", problems, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        _problem(problems, f"{where}.valid_to", "window", valid_to=str(valid_to), valid_from=str(valid_from))
    sample = obj.get("sample", False)
    if not isinstance(sample, bool):
        _problem(problems, f"{where}.sample", "boolean")
    given_version = obj.get("version", version)
    if isinstance(given_version, bool) or not isinstance(given_version, int) or given_version < 1:
        _problem(problems, f"{where}.version", "version")
    conditions = _parse_conditions(obj.get("conditions"), f"{where}.conditions", problems)
    if len(problems) > start:
        return None
    assert valid_from is not None and isinstance(pid, str) and isinstance(apply, str)
    return Policy(id=pid, version=int(given_version), title=texts["title"], department=texts["department"],
                  summary=texts["summary"], link=texts["link"], valid_from=valid_from, valid_to=valid_to,
                  apply=apply, apply_link=texts["apply_link"], apply_where=texts["apply_where"],
                  benefit=texts["benefit"], conditions=conditions, sample=bool(sample))


def parse_policy(obj: Mapping[str, Any], *, version: int = 1) -> Policy:
    """One policy from its catalogue form; ``version`` is used when the object names none.
    Raises :class:`CatalogueError` listing every problem."""
    problems: list[Problem] = []
    policy = _collect_policy(obj, "policy", problems, version=version)
    if policy is None:
        raise CatalogueError(problems)
    return policy


def parse_catalogue(obj: Any) -> list[Policy]:
    """The policies of a catalogue file (``{"policies": [...]}``, docs/policies.md). Every
    problem of every policy is collected before :class:`CatalogueError` is raised; an id given
    twice is a problem. Nothing is returned unless the whole catalogue is acceptable."""
    if not isinstance(obj, Mapping) or not isinstance(obj.get("policies"), list):
        raise CatalogueError([Problem("", "catalogue")])
    problems: list[Problem] = []
    for key in obj:
        if key not in ("policies", "note", "sample", "generated_by"):
            _problem(problems, str(key)[:40], "unknown_field")
    policies: list[Policy] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(obj["policies"]):
        policy = _collect_policy(item, f"policies[{i}]", problems, version=1)
        if policy is None:
            continue
        if policy.id in seen:
            _problem(problems, f"policies[{i}].id", "duplicate", id=policy.id, other=f"policies[{seen[policy.id]}]")
            continue
        seen[policy.id] = i
        policies.append(policy)
    if not obj["policies"]:
        _problem(problems, "policies", "empty")
    if problems:
        raise CatalogueError(problems)
    return policies


# --- matching ---------------------------------------------------------------------------------


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    POSSIBLE = "possible"
    NOT_ELIGIBLE = "not_eligible"


MET, FAILED, UNKNOWN = "met", "failed", "unknown"
_ORDER = {Outcome.ELIGIBLE: 0, Outcome.POSSIBLE: 1, Outcome.NOT_ELIGIBLE: 2}


@dataclass(frozen=True)
class Reason:
    """What one condition of a policy says of a company: ``state`` is ``met``, ``failed`` or
    ``unknown``; ``params`` carries what the sentence needs."""

    condition: str
    state: str
    fact: str | None
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, language: str = "zh_CN") -> str:
        """The reason in words, from ``resources/messages/policies.toml``."""
        table = _messages(language)
        template = table.get(f"{self.condition}.{self.state}", f"{self.condition}: {self.state}")
        params = {k: _show(v, language) for k, v in self.params.items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return f"{self.condition}: {self.state}"


@dataclass(frozen=True)
class Match:
    """A policy judged against a company: its outcome, a reason per condition, the facts to ask."""

    policy: Policy
    outcome: Outcome
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]
    relevant: bool | None

    def to_json(self, language: str = "zh_CN") -> dict[str, Any]:
        """The match as the CLI prints it: ids, the outcome, the reasons in words, the facts."""
        return {
            "policy_id": self.policy.id, "version": self.policy.version, "title": self.policy.title,
            "apply": self.policy.apply, "outcome": str(self.outcome),
            "reasons": [r.text(language) for r in self.reasons], "missing": list(self.missing),
            "relevant": self.relevant,
        }


def _age_years(established: date, today: date) -> int:
    years = today.year - established.year
    if (today.month, today.day) < (established.month, established.day):
        years -= 1
    return max(years, 0)


def _at_least(n: float) -> Callable[[Any, date], bool]:
    return lambda v, _t: v >= n


def _at_most(n: float) -> Callable[[Any, date], bool]:
    return lambda v, _t: v <= n


def _starts_with_any(prefixes: tuple[str, ...]) -> Callable[[Any, date], bool]:
    wanted = tuple(prefixes)
    return lambda v, _t: v.startswith(wanted)


def _one_of(values: tuple[str, ...]) -> Callable[[Any, date], bool]:
    wanted = frozenset(values)
    return lambda v, _t: v in wanted


def _holds_any(names: tuple[str, ...]) -> Callable[[Any, date], bool]:
    wanted = frozenset(names)
    return lambda v, _t: not v.isdisjoint(wanted)


def _holds_all(names: tuple[str, ...]) -> Callable[[Any, date], bool]:
    wanted = frozenset(names)
    return lambda v, _t: wanted <= v


#: Each condition as a test of the fact it reads (known, never None) on a day. The one place the
#: rules are written: the full match (with reasons) and the quick outcome both use these.
_TESTS: dict[str, Callable[[Any], Callable[[Any, date], bool]]] = {
    "industry_prefix": _starts_with_any,
    "registered_in_xuhui": lambda req: (lambda v, _t: v is req),
    "min_age_years": lambda req: (lambda v, t: _age_years(v, t) >= req),
    "max_age_years": lambda req: (lambda v, t: _age_years(v, t) <= req),
    "size": _one_of,
    "qualifications_any": _holds_any,
    "qualifications_all": _holds_all,
    "min_employees": _at_least,
    "max_employees": _at_most,
    "min_revenue_wan": _at_least,
    "max_revenue_wan": _at_most,
}
_FACT_INDEX = {f: i for i, f in enumerate(PROFILE_FACTS)}


def _facts(profile: CompanyProfile) -> tuple[Any, ...]:
    return (profile.industry_code, profile.established, profile.registered_in_xuhui, profile.size,
            profile.qualifications, profile.employees, profile.revenue_wan)


def _params(key: str, required: Any, value: Any, today: date) -> dict[str, Any]:
    if key in ("min_age_years", "max_age_years"):
        value = _age_years(value, today)
    elif key == "qualifications_any":
        value = sorted(value & set(required)) or sorted(value)
    elif key == "qualifications_all":
        value = [q for q in required if q not in value]
    return {"required": required, "value": value}


def outcome(profile: CompanyProfile, policy: Policy, *, today: date) -> Outcome:
    """The outcome alone (no reasons): what re-matching a whole directory needs, fast. Always
    the outcome :func:`match_policy` gives for the same inputs."""
    return _outcome(_facts(profile), policy, today)


def _outcome(facts: tuple[Any, ...], policy: Policy, today: date) -> Outcome:
    unknown = False
    for _key, index, test in policy.checks:
        value = facts[index]
        if value is None:
            unknown = True
        elif not test(value, today):
            return Outcome.NOT_ELIGIBLE
    return Outcome.POSSIBLE if unknown else Outcome.ELIGIBLE


def outcomes(profile: CompanyProfile, policies: Iterable[Policy], *, today: date) -> list[Outcome]:
    """:func:`outcome` for each of ``policies`` (in their order, current or not)."""
    facts = _facts(profile)
    return [_outcome(facts, p, today) for p in policies]


@lru_cache(maxsize=256)
def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def match_policy(profile: CompanyProfile, policy: Policy, *, today: date, text: str | None = None) -> Match:
    """Judge ``policy`` for a company with ``profile`` on ``today`` (and, for relevance, a
    request's ``text``). Deterministic: the same inputs give the same match."""
    reasons: list[Reason] = []
    facts = _facts(profile)
    for key, index, test in policy.checks:
        value, fact, required = facts[index], PROFILE_FACTS[index], policy.conditions[key]
        if value is None:
            reasons.append(Reason(key, UNKNOWN, fact, {"required": required}))
        else:
            reasons.append(Reason(key, MET if test(value, today) else FAILED, fact,
                                  _params(key, required, value, today)))
    relevant: bool | None = None
    keywords = policy.conditions.get("keywords_any")
    if keywords and text and text.strip():
        folded = _folded(text)
        hits = [k for k in keywords if _folded(k) in folded]
        relevant = bool(hits)
        reasons.append(Reason("keywords_any", MET if hits else FAILED, None, {"required": keywords, "value": hits}))
    if any(r.state == FAILED and r.fact is not None for r in reasons):
        result = Outcome.NOT_ELIGIBLE
    elif any(r.state == UNKNOWN for r in reasons):
        result = Outcome.POSSIBLE
    else:
        result = Outcome.ELIGIBLE
    missing = {r.fact for r in reasons if r.state == UNKNOWN}
    return Match(policy, result, tuple(reasons), tuple(f for f in PROFILE_FACTS if f in missing), relevant)


def match_policies(profile: CompanyProfile, policies: Iterable[Policy], *, today: date,
                   text: str | None = None) -> list[Match]:
    """Every policy in force on ``today`` judged for the company: eligible first, then possible,
    then not eligible; within each, those relevant to ``text`` first, then by policy id."""
    matches = [match_policy(profile, p, today=today, text=text) for p in policies if p.current(today)]
    matches.sort(key=lambda m: (_ORDER[m.outcome], m.relevant is not True, m.policy.id))
    return matches


# --- wording ----------------------------------------------------------------------------------


@cache
def _catalog() -> dict[str, dict[str, str]]:
    with resource_path("messages", "policies.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {lang: {k: str(v) for k, v in table.items()} for lang, table in data.items()}


def _messages(language: str) -> dict[str, str]:
    catalog = _catalog()
    return catalog.get(language) or catalog["zh_CN"]


def _show(value: Any, language: str) -> str:
    table = _messages(language)
    if isinstance(value, bool):
        return table["yes" if value else "no"]
    if isinstance(value, str) and value in SIZES:
        return table[f"size.{value}"]
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list | tuple | frozenset | set):
        items = [_show(v, language) for v in value]
        return table["list_separator"].join(items) if items else table["none"]
    return str(value)


def fact_label(fact: str, language: str = "zh_CN") -> str:
    """The name of a profile fact as a specialist reads it (``成立日期``)."""
    return _messages(language).get(f"fact.{fact}", fact)


def size_label(size: str, language: str = "zh_CN") -> str:
    """A company size's name (``small`` → ``小型``)."""
    return _messages(language).get(f"size.{size}", size)


def apply_label(apply: str, language: str = "zh_CN") -> str:
    """How a policy is applied for, in words (``no_application`` → ``免申即享``)."""
    return _messages(language).get(f"apply.{apply}", apply)


def outcome_label(outcome: Outcome | str, language: str = "zh_CN") -> str:
    """An outcome in words (``possible`` → ``可能符合``)."""
    return _messages(language).get(f"outcome.{outcome}", str(outcome))
