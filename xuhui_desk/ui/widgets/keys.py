"""Keyboard shortcuts shown on screen: a key as the platform spells it, and the small key-cap label."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QSizePolicy


def key_text(sequence: str) -> str:
    """``"Ctrl+S"`` as this platform writes it (``⌘S`` on a Mac)."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def key_hint(sequence: str) -> QLabel:
    """A small key-cap label (object name ``keyHint``, styled by the application's style sheet)."""
    label = QLabel(key_text(sequence))
    label.setObjectName("keyHint")
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return label
