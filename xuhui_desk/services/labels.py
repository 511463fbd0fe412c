"""Readable labels of the workflow's codes (statuses, urgencies, channels, sync states, ratings,
timeline events, origins) in the UI languages, from ``resources/labels/statuses.toml``.

Codes are what the database, the command line and the hub exchange; labels are only for
people, so they live in a data file that can be corrected without touching code. An unknown
code is shown as itself rather than raising: a newer hub may send a code this program does
not know yet.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from xuhui_desk.resources import resource_path

LANGUAGES = ("zh_CN", "en")
KINDS = ("status", "urgency", "channel", "sync_state", "rating", "event", "origin")


class LabelsError(ValueError):
    """The labels file is missing a kind, a code or a language."""


def _language(language: str | None) -> str:
    if not language:
        return "zh_CN"
    return "zh_CN" if language.replace("-", "_").lower().startswith("zh") else "en"


@cache
def _table() -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    path = resource_path("labels", "statuses.toml")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    result: dict[str, Mapping[str, Mapping[str, str]]] = {}
    for kind in KINDS:
        codes = data.get(kind)
        if not isinstance(codes, dict) or not codes:
            raise LabelsError(f"{path.name}: [{kind}.*] labels are missing")
        checked: dict[str, Mapping[str, str]] = {}
        for code, labels in codes.items():
            if not isinstance(labels, dict) or any(not isinstance(labels.get(lang), str) for lang in LANGUAGES):
                raise LabelsError(f"{path.name}: [{kind}.{code}] needs zh_CN and en")
            checked[str(code)] = MappingProxyType({lang: labels[lang] for lang in LANGUAGES})
        result[kind] = MappingProxyType(checked)
    return MappingProxyType(result)


def label(kind: str, code: str | int | None, language: str | None = "zh_CN") -> str:
    """The label of ``code`` (e.g. ``label("status", "in_progress")`` → 办理中); unknown codes as is."""
    if code is None:
        return ""
    labels = _table()[kind].get(str(code))
    return labels[_language(language)] if labels else str(code)


def codes(kind: str) -> tuple[str, ...]:
    """The codes of one kind, in the file's order."""
    return tuple(_table()[kind])


def status_label(code: str | None, language: str | None = "zh_CN") -> str:
    return label("status", code, language)


def urgency_label(code: str | None, language: str | None = "zh_CN") -> str:
    return label("urgency", code, language)


def channel_label(code: str | None, language: str | None = "zh_CN") -> str:
    return label("channel", code, language)


def sync_label(code: str | None, language: str | None = "zh_CN") -> str:
    return label("sync_state", code, language)


def rating_label(rating: int | None, language: str | None = "zh_CN") -> str:
    return label("rating", rating, language)


def event_label(kind: str | None, language: str | None = "zh_CN") -> str:
    return label("event", kind, language)


def origin_label(origin: str | None, language: str | None = "zh_CN") -> str:
    return label("origin", origin, language)
