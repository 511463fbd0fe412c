"""Find the files under ``resources/`` and ``migrations/`` in every way the program is run.

A source checkout keeps them beside the package; a wheel carries them inside it
(``xuhui_desk/resources``); a PyInstaller bundle unpacks them under ``sys._MEIPASS``.
Everything that reads a data file goes through :func:`resource_path`.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates(name: str) -> list[Path]:
    roots = [_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.insert(0, Path(frozen) / "xuhui_desk" / name)
    return roots


@cache
def _root(name: str) -> Path:
    for candidate in _candidates(name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the program's {name}/ folder is missing (looked in {_candidates(name)})")


def resource_path(*parts: str) -> Path:
    """Path of a file under ``resources/`` (it may not exist)."""
    return _root("resources").joinpath(*parts)


def migrations_dir() -> Path:
    """The Alembic environment of the workstation database."""
    return _root("migrations")
