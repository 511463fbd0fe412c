"""The mouse wheel scrolls the page, not the dropdown or number box the pointer passes over.

Qt gives combo boxes and spin boxes (date edits too) the wheel whether or not the user chose
them: scrolling a long pane over 诉求类别 silently picked another category (audit D6). One
application-wide event filter fixes it everywhere, including widgets built later:

* such a widget gets :attr:`Qt.FocusPolicy.StrongFocus` when it is polished (instead of Qt's
  ``WheelFocus``), so the wheel alone never makes it the focus widget;
* a wheel event over one that does not have keyboard focus is ignored, so Qt hands it on to the
  parent widgets and the enclosing scroll area scrolls. After the user clicked or tabbed into
  the box, the wheel changes its value as usual.

:func:`install_wheel_guard` is idempotent: ``create_application`` calls it, and so does any
widget that relies on it (tests build widgets without ``create_application``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

#: objectName of the filter object, a child of the QApplication (how a second install finds it).
GUARD_NAME = "xuhuiWheelGuard"
_GUARDED = (QComboBox, QAbstractSpinBox)


def _guarded(obj: QObject) -> QWidget | None:
    return obj if isinstance(obj, _GUARDED) else None


class WheelGuard(QObject):
    """The application-wide event filter (see the module documentation)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            widget = _guarded(watched)
            if widget is not None and not widget.hasFocus():
                # Ignored and filtered: the widget never sees it, and because it is not accepted
                # QApplication offers it to the parents next (the scroll area's viewport).
                event.ignore()
                return True
        elif kind == QEvent.Type.Polish:
            widget = _guarded(watched)
            if widget is not None and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def install_wheel_guard(app: QApplication | None = None) -> WheelGuard:
    """Install the wheel guard on ``app`` (default: the running QApplication), once.

    Returns the installed filter; calling it again returns the same one and installs nothing.
    """
    app = app or QApplication.instance()  # type: ignore[assignment]
    if not isinstance(app, QApplication):
        raise RuntimeError("the wheel guard needs a QApplication")
    existing = app.findChild(WheelGuard, GUARD_NAME, Qt.FindChildOption.FindDirectChildrenOnly)
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(app)
    guard.setObjectName(GUARD_NAME)
    app.installEventFilter(guard)
    # Widgets polished before the guard existed keep Qt's WheelFocus: give them StrongFocus now.
    for widget in app.allWidgets():
        if isinstance(widget, _GUARDED) and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return guard
