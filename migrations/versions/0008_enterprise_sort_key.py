"""Enterprises get a pinyin sort key, so that the queue and the directory list names as a Chinese
user expects (东 dong, 光 guang, 乐 le … instead of the order of their code points).

``enterprises.name_sort`` holds the toneless pinyin of the name (see
``xuhui_desk.services.pinyin_order``), written with the name by the services; it is indexed
with the name (the order's tie-break) for the queue's and the directory's sort by company. The
existing names are back-filled here, in Python (the key is not computable in SQL).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Names back-filled per UPDATE batch.
BATCH = 1000


def upgrade() -> None:
    from xuhui_desk.services.pinyin_order import pinyin_sort_key

    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("name_sort", sa.String(1000), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name FROM enterprises")).fetchall()
    update = sa.text("UPDATE enterprises SET name_sort = :key WHERE id = :id")
    for start in range(0, len(rows), BATCH):
        connection.execute(update, [{"id": i, "key": pinyin_sort_key(name)} for i, name in rows[start:start + BATCH]])
    op.create_index("ix_enterprises_name_sort", "enterprises", ["name_sort", "name"])


def downgrade() -> None:
    op.drop_index("ix_enterprises_name_sort", table_name="enterprises")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_column("name_sort")
