"""What a sync round is told (:class:`SyncOptions`) and what it tells: :class:`SyncProgress`
while it runs, :class:`SyncSummary` when it ends."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from xuhui_desk.codes import SyncErrorKind


@dataclass
class SyncOptions:
    """Engineering limits of a round (the hub's advertised limits lower them further)."""

    batch_records: int = 200
    batch_bytes: int = 256 * 1024
    pull_limit: int = 500
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    health_timeout: float = 5.0
    #: Attempts per call for transient failures (connection errors, 5xx, 429).
    attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    #: A single record timing out is quarantined at most this often per round, then the round stops.
    max_timeout_quarantines: int = 3
    #: Push passes per round (records re-queued in a pass — edited in flight, re-based — go in the next).
    passes: int = 3
    gzip_min_bytes: int = 1024
    skew_warning_seconds: float = 120.0
    #: A crashed round's lease is taken over after this long even if its process id seems alive.
    lease_seconds: float = 600.0


@dataclass(frozen=True)
class SyncProgress:
    """Reported to the ``progress`` callback (on the syncing thread)."""

    phase: str  # "checking", "pushing", "pulling", "finished"
    done: int = 0
    total: int = 0
    message: str = ""


@dataclass
class SyncSummary:
    """What a round did. ``ok`` is False when the round stopped early; ``error`` says why."""

    ok: bool = True
    pushed: int = 0
    duplicates: int = 0
    rejected: int = 0
    pulled: int = 0
    #: Records still waiting to be sent after the round (enterprises, requests, timeline events).
    pending: int = 0
    #: Records quarantined (sync_state "error"), now in total.
    in_error: int = 0
    batches: int = 0
    rebased: int = 0
    error: str | None = None
    #: A :class:`~xuhui_desk.codes.SyncErrorKind`, or None.
    error_kind: SyncErrorKind | None = None
    errors: list[str] = field(default_factory=list)
    skew_seconds: float | None = None
    skew_warning: str | None = None
    paused: str | None = None
    #: Changes from the hub's feed that failed the checks and were quarantined (not applied).
    quarantined: int = 0
    #: The round talked to the hub without TLS (allowed by the ``allow_insecure_hub`` setting).
    insecure: bool = False
    #: The district's policy catalogue changed in this round (the directory is worth re-matching).
    policies_changed: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("started_at", "finished_at"):
            value = out[key]
            out[key] = value.isoformat() if value is not None else None
        return out

