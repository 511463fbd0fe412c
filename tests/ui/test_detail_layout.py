"""The detail pane fits a narrow pane (issue 10 §3, audit shot 09: the detail was cut off on the
right behind a sideways scroll bar at 1024×700).

At 230 px (narrower than the queue page ever makes it), 320 px (its narrowest) and 420 px, in
Chinese and in English, with the program's own font and style sheet: no sideways scroll bar, no
widget reaching past the pane's right edge, no wrapped text cut off at the bottom, no button or
one-line label squeezed below the width its text needs (Qt then cuts the text, as
"更正受理信息…" was; tests/ui/fit.py checks the same for every screen), long texts wrapped, the
timeline inside the pane. And the queue page with a request open in the real window.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QWidget

from tests.bulk_data import add_request
from tests.ui.fit import clipped
from xuhui_desk.db import Database
from xuhui_desk.services.workflow import find_request
from xuhui_desk.ui.app import apply_look
from xuhui_desk.ui.detail import DetailView
from xuhui_desk.ui.i18n import install_translators
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

NOW = datetime.now(UTC)
LONG = "园区停车位太少，员工停车难，希望街道协调周边停车资源，并请列个清单给个答复。" * 3


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    font, sheet = qapp.font(), qapp.styleSheet()
    apply_look(qapp)  # the real font and style sheet: their widths are what must fit
    install_translators(request.param)
    yield request.param
    install_translators("en")
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


def problems(view: DetailView) -> list[str]:
    """What does not fit the pane's viewport, in words (empty when everything fits)."""
    area = view.scroll_area
    viewport = area.viewport()
    # A name longer than the whole width of the pane's cards (English department names are) is
    # shortened with "…" on purpose, its tooltip showing it whole; any other choice shows whole.
    shortened = tuple(c for c in view.findChildren(QComboBox)
                      if c.toolTip() == c.currentText() and c.width() >= _card_width(c) - 1)
    found = []
    if area.horizontalScrollBar().isVisible():
        found.append(f"sideways scroll bar (content needs {area.widget().minimumSizeHint().width()} px, "
                     f"the pane has {viewport.width()})")
    for widget in area.widget().findChildren(QWidget):
        if not widget.isVisible():
            continue
        name = f"{type(widget).__name__} {widget.objectName()} {getattr(widget, 'text', lambda: '')()!r:.40}"
        right = widget.mapTo(viewport, widget.rect().topRight()).x()
        if right > viewport.width():
            found.append(f"{name} reaches x={right}, past the pane's {viewport.width()} px")
        needs = widget.sizeHint().width()
        cut = isinstance(widget, QAbstractButton | QComboBox) and widget.width() < widget.minimumSizeHint().width()
        cut &= widget not in shortened
        cut |= isinstance(widget, QAbstractButton) and widget.width() < needs
        cut |= isinstance(widget, QLabel) and not widget.wordWrap() and bool(widget.text()) and widget.width() < needs
        if cut:
            found.append(f"{name} is {widget.width()} px wide, its text needs {needs}")
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.height() < widget.heightForWidth(widget.width()):
            found.append(f"{name} is {widget.height()} px high, its wrapped text needs "
                         f"{widget.heightForWidth(widget.width())}")
    return found + clipped(view, ignore=shortened)


def _card_width(widget: QWidget) -> int:
    """The width inside the card holding ``widget`` (what a field has when it is given all)."""
    card = widget.parentWidget()
    while card is not None and card.objectName() != "card":
        card = card.parentWidget()
    assert card is not None and card.layout() is not None
    margins = card.layout().contentsMargins()
    return card.contentsRect().width() - margins.left() - margins.right()


def settle(qtbot: Any, view: DetailView) -> None:
    qtbot.wait(50)
    QApplication.processEvents()


