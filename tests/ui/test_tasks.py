"""The background-task runner: results on the GUI thread, a progress box only for slow work,
and a progress box that never outlives its task (audit D1)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget
from shiboken6 import isValid

from xuhui_desk.ui.tasks import PROGRESS_DELAY_MS, Progress, TaskRunner


@pytest.fixture
def parent(qtbot: Any) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def visible_progress_boxes() -> list[QProgressDialog]:
    return [w for w in QApplication.allWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def test_no_progress_box_after_a_fast_task_even_inside_a_nested_loop(qtbot: Any, tasks: TaskRunner,
                                                                     parent: QWidget) -> None:
    """A success callback that runs a nested event loop (a modal dialog's exec()) for longer than
    QProgressDialog's own 4-second auto-show must not see the finished task's box come back."""
    seen: list[int] = []
    ended: list[bool] = []

    def nested(_result: object) -> None:
        loop = QEventLoop()
        checker = QTimer()
        checker.timeout.connect(lambda: seen.append(len(visible_progress_boxes())))
        checker.start(250)
        QTimer.singleShot(5000, loop.quit)  # past QProgressDialog's 4 s auto-show
        loop.exec()
        checker.stop()
        seen.append(len(visible_progress_boxes()))
        ended.append(True)

    tasks.run(lambda _p: 42, on_success=nested, label="Working…", parent=parent)
    qtbot.waitUntil(lambda: bool(ended), timeout=30000)
    assert max(seen) == 0, f"a progress box showed during the nested loop: {seen}"


def test_slow_task_shows_progress_then_it_is_gone(qtbot: Any, tasks: TaskRunner, parent: QWidget) -> None:
    release = threading.Event()
    results: list[int] = []

    def work(progress: Progress) -> int:
        progress(1, 4, "step one")
        release.wait(10)
        return 7

    tasks.run(work, on_success=results.append, label="Working…", parent=parent)
    qtbot.waitUntil(lambda: bool(visible_progress_boxes()), timeout=PROGRESS_DELAY_MS + 3000)
    box = visible_progress_boxes()[0]
    assert box.labelText() == "step one" and box.maximum() == 4 and box.value() == 1
    release.set()
    qtbot.waitUntil(lambda: results == [7], timeout=5000)
    assert not visible_progress_boxes()
    qtbot.wait(4500)  # past Qt's own auto-show delay
    assert not visible_progress_boxes()


def test_cancel_stops_the_task_and_calls_no_callback(qtbot: Any, tasks: TaskRunner, parent: QWidget) -> None:
    outcomes: list[str] = []

    def work(progress: Progress) -> str:
        for i in range(200):
            progress(i, 200)
            time.sleep(0.02)
        return "finished"

    task = tasks.run(work, on_success=outcomes.append, on_failure=lambda e: outcomes.append(repr(e)),
                     label="Working…", parent=parent, cancellable=True)
    qtbot.waitUntil(lambda: bool(visible_progress_boxes()), timeout=PROGRESS_DELAY_MS + 3000)
    visible_progress_boxes()[0].findChild(QPushButton).click()
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert outcomes == []
    assert not visible_progress_boxes()


def test_a_box_whose_parent_is_gone_is_never_created(qtbot: Any, tasks: TaskRunner) -> None:
    release = threading.Event()
    owner = QWidget()
    owner.show()
    tasks.run(lambda _p: release.wait(10), label="Working…", parent=owner)
    owner.deleteLater()
    qtbot.wait(PROGRESS_DELAY_MS + 300)
    assert not visible_progress_boxes()
    release.set()
    tasks.wait()


def test_result_for_a_destroyed_owner_is_dropped(qtbot: Any, tasks: TaskRunner) -> None:
    """The owner is gone before the answer arrives: neither callback runs (no isValid at call sites)."""
    release = threading.Event()
    calls: list[str] = []
    owner = QWidget()

    tasks.run(lambda _p: release.wait(10), on_success=lambda _r: calls.append("success"),
              on_failure=lambda _e: calls.append("failure"), owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not isValid(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5000)
    QApplication.processEvents()
    assert calls == []


def test_failure_for_a_destroyed_owner_is_dropped_too(qtbot: Any, tasks: TaskRunner) -> None:
    release = threading.Event()
    calls: list[BaseException] = []
    owner = QWidget()

    def fail(_p: Progress) -> None:
        release.wait(10)
        raise ValueError("late")

    tasks.run(fail, on_failure=calls.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not isValid(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5000)
    assert calls == []


def test_a_newer_task_with_the_same_key_supersedes_the_older(qtbot: Any, tasks: TaskRunner,
                                                             parent: QWidget) -> None:
    """As the user types, only the newest search answers, even when the older one ends last."""
    first_may_end = threading.Event()
    results: list[str] = []
    first_was_cancelled: list[bool] = []

    def slow(progress: Progress) -> str:
        first_may_end.wait(10)
        first_was_cancelled.append(progress.cancelled)
        return "old"

    first = tasks.run(slow, on_success=results.append, owner=parent, latest="search")
    second = tasks.run(lambda _p: "new", on_success=results.append, owner=parent, latest="search")
    qtbot.waitUntil(lambda: results == ["new"], timeout=5000)
    assert first.dropped and not second.dropped
    first_may_end.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5000)
    QApplication.processEvents()
    assert results == ["new"]
    assert first_was_cancelled == [True]  # asked to stop early, as it checks progress


def test_keys_are_per_owner_and_writes_are_never_cancelled(qtbot: Any, tasks: TaskRunner) -> None:
    one, two = QWidget(), QWidget()
    qtbot.addWidget(one)
    qtbot.addWidget(two)
    results: list[str] = []
    may_end = threading.Event()
    write_saw_cancel: list[bool] = []

    def write(progress: Progress) -> str:
        may_end.wait(10)
        write_saw_cancel.append(progress.cancelled)
        return "write-1"

    tasks.run(write, on_success=results.append, owner=one, latest="save", write=True)
    tasks.run(lambda _p: "other-owner", on_success=results.append, owner=two, latest="save")
    tasks.run(lambda _p: "write-2", on_success=results.append, owner=one, latest="save", write=True)
    may_end.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5000)
    QApplication.processEvents()
    assert sorted(results) == ["other-owner", "write-2"]
    assert write_saw_cancel == [False]  # the first write ran to its end; only its answer was dropped


def test_run_is_typed_by_what_the_function_returns(qtbot: Any, tasks: TaskRunner) -> None:
    got: list[int] = []
    task = tasks.run(lambda _p: 6 * 7, on_success=got.append)
    qtbot.waitUntil(lambda: got == [42], timeout=5000)
    assert task.done
