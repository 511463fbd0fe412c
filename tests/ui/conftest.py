"""Fixtures of the GUI tests: one background-task runner per test, which must be idle at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from xuhui_desk.ui.tasks import TaskRunner


@pytest.fixture
def tasks(qapp: QApplication) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    assert runner.wait(20000), "a background task outlived the test"  # (a sync round may be closing)
    QApplication.processEvents()
    runner.deleteLater()
