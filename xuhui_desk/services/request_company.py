"""Which company a request belongs to: the key the company file (企业档案) is opened with from a
request (the queue's selected row, a receipt, the detail view)."""

from __future__ import annotations

from sqlalchemy import select

from xuhui_desk.db import Database
from xuhui_desk.models import Request
from xuhui_desk.services.read_errors import reading


def company_id_of_request(db: Database, key: str) -> int | None:
    """The enterprise id of the request ``key`` (uuid or tracking number); None when there is no
    such request. One primary-key or unique-index lookup. Raises ``ReadFailed``."""
    key = key.strip()
    with reading(), db.session() as session:
        found = session.scalar(select(Request.enterprise_id).where(Request.uuid == key))
        if found is None:
            found = session.scalar(select(Request.enterprise_id).where(Request.tracking_no == key))
        return found
