"""The words the GUI shows for a policy's apply mode, a match's outcome, a push's channel and a
profile fact (the fact names come from the core's :func:`xuhui_desk.policies.fact_label`)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from xuhui_desk.ui.i18n import current_language


def _tr(text: str) -> str:
    return QCoreApplication.translate("PolicyLabels", text)


def apply_label(mode: str) -> str:
    """网上办理 / 窗口办理 / 免申即享 (the mode itself when unknown)."""
    return {
        "online": _tr("Apply online"),
        "window": _tr("Apply at a window"),
        "no_application": _tr("No application needed"),
    }.get(mode, mode)


def outcome_label(outcome: str) -> str:
    return {
        "eligible": _tr("Eligible"),
        "possible": _tr("May be eligible"),
        "not_eligible": _tr("Not eligible"),
    }.get(str(outcome), str(outcome))


def channel_label(channel: str) -> str:
    """How a policy list was handed over."""
    return {
        "print_thermal": _tr("Printed (slip)"),
        "print_a5": _tr("Printed (A5)"),
        "told": _tr("Told"),
    }.get(channel, channel)


def size_label(size: str) -> str:
    return {
        "micro": _tr("Micro"),
        "small": _tr("Small"),
        "medium": _tr("Medium"),
        "large": _tr("Large"),
    }.get(size, size)


def facts_text(facts: Iterable[str]) -> str:
    """The profile facts to ask the company, in words ("成立日期、企业规模")."""
    from xuhui_desk.policies import fact_label

    language = current_language()
    names = [fact_label(fact, language) for fact in facts]
    return ("、" if language == "zh_CN" else ", ").join(names)
