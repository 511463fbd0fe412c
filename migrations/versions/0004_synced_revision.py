"""Remember the last revision the hub acknowledged, per request and enterprise.

An edit made while a batch is in flight bumps ``revision`` past ``synced_revision``,
so the record stays pending; intake fields may be edited until the hub has seen one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("synced_revision", sa.Integer))
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("synced_revision", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("synced_revision")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_column("synced_revision")
