"""Guards against a broken Qt binding: PySide6 6.12.0 dropped a reference to None on every
call of a void method, which aborts CPython 3.11 after a few thousand calls."""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont


def test_void_calls_keep_none_alive(qapp: object) -> None:
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(500):
        font.setBold(True)
    assert sys.getrefcount(None) >= before - 50
