"""The Today page (issue 14 §2): the page the program opens on, its lists and counts, the count in
the navigation kept live by writes and by the day changing, Enter opening a request, "only mine",
an empty day, the desktop notifier's rate limit and wording, and the specialist switch in two
keystrokes (Ctrl+Shift+U, Enter)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from tests.synckit import add_requests, open_station
from tests.ui.fit import clipped
from xuhui_desk.db import Database
from xuhui_desk.services.followup import current_specialist, known_specialists, record_contact, switch_specialist
from xuhui_desk.services.timefmt import SHANGHAI
from xuhui_desk.services.today import today
from xuhui_desk.services.workflow import apply, find_request
from xuhui_desk.ui.i18n import install_translators
from xuhui_desk.ui.main_window import MainWindow, Page
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.today.notifier import DeadlineNotifier

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
# Friday 2027-03-12, 10:00 in Shanghai (the service tests' day): Monday the 15th is the next working day.
NOW = datetime(2027, 3, 12, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Database]:
    db = open_station(tmp_path / "station")
    yield db
    db.close()


def _set(db: Database, uuid: str, **values: Any) -> None:
    with db.write() as s:
        request = find_request(s, uuid)
        for key, value in values.items():
            setattr(request, key, value)


def _tracking(db: Database, uuid: str) -> str:
    with db.session() as s:
        return str(find_request(s, uuid).tracking_no)


@pytest.fixture
def open_window(qtbot: Any, station: Database, tmp_path: Path,
                tasks: TaskRunner) -> Iterator[Callable[[Clock], MainWindow]]:
    windows: list[MainWindow] = []

    def make(clock: Clock) -> MainWindow:
        window = MainWindow(station, tasks, tmp_path / "station")
        window.today.clock = clock
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.today.today is not None, timeout=10000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    tasks.wait()


def test_today_lists_what_is_due_and_enter_opens_the_request(qtbot: Any, station: Database,
                                                             open_window: Callable[[Clock], MainWindow]) -> None:
    uuids = add_requests(station, 5, now=NOW - timedelta(days=3))
    for uuid, due in zip(uuids, [at(11, 17), at(12, 9), at(12, 15, 30), at(15, 16), at(19, 9)], strict=True):
        _set(station, uuid, sla_due_at=due)
    record_contact(station, uuids[4], "phone", "约定今天回电", "2027-03-12", now=NOW - timedelta(days=2))
    window = open_window(Clock(NOW))
    page = window.today_page
    assert window.current_page() == Page.TODAY and page.isVisible()
    rows = page.lines()
    assert rows[0] == ("Overdue · 2",)
    assert rows[1] == (_tracking(station, uuids[0]), "上海测试00000科技有限公司", "Overdue since 03-11 17:00", "李敏")
    assert rows[3] == ("Due today · 1",)
    assert rows[4][2] == "Due today at 15:30"
    assert rows[5] == ("Due by the end of the next working day · 1",) and rows[6][2] == "Due 03-15 16:00"
    assert rows[7] == ("Callbacks planned for today · 1",) and rows[8][2] == "Call back today: 约定今天回电"
    # The navigation: "Today 5"; the due-in-a-week request is on no list.
    assert window.nav_panel.badge(Page.TODAY) == "5" and window.nav_panel.row_text(Page.TODAY) == "Today 5"
    assert page.summary.text() == "5 to do"

    # Keyboard: the page has the focus on its first line; Down, Enter opens the second overdue one.
    window.show_page(Page.INTAKE)
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.current_page() == Page.TODAY
    assert QApplication.focusWidget() is page.tree
    assert page.tree.currentItem().text(0) == _tracking(station, uuids[0])
    qtbot.keyClick(page.tree, Qt.Key.Key_Down)
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert window.current_page() == Page.QUEUE
    qtbot.waitUntil(lambda: window.detail_view.current_uuid == uuids[1], timeout=5000)

    # A double-click opens one too.
    window.show_page(Page.TODAY)
    item = page.tree.topLevelItem(4)
    rect = page.tree.visualItemRect(item)
    # (as a real double-click: a press, then the double-click event)
    qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_page() == Page.QUEUE
    qtbot.waitUntil(lambda: window.detail_view.current_uuid == uuids[2], timeout=5000)


def test_the_count_follows_every_write(qtbot: Any, station: Database,
                                       open_window: Callable[[Clock], MainWindow]) -> None:
    """Like the pending-sync count: a write anywhere in the program re-reads the lists."""
    uuids = add_requests(station, 2, now=NOW - timedelta(days=3))
    _set(station, uuids[0], sla_due_at=at(11, 17))
    _set(station, uuids[1], sla_due_at=at(20, 17))
    window = open_window(Clock(NOW))
    assert window.nav_panel.badge(Page.TODAY) == "1"
    _set(station, uuids[1], sla_due_at=at(12, 16))  # now due today
    qtbot.waitUntil(lambda: window.nav_panel.badge(Page.TODAY) == "2", timeout=5000)
    assert ("Due today · 1",) in window.today_page.lines()
    apply(station, uuids[0], status="cancelled", note="企业撤回", actor="李敏", now=NOW)  # off the list
    qtbot.waitUntil(lambda: window.nav_panel.badge(Page.TODAY) == "1", timeout=5000)
    assert ("Overdue · 1",) not in window.today_page.lines()


def test_the_lists_are_read_again_when_the_day_changes(qtbot: Any, station: Database,
                                                       open_window: Callable[[Clock], MainWindow]) -> None:
    uuids = add_requests(station, 1, now=NOW - timedelta(days=3))
    _set(station, uuids[0], sla_due_at=at(16, 12))  # Tuesday: not within a working day of Friday
    record_contact(station, uuids[0], "phone", "周一回电", "2027-03-15", now=NOW)
    clock = Clock(at(14, 23, 59, 59))  # Sunday, a second before midnight
    window = open_window(clock)
    assert window.nav_panel.badge(Page.TODAY) == ""
    assert 1000 <= window.today.midnight_in_ms() <= 2100
    reads = window.today.reads
    clock.now = at(15, 0, 0, 2)
    qtbot.waitUntil(lambda: window.today.reads > reads, timeout=5000)
    # Monday: the callback is due, and Tuesday noon is within one working day.
    assert window.nav_panel.badge(Page.TODAY) == "2"
    assert window.today.today is not None and window.today.today.day.isoformat() == "2027-03-15"


def test_an_empty_day_says_so(qtbot: Any, station: Database, open_window: Callable[[Clock], MainWindow]) -> None:
    window = open_window(Clock(NOW))
    page = window.today_page
    assert page.stack.currentWidget() is page.empty and page.empty.isVisible()
    assert page.empty.text().startswith("Nothing is due today")
    assert window.nav_panel.badge(Page.TODAY) == "" and window.nav_panel.row_text(Page.TODAY) == "Today"


def test_only_mine_narrows_the_lists_and_is_kept(qtbot: Any, station: Database, tmp_path: Path,
                                                 open_window: Callable[[Clock], MainWindow]) -> None:
    uuids = add_requests(station, 3, now=NOW - timedelta(days=3))
    for uuid in uuids:
        _set(station, uuid, sla_due_at=at(11, 17))
    _set(station, uuids[2], specialist="王芳")
    window = open_window(Clock(NOW))
    page = window.today_page
    assert window.nav_panel.badge(Page.TODAY) == "3"
    assert page.only_mine.text() == "Only mine (李敏)"
    qtbot.keyClick(page, Qt.Key.Key_O, ALT)
    assert page.only_mine.isChecked()
    qtbot.waitUntil(lambda: window.nav_panel.badge(Page.TODAY) == "2", timeout=5000)
    assert ("Overdue · 2",) in page.lines()
    window.close()
    again = open_window(Clock(NOW))  # kept in the data folder's window.ini
    assert again.today_page.only_mine.isChecked() and again.nav_panel.badge(Page.TODAY) == "2"


def test_a_refused_record_opens_the_sync_panel(qtbot: Any, station: Database,
                                               open_window: Callable[[Clock], MainWindow]) -> None:
    uuids = add_requests(station, 1, now=NOW - timedelta(days=3))
    _set(station, uuids[0], sla_due_at=at(20, 17), sync_state="error", sync_error="the hub refused it")
    window = open_window(Clock(NOW))
    page = window.today_page
    assert page.lines()[0] == ("Refused by the district hub · 1",)
    assert page.tree.currentItem().text(0) == _tracking(station, uuids[0])
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert window.sync_panel is not None and window.sync_panel.isVisible()
    window.sync_panel.close()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)], ids=["1024x700", "1366x768"])
def test_the_page_fits(qtbot: Any, station: Database, open_window: Callable[[Clock], MainWindow],
                       language: str, size: tuple[int, int]) -> None:
    uuids = add_requests(station, 4, now=NOW - timedelta(days=3))
    for uuid in uuids:
        _set(station, uuid, sla_due_at=at(11, 17))
    record_contact(station, uuids[0], "phone", "约定今天回电", "2027-03-12", now=NOW - timedelta(days=2))
    assert install_translators(language) == language
    try:
        window = open_window(Clock(NOW))
        window.resize(*size)
        QApplication.processEvents()
        if language == "zh_CN":
            assert window.nav.item(0).text() == "今日工作" and window.nav_panel.row_text(Page.TODAY) == "今日工作 5"
        problems = clipped(window.today_page, ignore=(window.today_page.tree,))
        assert not problems, "\n".join(problems)
        problems = clipped(window.nav_panel, ignore=(window.nav,))
        assert not problems, "\n".join(problems)
    finally:
        install_translators("en")


# --- the notifier --------------------------------------------------------------------------------


def test_notifier_announces_each_deadline_once_at_most_one_message_a_minute(qtbot: Any, station: Database) -> None:
    uuids = add_requests(station, 5, enterprises=5, now=NOW - timedelta(days=3))
    dues = [at(12, 10, 30), at(12, 10, 50), at(12, 11, 30), at(12, 15), at(20, 9)]
    for uuid, due in zip(uuids, dues, strict=True):
        _set(station, uuid, sla_due_at=due)
    record_contact(station, uuids[4], "phone", "约定今天回电", "2027-03-12", now=NOW - timedelta(days=2))
    shown: list[tuple[str, str]] = []
    clock = Clock(NOW)
    notifier = DeadlineNotifier(lambda title, text: shown.append((title, text)), clock=clock)
    numbers = [_tracking(station, u) for u in uuids]

    notifier.consider(today(station, clock.now))
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "2 requests are due within the hour; A callback is due today"
    assert text.splitlines() == [f"{numbers[0]} 上海测试00000科技有限公司: due at 10:30",
                                 f"{numbers[1]} 上海测试00001科技有限公司: due at 10:50",
                                 f"{numbers[4]} 上海测试00004科技有限公司: call back today"]
    # Nothing new: nothing shown; each deadline is announced once.
    clock.now = NOW + timedelta(minutes=5)
    notifier.consider(today(station, clock.now))
    assert len(shown) == 1

    # 10:31: the third comes within the hour and is shown; 10:31:59: a moved deadline must wait.
    clock.now = at(12, 10, 31)
    notifier.consider(today(station, clock.now))
    assert len(shown) == 2 and shown[1][0] == "A request is due within the hour"
    _set(station, uuids[3], sla_due_at=at(12, 11, 20))
    clock.now = at(12, 10, 31, 59)
    notifier.consider(today(station, clock.now))
    assert len(shown) == 2 and [n.tracking_no for n in notifier.pending] == [numbers[3]]
    # The held message comes when the minute is over (the notifier's own timer).
    clock.now = at(12, 10, 32, 1)
    qtbot.waitUntil(lambda: len(shown) == 3, timeout=35000)
    assert shown[2][1] == f"{numbers[3]} 上海测试00003科技有限公司: due at 11:20"
    notifier.deleteLater()


def test_notifier_gathers_many_into_one_message(station: Database) -> None:
    uuids = add_requests(station, 6, now=NOW - timedelta(days=3))
    for i, uuid in enumerate(uuids):
        _set(station, uuid, sla_due_at=at(12, 10, 10 + i))
    shown: list[tuple[str, str]] = []
    notifier = DeadlineNotifier(lambda title, text: shown.append((title, text)), clock=Clock(NOW))
    notifier.consider(today(station, NOW))
    assert shown[0][0] == "6 requests are due within the hour"
    assert shown[0][1].splitlines()[-1] == "… and 3 more on the Today page"
    notifier.deleteLater()


def test_no_tray_no_notification(qtbot: Any, station: Database,
                                 open_window: Callable[[Clock], MainWindow]) -> None:
    """Offscreen there is no system tray: the window makes no tray icon and announces nothing."""
    uuids = add_requests(station, 1, now=NOW - timedelta(days=3))
    _set(station, uuids[0], sla_due_at=at(12, 10, 30))
    window = open_window(Clock(NOW))
    assert window.tray is None and not window.notifier.enabled
    assert window.notifier.pending == []


# --- the specialist switch -----------------------------------------------------------------------


def test_two_keystrokes_switch_the_specialist(qtbot: Any, station: Database,
                                              open_window: Callable[[Clock], MainWindow]) -> None:
    switch_specialist(station, "王芳")
    switch_specialist(station, "李敏")
    assert known_specialists(station) == ["李敏", "王芳"]
    window = open_window(Clock(NOW))
    assert window.nav_panel.footer.text().endswith("李敏")
    qtbot.keyClick(window, Qt.Key.Key_U, CTRL | SHIFT)
    qtbot.waitUntil(lambda: window.switcher is not None and window.switcher.isVisible(), timeout=5000)
    switcher = window.switcher
    assert switcher is not None and switcher.chosen() == "王芳"  # the one before, ready for Enter
    assert QApplication.focusWidget() is switcher.names
    qtbot.keyClick(switcher.names, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.nav_panel.footer.text().endswith("王芳"), timeout=5000)
    assert not isValid(switcher) or not switcher.isVisible()  # closed (and deleted)
    assert current_specialist(station) == "王芳"
    assert "王芳" in window.statusBar().currentMessage()
    assert window.today_page.only_mine.text() == "Only mine (王芳)"
    # Every action afterwards is theirs (the services read the current specialist).
    uuids = add_requests(station, 1, now=NOW)
    apply(station, uuids[0], note="已电话联系企业", now=NOW)
    from sqlalchemy import select

    from xuhui_desk.models import RequestEvent

    with station.session() as s:
        request_id = find_request(s, uuids[0]).id
        note = s.scalars(select(RequestEvent).where(RequestEvent.request_id == request_id)
                         .order_by(RequestEvent.id.desc())).first()
        assert note is not None and note.kind == "note" and note.actor == "王芳"


def test_a_new_name_typed_and_an_empty_one_refused(qtbot: Any, station: Database,
                                                   open_window: Callable[[Clock], MainWindow]) -> None:
    window = open_window(Clock(NOW))
    # A click on the specialist at the foot of the navigation opens the switcher too.
    footer = window.nav_panel.footer
    qtbot.mouseClick(footer, Qt.MouseButton.LeftButton, pos=footer.rect().center())
    qtbot.waitUntil(lambda: window.switcher is not None and window.switcher.isVisible(), timeout=5000)
    switcher = window.switcher
    assert switcher is not None
    edit = switcher.names.lineEdit()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert switcher.isVisible() and switcher.error.text() == "Enter the specialist's name."
    edit.insert("张伟")  # (typed through the input method: QTest cannot type Chinese)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.nav_panel.footer.text().endswith("张伟"), timeout=5000)
    assert current_specialist(station) == "张伟" and known_specialists(station)[:2] == ["张伟", "李敏"]
