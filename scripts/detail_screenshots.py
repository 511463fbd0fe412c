#!/usr/bin/env python3
"""Screenshots of the queue page with a request open in the detail pane, to look at the pane.

The data folder is filled the way scripts/screenshots.py fills it (intake and workflow
services). Into docs/screenshots/ (or --out):

    detail-WxH-LANG.png          a replied request: the rating box with a dissatisfied choice
                                 and the deadline its rectification would get
    detail-reply-WxH-LANG.png    "→ Replied" chosen: the reply field
    detail-confirm-WxH-LANG.png  the question before a dissatisfied rating is saved
    detail-followup-WxH-LANG.png a request with a recorded contact, an open callback and two
                                 attachments (a photo's thumbnail, a PDF), one refused by the hub
    detail-contact-WxH-LANG.png  the contact form open (Ctrl+K), a scan offered from the scanner folder

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/detail_screenshots.py --size 1024x700 --language en
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--language", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--size", default="1366x768", help="window size WxH")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    width, height = (int(n) for n in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)

    import screenshots as shots  # the project's own data filler and settle()
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication, QWidget
    from sqlalchemy import select

    from xuhui_desk.config import database_path
    from xuhui_desk.db import open_database
    from xuhui_desk.models import Request
    from xuhui_desk.ui.app import create_application
    from xuhui_desk.ui.i18n import install_translators
    from xuhui_desk.ui.main_window import MainWindow, Page
    from xuhui_desk.ui.tasks import TaskRunner

    app = create_application([sys.argv[0]])
    install_translators(args.language)
    suffix = f"{args.size}-{args.language}"
    with tempfile.TemporaryDirectory(prefix="xuhui-detail-shots-") as tmp:
        data_dir = Path(tmp) / "data"
        db = open_database(database_path(data_dir))
        shots.populate(db)
        now = datetime.now(UTC)
        with db.session() as s:
            rows = s.execute(select(Request.uuid, Request.status, Request.sla_due_at).order_by(Request.id)).all()
        in_progress = next(r.uuid for r in rows if r.status == "in_progress" and r.sla_due_at
                           and r.sla_due_at < now - timedelta(days=1))
        replied = next(r.uuid for r in rows if r.status == "replied")
        tasks = TaskRunner()
        window = MainWindow(db, tasks, data_dir)
        window.resize(width, height)
        window.show()
        shots.settle(app, tasks)
        window.show_page(Page.QUEUE)
        shots.settle(app, tasks, 600)
        pane = window.detail_view

        def save(name: str, image: object | None = None) -> None:
            path = args.out / f"{name}-{suffix}.png"
            (image or window.grab()).save(str(path))  # type: ignore[attr-defined]
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

        window.show_request(replied)
        shots.settle(app, tasks, 800)
        pane.actions_card.rating_combo.setCurrentIndex(pane.actions_card.rating_combo.findData(2))
        shots.settle(app, tasks, 600)
        pane.scroll_area.ensureWidgetVisible(pane.actions_card.rating_hint, 0, 40)
        shots.settle(app, tasks, 200)
        save("detail")

        def answer() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QWidget):
                QTimer.singleShot(50, answer)
                return
            shots.settle(app, tasks, 100)
            image = window.grab()
            painter = QPainter(image)
            painter.drawPixmap(window.mapFromGlobal(box.mapToGlobal(box.rect().topLeft())), box.grab())
            painter.end()
            save("detail-confirm", image)
            box.reject()  # "Do not save"

        QTimer.singleShot(100, answer)
        pane.actions_card.rate()
        shots.settle(app, tasks, 1500)

        window.show_request(in_progress)
        shots.settle(app, tasks, 800)
        pane.actions_card.change_status("replied")
        shots.settle(app, tasks, 300)
        pane.scroll_area.ensureWidgetVisible(pane.actions_card.reply_panel, 0, 60)
        shots.settle(app, tasks, 200)
        save("detail-reply")

        # The follow-up half: a contact with a callback, attachments, a scan offered.
        from PySide6.QtGui import QColor, QImage
        from sqlalchemy import text

        from xuhui_desk.services.attachments import add_attachment
        from xuhui_desk.services.followup import record_contact, shanghai_day

        files = Path(tmp) / "files"
        files.mkdir()
        photo = QImage(640, 400, QImage.Format.Format_RGB32)
        photo.fill(QColor("#cfd8dc"))
        painter = QPainter(photo)
        painter.fillRect(60, 60, 520, 280, QColor("#1565c0"))
        painter.fillRect(100, 110, 220, 30, QColor("#ffffff"))
        painter.end()
        photo.save(str(files / ("营业执照.png" if args.language == "zh_CN" else "licence.png")))
        scan = files / ("申请表.pdf" if args.language == "zh_CN" else "application.pdf")
        scan.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 180_000 + b"\n%%EOF\n")
        zh = args.language == "zh_CN"
        callback_day = shanghai_day(now) + timedelta(days=2)
        record_contact(db, in_progress, "phone", "已电话联系王经理，材料清单已发邮件，约定后天回访确认" if zh else
                       "Called Mr Wang; the list of documents was e-mailed; call back to confirm",
                       callback_day)
        for path in sorted(files.iterdir()):
            add_attachment(db, in_progress, path)
        with db.write() as s:
            s.execute(text("UPDATE attachments SET sync_state = 'refused', sync_error = :reason "
                           "WHERE media_type = 'application/pdf'"),
                      {"reason": "超过本站附件配额" if zh else "over the station's attachment quota"})
        pane.actions_card.cancel_reply()
        window.show_request(in_progress)
        shots.settle(app, tasks, 1200)
        pane.scroll_area.ensureWidgetVisible(pane.attachments_card, 0, 10)
        shots.settle(app, tasks, 300)
        save("detail-followup")

        folder = Path(tmp) / "scans"
        folder.mkdir()
        pane.attachments_card.watch_folder(str(folder))
        (folder / "scan0001.pdf").write_bytes(scan.read_bytes())
        shots.settle(app, tasks, 1500)
        pane.contacts_card.open_form()
        pane.contacts_card.summary_edit.setPlainText("企业来电询问进度" if zh else "The company asked how it goes")
        pane.contacts_card.callback_check.setChecked(True)
        shots.settle(app, tasks, 300)
        pane.scroll_area.ensureWidgetVisible(pane.contacts_card.form_panel, 0, 10)
        shots.settle(app, tasks, 200)
        save("detail-contact")
        pane.contacts_card.cancel()

        window.close()
        shots.settle(app, tasks)
        tasks.wait()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
