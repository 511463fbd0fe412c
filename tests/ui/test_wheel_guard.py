"""The mouse wheel scrolls a pane instead of changing the dropdown it passes over (audit D6).

The wheel events are real ones: QTest.wheelEvent goes through the window system interface, so
QApplication delivers and propagates them exactly as it does a mouse's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tests.bulk_data import add_request
from xuhui_desk.db import Database
from xuhui_desk.services.workflow import find_request
from xuhui_desk.ui.detail import DetailView
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.wheel_guard import GUARD_NAME, WheelGuard, install_wheel_guard

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

DOWN = QPoint(0, -120)  # one notch of a mouse wheel, towards the user (scrolls down)


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    assert tasks.wait(20000), "a background task outlived the test"
    QApplication.processEvents()
    tasks.deleteLater()


def wheel_over(widget: QWidget, delta: QPoint = DOWN) -> None:
    """One real wheel notch with the pointer over the middle of ``widget``."""
    window = widget.window()
    handle = window.windowHandle()
    assert handle is not None
    QTest.wheelEvent(handle, widget.mapTo(window, widget.rect().center()), delta)
    QApplication.processEvents()


def test_wheel_over_the_detail_combos_scrolls_the_pane(qtbot: Any, station_db: Database,
                                                         runner: TaskRunner) -> None:
    no = add_request(station_db, "物业载体：办公楼电梯经常故障，物业迟迟不修。" * 6, category="space",
                     created_at=datetime.now(UTC) - timedelta(days=1))
    with station_db.session() as s:
        uuid = find_request(s, no).uuid
    view = DetailView(station_db, runner)
    qtbot.addWidget(view)
    view.resize(420, 360)  # short: the pane scrolls
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_request(uuid)
    bar = view.scroll_area.verticalScrollBar()
    actions = view.actions_card
    for combo, value in ((actions.category_combo, "space"), (actions.department_combo, view.data.department)):
        view.scroll_area.ensureWidgetVisible(combo, 0, 120)
        QApplication.processEvents()
        assert combo.currentData() == value and not combo.hasFocus()
        before = bar.value()
        assert before < bar.maximum(), "the pane must have room to scroll for this test"
        wheel_over(combo)
        assert combo.currentData() == value  # the dropdown did not move …
        assert bar.value() > before  # … the pane did
        assert not combo.hasFocus()  # and the wheel did not take the focus into it


def test_a_focused_combo_still_takes_the_wheel(qtbot: Any) -> None:
    install_wheel_guard()
    area, (combo, *_rest) = _scrolling_form(qtbot)
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    before = area.verticalScrollBar().value()
    wheel_over(combo)
    assert combo.currentIndex() == 3  # chosen on purpose: the wheel works as Qt intends
    assert area.verticalScrollBar().value() == before


def _scrolling_form(qtbot: Any) -> tuple[QScrollArea, tuple[QComboBox, QSpinBox, QDateEdit]]:
    area = QScrollArea()
    area.setWidgetResizable(True)
    body = QWidget()
    layout = QVBoxLayout(body)
    combo = QComboBox()
    combo.addItems([f"选项{i}" for i in range(10)])
    combo.setCurrentIndex(2)
    spin = QSpinBox()
    spin.setValue(5)
    date = QDateEdit(QDate(2026, 12, 7))
    search = QLineEdit()  # where the keyboard focus is (the window gives it to its first widget)
    layout.addWidget(search)
    layout.addSpacing(200)
    for widget in (combo, spin, date):
        layout.addWidget(widget)
    layout.addSpacing(1200)
    area.setWidget(body)
    qtbot.addWidget(area)
    area.resize(300, 300)
    area.show()
    qtbot.waitExposed(area)
    search.setFocus()
    return area, (combo, spin, date)


def test_every_combo_spin_and_date_box_of_the_program_is_guarded(qtbot: Any) -> None:
    """The guard is application-wide: widgets no module set up specially are covered too."""
    install_wheel_guard()
    area, (combo, spin, date) = _scrolling_form(qtbot)
    bar = area.verticalScrollBar()
    for widget in (combo, spin, date):
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus
        before = bar.value()
        wheel_over(widget)
        assert bar.value() > before and not widget.hasFocus()
    assert (combo.currentIndex(), spin.value(), date.date()) == (2, 5, QDate(2026, 12, 7))


def test_installing_twice_installs_one_filter(qapp: QApplication) -> None:
    first = install_wheel_guard()
    assert install_wheel_guard(qapp) is first
    guards = [c for c in qapp.children() if c.objectName() == GUARD_NAME]
    assert guards == [first] and isinstance(first, WheelGuard)
