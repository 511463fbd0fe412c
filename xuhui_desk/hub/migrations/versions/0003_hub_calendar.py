"""Official working-day calendar years the district publishes to its stations.

``xuhui-hub calendar publish FILE`` stores a year here; stations read them from
``GET /api/v1/calendar`` during each sync round (see docs/sync.md, "The district's calendar").

Revision ID: h0003
Revises: h0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "h0003"
down_revision = "h0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("holidays", sa.JSON, nullable=False),
        sa.Column("workdays", sa.JSON, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("published_by", sa.String(50), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
