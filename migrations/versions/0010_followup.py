"""Follow-up: planned callbacks, ready-made reply texts, and the index Today's low ratings use.

``callbacks`` is the station's to-do list of calls planned on ``contact`` timeline events
(services/followup.py): one row per planned callback, open while ``done_at`` is NULL. The
partial index ``ix_callbacks_open_due`` holds only the open ones by day, so Today's "callbacks
due today / overdue" reads a handful of index entries however many callbacks were ever made.
``reply_templates`` holds the ready-made reply texts a station lead edited (a category without
rows uses the shipped resources/replies/replies.toml). ``ix_requests_rating_status`` lets
Today find dissatisfied ratings still waiting for rectification without scanning the open
requests; ``ix_requests_enterprise_status_due`` gives the company file a company's open and
newest requests from the index alone; the partial ``ix_request_events_contact`` lets the company file find the contacts
among thousands of a busy company's timeline events. None of this is synced: the ``contact``
events are, and they carry everything.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("due_on", sa.String(10), nullable=False),
        sa.Column("specialist", sa.String(50), nullable=False),
        sa.Column("planned_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime, nullable=True),
        sa.Column("done_by", sa.String(50), nullable=True),
        sa.Column("done_event_uuid", sa.String(36), nullable=True),
    )
    op.create_index("ix_callbacks_open_due", "callbacks", ["due_on"], sqlite_where=sa.text("done_at IS NULL"))
    op.create_index("ix_callbacks_request", "callbacks", ["request_id"])
    op.create_table(
        "reply_templates",
        sa.Column("category", sa.String(16), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(50), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(50), nullable=False),
    )
    # A plain CREATE INDEX: no batch (copy-and-rename) of requests, which would break the search triggers.
    op.create_index("ix_requests_rating_status", "requests", ["rating", "status"])
    # The company file: a busy company's open count and newest requests read from the index alone.
    op.create_index("ix_requests_enterprise_status_due", "requests", ["enterprise_id", "status", "sla_due_at"])
    # The company file's contacts: the few ``contact`` events among a busy company's timelines.
    op.create_index("ix_request_events_contact", "request_events", ["request_id"],
                    sqlite_where=sa.text("kind = 'contact'"))


def downgrade() -> None:
    op.drop_index("ix_request_events_contact", table_name="request_events")
    op.drop_index("ix_requests_enterprise_status_due", table_name="requests")
    op.drop_index("ix_requests_rating_status", table_name="requests")
    op.drop_table("reply_templates")
    op.drop_index("ix_callbacks_request", table_name="callbacks")
    op.drop_index("ix_callbacks_open_due", table_name="callbacks")
    op.drop_table("callbacks")