@pytest.mark.parametrize("width", [230, 320, 420])
def test_the_pane_fits_its_width(qtbot: Any, station_db: Database, tasks: TaskRunner, language: str,
                                 width: int) -> None:
    overdue = add_request(station_db, LONG, name="上海瑞丰安福智能制造有限公司徐汇漕河泾开发区分公司",
                          uscc="9131010492ED6U0807", contact_name="曹磊", phone="13812345678", category="space",
                          status="in_progress", urgency="urgent", created_at=NOW - timedelta(days=40),
                          sla_due_at=NOW - timedelta(days=14))
    replied = add_request(station_db, LONG, name="上海西岸数字传媒有限公司", category="policy", status="replied",
                          created_at=NOW - timedelta(days=10))
    view = DetailView(station_db, tasks)
    qtbot.addWidget(view)
    view.resize(width, 700)
    view.show()
    qtbot.waitExposed(view)
    with station_db.session() as s:
        keys = {no: find_request(s, no).uuid for no in (overdue, replied)}

    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_request(keys[overdue])
    view.start_edit()  # the intake correction open as well
    settle(qtbot, view)
    assert view.overdue_chip.isVisible() and view.description.wordWrap()
    assert problems(view) == []
    view.cancel_edit()
    view.actions_card.change_status("replied")  # the reply field open
    settle(qtbot, view)
    assert view.actions_card.reply_panel.isVisible()
    assert problems(view) == []

    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_request(keys[replied])
    actions = view.actions_card
    actions.rating_combo.setCurrentIndex(actions.rating_combo.findData(1))  # the rating box with its warning
    # The warning, then its deadline read from the workflow's calendar.
    qtbot.waitUntil(lambda: actions.rating_hint.isVisible() and not actions.rating_hint.text().endswith("…"),
                    timeout=10000)
    settle(qtbot, view)
    assert view.actions_card.rating_box.isVisible()
    assert problems(view) == []
    rows = [w for w in view.scroll_area.widget().findChildren(QWidget, "eventRow") if w.isVisible()]
    assert rows and all(r.width() <= view.scroll_area.viewport().width() for r in rows)


WINDOWS = [(lang, size) for lang in ("zh_CN", "en") for size in ((1024, 700), (1366, 768))]


@pytest.mark.parametrize(("language", "size"), WINDOWS, ids=[f"{lang}-{w}x{h}" for lang, (w, h) in WINDOWS],
                         indirect=["language"])
def test_the_queue_page_with_a_request_open_fits(qtbot: Any, station_db: Database, data_dir: Any,
                                                  tasks: TaskRunner, language: str, size: tuple[int, int]) -> None:
    from xuhui_desk.ui.main_window import MainWindow, Page

    no = add_request(station_db, LONG, name="上海瑞丰安福智能制造有限公司徐汇漕河泾开发区分公司", category="space",
                     status="in_progress", urgency="urgent", created_at=NOW - timedelta(days=40),
                     sla_due_at=NOW - timedelta(days=14))
    with station_db.session() as s:
        replied = find_request(s, add_request(station_db, LONG, category="policy", status="replied")).uuid
    window = MainWindow(station_db, tasks, data_dir)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.show_page(Page.QUEUE)
    view = window.detail_view
    with station_db.session() as s:
        uuid = find_request(s, no).uuid
    with qtbot.waitSignal(view.loaded, timeout=10000):
        window.show_request(uuid)
    view.actions_card.change_status("replied")
    settle(qtbot, view)
    assert window.width() == size[0] and view.actions_card.reply_panel.isVisible()
    assert problems(view) == []
    with qtbot.waitSignal(view.loaded, timeout=10000):
        window.show_request(replied)
    actions = view.actions_card
    actions.rating_combo.setCurrentIndex(actions.rating_combo.findData(1))
    qtbot.waitUntil(lambda: actions.rating_hint.isVisible() and not actions.rating_hint.text().endswith("…"),
                    timeout=10000)
    settle(qtbot, view)
    assert problems(view) == []
