"""The console's wording in zh_CN (first) and English, from ``resources/console/messages.toml``.

Labels of the workflow's codes (statuses, timeline events, ratings) and of the taxonomy
(categories, departments) are the workstation's own, so that a station and the district call
everything by the same name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from xuhui_desk.resources import resource_path
from xuhui_desk.services import labels

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@cache
def catalog() -> Mapping[str, Mapping[str, str]]:
    """``{language: {"nav.inbox": "待办诉求", …}}``; raises ``ValueError`` when the languages' keys differ."""
    path = resource_path("console", "messages.toml")
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    tables = {lang: _flatten(raw.get(lang, {})) for lang in LANGUAGES}
    first = set(tables[LANGUAGES[0]])
    for lang in LANGUAGES[1:]:
        if set(tables[lang]) != first:
            diff = sorted(first ^ set(tables[lang]))
            raise ValueError(f"{path.name}: [{LANGUAGES[0]}] and [{lang}] differ in {diff[:10]}")
    return MappingProxyType({lang: MappingProxyType(t) for lang, t in tables.items()})


def pick_language(value: str | None) -> str:
    """``en…`` → ``en``; anything else (or nothing) → ``zh_CN``."""
    return "en" if value and value.replace("-", "_").lower().startswith("en") else DEFAULT_LANGUAGE


@cache
def _taxonomy_labels(language: str) -> Mapping[str, str]:
    """Every taxonomy code's label in ``language`` (a page shows hundreds: one dict look-up each)."""
    from xuhui_desk.services.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    out: dict[str, str] = {}
    for category in taxonomy.categories:
        out[str(category.code)] = category.label(language)
        for sub in category.subcategories:
            out[str(sub)] = sub.label(language)
    for department in taxonomy.departments:
        out[department.code] = department.label(language)
    return MappingProxyType(out)


class Translator:
    """``t("nav.inbox")`` and the code labels in one language (handed to the templates)."""

    def __init__(self, language: str) -> None:
        self.language = pick_language(language)
        self._table = catalog()[self.language]

    def __call__(self, key: str, **params: Any) -> str:
        text = self._table.get(key)
        if text is None:
            return key  # a missing key shows itself (a test keeps templates and catalog in step)
        return text.format(**params) if params else text

    def status(self, code: str | None) -> str:
        return labels.status_label(code, self.language)

    def event(self, kind: str | None) -> str:
        return labels.event_label(kind, self.language)

    def rating(self, value: int | None) -> str:
        return labels.rating_label(value, self.language)

    def origin(self, code: str | None) -> str:
        return labels.origin_label(code, self.language)

    def channel(self, code: str | None) -> str:
        return labels.channel_label(code, self.language)

    def urgency(self, code: str | None) -> str:
        return labels.urgency_label(code, self.language)

    def taxonomy(self, code: str | None) -> str:
        """Label of a category, subcategory or department code (the code itself when unknown)."""
        if not code:
            return ""
        return _taxonomy_labels(self.language).get(code, code)

    def taxonomy_list(self, codes: list[str] | tuple[str, ...]) -> str:
        return ("、" if self.language == "zh_CN" else ", ").join(self.taxonomy(c) for c in codes)

    def role(self, code: str) -> str:
        return self(f"role.{code}")
