"""Intake keys: a re-run of an interrupted ``intake --json-lines FILE`` saves no line twice.

Each line taken in from a file (or given a ``client_id``) leaves its key here, written in the
same transaction as its request, so a line is either saved with its key or not at all. The
rule that makes the keys is in DESIGN.md §6 and ``xuhui_desk/services/intake.py``. The table
is the station's own bookkeeping: it is never synced.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_keys",
        # SHA-256 (hex) of the key's parts; ``kind`` says which rule made it ("client" or "line").
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_intake_keys_request", "intake_keys", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_intake_keys_request", table_name="intake_keys")
    op.drop_table("intake_keys")
