"""The timeline of one request, newest first: each event's time, kind, who and where (station or
district hub), and what it changed in words (:meth:`TimelineView.event_text`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from xuhui_desk.services import labels
from xuhui_desk.services.request_detail import EventView
from xuhui_desk.services.timefmt import display
from xuhui_desk.ui.detail.file_size import file_size_text
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.queue.model import taxonomy_label


class TimelineView(QWidget):
    """The events of a request as rows (``#eventRow``; a hub event is marked by its colour)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = current_language()
        self._texts: list[str] = []
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(6)

    def rows(self) -> list[str]:
        """The timeline as shown, newest first: one text (heading and body) per event."""
        return list(self._texts)

    def show_events(self, events: Sequence[EventView], language: str) -> None:
        """Show ``events`` (in recorded order) newest first, in ``language``."""
        self._language = language
        self._texts = []
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for event in reversed(events):  # newest first: the latest reply is seen without scrolling
            row = QFrame()
            row.setObjectName("eventRow")
            row.setProperty("origin", event.origin)
            inner = QVBoxLayout(row)
            inner.setContentsMargins(10, 2, 4, 2)
            inner.setSpacing(1)
            head = QLabel(" · ".join(p for p in (
                display(event.occurred_at), labels.event_label(event.kind, language), event.actor,
                labels.origin_label(event.origin, language)) if p))
            head.setObjectName("eventHead")
            head.setWordWrap(True)
            inner.addWidget(head)
            text = self.event_text(event)
            self._texts.append(head.text() + ("\n" + text if text else ""))
            if text:
                body = QLabel(text)
                body.setObjectName("eventText")
                body.setWordWrap(True)
                body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                inner.addWidget(body)
            self._rows.addWidget(row)

    def event_text(self, event: EventView) -> str:
        """What an event changed, in words."""
        lang = self._language
        d = event.data
        status = labels.status_label
        parts: list[str] = []
        if event.kind == "created":
            if d.get("department"):
                parts.append(self.tr("Category {category}, department {department}").format(
                    category=taxonomy_label(d.get("category"), lang) or "—",
                    department=taxonomy_label(d.get("department"), lang)))
            elif d.get("category"):
                parts.append(self.tr("Category {category}").format(category=taxonomy_label(d["category"], lang)))
        elif event.kind == "routed":
            parts.append(self.tr("Category {old} → {new}").format(
                old=taxonomy_label(d.get("from_category"), lang) or "—",
                new=taxonomy_label(d.get("category"), lang) or "—"))
            if d.get("department") != d.get("from_department"):
                parts.append(self.tr("department {old} → {new}").format(
                    old=taxonomy_label(d.get("from_department"), lang) or "—",
                    new=taxonomy_label(d.get("department"), lang) or "—"))
        elif event.kind == "reassigned":
            parts.append(self.tr("Department {old} → {new}").format(
                old=taxonomy_label(d.get("from_department"), lang) or "—",
                new=taxonomy_label(d.get("department"), lang) or "—"))
        elif event.kind == "rated":
            rating = d.get("rating")
            parts.append(self.tr("{label} ({value})").format(label=labels.rating_label(rating, lang), value=rating))
            if d.get("comment"):
                parts.append(str(d["comment"]))
        elif event.kind == "rectification":
            due = d.get("due")
            when = display(datetime.fromisoformat(due)) if isinstance(due, str) else ""
            parts.append(self.tr("Reopened after a dissatisfied rating; rectification due {due}").format(due=when))
        elif event.kind == "due_recomputed":
            def shown(value: object) -> str:
                return display(datetime.fromisoformat(value)) if isinstance(value, str) else "—"

            text = self.tr("Due date recounted on the official calendar: {old} → {new}") if not d.get("provisional") \
                else self.tr("Due date recounted: {old} → {new} (still provisional)")
            parts.append(text.format(old=shown(d.get("old_due")), new=shown(d.get("new_due"))))
        elif event.kind == "contact":
            # "Phone: summary", then the callback planned by it (services/followup.py).
            parts.append(self.tr("{channel}: {summary}").format(
                channel=labels.channel_label(d.get("channel"), lang) or "—", summary=d.get("summary") or ""))
            if d.get("callback_on"):
                parts.append(self.tr("Callback planned for {day}").format(day=d["callback_on"]))
        elif event.kind == "attachment":
            parts.append(self.tr("{name} ({size})").format(name=d.get("name") or "—",
                                                          size=file_size_text(d.get("size"))))
        elif event.kind == "edited":
            names = {"description": self.tr("description"), "channel": self.tr("channel"),
                     "urgency": self.tr("urgency")}
            fields = [names.get(f, f) for f in d.get("fields", [])]
            parts.append(self.tr("Corrected: {fields}").format(fields=self.tr(", ").join(fields)))
        if "status" in d and event.kind not in ("created", "rectification"):
            parts.append(self.tr("Status {old} → {new}").format(
                old=status(d.get("from"), lang) or "—", new=status(d.get("status"), lang)))
        for key in ("text", "reply"):
            if d.get(key):
                parts.append(str(d[key]))
        note = d.get("note")
        if note and note != "rated":
            parts.append(str(note))
        elif note == "rated":
            parts.append(self.tr("(closed by the enterprise's rating)"))
        return "\n".join(parts)
