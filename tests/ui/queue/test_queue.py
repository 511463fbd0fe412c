"""The request queue: the lazy table model (qtmodeltester), filters, search, sort, keyboard, and a
queue over 200,000 generated requests that opens and scrolls without loading them all."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from tests.bulk_data import add_request, template_database
from tests.ui.fit import clipped
from tests.ui.keyboard import type_text
from xuhui_desk.db import Database, open_database
from xuhui_desk.services.pinyin_order import pinyin_sort_key
from xuhui_desk.services.search import ATTENTION, OPEN, RECENT, RequestFilter
from xuhui_desk.ui.queue.model import PAGE_SIZE, Column, OverdueRole, RequestQueueModel, UuidRole
from xuhui_desk.ui.queue.view import QueueView
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

CTRL = Qt.KeyboardModifier.ControlModifier
NOW = datetime.now(UTC)


@pytest.fixture
def queue_db(station_db: Database) -> dict[str, str]:
    """Six requests: two overdue (one much later), one closed, one urgent, one cancelled.

    Each is received well inside the day ranges the tests expect it in ("last 7 days": at most
    5 days before ``NOW``), so that Shanghai's midnight passing between ``NOW`` and the test's
    own clock moves no request out of a range."""
    db = station_db
    made = {}  # saved in the order they came in, as at the counter
    made["done"] = add_request(db, "咨询融资担保费率", name="上海星河科技有限公司", status="closed",
                               created_at=NOW - timedelta(days=40), sla_due_at=NOW - timedelta(days=30))
    made["late"] = add_request(db, "想申请一笔银行贷款，需要担保", name="上海星河科技有限公司",
                               created_at=NOW - timedelta(days=20), sla_due_at=NOW - timedelta(days=9),
                               status="routed")
    made["due"] = add_request(db, "新招的博士想办理人才引进落户", name="上海云启生物医药有限公司",
                              category="talent", created_at=NOW - timedelta(days=5),
                              sla_due_at=NOW - timedelta(hours=3))
    made["dropped"] = add_request(db, "办公楼空调经常坏", name="上海西岸数字传媒有限公司", category="space",
                                  status="cancelled", created_at=NOW - timedelta(days=3))
    made["legal"] = add_request(db, "合同纠纷想先调解", name="上海西岸数字传媒有限公司", category="legal",
                                created_at=NOW - timedelta(days=1), sla_due_at=NOW + timedelta(days=9),
                                status="in_progress")
    made["fresh"] = add_request(db, "办理营业执照地址变更", name="徐汇区老王餐饮店", category="permit",
                                created_at=NOW - timedelta(hours=2), sla_due_at=NOW + timedelta(days=4),
                                urgency="urgent")
    return made


def refreshed(qtbot: Any, model: Any, action: Any = None, timeout: int = 20000) -> None:
    with qtbot.waitSignal(model.refreshed, timeout=timeout):
        if action is not None:
            action()


def shown(model: RequestQueueModel) -> list[str]:
    return [model.data(model.index(r, Column.TRACKING_NO)) for r in range(model.rowCount())]


def test_a_long_new_list_shows_its_first_page_first(qtbot: Any, qtmodeltester: Any, station_db: Database,
                                                    tasks: TaskRunner, queue_db: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """First page and counts at once, the rest of the ids appended afterwards (no reset, same order)."""
    monkeypatch.setattr(RequestQueueModel, "page_size", 2)
    monkeypatch.setattr(RequestQueueModel, "first_page_first_above", 3)
    model = RequestQueueModel(station_db, tasks, flt=RequestFilter(sort=ATTENTION))
    qtmodeltester.check(model)
    states: list[bool] = []
    model.loadingChanged.connect(states.append)
    with qtbot.waitSignal(model.refreshed, timeout=20000):
        model.refresh(reset=True)
    assert model.rowCount() == 2 and (model.total, model.overdue) == (6, 2)
    assert model.loading and states == [True]
    assert shown(model) == [queue_db["late"], queue_db["due"]]
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(model.completed, timeout=20000), qtbot.waitSignal(model.rowsInserted) as inserted:
        pass
    assert inserted.args[1:] == [2, 5] and not resets
    assert not model.loading and states == [True, False]
    assert shown(model) == [queue_db[k] for k in ("late", "due", "fresh", "legal", "dropped", "done")]
    qtmodeltester.check(model)
    # A short list (or a refresh of the list shown) is read in one go.
    with qtbot.waitSignal(model.completed, timeout=20000):
        model.set_filter(RequestFilter(status=OPEN, sort=ATTENTION))
    assert model.rowCount() == model.total == 4


@pytest.fixture
def view(qtbot: Any, station_db: Database, tasks: TaskRunner, queue_db: dict[str, str]) -> QueueView:
    widget = QueueView(station_db, tasks)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    with qtbot.waitSignal(widget.model.refreshed, timeout=20000):
        widget.show()
    return widget


def test_model_passes_qtmodeltester_through_changes(qtbot: Any, qtmodeltester: Any, station_db: Database,
                                                    tasks: TaskRunner, queue_db: dict[str, str]) -> None:
    model = RequestQueueModel(station_db, tasks, flt=RequestFilter(sort=ATTENTION))
    qtmodeltester.check(model)
    refreshed(qtbot, model, model.refresh)
    assert model.rowCount() == 6 and model.columnCount() == len(Column)
    qtmodeltester.check(model)
    # Overdue first (most overdue on top), then newest first.
    assert shown(model) == [queue_db[k] for k in ("late", "due", "fresh", "legal", "dropped", "done")]
    assert [model.data(model.index(r, 0), OverdueRole) for r in range(3)] == [True, True, False]
    assert model.data(model.index(0, Column.DUE)).startswith("⚠")
    assert "escalation level" in model.data(model.index(0, Column.DUE), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, Column.DUE), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(3, Column.DUE), Qt.ItemDataRole.BackgroundRole) is None
    assert (model.total, model.overdue) == (6, 2)
    # Refresh after an intake: one inserted row, nothing reset.
    new = add_request(station_db, "咨询房租补贴的申报条件", name="上海新来的科技有限公司", category="policy",
                      sla_due_at=NOW + timedelta(days=5))
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        refreshed(qtbot, model, model.refresh)
    assert inserted.args[1:] == [2, 2] and resets == []
    assert shown(model)[2] == new
    # A status change that leaves the filter: one removed row.
    model.set_filter(RequestFilter(status=OPEN, sort=ATTENTION))
    refreshed(qtbot, model)
    assert model.rowCount() == 5
    with station_db.write() as s:
        from sqlalchemy import text

        s.execute(text("UPDATE requests SET status = 'closed', revision = revision + 1 WHERE tracking_no = :n"),
                  {"n": queue_db["legal"]})
    with qtbot.waitSignal(model.rowsRemoved):
        refreshed(qtbot, model, model.refresh)
    assert queue_db["legal"] not in shown(model) and model.rowCount() == 4
    # A changed row that stays: dataChanged for that row only.
    with station_db.write() as s:
        s.execute(text("UPDATE requests SET sync_state = 'error', sync_error = 'rejected' WHERE tracking_no = :n"),
                  {"n": queue_db["fresh"]})
    with qtbot.waitSignal(model.dataChanged) as changed:
        refreshed(qtbot, model, model.refresh)
    row = shown(model).index(queue_db["fresh"])
    assert changed.args[0].row() == row == changed.args[1].row()
    assert "rejected" in model.data(model.index(row, Column.SYNC), Qt.ItemDataRole.ToolTipRole)
    # Sorting runs the query again.
    refreshed(qtbot, model, lambda: model.sort(Column.TRACKING_NO, Qt.SortOrder.AscendingOrder))
    assert shown(model) == sorted(shown(model))
    refreshed(qtbot, model, lambda: model.sort(Column.TRACKING_NO, Qt.SortOrder.DescendingOrder))
    assert shown(model) == sorted(shown(model), reverse=True)
    qtmodeltester.check(model)


def test_filters_and_counts_through_the_widgets(qtbot: Any, view: QueueView, queue_db: dict[str, str]) -> None:
    model = view.model
    assert set(shown(model)) == {queue_db[k] for k in ("late", "due", "fresh", "legal")}  # open requests
    assert view.counts.text() == "4 requests, 2 overdue"
    refreshed(qtbot, model, lambda: view.status.setCurrentIndex(view.status.findData("")))
    assert model.rowCount() == 6
    refreshed(qtbot, model, lambda: view.status.setCurrentIndex(view.status.findData("cancelled")))
    assert shown(model) == [queue_db["dropped"]]
    refreshed(qtbot, model, lambda: view.status.setCurrentIndex(view.status.findData(OPEN)))
    refreshed(qtbot, model, lambda: view.category.setCurrentIndex(view.category.findData("finance")))
    assert shown(model) == [queue_db["late"]]
    refreshed(qtbot, model, lambda: view.category.setCurrentIndex(0))
    refreshed(qtbot, model, lambda: view.overdue_only.setChecked(True))
    assert shown(model) == [queue_db["late"], queue_db["due"]]
    assert view.counts.text() == "2 requests, 2 overdue"
    refreshed(qtbot, model, lambda: view.overdue_only.setChecked(False))
    refreshed(qtbot, model, lambda: view.range.setCurrentIndex(view.range.findData("week")))
    assert set(shown(model)) == {queue_db["due"], queue_db["fresh"], queue_db["legal"]}
    assert view.dates_row.isHidden()
    refreshed(qtbot, model, lambda: view.range.setCurrentIndex(view.range.findData("custom")))
    assert not view.dates_row.isHidden()
    today = QDate.currentDate()
    refreshed(qtbot, model, lambda: view.date_from.setDate(today.addDays(-25)))
    refreshed(qtbot, model, lambda: view.date_to.setDate(today.addDays(-2)))
    assert shown(model) == [queue_db["late"], queue_db["due"]]
    refreshed(qtbot, model, view.clear_filters)
    assert model.filter == RequestFilter(status=OPEN, sort=ATTENTION)


def test_search_box_is_debounced_and_finds_two_characters(qtbot: Any, view: QueueView,
                                                        queue_db: dict[str, str]) -> None:
    model = view.model
    before = model.rows_loaded
    with qtbot.waitSignal(model.refreshed, timeout=5000):
        type_text(qtbot, view.search, "落户")
    assert shown(model) == [queue_db["due"]]
    assert model.rows_loaded - before <= 2  # one refresh for the whole word, not one per key
    view.search.clear()
    refreshed(qtbot, model, lambda: type_text(qtbot, view.search, "星河"))
    assert shown(model) == [queue_db["late"]]  # the closed one is not open
    refreshed(qtbot, model, lambda: view.status.setCurrentIndex(view.status.findData("")))
    assert shown(model) == [queue_db["late"], queue_db["done"]]
    view.search.clear()
    refreshed(qtbot, model, lambda: type_text(qtbot, view.search, queue_db["fresh"]))
    assert shown(model) == [queue_db["fresh"]]
    # Esc clears the search.
    refreshed(qtbot, model, lambda: qtbot.keyClick(view.search, Qt.Key.Key_Escape))
    assert view.search.text() == "" and model.rowCount() == 6
    # Nothing found: the table says so.
    refreshed(qtbot, model, lambda: type_text(qtbot, view.search, "没有这种诉求"))
    assert model.rowCount() == 0 and view.empty.isVisible()


def test_keyboard_opens_requests(qtbot: Any, view: QueueView, queue_db: dict[str, str]) -> None:
    model = view.model
    view.activateWindow()
    qtbot.waitExposed(view)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F, CTRL)
    assert view.search.hasFocus()
    # A search with one result: Enter opens it.
    with qtbot.waitSignal(view.requestActivated, timeout=5000) as opened:
        type_text(qtbot, view.search, "营业执照")
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert opened.args == [model.data(model.index(0, 0), UuidRole)]
    assert model.data(model.index(0, 0)) == queue_db["fresh"]
    # Several results: Down goes to the table, Enter opens the current row; so does a double click.
    view.search.clear()
    refreshed(qtbot, model, view._apply_filters)
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert view.table.hasFocus() and view.table.currentIndex().row() == 0
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.requestActivated) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [model.uuid_at(1)]
    rect = view.table.visualRect(model.index(2, Column.ENTERPRISE))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(view.requestActivated) as opened:
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [model.uuid_at(2)]
    with qtbot.waitSignal(view.currentRequestChanged, timeout=2000) as current:
        qtbot.keyClick(view.table, Qt.Key.Key_Up)
    assert current.args == [model.uuid_at(1)]


def test_header_clicks_sort_then_return_to_queue_order(qtbot: Any, view: QueueView,
                                                       queue_db: dict[str, str]) -> None:
    model, header = view.model, view.table.horizontalHeader()

    def click(column: Column) -> None:
        x = header.sectionViewportPosition(int(column)) + 8
        refreshed(qtbot, model, lambda: qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                                                         pos=QPoint(x, 5)))

    click(Column.ENTERPRISE)
    names = [model.data(model.index(r, Column.ENTERPRISE)) for r in range(model.rowCount())]
    # Pinyin order: 上海星河 (xing), 上海西岸 (xi … the same company twice), 上海云启 (yun), 徐汇区 (xu).
    assert names == sorted(names, key=pinyin_sort_key) and names[0] == "上海西岸数字传媒有限公司"
    assert model.filter.sort == "enterprise_name" and not model.filter.descending
    click(Column.ENTERPRISE)
    assert model.filter.descending
    click(Column.ENTERPRISE)
    assert model.filter.sort == ATTENTION and header.sortIndicatorSection() in (-1, len(Column))
    assert shown(model)[:2] == [queue_db["late"], queue_db["due"]]
    click(Column.CREATED)
    assert shown(model)[0] == queue_db["late"]  # oldest first
    view.sort_by(Column.STATUS, Qt.SortOrder.AscendingOrder)
    refreshed(qtbot, model)


def test_refresh_keeps_the_selection(qtbot: Any, view: QueueView, station_db: Database,
                                     queue_db: dict[str, str]) -> None:
    model = view.model
    assert view.select_request(model.uuid_at(3) or "")
    selected = view.current_uuid()
    add_request(station_db, "刚来的一家企业咨询贷款", name="上海新来的科技有限公司",
                sla_due_at=NOW + timedelta(days=9))
    refreshed(qtbot, model, view.refresh)
    assert model.rowCount() == 5 and view.current_uuid() == selected


# --- 200,000 requests ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_path(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return template_database(tmp_path_factory.getbasetemp() / "bulk", 200_000)


@pytest.mark.slow
def test_queue_over_200k_requests_opens_and_scrolls_lazily(qtbot: Any, tasks: TaskRunner,
                                                         big_path: Any) -> None:
    db = open_database(big_path)
    try:
        started = time.perf_counter()
        view = QueueView(db, tasks)
        qtbot.addWidget(view)
        view.resize(1100, 700)
        with qtbot.waitSignal(view.model.refreshed, timeout=30000):
            view.show()
        QApplication.processEvents()
        first_page_ms = (time.perf_counter() - started) * 1000
        model = view.model
        assert 0 < model.rowCount() < 200_000  # the open ones
        t0 = time.perf_counter()
        refreshed(qtbot, model, lambda: view.status.setCurrentIndex(view.status.findData("")))
        all_ms = (time.perf_counter() - t0) * 1000
        # A long list shows its first page and its counts first; the rest of its ids follow.
        assert model.total == 200_000 and model.rowCount() == PAGE_SIZE and model.loading
        assert model.data(model.index(0, Column.TRACKING_NO)).startswith("XH03-")
        qtbot.waitUntil(lambda: not model.loading, timeout=30000)
        assert model.rowCount() == 200_000 and model.total == 200_000
        assert model.rows_loaded <= 2 * PAGE_SIZE + 100
        # Scroll to the end, the middle and back, painting each time.
        for target in (model.rowCount() - 1, 100_000, 150_000, 0):
            view.table.scrollTo(model.index(target, 0))
            view.table.viewport().repaint()
            QApplication.processEvents()
            assert model.data(model.index(target, Column.TRACKING_NO)).startswith("XH03-")
        assert model.rows_loaded < 2_000, model.rows_loaded
        assert model.pages_fetched <= 12
        # Search the whole table in the background: the newest first.
        t0 = time.perf_counter()
        refreshed(qtbot, model, lambda: view.search.setText("贷款"))
        search_ms = (time.perf_counter() - t0) * 1000
        assert 0 < model.rowCount() < 200_000
        assert "贷款" in (model.row_data(0).summary if model.row_data(0) else "")  # type: ignore[union-attr]
        refreshed(qtbot, model, lambda: model.set_filter(RequestFilter(sort=RECENT)))
        qtbot.waitUntil(lambda: not model.loading, timeout=30000)
        assert model.rowCount() == 200_000
        rows_read = model.rows_loaded
        print(f"200k queue: open requests shown {first_page_ms:.0f} ms after the widget was created; all 200,000 "
              f"(first page) {all_ms:.0f} ms; search '贷款' {search_ms:.0f} ms (with the 250 ms typing pause); "
              f"rows materialised {rows_read}, pages {model.pages_fetched}")
    finally:
        tasks.wait(20000)
        db.close()


# --- every screen fits (D3-D5), a new search starts afresh (D12), urgency and legend (D16, D26, D29) ---

LONG_NAME = "上海东方明珠国际文化传播股份有限公司徐汇分公司"


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    from xuhui_desk.ui.i18n import install_translators

    install_translators(request.param)
    yield request.param
    install_translators("en")


@pytest.fixture
def fit_db(station_db: Database) -> Database:
    """Thirty requests: one of a long company name, urgent ones, overdue ones."""
    for i in range(30):
        name = LONG_NAME if i == 29 else f"上海第{i}号科技有限公司"
        add_request(station_db, f"第{i}个诉求，想申请一笔贷款", name=name,
                    created_at=NOW - timedelta(days=30 - i), urgency="urgent" if i % 5 == 0 else "normal",
                    sla_due_at=NOW + timedelta(days=i - 10))
    return station_db


def open_queue(qtbot: Any, db: Database, tasks: TaskRunner, data_dir: Any, width: int, height: int) -> Any:
    from xuhui_desk.ui.main_window import MainWindow, Page

    window = MainWindow(db, tasks, data_dir)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.show_page(Page.QUEUE)
    qtbot.waitUntil(lambda: window.queue_view.model.rowCount() == 30 and not window.queue_view.model.loading,
                    timeout=20000)
    QApplication.processEvents()
    return window


def visible_chars(view: QueueView, text: str) -> int:
    """Characters of ``text`` the company column shows before its "…" (cell margins allowed for)."""
    width = view.table.columnWidth(int(Column.ENTERPRISE)) - 8
    elided = view.table.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
    return len(elided.rstrip("…"))


def open_first(qtbot: Any, window: Any) -> None:
    view, detail = window.queue_view, window.detail_view
    view.table.setFocus()
    if view.table.currentIndex().row() == 0:
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.table.visualRect(view.model.index(0, int(Column.STATUS))).center())
    else:
        view.table.selectRow(0)
    qtbot.waitUntil(lambda: detail.data is not None and detail.data.uuid == view.model.uuid_at(0), timeout=10000)
    QApplication.processEvents()


def assert_no_column_collapsed(view: QueueView) -> None:
    header = view.table.horizontalHeader()
    for column in Column:
        if not view.table.isColumnHidden(int(column)):
            title = view.model.column_title(column)
            assert header.sectionSize(int(column)) >= view.table.fontMetrics().horizontalAdvance(title), title


def test_the_queue_fits_1366_and_1920(qtbot: Any, fit_db: Database, tasks: TaskRunner, data_dir: Any,
                                      language: str) -> None:
    """At 1366×768 the company column shows 12 characters — with the detail pane closed, and open;
    an empty detail pane takes no width; the pane keeps its width when the window grows."""
    window = open_queue(qtbot, fit_db, tasks, data_dir, 1366, 768)
    view, detail, splitter = window.queue_view, window.detail_view, window.queue_splitter
    # The pane is never shown empty: hidden until a request is in it (the focus may select the first row).
    qtbot.waitUntil(lambda: detail.isHidden() or detail.data is not None, timeout=10000)
    if detail.isHidden():
        assert visible_chars(view, LONG_NAME) >= 20
        assert not view.table.horizontalScrollBar().isVisible()
    open_first(qtbot, window)
    assert detail.isVisible()
    queue_width, detail_width = splitter.sizes()
    assert detail_width / (queue_width + detail_width) < 0.40
    assert visible_chars(view, LONG_NAME) >= 12, view.table.columnWidth(int(Column.ENTERPRISE))
    assert_no_column_collapsed(view)
    assert not view.table.horizontalScrollBar().isVisible()
    assert clipped(view) == []
    scroll = detail.findChild(QScrollArea)
    assert scroll is not None and not scroll.horizontalScrollBar().isVisible()
    # Wider: the list takes the gain, the pane keeps its width, hidden columns come back.
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: splitter.sizes()[1] == detail_width and splitter.sizes()[0] > queue_width + 400,
                    timeout=5000)
    assert not view.table.isColumnHidden(int(Column.CREATED)) and not view.table.isColumnHidden(int(Column.CATEGORY))
    assert visible_chars(view, LONG_NAME) >= 20
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: splitter.sizes() == [queue_width, detail_width], timeout=5000)
    assert visible_chars(view, LONG_NAME) >= 12


def test_the_queue_fits_1024(qtbot: Any, fit_db: Database, tasks: TaskRunner, data_dir: Any,
                             language: str) -> None:
    """At 1024×700 the queue page fits the window (no sideways scrolling of the page or the list),
    and with a request open the pane's content is not cut off and the company stays readable."""
    window = open_queue(qtbot, fit_db, tasks, data_dir, 1024, 700)
    view, detail, splitter = window.queue_view, window.detail_view, window.queue_splitter
    assert splitter.minimumSizeHint().width() <= splitter.width() <= 1024 - window.nav.width()
    assert not view.table.horizontalScrollBar().isVisible()
    window.reading_pane.close()  # no request in the pane: the list has the whole width
    # The columns are re-fitted on the next layout pass after the splitter moves, not synchronously.
    qtbot.waitUntil(lambda: visible_chars(view, LONG_NAME) >= 12, timeout=3000)
    open_first(qtbot, window)
    assert splitter.minimumSizeHint().width() <= splitter.width()
    scroll = detail.findChild(QScrollArea)
    assert scroll is not None and not scroll.horizontalScrollBar().isVisible()
    assert visible_chars(view, LONG_NAME) >= 6
    assert not view.table.horizontalScrollBar().isVisible()
    assert_no_column_collapsed(view)
    assert clipped(view) == []
    # The filter row wrapped rather than widening the page: every filter is whole and inside the list.
    for widget in (view.status, view.category, view.range, view.overdue_only, view.reset_button):
        right = widget.mapTo(view, widget.rect().topRight()).x()
        assert right <= view.width() and widget.width() >= widget.sizeHint().width(), widget


