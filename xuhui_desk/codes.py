"""The stable codes of the workstation, shared by the database, the command line, the hub and the
GUI: plain ``StrEnum``s with no SQLAlchemy, so that the GUI can use them before the database layer
is imported (start-up) and the hub and the sync protocol agree on them with the station.

The models store them as ``Mapped[Status]`` etc. (``VARCHAR``, the enum's value).
"""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    NEW = "new"
    ROUTED = "routed"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_STATUSES = (Status.NEW, Status.ROUTED, Status.IN_PROGRESS, Status.REPLIED)


class Channel(enum.StrEnum):
    WALK_IN = "walk_in"
    PHONE = "phone"
    VISIT = "visit"


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class SyncState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SYNCED = "synced"
    ERROR = "error"


class Origin(enum.StrEnum):
    STATION = "station"
    HUB = "hub"


class EventKind(enum.StrEnum):
    CREATED = "created"
    ROUTED = "routed"
    REASSIGNED = "reassigned"
    STATUS_CHANGED = "status_changed"
    NOTE = "note"
    REPLY = "reply"
    RATED = "rated"
    EDITED = "edited"
    RECTIFICATION = "rectification"
    DUE_RECOMPUTED = "due_recomputed"
    #: The district console asks the station for more information (``data["text"]``).
    INFO_REQUESTED = "info_requested"
