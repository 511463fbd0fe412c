"""Keep PySide6 from holding the source text of every module imported after it.

PySide6 decides, for each module imported after it, whether ``from __feature__ import …`` may
switch that module's Qt API: its check (``_mod_uses_pyside`` in PySide6's embedded
``shibokensupport/feature.py``, PYSIDE-2029) reads the module's whole source with
``inspect.getsource`` and looks for the word "PySide6". ``inspect`` reads through ``linecache``,
which keeps every file it read for the life of the process: in this program about 450 files,
SQLAlchemy's among them — 8.5 million characters held as line strings, about 20 MB of the GUI's
resident memory, and freeing them later does not give the memory back (the strings sit between
the imported modules' own objects).

:func:`scan_sources_without_caching` puts in a check that gives the same answer (the same word
searched in the same file) without keeping the text. It touches a private function of PySide6,
so it is guarded: with a PySide6 that no longer has it, nothing is changed and nothing fails
(``tests/ui/test_source_scan.py`` says so when that happens).
"""

from __future__ import annotations

import sys
from types import ModuleType

#: Where PySide6's feature module is registered once ``PySide6.QtCore`` is imported.
FEATURE_MODULE = "PySide6.support.feature"


def mentions_pyside(module: ModuleType) -> bool:
    """PySide6's answer for ``module`` — does its source file contain "PySide6"? — read once,
    not kept. A module without a readable source file (built in, compiled, inside a bundle's
    archive) gets ``False``, as PySide6's own check gives it."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def scan_sources_without_caching() -> bool:
    """Replace PySide6's per-import source check by :func:`mentions_pyside`; say whether it was
    in place to replace. Call it once, right after PySide6 is first imported."""
    import PySide6.QtCore  # noqa: F401  (registers the feature module)

    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = mentions_pyside  # type: ignore[attr-defined]
    return True
