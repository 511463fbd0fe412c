"""What the GUI shows for the stable codes of the data, in the GUI's current language.

Codes never change; their labels are data: statuses, channels, urgencies (and the other
workflow codes) come from ``resources/labels/statuses.toml`` through
:mod:`xuhui_desk.services.labels`, categories and departments from the taxonomy file.
"""

from __future__ import annotations

from xuhui_desk.services import labels
from xuhui_desk.ui.i18n import current_language


def status_label(code: str) -> str:
    return labels.label("status", code, current_language())


def channel_label(code: str) -> str:
    return labels.label("channel", code, current_language())


def urgency_label(code: str) -> str:
    return labels.label("urgency", code, current_language())


def category_label(code: str | None) -> str:
    """The taxonomy's label of a category, subcategory or department code in the GUI's language."""
    if not code:
        return ""
    from xuhui_desk.services.taxonomy import load_taxonomy

    try:
        return load_taxonomy().label(code, current_language())
    except KeyError:
        return code
