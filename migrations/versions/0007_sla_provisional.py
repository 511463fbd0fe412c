"""Provisional due dates, and the official calendar years this station received.

``requests.sla_provisional`` is true while a request's SLA due time was counted (partly) on
the provisional working-day calendar of a year whose official holiday notice is not known yet
(see xuhui_desk/services/workdays.py). ``calendar_years`` holds the official years imported
with ``xuhui-desk calendar import`` or published by the district through the hub; they win
over the program's own files, travel with backups, and are what provisional due dates are
recomputed on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch (copy-and-rename) of requests would break the search triggers.
    op.add_column("requests", sa.Column("sla_provisional", sa.Boolean, nullable=False, server_default=sa.text("0")))
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("holidays", sa.JSON, nullable=False),
        sa.Column("workdays", sa.JSON, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("sla_provisional")
