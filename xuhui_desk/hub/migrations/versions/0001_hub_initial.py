"""The hub's initial schema: stations, records, timeline, applied batches, change feed.

Revision ID: h0001
Revises:
Create Date: 2026-11-27
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "h0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    meta = op.create_table(
        "hub_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False, server_default=""),
    )
    op.bulk_insert(meta, [{"key": "hub_id", "value": str(uuid.uuid4())}])
    op.create_table(
        "stations",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("token_issued_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("last_seen_at", sa.DateTime),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("station_id", BigId, sa.ForeignKey("stations.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("uscc", sa.String(18), index=True),
        sa.Column("contact_name", sa.String(50), nullable=False, server_default=""),
        sa.Column("phone", sa.String(32), nullable=False, server_default=""),
        sa.Column("park", sa.String(100), nullable=False, server_default=""),
        sa.Column("building", sa.String(100), nullable=False, server_default=""),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "requests",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("station_id", BigId, sa.ForeignKey("stations.id"), nullable=False, index=True),
        sa.Column("tracking_no", sa.String(32), nullable=False, unique=True),
        sa.Column("enterprise_id", BigId, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("subcategory", sa.String(32)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("specialist", sa.String(50), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("sla_due_at", sa.DateTime),
        sa.Column("first_response_at", sa.DateTime),
        sa.Column("resolved_at", sa.DateTime),
        sa.Column("rating", sa.Integer),
        sa.Column("rating_comment", sa.Text),
        sa.Column("linked_request_uuid", sa.String(36)),
        sa.Column("suggested_category", sa.String(16)),
        sa.Column("station_status", sa.String(16), nullable=False),
        sa.Column("station_department", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("department", sa.String(32)),
        sa.Column("department_by_district", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reply", sa.Text),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("request_id", BigId, sa.ForeignKey("requests.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("actor", sa.String(50), nullable=False, server_default=""),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "push_batches",
        sa.Column("station_id", BigId, sa.ForeignKey("stations.id"), primary_key=True),
        sa.Column("batch_id", sa.String(36), primary_key=True),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "changes",
        sa.Column("seq", BigId, sa.Identity(), primary_key=True),
        sa.Column("station_id", BigId, sa.ForeignKey("stations.id"), nullable=False),
        sa.Column("request_id", BigId, sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_changes_station_seq", "changes", ["station_id", "seq"])


def downgrade() -> None:
    for table in ("changes", "push_batches", "events", "requests", "enterprises", "stations", "hub_meta"):
        op.drop_table(table)
