"""Every workflow code has a label in both UI languages (resources/labels/statuses.toml)."""

from __future__ import annotations

import pytest

from xuhui_desk.models import Channel, EventKind, Origin, Status, SyncState, Urgency
from xuhui_desk.services import labels
from xuhui_desk.services.workflow import RATINGS


@pytest.mark.parametrize(
    ("kind", "codes"),
    [("status", Status), ("urgency", Urgency), ("channel", Channel), ("sync_state", SyncState),
     ("event", EventKind), ("origin", Origin), ("rating", [str(r) for r in RATINGS])],
)
def test_every_code_is_labelled_in_both_languages(kind: str, codes: object) -> None:
    values = [str(c) for c in codes]  # type: ignore[attr-defined]
    assert set(values) <= set(labels.codes(kind))
    for code in values:
        zh, en = labels.label(kind, code, "zh_CN"), labels.label(kind, code, "en")
        assert zh and en and zh != code and en != code


def test_lookups() -> None:
    assert labels.status_label("in_progress") == "办理中"
    assert labels.status_label("in_progress", "en") == "In progress"
    assert labels.status_label("in_progress", "en_US") == "In progress"
    assert [labels.rating_label(r) for r in (5, 4, 3, 2, 1)] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert labels.status_label("on_hold") == "on_hold"  # a code from a newer hub shows as itself
    assert labels.status_label(None) == ""
