"""The console's dashboard cache and, on PostgreSQL, the n-gram indexes of its search.

* ``console_dashboard_cache``: the dashboard's computed figures per (period, scope, language),
  JSON with a schema version and a freshness token (xuhui_desk/hub/console/dashboard_cache.py);
  ``ix_enterprises_changed_at`` makes the newest enterprise change (part of the token) one index
  read.
* PostgreSQL only: ``xuhui_ngrams(text)`` (the distinct 2- and 3-character substrings of a text)
  and GIN indexes over it on the request's searchable text (description and tracking number) and
  the enterprise's (name and credit code), lower-cased — what the inbox search uses to find a
  rare term over the whole district (xuhui_desk/hub/console/search_index.py). The indexes are
  maintained by PostgreSQL itself on every insert and update, whoever writes. Building them on an
  existing district database takes minutes (1,000,000 requests: see benchmarks/README.md).

Revision ID: 0007_hub_dashboard_cache_search
Revises: 0006_attachments
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_hub_dashboard_cache_search"
down_revision = "0006_attachments"
branch_labels = None
depends_on = None

NGRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION xuhui_ngrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
        SELECT substr(t, i, 2) AS g FROM generate_series(1, length(t) - 1) i
        UNION ALL
        SELECT substr(t, i, 3) FROM generate_series(1, length(t) - 2) i
    ) grams
$$
"""
#: The indexed expressions; the search (search_index.py) states them the same way, character for
#: character, so that PostgreSQL matches them to the indexes.
REQUEST_TEXT = "xuhui_ngrams(lower(coalesce(description, '') || chr(10) || tracking_no))"
ENTERPRISE_TEXT = "xuhui_ngrams(lower(name || chr(10) || coalesce(uscc, '')))"


def upgrade() -> None:
    op.create_table(
        "console_dashboard_cache",
        sa.Column("period", sa.String(32), primary_key=True),
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("language", sa.String(8), primary_key=True),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("token", sa.String(200), nullable=False),
        sa.Column("computed_at", sa.DateTime, nullable=False),
        sa.Column("figures", sa.Text, nullable=False),
    )
    op.create_index("ix_enterprises_changed_at", "enterprises", ["changed_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NGRAMS_FUNCTION)
        op.execute(f"CREATE INDEX ix_requests_search_ngrams ON requests USING gin ({REQUEST_TEXT})")
        op.execute(f"CREATE INDEX ix_enterprises_search_ngrams ON enterprises USING gin ({ENTERPRISE_TEXT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_enterprises_search_ngrams")
        op.execute("DROP INDEX IF EXISTS ix_requests_search_ngrams")
        op.execute("DROP FUNCTION IF EXISTS xuhui_ngrams(text)")
    op.drop_index("ix_enterprises_changed_at", table_name="enterprises")
    op.drop_table("console_dashboard_cache")
