"""Attachments: photos, scans and PDFs attached to a request (services/attachments.py).

The files themselves live content-addressed in the data folder (``attachments/ab/cdef…``, by
SHA-256); a row here says which request refers to which file, under what name, and whether the
hub has the whole file yet (``sync_state``: pending, synced, refused; ``sync_error`` the hub's
reason for a refusal).

Revision ID: 0011
Revises: 0009 (re-chained at merge after 0010)
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(50), nullable=False, server_default=""),
        # The timeline event that announced the attachment (kind "attachment").
        sa.Column("event_uuid", sa.String(36), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("sync_error", sa.Text),
        sa.UniqueConstraint("request_id", "sha256", name="uq_attachments_request_sha256"),
    )
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])
    op.create_index("ix_attachments_sync_state", "attachments", ["sync_state"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sync_state", table_name="attachments")
    op.drop_index("ix_attachments_sha256", table_name="attachments")
    op.drop_table("attachments")
