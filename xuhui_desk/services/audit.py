"""The workstation's audit log: actions someone may later have to answer for, with the reason given.

An unmasked weekly report (contact names and phone numbers in full) is the first such action.
Entries are append-only and stay on this workstation (they are personal-data accountability,
not district data); a backup carries them with the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from xuhui_desk.db import Database
from xuhui_desk.models import AuditEntry, utcnow
from xuhui_desk.validation import clean_text

#: Action codes (stable; shown translated by the layers above).
UNMASKED_REPORT = "report.unmasked"

REASON_MAX = 500


class ReasonRequired(ValueError):
    """An action that must be justified was asked for without a reason."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: datetime
    actor: str
    action: str
    reason: str
    details: Mapping[str, Any]


def record(db: Database, action: str, *, actor: str, reason: str, details: Mapping[str, Any] | None = None,
           now: datetime | None = None) -> AuditRecord:
    """Append one entry; ``reason`` is required (cleaned, at most :data:`REASON_MAX` characters)."""
    reason = clean_text(reason or "")
    if not reason:
        raise ReasonRequired(action)
    kept = AuditRecord(now or utcnow(), clean_text(actor or "")[:50], action, reason[:REASON_MAX],
                       dict(details or {}))
    with db.write() as session:
        session.add(AuditEntry(at=kept.at, actor=kept.actor, action=kept.action, reason=kept.reason,
                               details=dict(kept.details)))
    return kept


def entries(db: Database, *, action: str | None = None, limit: int = 200) -> list[AuditRecord]:
    """The newest entries first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with db.session() as session:
        return [AuditRecord(e.at, e.actor, e.action, e.reason, dict(e.details)) for e in session.scalars(query)]
