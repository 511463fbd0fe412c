"""The detail pane's follow-up half (issue 14 §3, §5), driven through its real widgets and the
keyboard: contacts and callbacks (Ctrl+K, Ctrl+Enter, Esc), ready-made reply texts, and
attachments — real PNG/PDF files dropped as file URLs onto the pane, thumbnails drawn, refusals
said with nothing written, the system viewer opened on Enter, a watched scanner folder whose new
file is offered (F8), never attached silently, and the hub's refusal shown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from tests.bulk_data import add_request
from tests.ui.keyboard import type_text
from tests.ui.test_detail import saved, stored, uuid_of
from xuhui_desk.db import Database
from xuhui_desk.services.attachments import list_attachments, store_dir
from xuhui_desk.services.followup import open_callbacks, reply_templates, shanghai_day
from xuhui_desk.ui.detail import DetailView
from xuhui_desk.ui.queue import model as queue_model
from xuhui_desk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def detail(qtbot: Any, station_db: Database, tasks: TaskRunner) -> DetailView:
    view = DetailView(station_db, tasks)
    qtbot.addWidget(view)
    view.resize(520, 900)
    view.show()
    view.activateWindow()
    qtbot.waitExposed(view)
    return view


def show(qtbot: Any, view: DetailView, key: str) -> None:
    """Show request ``key`` and wait until its attachments are listed too."""
    with qtbot.waitSignals([view.loaded, view.attachments_card.listed], timeout=10000):
        view.show_request(key)


def png(path: Path, colour: str = "#2e7d32") -> Path:
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path), "PNG")
    return path


def pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return path


def drop(view: DetailView, files: list[Path]) -> None:
    """Drag ``files`` onto the pane and drop them, as a file manager does (file URLs)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    target = view.attachments_card.title
    pos = QPoint(5, 5)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(pos.toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)


def event_count(db: Database, tracking_no: str) -> int:
    return len(stored(db, tracking_no).events)


def stored_files(db: Database) -> list[Path]:
    store = store_dir(db.path.parent)
    return [p for p in store.rglob("*") if p.is_file() and ".staging" not in p.parts] if store.exists() else []


# --- contacts and callbacks ---------------------------------------------------------------------


