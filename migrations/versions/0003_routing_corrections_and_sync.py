"""Routing corrections (the router learns from them) and sync bookkeeping.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("suggested", sa.String(16)),
        sa.Column("chosen", sa.String(16), nullable=False),
        sa.Column("specialist", sa.String(50), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sync_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "sync_batches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("byte_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("error", sa.Text),
    )


def downgrade() -> None:
    for table in ("sync_batches", "sync_meta", "routing_corrections"):
        op.drop_table(table)
