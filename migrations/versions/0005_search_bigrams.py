"""A bigram index for two-character searches, kept current by the same kind of triggers as request_fts.

The trigram index (0002) cannot answer a two-character term such as 贷款 or 落户, which are
the most common searches typed at the counter. ``request_bigram`` is an FTS5 index whose
tokens are the overlapping two-character pieces of each field of a request's searchable
text (tracking number, enterprise name, credit code, description): 融资担保 → 融资 资担 担保 保.
A two-character term is then one token lookup; a one-character term a prefix query.

The pieces are cut in SQL, by joining with ``search_positions`` (1 … 8192), so no
application function is needed: the triggers work from any SQLite connection. The
index's external content is the view ``request_bigram_src``, which computes the same
text; it allows ``'rebuild'`` (the backfill below) and ``'integrity-check'``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Longer texts are indexed up to this many characters (descriptions are limited to 4000).
POSITIONS = 8192


def _field_grams(value: str) -> str:
    # Walked in position order (the primary key), so the same text always gives the same tokens;
    # the last character stands alone, so a one-character prefix query finds it too.
    return (
        f"coalesce((SELECT group_concat(substr({value}, p.n, 2), ' ') FROM search_positions p "
        f"WHERE p.n <= length({value})), '')"
    )


def _grams(request: str, name: str, uscc: str) -> str:
    """The bigram tokens of a request's searchable text, field by field (no piece spans two fields)."""
    fields = (f"{request}.tracking_no", name, uscc, f"{request}.description")
    return "(" + " || ' ' || ".join(_field_grams(f) for f in fields) + ")"


_NEW = _grams("new", "e.name", "e.uscc")
_OLD = _grams("old", "e.name", "e.uscc")


def upgrade() -> None:
    op.execute("CREATE TABLE search_positions (n INTEGER PRIMARY KEY)")
    op.execute(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < "
        f"{POSITIONS}) INSERT INTO search_positions(n) SELECT n FROM seq"
    )
    op.execute(
        "CREATE VIEW request_bigram_src AS SELECT r.id AS id, "
        f"{_grams('r', 'e.name', 'e.uscc')} AS grams "
        "FROM requests r JOIN enterprises e ON e.id = r.enterprise_id"
    )
    op.execute(
        "CREATE VIRTUAL TABLE request_bigram USING fts5(grams, content='request_bigram_src', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(
        "CREATE TRIGGER request_bigram_ai AFTER INSERT ON requests BEGIN "
        f"INSERT INTO request_bigram(rowid, grams) SELECT new.id, {_NEW} "
        "FROM enterprises e WHERE e.id = new.enterprise_id; END"
    )
    op.execute(
        "CREATE TRIGGER request_bigram_au AFTER UPDATE OF tracking_no, enterprise_id, description ON requests "
        "BEGIN "
        f"INSERT INTO request_bigram(request_bigram, rowid, grams) SELECT 'delete', old.id, {_OLD} "
        "FROM enterprises e WHERE e.id = old.enterprise_id; "
        f"INSERT INTO request_bigram(rowid, grams) SELECT new.id, {_NEW} "
        "FROM enterprises e WHERE e.id = new.enterprise_id; END"
    )
    op.execute(
        "CREATE TRIGGER request_bigram_ad AFTER DELETE ON requests BEGIN "
        f"INSERT INTO request_bigram(request_bigram, rowid, grams) SELECT 'delete', old.id, {_OLD} "
        "FROM enterprises e WHERE e.id = old.enterprise_id; END"
    )
    # An enterprise renamed (or given its credit code): re-index each of its requests.
    old_doc = _grams("r", "old.name", "old.uscc")
    new_doc = _grams("r", "new.name", "new.uscc")
    op.execute(
        "CREATE TRIGGER request_bigram_enterprise_au AFTER UPDATE OF name, uscc ON enterprises "
        "WHEN old.name IS NOT new.name OR old.uscc IS NOT new.uscc BEGIN "
        f"INSERT INTO request_bigram(request_bigram, rowid, grams) SELECT 'delete', r.id, {old_doc} "
        "FROM requests r WHERE r.enterprise_id = new.id; "
        f"INSERT INTO request_bigram(rowid, grams) SELECT r.id, {new_doc} "
        "FROM requests r WHERE r.enterprise_id = new.id; END"
    )
    op.execute("INSERT INTO request_bigram(request_bigram) VALUES ('rebuild')")


def downgrade() -> None:
    for trigger in ("request_bigram_ai", "request_bigram_au", "request_bigram_ad", "request_bigram_enterprise_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS request_bigram")
    op.execute("DROP VIEW IF EXISTS request_bigram_src")
    op.execute("DROP TABLE IF EXISTS search_positions")
