"""Policies (政策速递): the company profile, the district's policy catalogue, the pushes.

* ``enterprises`` gains the profile facts a policy's conditions read (``xuhui_desk/policies.py``):
  ``industry_code`` (GB/T 4754, normalised like ``I6513``), ``established`` (a date),
  ``registered_in_xuhui``, ``size`` (micro/small/medium/large), ``qualifications`` (a JSON list
  as text: NULL = unknown, ``[]`` = known to hold none), ``employees`` and ``revenue_wan`` (万元).
  Every one is NULLable: an unknown fact is unknown, never false. They travel to the hub in the
  enterprise record's ``profile`` (docs/policies-station.md).
* ``policies``: the catalogue as the hub's feed last gave it, one row per policy (its JSON body,
  the version, when this version arrived, and when the policy first arrived — "new" on Today).
  The station replaces the whole set in one transaction; the catalogue version it holds is the
  ``sync_meta`` key ``policy_catalogue_version``.
* ``policy_pushes``: a policy list handed to a company (printed or told): who, when, which
  policies (id, version, and the title as it was). Immutable; synced like timeline events
  (``sync_state`` pending → sending → synced / error, ``sync_error`` the hub's reason).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_PROFILE_COLUMNS = ("industry_code", "established", "registered_in_xuhui", "size", "qualifications",
                    "employees", "revenue_wan")


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch copy of enterprises: its rows and the search triggers stay as they are).
    op.add_column("enterprises", sa.Column("industry_code", sa.String(16), nullable=True))
    op.add_column("enterprises", sa.Column("established", sa.Date, nullable=True))
    op.add_column("enterprises", sa.Column("registered_in_xuhui", sa.Boolean, nullable=True))
    op.add_column("enterprises", sa.Column("size", sa.String(8), nullable=True))
    op.add_column("enterprises", sa.Column("qualifications", sa.Text, nullable=True))
    op.add_column("enterprises", sa.Column("employees", sa.Integer, nullable=True))
    op.add_column("enterprises", sa.Column("revenue_wan", sa.Float, nullable=True))
    op.create_table(
        "policies",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("first_received_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "policy_pushes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id", ondelete="SET NULL"), nullable=True),
        sa.Column("pushed_by", sa.String(50), nullable=False, server_default=""),
        sa.Column("pushed_at", sa.DateTime, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("policies", sa.JSON, nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("sync_error", sa.Text),
    )
    op.create_index("ix_policy_pushes_enterprise", "policy_pushes", ["enterprise_id"])
    op.create_index("ix_policy_pushes_sync_state", "policy_pushes", ["sync_state"])


def downgrade() -> None:
    op.drop_index("ix_policy_pushes_sync_state", table_name="policy_pushes")
    op.drop_index("ix_policy_pushes_enterprise", table_name="policy_pushes")
    op.drop_table("policy_pushes")
    op.drop_table("policies")
    with op.batch_alter_table("enterprises") as batch:
        for column in reversed(_PROFILE_COLUMNS):
            batch.drop_column(column)
