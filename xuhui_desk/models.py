"""The workstation's data: typed SQLAlchemy 2 models.

Times are stored in UTC (naive in SQLite, made aware again on load) and shown in
Asia/Shanghai by the layers above. Codes (status, channel, urgency, sync state) are
stable strings so that the database, the command line and the hub agree on them.
"""

from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# The codes live in xuhui_desk/codes.py (no SQLAlchemy there); re-exported for the many importers.
from xuhui_desk.codes import (  # noqa: E402
    OPEN_STATUSES,
    Channel,
    EventKind,
    Origin,
    Status,
    SyncState,
    Urgency,
)

__all__ = ["OPEN_STATUSES", "Channel", "EventKind", "Origin", "Status", "SyncState", "Urgency"]


class Code(TypeDecorator[str]):
    """A code column (``VARCHAR``): stores the enum's value, loads the enum member, so that
    ``request.status`` is a :class:`~xuhui_desk.codes.Status`. A stored value the enum does not
    know (an older or damaged row) loads as the plain string rather than failing the whole read."""

    impl = String
    cache_ok = True

    def __init__(self, codes: type[enum.StrEnum], length: int = 16) -> None:
        super().__init__(length)
        self.codes = codes

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return self.codes(value)
        except ValueError:
            return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Station(Base):
    """This workstation's station (one row)."""

    __tablename__ = "station"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Enterprise(Base):
    __tablename__ = "enterprises"
    #: Lists sorted by company name walk this index (pinyin order, then the name: 东 before 冬).
    __table_args__ = (Index("ix_enterprises_name_sort", "name_sort", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    #: Normalised name used to recognise an enterprise without a credit code.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    #: The name's pinyin sort key (services.pinyin_order), written with the name by the services.
    name_sort: Mapped[str] = mapped_column(String(1000), server_default="")
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    park: Mapped[str] = mapped_column(String(100), default="")
    building: Mapped[str] = mapped_column(String(100), default="")
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    revision: Mapped[int] = mapped_column(default=1)
    #: The last revision the hub acknowledged (None: the hub has never seen it).
    synced_revision: Mapped[int | None]
    sync_state: Mapped[SyncState] = mapped_column(Code(SyncState), default=SyncState.PENDING, index=True)
    sync_error: Mapped[str | None] = mapped_column(Text)
    # The profile facts policies are matched on (migration 0012; services/policies.py reads and
    # writes them as a policies.CompanyProfile). NULL is "unknown", never "no".
    #: GB/T 4754 industry code, normalised (``I6513``).
    industry_code: Mapped[str | None] = mapped_column(String(16))
    established: Mapped[date | None] = mapped_column(Date)
    registered_in_xuhui: Mapped[bool | None]
    #: One of policies.SIZES.
    size: Mapped[str | None] = mapped_column(String(8))
    #: A JSON list as text: NULL unknown, ``[]`` known to hold none.
    qualifications: Mapped[str | None] = mapped_column(Text)
    employees: Mapped[int | None]
    revenue_wan: Mapped[float | None] = mapped_column(Float)

    requests: Mapped[list[Request]] = relationship(back_populates="enterprise")


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_status_due", "status", "sla_due_at"),
        Index("ix_requests_created", "created_at"),
        Index("ix_requests_category_created", "category", "created_at"),
        Index("ix_requests_enterprise_category", "enterprise_id", "category"),
        #: Today's "low ratings waiting for rectification" (migration 0010).
        Index("ix_requests_rating_status", "rating", "status"),
        #: The company file: a company's requests by status without reading their rows (migration 0010).
        Index("ix_requests_enterprise_status_due", "enterprise_id", "status", "sla_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    tracking_no: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    channel: Mapped[Channel] = mapped_column(Code(Channel), default=Channel.WALK_IN)
    category: Mapped[str] = mapped_column(String(16))
    subcategory: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(Code(Urgency), default=Urgency.NORMAL)
    status: Mapped[Status] = mapped_column(Code(Status), default=Status.NEW, index=True)
    sla_due_at: Mapped[datetime | None]
    #: The due time was counted (partly) on a provisional calendar year (services/workdays.py).
    sla_provisional: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    specialist: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    #: A request this one was linked to instead of being a duplicate.
    linked_request_uuid: Mapped[str | None] = mapped_column(String(36))
    #: The routing suggestion at intake (to learn from overrides).
    suggested_category: Mapped[str | None] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(default=1)
    #: The last revision the hub acknowledged (None: the hub has never seen it).
    synced_revision: Mapped[int | None]
    sync_state: Mapped[SyncState] = mapped_column(Code(SyncState), default=SyncState.PENDING, index=True)
    sync_error: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Enterprise] = relationship(back_populates="requests", lazy="joined")
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )


class RequestEvent(Base):
    """Append-only timeline of a request; merged with the hub by ``uuid``."""

    __tablename__ = "request_events"
    #: The company file's contacts: only ``contact`` events (migration 0010; queries must say
    #: ``kind = 'contact'`` as a literal for SQLite to use a partial index).
    __table_args__ = (Index("ix_request_events_contact", "request_id", sqlite_where=text("kind = 'contact'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(Code(EventKind, 24))
    actor: Mapped[str] = mapped_column(String(50), default="")
    origin: Mapped[Origin] = mapped_column(Code(Origin), default=Origin.STATION)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sync_state: Mapped[SyncState] = mapped_column(Code(SyncState), default=SyncState.PENDING, index=True)

    request: Mapped[Request] = relationship(back_populates="events")


class RoutingCorrection(Base):
    """A specialist chose another category than the router suggested."""

    __tablename__ = "routing_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    suggested: Mapped[str | None] = mapped_column(String(16))
    chosen: Mapped[str] = mapped_column(String(16))
    specialist: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarYear(Base):
    """An official working-day calendar year this station received (imported or from the hub)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text)
    holidays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates
    workdays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates (weekend days worked)
    #: SHA-256 of the canonical content: the same year arriving again changes nothing.
    digest: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16))  # "import" or "hub"
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailySequence(Base):
    """Last tracking-number sequence used per station and Shanghai calendar day."""

    __tablename__ = "daily_sequences"

    station_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SyncMeta(Base):
    """Sync bookkeeping: pull cursor, last success, clock skew, pause reason."""

    __tablename__ = "sync_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class SyncBatch(Base):
    """The outbox: one row per batch sent to the hub (its id is the idempotency key)."""

    __tablename__ = "sync_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=SyncState.SENDING)
    record_count: Mapped[int] = mapped_column(default=0)
    byte_count: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """Something done at this workstation that someone may later have to answer for (an unmasked
    report, a restore): who, what, when, and the reason given. Append-only; never synced."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Callback(Base):
    """A callback a specialist planned on a ``contact`` event (services/followup.py): open
    (``done_at`` is None) until a later contact on the same request or an explicit "done".
    The station's own to-do list, derived from its timeline: never synced (the ``contact``
    event that planned it is)."""

    __tablename__ = "callbacks"
    __table_args__ = (
        #: Today's callbacks (due today or overdue) walk only the open ones, by day.
        Index("ix_callbacks_open_due", "due_on", sqlite_where=text("done_at IS NULL")),
        Index("ix_callbacks_request", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    #: The ``contact`` event that planned it.
    event_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    #: The day to call back (Shanghai calendar day, ISO ``YYYY-MM-DD``).
    due_on: Mapped[str] = mapped_column(String(10))
    #: Who planned it (the specialist whose list it is on).
    specialist: Mapped[str] = mapped_column(String(50), default="")
    planned_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(50))
    #: The later ``contact`` event that closed it (None: marked done without a contact).
    done_event_uuid: Mapped[str | None] = mapped_column(String(36))


class ReplyTemplate(Base):
    """A ready-made reply text of one category, as the station lead edited it
    (services/followup.py); a category with no rows uses the texts shipped in
    ``resources/replies/replies.toml``. Never synced."""

    __tablename__ = "reply_templates"

    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(50), default="")


class StationPolicy(Base):
    """A policy of the district's catalogue as this station last received it (the hub's feed,
    services/policies.py): the whole set is replaced in one transaction per new catalogue version."""

    __tablename__ = "policies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    #: ``Policy.to_json()`` as JSON text.
    body: Mapped[str] = mapped_column(Text)
    #: When this version arrived.
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the policy first arrived at this station (Today's "new policy").
    first_received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyPush(Base):
    """A list of policies handed to a company (printed or told): immutable, synced to the hub as a
    ``policy_push`` record (like a timeline event: pending → sending → synced / error)."""

    __tablename__ = "policy_pushes"
    __table_args__ = (Index("ix_policy_pushes_enterprise", "enterprise_id"),
                      Index("ix_policy_pushes_sync_state", "sync_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    #: The intake during which the list was handed over, if any.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id", ondelete="SET NULL"))
    pushed_by: Mapped[str] = mapped_column(String(50), default="")
    pushed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: ``print_thermal`` | ``print_a5`` | ``told``.
    channel: Mapped[str] = mapped_column(String(16))
    #: ``[{"id", "version", "title"}, …]`` (the title as it was when handed over).
    policies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sync_state: Mapped[SyncState] = mapped_column(Code(SyncState), default=SyncState.PENDING)
    sync_error: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Enterprise] = relationship()