def test_the_detail_width_the_user_chose_is_kept(qtbot: Any, fit_db: Database, tasks: TaskRunner,
                                                 data_dir: Any) -> None:
    window = open_queue(qtbot, fit_db, tasks, data_dir, 1600, 900)
    open_first(qtbot, window)
    splitter = window.queue_splitter
    splitter.moveSplitter(splitter.width() - 520, 1)  # as a drag of the handle does
    chosen = splitter.sizes()[1]
    assert abs(chosen - 520) <= splitter.handleWidth() + 2
    window.close()
    again = open_queue(qtbot, fit_db, tasks, data_dir, 1600, 900)
    open_first(qtbot, again)
    assert again.queue_splitter.sizes()[1] == chosen


def test_a_new_search_starts_at_the_top_and_drops_a_detail_it_no_longer_lists(
        qtbot: Any, fit_db: Database, tasks: TaskRunner, data_dir: Any) -> None:
    window = open_queue(qtbot, fit_db, tasks, data_dir, 1366, 500)
    view, detail = window.queue_view, window.detail_view
    bar = view.table.verticalScrollBar()
    view.table.scrollToBottom()
    row = view.model.rowCount() - 1
    view.table.selectRow(row)
    uuid = view.model.uuid_at(row)
    qtbot.waitUntil(lambda: detail.data is not None and detail.data.uuid == uuid, timeout=10000)
    assert bar.value() > 0
    shown = view.model.row_data(row)
    assert shown is not None
    # A search that still lists the request: the pane keeps it; the list starts at its top.
    with qtbot.waitSignal(view.listReplaced, timeout=10000):
        view.search.setText("贷款")
    assert bar.value() == 0 and detail.current_uuid == uuid and detail.isVisible()
    view.table.scrollToBottom()
    # One that does not: the pane is emptied and closed.
    with qtbot.waitSignal(view.listReplaced, timeout=10000):
        view.search.setText("第3个诉求")
    assert view.model.rowCount() == 1 and bar.value() == 0
    assert detail.current_uuid is None and detail.isHidden()
    # Sorting starts at the top too.
    view.clear_filters()
    qtbot.waitUntil(lambda: view.model.rowCount() == 30 and not view.model.loading, timeout=10000)
    view.table.scrollToBottom()
    with qtbot.waitSignal(view.listReplaced, timeout=10000):
        view.sort_by(Column.ENTERPRISE, Qt.SortOrder.AscendingOrder)
    assert bar.value() == 0


