"""The dashboard's recompute lease: at most one recompute of a (period, scope, language) at a time
across every hub process on one database.

``console_dashboard_lease`` holds one row per key being recomputed: who holds it (a random
token) and until when (a crashed holder's lease runs out). See
xuhui_desk/hub/console/dashboard_cache.py.

Revision ID: 0009_console_perf
Revises: 0008_hub_policies
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_console_perf"
down_revision = "0008_hub_policies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_dashboard_lease",
        sa.Column("period", sa.String(32), primary_key=True),
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("language", sa.String(8), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("until", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("console_dashboard_lease")
