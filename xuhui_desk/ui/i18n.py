"""The GUI's language: Qt Linguist translators for our strings and for Qt's own dialogs.

English is the source language in code (``self.tr("...")``); Simplified Chinese comes
from ``resources/translations/xuhui_desk_zh_CN.qm`` (compiled from the ``.ts`` by
``scripts/build_translations.py``) and Qt's buttons and standard dialogs from Qt's own
``qtbase_zh_CN.qm``. Installing translators posts ``LanguageChange`` to every widget;
the main window is rebuilt on a switch so every page picks up the new language.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from xuhui_desk.config import normalize_language
from xuhui_desk.resources import resource_path

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
CATALOG = "xuhui_desk"
# Qt's own catalogs (buttons of QMessageBox/QWizard/QDialogButtonBox, file dialogs, ...).
QT_CATALOGS = ("qtbase",)
# Ours, for Qt's strings that Qt's catalog misses (the file dialog's "&Look in:"); installed last, so it wins.
QT_OVERRIDES = "qt_overrides"
# Languages offered, with their names written in themselves (never translated).
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}

_installed: list[QTranslator] = []
_current = SOURCE_LANGUAGE


def translations_dir() -> Path:
    return resource_path("translations")


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))




def current_language() -> str:
    """The language the installed translators speak (``en`` when none are installed)."""
    return _current


def install_translators(language: str | None) -> str:
    """Replace the installed translators with those for ``language``; return the language in effect.

    A missing catalog is logged (the program then shows English, never nothing).
    """
    global _current
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_translators() needs a QCoreApplication")
    language = normalize_language(language)
    for translator in _installed:
        QCoreApplication.removeTranslator(translator)
    _installed.clear()
    _current = language
    QLocale.setDefault(QLocale(QLocale.Language.English if language == "en" else QLocale.Language.Chinese,
                               QLocale.Country.UnitedStates if language == "en" else QLocale.Country.China))
    if language == SOURCE_LANGUAGE:
        return language
    ours = QTranslator(app)
    qm = translations_dir() / f"{CATALOG}_{language}.qm"
    if ours.load(str(qm)):
        QCoreApplication.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("translation %s is missing: run scripts/build_translations.py (make translations)", qm)
    for catalog in QT_CATALOGS:
        qt = QTranslator(app)
        if qt.load(f"{catalog}_{language}", str(qt_translations_dir())):
            QCoreApplication.installTranslator(qt)
            _installed.append(qt)
        else:
            log.info("Qt's own %s translation for %s is not available", catalog, language)
    overrides = QTranslator(app)
    if overrides.load(str(translations_dir() / f"{QT_OVERRIDES}_{language}.qm")):
        QCoreApplication.installTranslator(overrides)
        _installed.append(overrides)
    return language

