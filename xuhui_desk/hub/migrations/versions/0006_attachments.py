"""Attachments: the files stations upload, kept in the hub database in chunks
(xuhui_desk/hub/attachments.py, docs/attachments.md).

``attachment_files``: one row per station and SHA-256 (a file is sent once by a station however
many of its requests refer to it); ``received`` is the upload's offset, ``complete`` is set only
after the whole file's SHA-256 was checked. ``attachment_chunks``: the file's bytes, by position
(the offset of the chunk).

Revision ID: 0006_attachments
Revises: 0004_hub_console (re-chained at merge)
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_attachments"
down_revision = "0004_hub_console"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "attachment_files",
        sa.Column("station_id", BigId, sa.ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("complete", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("completed_at", sa.DateTime),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column("station_id", BigId, primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.ForeignKeyConstraint(["station_id", "sha256"], ["attachment_files.station_id", "attachment_files.sha256"],
                                ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("attachment_chunks")
    op.drop_table("attachment_files")
