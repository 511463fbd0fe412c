"""The lead edits the ready-made reply texts (issue 14 §3): by the keyboard, saved through the
service, refused with the reason and nothing changed, back to the shipped texts on request."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.keyboard import type_text
from xuhui_desk.db import Database
from xuhui_desk.services.followup import reply_templates
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.reply_texts_dialog import ReplyTextsDialog
from xuhui_desk.ui.tasks import TaskRunner

CTRL = Qt.KeyboardModifier.ControlModifier
# The offscreen platform says it cannot pass a top-level dialog's size hints on (no window manager).
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def dialog(qtbot: Any, station_db: Database, tasks: TaskRunner) -> ReplyTextsDialog:
    view = ReplyTextsDialog(station_db, tasks)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.list.count() > 0, timeout=10000)
    return view


def test_add_a_text_and_save_with_the_keyboard(qtbot: Any, dialog: ReplyTextsDialog, station_db: Database) -> None:
    category = dialog.category()
    shipped = reply_templates(station_db, category, current_language())
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == [t.title for t in shipped]
    dialog.add_text()
    assert dialog.title_edit.hasFocus()
    type_text(qtbot, dialog.title_edit, "材料齐全")
    dialog.text_edit.setFocus()
    type_text(qtbot, dialog.text_edit, "您的材料已齐全，我们将在3个工作日内答复。")
    qtbot.keyClick(dialog.text_edit, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: dialog.message.text() == dialog.tr("Saved."), timeout=10000)
    stored = reply_templates(station_db, category)
    assert [t.title for t in stored] == [t.title for t in shipped] + ["材料齐全"]
    assert all(t.edited for t in stored) and stored[-1].text.startswith("您的材料已齐全")
    # Back to what the program ships.
    dialog.use_shipped()
    qtbot.waitUntil(lambda: [t.title for t in reply_templates(station_db, category, current_language())]
                    == [t.title for t in shipped],
                    timeout=10000)


def test_an_empty_text_is_refused_and_nothing_changes(qtbot: Any, dialog: ReplyTextsDialog,
                                                      station_db: Database) -> None:
    category = dialog.category()
    before = reply_templates(station_db, category)
    dialog.add_text()
    type_text(qtbot, dialog.title_edit, "只有标题")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.message.text().startswith(dialog.tr("Not saved: {error}").split("{")[0]),
                    timeout=10000)
    assert reply_templates(station_db, category) == before
    assert dialog.is_dirty()  # what was typed is kept


def test_the_settings_page_opens_the_editor(qtbot: Any, station_db: Database, tasks: TaskRunner) -> None:
    from xuhui_desk.ui.settings_dialog import SettingsForm

    form = SettingsForm(station_db, tasks)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitActive(form)
    form.revert_button.setFocus()
    qtbot.keyClick(form.revert_button, Qt.Key.Key_Tab)
    assert form.focusWidget() is form.reply_texts_button, form.focusWidget().text()
    qtbot.keyClick(form.reply_texts_button, Qt.Key.Key_Space)
    dialog = form.findChild(ReplyTextsDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.list.count() > 0, timeout=10000)
    dialog.close()
