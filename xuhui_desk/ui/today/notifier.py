"""Desktop notifications before a deadline passes and when a callback is due.

:class:`DeadlineNotifier` looks at the Today lists (:func:`xuhui_desk.services.today.today`)
each time they are read and once a minute: a request still open whose due time comes within
:data:`WARN_BEFORE`, and a callback planned for today, are each announced once (per due time:
a request whose deadline moves is announced again). Never more than one message a minute:
what comes up meanwhile is gathered into the next one ("3 requests are due within the hour").

The message is shown by an injected ``show(title, text)`` function: the main window passes its
tray icon's ``showMessage`` when the desktop has a system tray, and nothing when it has none
(offscreen, some Linux desktops) — then nothing is announced, and the Today page is the place
to look. Tests pass their own function and clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from xuhui_desk.services.timefmt import to_local

if TYPE_CHECKING:
    from xuhui_desk.services.today import Today

# A request is announced this long before its due time.
WARN_BEFORE = timedelta(hours=1)
# At most one message in this long.
MIN_INTERVAL = timedelta(minutes=1)
# Lines named in a gathered message (the rest are counted).
NAMED_LINES = 3

ShowFunction = Callable[[str, str], None]


def aware(value: datetime) -> datetime:
    """A stored time as an aware one (naive values are UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Notice:
    """One thing to announce: a request due soon or a callback due today."""

    kind: str  # "request" or "callback"
    key: tuple[str, ...]
    tracking_no: str
    company: str
    due_at: datetime | None = None


class DeadlineNotifier(QObject):
    """Announces deadlines within the hour and today's callbacks, at most once a minute."""

    def __init__(self, show: ShowFunction | None, parent: QObject | None = None, *,
                 clock: Callable[[], datetime] | None = None, min_interval: timedelta = MIN_INTERVAL,
                 warn_before: timedelta = WARN_BEFORE) -> None:
        super().__init__(parent)
        self._show = show
        self.clock = clock or (lambda: datetime.now(UTC))
        self.min_interval = min_interval
        self.warn_before = warn_before
        self._announced: set[tuple[str, ...]] = set()
        self._pending: list[Notice] = []
        self._last_shown: datetime | None = None
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.flush)

    @property
    def enabled(self) -> bool:
        """False when there is nowhere to show a message (no system tray)."""
        return self._show is not None

    @property
    def pending(self) -> list[Notice]:
        """What waits for the next message (the rate limit holds it back)."""
        return list(self._pending)

    def consider(self, today: Today | None) -> None:
        """Take what became due from ``today``'s lists, and show a message if one may be shown now."""
        if today is None or not self.enabled:
            return
        now = self.clock()
        for line in (*today["due_today"].lines, *today["due_soon"].lines):
            if line.request_uuid is None or line.due_at is None:
                continue
            due = aware(line.due_at)
            if now < due <= now + self.warn_before:
                self._add(Notice("request", ("request", line.request_uuid, due.isoformat()),
                                 line.tracking_no or "", line.company, due))
        for line in today["callbacks_today"].lines:
            self._add(Notice("callback", ("callback", line.request_uuid or "", line.due_on or ""),
                             line.tracking_no or "", line.company))
        self.flush()

    def _add(self, notice: Notice) -> None:
        if notice.key not in self._announced:
            self._announced.add(notice.key)
            self._pending.append(notice)

    def flush(self) -> None:
        """Show what is pending, unless a message was shown less than a minute ago (then later)."""
        if not self._pending or self._show is None:
            return
        now = self.clock()
        if self._last_shown is not None and now - self._last_shown < self.min_interval:
            wait = self.min_interval - (now - self._last_shown)
            if not self._later.isActive():
                self._later.start(max(1, int(wait.total_seconds() * 1000)))
            return
        title, text = self.message(self._pending)
        self._pending = []
        self._last_shown = now
        self._show(title, text)

    def message(self, notices: list[Notice]) -> tuple[str, str]:
        """The title and the text of one message gathering ``notices``."""
        requests = sorted((n for n in notices if n.kind == "request"),
                          key=lambda n: n.due_at or datetime.max.replace(tzinfo=UTC))
        callbacks = [n for n in notices if n.kind == "callback"]
        parts = []
        if len(requests) == 1:
            parts.append(self.tr("A request is due within the hour"))
        elif requests:
            parts.append(self.tr("{count} requests are due within the hour").format(count=len(requests)))
        if len(callbacks) == 1:
            parts.append(self.tr("A callback is due today"))
        elif callbacks:
            parts.append(self.tr("{count} callbacks are due today").format(count=len(callbacks)))
        title = self.tr("; ").join(parts)
        lines = []
        for notice in [*requests, *callbacks][:NAMED_LINES]:
            if notice.due_at is not None:
                lines.append(self.tr("{tracking_no} {company}: due at {time}").format(
                    tracking_no=notice.tracking_no, company=notice.company,
                    time=to_local(notice.due_at).strftime("%H:%M")))
            else:
                lines.append(self.tr("{tracking_no} {company}: call back today").format(
                    tracking_no=notice.tracking_no, company=notice.company))
        rest = len(notices) - NAMED_LINES
        if rest > 0:
            lines.append(self.tr("… and {count} more on the Today page").format(count=rest))
        return title, "\n".join(lines)

