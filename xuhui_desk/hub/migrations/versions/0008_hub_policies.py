"""The district's policies (issue 15, docs/policies.md).

* ``policies``: the catalogue, one row per policy id — the current version, ``published`` or
  ``withdrawn``, its body (``Policy.to_json()``), who published / withdrew it and when;
  ``policy_versions``: every published version's body. The catalogue's version (what the
  stations' feed ``GET /api/v1/policies?since=N`` compares) is ``hub_meta`` key
  ``policy_catalogue_version``.
* ``policy_pushes`` / ``policy_push_items``: the lists of policies stations handed to companies
  (``policy_push`` records) and, per policy, the district's follow-up (pushed → applied →
  granted | declined).
* ``enterprises.profile``: the company's profile for matching (JSON text, NULL = nothing known).

Revision ID: 0008_hub_policies
Revises: 0007_hub_dashboard_cache_search
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_hub_policies"
down_revision = "0007_hub_dashboard_cache_search"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("profile", sa.Text, nullable=True))
    op.create_table(
        "policies",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("apply", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime),
        sa.Column("withdrawn_by", sa.String(64)),
        sa.Column("withdraw_reason", sa.Text),
    )
    op.create_index("ix_policies_status", "policies", ["status"])
    op.create_table(
        "policy_versions",
        sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "policy_pushes",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("station_id", BigId, sa.ForeignKey("stations.id"), nullable=False),
        sa.Column("enterprise_id", BigId, sa.ForeignKey("enterprises.id"), nullable=False),
        sa.Column("request_uuid", sa.String(36)),
        sa.Column("pushed_by", sa.String(50), nullable=False),
        sa.Column("pushed_at", sa.DateTime, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_policy_pushes_station_id", "policy_pushes", ["station_id"])
    op.create_index("ix_policy_pushes_enterprise_id", "policy_pushes", ["enterprise_id"])
    op.create_table(
        "policy_push_items",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("push_id", BigId, sa.ForeignKey("policy_pushes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("policy_id", sa.String(40), nullable=False),
        sa.Column("policy_version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("state_by", sa.String(64)),
        sa.Column("state_at", sa.DateTime),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_policy_push_items_push_id", "policy_push_items", ["push_id"])
    op.create_index("ix_policy_push_items_policy", "policy_push_items", ["policy_id", "state"])


def downgrade() -> None:
    op.drop_table("policy_push_items")
    op.drop_table("policy_pushes")
    op.drop_table("policy_versions")
    op.drop_table("policies")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_column("profile")
    op.execute("DELETE FROM hub_meta WHERE key = 'policy_catalogue_version'")
