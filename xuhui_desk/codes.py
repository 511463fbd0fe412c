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
    #: Only a policy push recorded during an intake not saved yet: it goes to the hub with the
    #: request once that is saved, or on its own when the intake is left (never sent while held).
    HELD = "held"
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
    #: A contact with the company (call, visit, message), with an optional planned callback.
    CONTACT = "contact"
    #: A file attached to the request (``data``: sha256, name, size, media_type).
    ATTACHMENT = "attachment"


class SyncErrorKind(enum.StrEnum):
    """Why a sync round failed (``SyncSummary.error_kind``), shared by the sync engine and the GUI."""

    CONFIG = "config"  # no hub address or token, or an address the TLS rule refuses
    BUSY = "busy"  # another round of this station is running
    CANCELLED = "cancelled"
    UNREACHABLE = "unreachable"  # no connection (refused, unknown host, connect timeout)
    TIMEOUT = "timeout"  # connected, but the hub stopped answering
    SERVER = "server"  # the hub answered 5xx
    PROTOCOL = "protocol"  # something answered, but not as a district hub does
    AUTH = "auth"  # the hub refused the station's token
    CONFLICT = "conflict"
    UPGRADE = "upgrade"  # the hub needs a newer program: sync pauses, intake goes on
    INTERNAL = "internal"  # a bug or a broken database (the GUI's own kind for an unexpected failure)

    @property
    def offline(self) -> bool:
        """The hub could not be reached or did not answer as one: the station works offline."""
        return self in (SyncErrorKind.UNREACHABLE, SyncErrorKind.TIMEOUT, SyncErrorKind.SERVER,
                        SyncErrorKind.PROTOCOL)

    @property
    def neutral(self) -> bool:
        """Says nothing about the hub (another round ran, the user cancelled, nothing set up)."""
        return self in (SyncErrorKind.BUSY, SyncErrorKind.CANCELLED, SyncErrorKind.CONFIG)
