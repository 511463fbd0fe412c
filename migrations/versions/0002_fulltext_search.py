"""Full-text search over requests (FTS5, trigram tokenizer), kept current by triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_INSERT_ROW = """
    INSERT INTO request_fts(rowid, tracking_no, enterprise_name, uscc, description)
    SELECT new.id, new.tracking_no, e.name, coalesce(e.uscc, ''), new.description
    FROM enterprises e WHERE e.id = new.enterprise_id;
"""


def upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE request_fts USING fts5("
        "tracking_no, enterprise_name, uscc, description, tokenize='trigram')"
    )
    op.execute(f"CREATE TRIGGER request_fts_ai AFTER INSERT ON requests BEGIN {_INSERT_ROW} END")
    op.execute(
        "CREATE TRIGGER request_fts_au AFTER UPDATE OF tracking_no, enterprise_id, description ON requests "
        f"BEGIN DELETE FROM request_fts WHERE rowid = old.id; {_INSERT_ROW} END"
    )
    op.execute(
        "CREATE TRIGGER request_fts_ad AFTER DELETE ON requests "
        "BEGIN DELETE FROM request_fts WHERE rowid = old.id; END"
    )
    op.execute(
        "CREATE TRIGGER request_fts_enterprise_au AFTER UPDATE OF name, uscc ON enterprises BEGIN "
        "UPDATE request_fts SET enterprise_name = new.name, uscc = coalesce(new.uscc, '') "
        "WHERE rowid IN (SELECT id FROM requests WHERE enterprise_id = new.id); END"
    )
    op.execute(
        "INSERT INTO request_fts(rowid, tracking_no, enterprise_name, uscc, description) "
        "SELECT r.id, r.tracking_no, e.name, coalesce(e.uscc, ''), r.description "
        "FROM requests r JOIN enterprises e ON e.id = r.enterprise_id"
    )


def downgrade() -> None:
    for trigger in ("request_fts_ai", "request_fts_au", "request_fts_ad", "request_fts_enterprise_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS request_fts")
