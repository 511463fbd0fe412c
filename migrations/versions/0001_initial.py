"""Initial schema: station, settings, enterprises, requests, timeline, tracking sequences.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("address", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False, index=True),
        sa.Column("uscc", sa.String(18), unique=True),
        sa.Column("contact_name", sa.String(50), nullable=False, server_default=""),
        sa.Column("phone", sa.String(32), nullable=False, server_default=""),
        sa.Column("park", sa.String(100), nullable=False, server_default=""),
        sa.Column("building", sa.String(100), nullable=False, server_default=""),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("sync_state", sa.String(16), nullable=False, server_default="pending", index=True),
        sa.Column("sync_error", sa.Text),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("tracking_no", sa.String(32), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("subcategory", sa.String(32)),
        sa.Column("department", sa.String(32)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("sla_due_at", sa.DateTime),
        sa.Column("specialist", sa.String(50), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("first_response_at", sa.DateTime),
        sa.Column("resolved_at", sa.DateTime),
        sa.Column("rating", sa.Integer),
        sa.Column("rating_comment", sa.Text),
        sa.Column("linked_request_uuid", sa.String(36)),
        sa.Column("suggested_category", sa.String(16)),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("sync_state", sa.String(16), nullable=False, server_default="pending", index=True),
        sa.Column("sync_error", sa.Text),
    )
    op.create_index("ix_requests_status_due", "requests", ["status", "sla_due_at"])
    op.create_index("ix_requests_created", "requests", ["created_at"])
    op.create_index("ix_requests_category_created", "requests", ["category", "created_at"])
    op.create_index("ix_requests_enterprise_category", "requests", ["enterprise_id", "category"])
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("actor", sa.String(50), nullable=False, server_default=""),
        sa.Column("origin", sa.String(16), nullable=False, server_default="station"),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False, server_default="pending", index=True),
    )
    op.create_table(
        "daily_sequences",
        sa.Column("station_code", sa.String(16), primary_key=True),
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    for table in ("daily_sequences", "request_events", "requests", "enterprises", "settings", "station"):
        op.drop_table(table)
