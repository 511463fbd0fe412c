"""Saved views of the queue: stored in the station's settings, named, renamed, deleted, and
refused with a clear message when the name is empty, too long or taken."""

from __future__ import annotations

import pytest

from xuhui_desk.db import Database
from xuhui_desk.models import Setting
from xuhui_desk.services.saved_views import (
    SETTING_KEY,
    ViewFilter,
    delete_view,
    rename_view,
    save_view,
    saved_views,
)
from xuhui_desk.validation import ValidationFailed


def test_save_pick_rename_delete(station_db: Database) -> None:
    db = station_db
    assert saved_views(db) == []
    mine = ViewFilter(status="", department="dept_finance", urgency="urgent", channel="phone", mine=True,
                      received="custom", date_from="2026-03-01", date_to="2026-03-31", search="贷款")
    save_view(db, "  我的急件 ", mine)
    save_view(db, "Overdue", ViewFilter(overdue_only=True))
    views = saved_views(db)
    assert [v.name for v in views] == ["我的急件", "Overdue"]
    assert views[0].filter == mine

    # Saving under an existing name (any case or width) replaces it in place.
    save_view(db, "OVERDUE", ViewFilter(overdue_only=True, category="talent"))
    assert [(v.name, v.filter.category) for v in saved_views(db)] == [("我的急件", ""), ("OVERDUE", "talent")]

    rename_view(db, "我的急件", "急件（我）")
    assert [v.name for v in saved_views(db)] == ["急件（我）", "OVERDUE"]
    assert saved_views(db)[0].filter == mine
    with pytest.raises(ValidationFailed) as taken:
        rename_view(db, "急件（我）", "overdue")
    assert "已有名为“overdue”的视图" in str(taken.value)
    assert [v.name for v in saved_views(db)] == ["急件（我）", "OVERDUE"]

    assert delete_view(db, "overdue") is True
    assert delete_view(db, "overdue") is False
    assert [v.name for v in saved_views(db)] == ["急件（我）"]


def test_bad_names_are_refused_and_change_nothing(station_db: Database) -> None:
    save_view(station_db, "a", ViewFilter())
    with pytest.raises(ValidationFailed, match="请填写视图名称"):
        save_view(station_db, "   ", ViewFilter())
    with pytest.raises(ValidationFailed, match="视图名称过长：最多40个字"):
        save_view(station_db, "视" * 41, ViewFilter())
    with pytest.raises(ValidationFailed, match="没有名为“b”的视图"):
        rename_view(station_db, "b", "c")
    assert [v.name for v in saved_views(station_db)] == ["a"]


def test_a_damaged_list_reads_as_no_views_and_is_replaced(station_db: Database) -> None:
    with station_db.write() as session:
        session.add(Setting(key=SETTING_KEY, value="[{not json"))
    assert saved_views(station_db) == []
    save_view(station_db, "x", ViewFilter(status="closed"))
    assert [(v.name, v.filter.status) for v in saved_views(station_db)] == [("x", "closed")]
    # An entry of another version: unknown keys dropped, wrong types back to the defaults.
    with station_db.write() as session:
        session.get(Setting, SETTING_KEY).value = (
            '[{"name": "old", "filter": {"status": 3, "mine": true, "colour": "red"}}, {"name": ""}, 7]')
    assert saved_views(station_db)[0].filter == ViewFilter(mine=True)
    assert len(saved_views(station_db)) == 1
