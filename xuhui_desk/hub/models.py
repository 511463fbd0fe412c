"""The district hub's own data: stations, their records, the change feed.

Separate metadata from the workstation's (a hub database is another database). Times are
stored as UTC; the hub's own times (``received_at``, ``changed_at``) are the only ones it
orders anything by, together with its sequences.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from xuhui_desk.models import UTCDateTime, utcnow

#: Integer primary keys that are 64-bit on PostgreSQL and SQLite's rowid on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class HubBase(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class HubMeta(HubBase):
    """Key/value facts about this hub database (``hub_id``: a stable identity for clients)."""

    __tablename__ = "hub_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class HubStation(HubBase):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    #: SHA-256 of the bearer token (tokens are 256-bit random: a fast hash is enough).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    token_issued_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]


class HubEnterprise(HubBase):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    park: Mapped[str] = mapped_column(String(100), default="")
    building: Mapped[str] = mapped_column(String(100), default="")
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The company's profile for policy matching as the station last sent it: the JSON text of
    #: ``policies.CompanyProfile.to_json()`` (NULL: nothing known; migration 0008).
    profile: Mapped[str | None] = mapped_column(Text)


class HubRequest(HubBase):
    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id"), index=True)
    tracking_no: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprises.id"), index=True)
    # What the station recorded (the station owns these).
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    subcategory: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16))
    specialist: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sla_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    linked_request_uuid: Mapped[str | None] = mapped_column(String(36))
    suggested_category: Mapped[str | None] = mapped_column(String(16))
    #: The status and department as the station last sent them (its proposals).
    station_status: Mapped[str] = mapped_column(String(16))
    station_department: Mapped[str | None] = mapped_column(String(32))
    # The effective values (hub-owned; see docs/sync.md "Field ownership").
    status: Mapped[str] = mapped_column(String(16), index=True)
    department: Mapped[str | None] = mapped_column(String(32))
    department_by_district: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    station: Mapped[HubStation] = relationship()
    enterprise: Mapped[HubEnterprise] = relationship()


class HubEvent(HubBase):
    """Timeline events of both origins, merged by ``uuid``; ``id`` is the hub's arrival order."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    request_id: Mapped[int] = mapped_column(BigId, ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(50), default="")
    origin: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[HubRequest] = relationship()


class HubBatch(HubBase):
    """A batch already applied, with the answer given: a retried batch id gets the same answer."""

    __tablename__ = "push_batches"

    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class HubChange(HubBase):
    """The change feed: one row per hub-side change of a request, per station.

    ``seq`` comes from an identity column (PostgreSQL) / AUTOINCREMENT rowid (SQLite). Every
    transaction that appends to a station's feed first takes that station's lock (a
    transaction-level advisory lock on PostgreSQL; SQLite's single writer), so a station's
    changes commit in ``seq`` order and a cursor never skips a change that commits late.
    """

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_station_seq", "station_id", "seq"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = mapped_column(BigId, Identity(), primary_key=True)
    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id"))
    request_id: Mapped[int] = mapped_column(BigId, ForeignKey("requests.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[HubRequest] = relationship()


# --- the district console (xuhui_desk/hub/console; docs/console.md) ---------------------------
# Sessions, login failures and rate limits live here, not in a process's memory: several hub
# processes may serve one database behind a load balancer.

class ConsoleUser(HubBase):
    """A person who signs in to the console: admin, coordinator, handler or viewer."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    #: argon2id hash (PHC string) of the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    #: Department codes a handler works for (the taxonomy's), e.g. ["finance_center"].
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: A viewer limited to one station (None: every station).
    station_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class ConsoleSession(HubBase):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class ConsoleThrottle(HubBase):
    """Failures counted per key (``login-user:NAME``, ``login-ip:ADDR``, ``track-ip:ADDR``,
    ``track-no:TRACKING_NO``) in a window, and the time the key is locked until."""

    __tablename__ = "console_throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class ConsoleAudit(HubBase):
    """Every console action: who, what, on what, when, from where. Append-only."""

    __tablename__ = "console_audit"
    __table_args__ = (Index("ix_console_audit_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class ConsoleStationPull(HubBase):
    """A station's last pull of its change feed, as the console sees it (the sync API records
    only pushes): when, and the cursor it asked from — everything at or below that cursor is
    applied at the station, so the feed entries above it are what is still waiting."""

    __tablename__ = "console_station_pulls"

    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    last_pull_at: Mapped[datetime]
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)


class ConsoleDashboardCache(HubBase):
    """The dashboard's computed figures of a period (week label or date range) for a scope (a
    station code, or "" for the district) and language, as JSON, with the schema version and the
    freshness token they were computed at (:mod:`xuhui_desk.hub.console.dashboard_cache`; in the
    database so that every hub process on one PostgreSQL serves them; migration 0007)."""

    __tablename__ = "console_dashboard_cache"

    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(200))
    computed_at: Mapped[datetime]
    figures: Mapped[str] = mapped_column(Text)


# --- the district's policies (issue 15; xuhui_desk/hub/policies.py; docs/policies.md) ----------

class HubPolicy(HubBase):
    """A policy of the catalogue as it stands: its current version and body (``Policy.to_json()``),
    published or withdrawn. Every version's body is kept in :class:`HubPolicyVersion`."""

    __tablename__ = "policies"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    #: ``published`` or ``withdrawn`` (a withdrawn policy leaves the stations' feed).
    status: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(64))
    apply: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(64), default="")
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)


