"""The district console: users, sessions, throttles (login and tracking-code failures), audit log,
and the indexes of the console's queries on the sync tables.

Revision ID: 0004_hub_console
Revises: h0003
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_hub_console"
down_revision = "h0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(50), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("departments", sa.JSON, nullable=False),
        sa.Column("station_code", sa.String(16)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("password_changed_at", sa.DateTime, nullable=False),
        sa.Column("disabled_at", sa.DateTime),
        sa.Column("last_login_at", sa.DateTime),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", BigId, sa.ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
        sa.Column("ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
    )
    op.create_table(
        "console_throttle",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("window_start", sa.DateTime, nullable=False),
        sa.Column("last_failure_at", sa.DateTime),
        sa.Column("locked_until", sa.DateTime),
    )
    op.create_table(
        "console_audit",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("username", sa.String(64), nullable=False, server_default=""),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(64), nullable=False, server_default=""),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_console_audit_at", "console_audit", ["at"])
    op.create_table(
        "console_station_pulls",
        sa.Column("station_id", BigId, sa.ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("last_pull_at", sa.DateTime, nullable=False),
        sa.Column("cursor", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index("ix_requests_department_id", "requests", ["department", "id"])
    op.create_index("ix_requests_status_due", "requests", ["status", "sla_due_at"])
    op.create_index("ix_requests_department_status_due", "requests", ["department", "status", "sla_due_at"])
    op.create_index("ix_requests_created_at", "requests", ["created_at"])
    op.create_index("ix_events_kind_occurred", "events", ["kind", "occurred_at"])
    # The roll-up's candidate rows (report_rows.hub_rows), which the dashboard reads, select by
    # these times: without indexes each read scans every request and event of the district.
    op.create_index("ix_events_occurred_at", "events", ["occurred_at"])
    op.create_index("ix_events_received_at", "events", ["received_at"])
    op.create_index("ix_requests_changed_at", "requests", ["changed_at"])
    op.create_index("ix_requests_updated_at", "requests", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_requests_updated_at", "requests")
    op.drop_index("ix_requests_changed_at", "requests")
    op.drop_index("ix_events_received_at", "events")
    op.drop_index("ix_events_occurred_at", "events")
    op.drop_index("ix_events_kind_occurred", "events")
    op.drop_index("ix_requests_created_at", "requests")
    op.drop_index("ix_requests_department_status_due", "requests")
    op.drop_index("ix_requests_status_due", "requests")
    op.drop_index("ix_requests_department_id", "requests")
    op.drop_table("console_station_pulls")
    op.drop_index("ix_console_audit_at", "console_audit")
    op.drop_table("console_audit")
    op.drop_table("console_throttle")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
