"""The Chinese font shipped with the program, so Chinese renders where no Chinese font is installed.

``resources/fonts`` holds a subset of Noto Sans CJK SC (see its README.md); it is
registered with Qt as an application font, used by the GUI and embedded in the PDF
receipts, and travels inside the PyInstaller bundle with the other resources.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from xuhui_desk.resources import resource_path

log = logging.getLogger(__name__)

FONT_FILES = ("NotoSansSC-Regular.otf", "NotoSansSC-Bold.otf")
FAMILY = "Xuhui Desk Sans SC"

_font_ids: list[int] = []


def install_app_fonts() -> str:
    """Register the shipped fonts with Qt (once) and return their family name.

    Needs a ``QGuiApplication``. Calling it again is cheap and registers nothing
    twice. If the font files are missing or unreadable the problem is logged and
    the platform's default family is returned, so the program still starts.
    """
    if QGuiApplication.instance() is None:
        raise RuntimeError("install_app_fonts() needs a QGuiApplication; create it first")
    if _font_ids and all(QFontDatabase.applicationFontFamilies(font_id) for font_id in _font_ids):
        return FAMILY
    _font_ids.clear()
    families: set[str] = set()
    for name in FONT_FILES:
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
        if font_id < 0:
            log.warning("could not load the shipped font %s", path)
            continue
        _font_ids.append(font_id)
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    if FAMILY in families:
        return FAMILY
    fallback = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
    log.warning("the shipped Chinese font is not available; using %s", fallback)
    return fallback


def with_app_font(font: QFont) -> QFont:
    """A copy of ``font`` that tries the shipped family first, then the families ``font`` had.

    Use it for the application font: ``app.setFont(with_app_font(app.font()))``.
    """
    family = install_app_fonts()
    result = QFont(font)
    result.setFamilies([family, *(f for f in font.families() if f != family)])
    return result