def test_urgency_overdue_days_and_the_legend(qtbot: Any, fit_db: Database, tasks: TaskRunner, data_dir: Any,
                                              language: str) -> None:
    window = open_queue(qtbot, fit_db, tasks, data_dir, 1366, 768)
    view, model = window.queue_view, window.queue_view.model
    urgent = [r for r in range(model.rowCount()) if model.row_data(r).urgency == "urgent"]  # type: ignore[union-attr]
    normal = [r for r in range(model.rowCount()) if r not in urgent]
    assert urgent and normal
    assert isinstance(model.data(model.index(urgent[0], Column.STATUS), Qt.ItemDataRole.DecorationRole), QIcon)
    assert model.data(model.index(normal[0], Column.STATUS), Qt.ItemDataRole.DecorationRole) is None
    assert not view.table.isColumnHidden(int(Column.STATUS))
    # Working days late are whole days.
    late = [r for r in range(model.rowCount()) if model.data(model.index(r, Column.DUE), OverdueRole)]
    assert late
    for r in late:
        tip = model.data(model.index(r, Column.DUE), Qt.ItemDataRole.ToolTipRole)
        assert not re.search(r"\d\.\d", tip), tip
    # The legend is on screen, under the table, and explains the three shades, the dots and the mark.
    assert view.legend_row.isVisible()
    assert view.legend_row.geometry().top() >= view.table.geometry().bottom()
    groups = view.legend_groups()
    assert [len(entries) for _caption, entries in groups] == [3, 3, 1]
    texts = [label.text() for label in view.legend_row.findChildren(QLabel) if label.text()]
    assert "≤ 2" in texts and "3–5" in texts and "> 5" in texts
    urgent_word = "紧急" if language == "zh_CN" else "Urgent"
    assert urgent_word in texts
    for label in view.legend_row.findChildren(QLabel):
        if label.text():
            assert label.width() >= label.sizeHint().width(), label.text()  # nothing cut off