class HubPolicyVersion(HubBase):
    """One published version of a policy, as it was (the history the console shows)."""

    __tablename__ = "policy_versions"

    policy_id: Mapped[str] = mapped_column(String(40), ForeignKey("policies.id", ondelete="CASCADE"),
                                           primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(64), default="")


class HubPolicyPush(HubBase):
    """A list of policies a station's specialist handed to a company (a ``policy_push`` record)."""

    __tablename__ = "policy_pushes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprises.id"), index=True)
    request_uuid: Mapped[str | None] = mapped_column(String(36))
    pushed_by: Mapped[str] = mapped_column(String(50), default="")
    pushed_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    station: Mapped[HubStation] = relationship()
    enterprise: Mapped[HubEnterprise] = relationship()
    items: Mapped[list[HubPolicyPushItem]] = relationship(back_populates="push", order_by="HubPolicyPushItem.id")


class HubPolicyPushItem(HubBase):
    """One policy of a push and the district's follow-up of it: ``pushed`` → ``applied`` →
    ``granted`` | ``declined`` (who set it, when, a note)."""

    __tablename__ = "policy_push_items"
    __table_args__ = (Index("ix_policy_push_items_policy", "policy_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    push_id: Mapped[int] = mapped_column(BigId, ForeignKey("policy_pushes.id", ondelete="CASCADE"), index=True)
    #: No foreign key: a station may name a version the hub has since replaced or withdrawn.
    policy_id: Mapped[str] = mapped_column(String(40))
    policy_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="pushed")
    state_by: Mapped[str | None] = mapped_column(String(64))
    state_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)

    push: Mapped[HubPolicyPush] = relationship(back_populates="items")


# Indexes of the console's queries on the sync tables (created by migration 0004_hub_console):
# a department's inbox newest first, open requests by due time, a station's timeline by kind.
Index("ix_requests_department_id", HubRequest.department, HubRequest.id)
Index("ix_requests_status_due", HubRequest.status, HubRequest.sla_due_at)
Index("ix_requests_department_status_due", HubRequest.department, HubRequest.status, HubRequest.sla_due_at)
Index("ix_requests_created_at", HubRequest.created_at)
Index("ix_events_kind_occurred", HubEvent.kind, HubEvent.occurred_at)
Index("ix_events_occurred_at", HubEvent.occurred_at)
Index("ix_events_received_at", HubEvent.received_at)
Index("ix_requests_changed_at", HubRequest.changed_at)
Index("ix_requests_updated_at", HubRequest.updated_at)
# The newest enterprise change, read for the dashboard cache's token (migration 0007).
Index("ix_enterprises_changed_at", HubEnterprise.changed_at)
