"""The words the GUI shows for a policy's apply mode, a match's outcome, a push's channel and a
profile fact (the fact names come from the core's :func:`xuhui_desk.policies.fact_label`)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from xuhui_desk.ui.i18n import current_language


def apply_label(mode: str) -> str:
    """网上办理 / 窗口办理 / 免申即享 (the mode itself when unknown)."""
    return {
        "online": QCoreApplication.translate("PolicyLabels", "Apply online"),
        "window": QCoreApplication.translate("PolicyLabels", "Apply at a window"),
        "no_application": QCoreApplication.translate("PolicyLabels", "No application needed"),
    }.get(mode, mode)


def outcome_label(outcome: str) -> str:
    return {
        "eligible": QCoreApplication.translate("PolicyLabels", "Eligible"),
        "possible": QCoreApplication.translate("PolicyLabels", "May be eligible"),
        "not_eligible": QCoreApplication.translate("PolicyLabels", "Not eligible"),
    }.get(str(outcome), str(outcome))


def channel_label(channel: str) -> str:
    """How a policy list was handed over."""
    return {
        "print_thermal": QCoreApplication.translate("PolicyLabels", "Printed (slip)"),
        "print_a5": QCoreApplication.translate("PolicyLabels", "Printed (A5)"),
        "told": QCoreApplication.translate("PolicyLabels", "Told"),
    }.get(channel, channel)


def facts_text(facts: Iterable[str]) -> str:
    """The profile facts to ask the company, in words ("成立日期、企业规模")."""
    from xuhui_desk.policies import fact_label

    language = current_language()
    names = [fact_label(fact, language) for fact in facts]
    return ("、" if language == "zh_CN" else ", ").join(names)