def test_a_provisional_due_date_is_marked(qtbot: Any, station_db: Database, tasks: TaskRunner) -> None:
    """Issue 11 §5: a due date counted on the provisional calendar (a year with no official file) is
    marked in the queue, with the reason in its tooltip."""
    from datetime import UTC, datetime

    from PySide6.QtCore import Qt

    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
    from xuhui_desk.ui.queue.model import Column

    create_request(station_db, IntakeInput(EnterpriseInput("上海甲科技有限公司"), "想申请银行贷款", category="finance"),
                   now=datetime(2026, 12, 30, 2, 0, tzinfo=UTC))
    model = RequestQueueModel(station_db, tasks, flt=RequestFilter(sort=ATTENTION))
    with qtbot.waitSignal(model.refreshed, timeout=20000):
        model.refresh(reset=True)
    index = model.index(0, int(Column.DUE))
    assert str(model.data(index, Qt.ItemDataRole.DisplayRole)).endswith("*")
    assert "provisional" in str(model.data(index, Qt.ItemDataRole.ToolTipRole))


def test_a_superseded_read_never_overwrites_the_newer_one(qtbot: Any, station_db: Database, tasks: TaskRunner,
                                                         queue_db: dict[str, str]) -> None:
    """Two filters in quick succession: only the second is shown (the runner's latest= drops the first)."""
    model = RequestQueueModel(station_db, tasks, flt=RequestFilter(sort=ATTENTION))
    applied: list[int] = []
    model.refreshed.connect(lambda: applied.append(model.rowCount()))
    with qtbot.waitSignal(model.completed, timeout=20000):
        model.set_filter(RequestFilter(sort=ATTENTION))  # all six
        model.set_filter(RequestFilter(status="closed", sort=ATTENTION))  # one
    assert tasks.wait(20000)
    QApplication.processEvents()
    assert applied == [1] and shown(model) == [queue_db["done"]] and not model.loading