def test_record_a_contact_with_a_callback_by_keyboard(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    no = add_request(station_db, "咨询厂房租金补贴", category="policy", status="in_progress")
    show(qtbot, detail, uuid_of(station_db, no))
    card = detail.contacts_card
    assert not card.form_panel.isVisible()
    detail.actions_card.note_edit.setFocus()
    qtbot.keyClick(detail.actions_card.note_edit, Qt.Key.Key_K, CTRL)  # Ctrl+K anywhere in the pane
    assert card.form_panel.isVisible() and card.summary_edit.hasFocus()
    type_text(qtbot, card.summary_edit, "电话联系王经理，材料下周补齐")
    qtbot.keyClick(card.summary_edit, Qt.Key.Key_Backtab)  # back to the channel: "visit"
    assert card.channel_combo.hasFocus()
    qtbot.keyClick(card.channel_combo, Qt.Key.Key_Down)
    assert card.channel_combo.currentData() == "visit"
    qtbot.keyClick(card.channel_combo, Qt.Key.Key_Tab)
    qtbot.keyClick(card.summary_edit, Qt.Key.Key_Tab)
    assert card.callback_check.hasFocus()
    qtbot.keyClick(card.callback_check, Qt.Key.Key_Space)  # plan a callback: tomorrow by default
    tomorrow = shanghai_day(queue_model.clock()) + timedelta(days=1)
    assert card.callback_date.isEnabled() and card.callback_date.date().toPython() == tomorrow
    saved(qtbot, detail, lambda: qtbot.keyClick(card.callback_check, Qt.Key.Key_Return, CTRL))

    event = stored(station_db, no).events[-1]
    assert (event.kind, event.actor, event.data) == ("contact", "李敏", {
        "channel": "visit", "summary": "电话联系王经理，材料下周补齐", "callback_on": tomorrow.isoformat()})
    assert [c.due_on for c in open_callbacks(station_db, no)] == [tomorrow.isoformat()]
    assert not card.form_panel.isVisible() and "callback planned" in card.done.text()
    qtbot.waitUntil(lambda: card.callbacks_row.isVisible(), timeout=10000)
    assert f"Callback planned for {tomorrow.isoformat()}" in card.callbacks_label.text()
    head = detail.timeline_rows()[0]
    assert "Contact with the company" in head and "Site visit: 电话联系王经理，材料下周补齐" in head
    assert f"Callback planned for {tomorrow.isoformat()}" in head

    # "Callback done", by keyboard: the callback is closed, and its line goes.
    card.callbacks_done.setFocus()
    saved(qtbot, detail, lambda: qtbot.keyClick(card.callbacks_done, Qt.Key.Key_Space))
    assert open_callbacks(station_db, no) == []
    qtbot.waitUntil(lambda: not card.callbacks_row.isVisible(), timeout=10000)


def test_escape_cancels_and_an_empty_summary_is_refused(qtbot: Any, detail: DetailView,
                                                        station_db: Database) -> None:
    no = add_request(station_db, "咨询人才公寓申请", category="talent")
    show(qtbot, detail, uuid_of(station_db, no))
    card = detail.contacts_card
    before = event_count(station_db, no)
    card.open_button.setFocus()
    qtbot.keyClick(card.open_button, Qt.Key.Key_K, CTRL)
    type_text(qtbot, card.summary_edit, "未接通")
    assert detail.has_unsaved_input()  # the pane keeps the request while a summary is typed
    qtbot.keyClick(card.summary_edit, Qt.Key.Key_Escape)
    assert not card.form_panel.isVisible() and card.summary_edit.toPlainText() == ""
    qtbot.keyClick(card.open_button, Qt.Key.Key_K, CTRL)
    qtbot.keyClick(card.summary_edit, Qt.Key.Key_Return, CTRL)  # nothing typed
    assert card.error.isVisible() and "Type a summary first" in card.error.text()
    assert card.form_panel.isVisible() and card.summary_edit.hasFocus()
    assert event_count(station_db, no) == before


# --- ready-made replies -------------------------------------------------------------------------


def test_a_ready_made_reply_fills_the_reply_and_stays_editable(qtbot: Any, detail: DetailView,
                                                              station_db: Database) -> None:
    no = add_request(station_db, "咨询研发费用加计扣除政策", category="policy", status="in_progress")
    show(qtbot, detail, uuid_of(station_db, no))
    actions = detail.actions_card
    qtbot.mouseClick(actions.status_buttons["replied"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: actions.template_row.isVisible(), timeout=10000)
    texts = reply_templates(station_db, "policy", "en")
    assert [t.title for t in actions.templates] == [t.title for t in texts] and texts
    type_text(qtbot, actions.reply_edit, "王经理：")  # typed first: kept, the text goes below
    actions.template_combo.setFocus()
    qtbot.keyClick(actions.template_combo, Qt.Key.Key_Down)
    assert actions.reply_edit.toPlainText() == "王经理：\n\n" + texts[0].text
    assert actions.reply_edit.hasFocus()
    qtbot.keyClick(actions.reply_edit, Qt.Key.Key_End, CTRL)
    type_text(qtbot, actions.reply_edit, " 已发邮件。")
    saved(qtbot, detail, lambda: qtbot.keyClick(actions.reply_edit, Qt.Key.Key_Return, CTRL))
    request = stored(station_db, no)
    assert request.status == "replied"
    replies = [e.data["text"] for e in request.events if e.kind == "reply"]
    assert replies == ["王经理：\n\n" + texts[0].text + " 已发邮件。"]


# --- attachments --------------------------------------------------------------------------------


def test_dropped_files_are_attached_with_thumbnails_and_a_refusal_is_said(
        qtbot: Any, detail: DetailView, station_db: Database, tmp_path: Path) -> None:
    no = add_request(station_db, "营业执照变更，需要提交执照照片", category="policy")
    show(qtbot, detail, uuid_of(station_db, no))
    card = detail.attachments_card
    photo, scan = png(tmp_path / "执照.png"), pdf(tmp_path / "申请表.pdf")
    note = tmp_path / "notes.txt"
    note.write_text("not a picture", encoding="utf-8")
    with qtbot.waitSignals([detail.changed, card.listed], timeout=10000):
        drop(detail, [photo, note, scan])
    assert card.error.isVisible() and '"notes.txt"' in card.error.text()
    assert "is not a photo" in card.error.text()
    assert "Attached: 执照.png, 申请表.pdf" in card.done.text()
    infos = list_attachments(station_db, no)
    assert [(i.name, i.sync_state) for i in infos] == [("执照.png", "pending"), ("申请表.pdf", "pending")]
    assert card.list.count() == 2 and card.thumbnail_count() == 1  # the PNG scaled; the PDF an icon
    thumb = card.list.item(0).icon().pixmap(card.list.iconSize()).toImage()
    assert thumb.width() == card.list.iconSize().width() or thumb.height() == card.list.iconSize().height()
    assert thumb.pixelColor(thumb.width() // 2, thumb.height() // 2) == QColor("#2e7d32")  # the picture itself
    assert "执照.png" in card.list.item(0).text() and "waiting" in card.list.item(0).text()
    assert "KB" in card.list.item(1).text() or " B" in card.list.item(1).text()
    assert any("Attachment added" in row and "执照.png" in row for row in detail.timeline_rows())


def test_a_refused_file_writes_nothing(qtbot: Any, detail: DetailView, station_db: Database,
                                      tmp_path: Path) -> None:
    no = add_request(station_db, "补充材料", category="policy")
    show(qtbot, detail, uuid_of(station_db, no))
    card = detail.attachments_card
    big = tmp_path / "scan.pdf"
    with big.open("wb") as fh:  # a PDF one byte over 10 MB
        fh.write(b"%PDF-1.4\n")
        fh.truncate(10 * 1024 * 1024 + 1)
    text_file = tmp_path / "photo.jpg"
    text_file.write_text("a text file named like a photo", encoding="utf-8")
    before = event_count(station_db, no)
    with qtbot.waitSignal(detail.changed, timeout=10000):
        drop(detail, [big, text_file])
    message = card.error.text()
    assert card.error.isVisible()
    assert '"scan.pdf"' in message
    assert "more than the 10.0 MB" in message and "is not a photo" in message
    assert list_attachments(station_db, no) == [] and event_count(station_db, no) == before
    assert stored_files(station_db) == []
    assert not card.list.isVisible() and card.empty_label.isVisible()


class _Viewer(QObject):
    """The system viewer as Qt reaches it: a handler registered for file URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


def test_enter_opens_the_file_with_the_system_viewer(qtbot: Any, detail: DetailView, station_db: Database,
                                                     tmp_path: Path) -> None:
    no = add_request(station_db, "现场照片", category="policy")
    show(qtbot, detail, uuid_of(station_db, no))
    card = detail.attachments_card
    with qtbot.waitSignals([detail.changed, card.listed], timeout=10000):
        drop(detail, [png(tmp_path / "现场.png")])
    viewer = _Viewer()
    QDesktopServices.setUrlHandler("file", viewer, "open")
    try:
        card.list.setFocus()
        card.list.setCurrentRow(0)
        qtbot.keyClick(card.list, Qt.Key.Key_Return)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(u.toLocalFile()) for u in viewer.opened] == [list_attachments(station_db, no)[0].path]


def test_a_new_scan_is_offered_never_attached_silently(qtbot: Any, detail: DetailView, station_db: Database,
                                                       tmp_path: Path) -> None:
    no = add_request(station_db, "扫描件", category="policy")
    show(qtbot, detail, uuid_of(station_db, no))
    card = detail.attachments_card
    folder = tmp_path / "scans"
    folder.mkdir()
    png(folder / "old.png")  # already there: not offered
    card.set_scanner_folder(str(folder))
    qtbot.waitUntil(lambda: card.scanner_folder == folder, timeout=10000)
    from xuhui_desk.services.station import load_settings_page

    assert load_settings_page(station_db)["scanner_folder"] == str(folder)
    with qtbot.waitSignal(card.offered, timeout=10000, check_params_cb=bool):
        pdf(folder / "scan001.pdf")
    assert card.offer == folder / "scan001.pdf" and card.offer_panel.isVisible()
    assert "scan001.pdf" in card.offer_label.text() and no in card.offer_label.text()
    qtbot.wait(300)
    assert list_attachments(station_db, no) == []  # offered only
    detail.attachments_card.add_button.setFocus()
    with qtbot.waitSignals([detail.changed, card.listed], timeout=10000):
        qtbot.keyClick(detail.attachments_card.add_button, Qt.Key.Key_F8)
    assert [i.name for i in list_attachments(station_db, no)] == ["scan001.pdf"]
    assert card.offer is None and not card.offer_panel.isVisible()

    # Esc declines the next one: nothing attached, not offered again.
    with qtbot.waitSignal(card.offered, timeout=10000, check_params_cb=bool):
        png(folder / "scan002.png")
    card.offer_attach.setFocus()
    qtbot.keyClick(card.offer_attach, Qt.Key.Key_Escape)
    assert card.offer is None
    assert [i.name for i in list_attachments(station_db, no)] == ["scan001.pdf"]


def test_a_file_the_hub_refused_shows_its_reason(qtbot: Any, detail: DetailView, station_db: Database,
                                                tmp_path: Path) -> None:
    no = add_request(station_db, "附件被拒", category="policy")
    uuid = uuid_of(station_db, no)
    show(qtbot, detail, uuid)
    with qtbot.waitSignals([detail.changed, detail.attachments_card.listed], timeout=10000):
        drop(detail, [pdf(tmp_path / "合同.pdf")])
    with station_db.write() as s:  # what the sync round records for a file the hub refused for good
        s.execute(text("UPDATE attachments SET sync_state = 'refused', "
                       "sync_error = 'over the station''s attachment quota'"))
    with qtbot.waitSignal(detail.attachments_card.listed, timeout=10000):
        detail.reload()
    card = detail.attachments_card
    assert "refused" in card.list.item(0).text()
    assert card.refused_label.isVisible()
    assert "“合同.pdf” was refused by the district hub: over the station's attachment quota" in \
        card.refused_label.text()


def test_ctrl_p_in_the_pane_reprints_the_shown_request(qtbot: Any, detail: DetailView, station_db: Database) -> None:
    """Issue 14 §4: the receipt is reprinted from the detail view too, with the queue's choice of
    layout (remembered) and the CLI's builder."""
    from PySide6.QtWidgets import QMenu

    from xuhui_desk.ui.receipt_render import ReceiptPreviewDialog
    from xuhui_desk.ui.reprint import remembered_layout

    no = add_request(station_db, "咨询厂房租金补贴", category="policy", status="in_progress")
    show(qtbot, detail, uuid_of(station_db, no))
    detail.actions_card.note_edit.setFocus()
    qtbot.keyClick(detail.actions_card.note_edit, Qt.Key.Key_P, CTRL)
    menu = detail.reprint_menu
    assert isinstance(menu, QMenu) and menu.activeAction().data() == remembered_layout(station_db) == "thermal"
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(isinstance(w, ReceiptPreviewDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=10000)
    preview = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ReceiptPreviewDialog))
    assert no in preview.windowTitle() and preview._layout == "thermal"
    preview.close()
