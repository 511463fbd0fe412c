"""Finding requests: filters, full-text search and the rows the queue and `list` show.

Full-text search uses the FTS5 trigram index for terms of three characters or more;
shorter terms (two Chinese characters are a common query) fall back to a substring scan
of the same index, newest first, which stops as soon as enough rows are found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from xuhui_desk.models import OPEN_STATUSES, Enterprise, Request, utcnow

SORTABLE = {
    "created_at": Request.created_at,
    "tracking_no": Request.tracking_no,
    "status": Request.status,
    "category": Request.category,
    "sla_due_at": Request.sla_due_at,
    "enterprise_name": Enterprise.name,
    "updated_at": Request.updated_at,
}


@dataclass
class RequestFilter:
    status: str | None = None
    category: str | None = None
    search: str = ""
    overdue_only: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: str = "created_at"
    descending: bool = True


def _fts_query(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _search_condition(term: str) -> Any:
    from sqlalchemy import text

    terms = [t for t in term.split() if t]
    conditions = []
    for t in terms:
        if len(t) >= 3:
            conditions.append(
                Request.id.in_(
                    select(text("rowid")).select_from(text("request_fts")).where(
                        text("request_fts MATCH :q").bindparams(q=_fts_query(t))
                    )
                )
            )
        else:
            like = "%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(
                or_(
                    Request.description.like(like, escape="\\"),
                    Enterprise.name.like(like, escape="\\"),
                    Request.tracking_no.like(like, escape="\\"),
                    Enterprise.uscc.like(like, escape="\\"),
                )
            )
    return and_(*conditions)


def build_query(flt: RequestFilter, now: datetime | None = None) -> Select[Any]:
    """The id query for a filter (ids only, so a view can page through them lazily)."""
    stmt = select(Request.id).join(Enterprise, Enterprise.id == Request.enterprise_id)
    if flt.status:
        stmt = stmt.where(Request.status == flt.status)
    if flt.category:
        stmt = stmt.where(Request.category == flt.category)
    if flt.overdue_only:
        stmt = stmt.where(
            Request.status.in_([s.value for s in OPEN_STATUSES]), Request.sla_due_at < (now or utcnow())
        )
    if flt.created_from:
        stmt = stmt.where(Request.created_at >= flt.created_from)
    if flt.created_to:
        stmt = stmt.where(Request.created_at < flt.created_to)
    if flt.search.strip():
        stmt = stmt.where(_search_condition(flt.search.strip()))
    column = SORTABLE.get(flt.sort, Request.created_at)
    order = column.desc() if flt.descending else column.asc()
    return stmt.order_by(order, Request.id.desc() if flt.descending else Request.id.asc())


def count(session: Session, flt: RequestFilter) -> int:
    sub = build_query(flt).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(sub)) or 0


def find_ids(session: Session, flt: RequestFilter, limit: int | None = None, offset: int = 0) -> list[int]:
    stmt = build_query(flt)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return list(session.scalars(stmt))


def request_dict(r: Request) -> dict[str, Any]:
    """The stable JSON shape of a request (DESIGN.md §6 `list --json`)."""
    from xuhui_desk.services.timefmt import iso_local

    return {
        "uuid": r.uuid,
        "tracking_no": r.tracking_no,
        "enterprise_name": r.enterprise.name,
        "uscc": r.enterprise.uscc or "",
        "contact_name": r.enterprise.contact_name,
        "phone": r.enterprise.phone,
        "category": r.category,
        "subcategory": r.subcategory,
        "department": r.department,
        "channel": r.channel,
        "urgency": r.urgency,
        "status": r.status,
        "description": r.description,
        "specialist": r.specialist,
        "created_at": iso_local(r.created_at),
        "updated_at": iso_local(r.updated_at),
        "sla_due_at": iso_local(r.sla_due_at) if r.sla_due_at else None,
        "resolved_at": iso_local(r.resolved_at) if r.resolved_at else None,
        "rating": r.rating,
        "sync_state": r.sync_state,
        "revision": r.revision,
    }


def list_requests(session: Session, flt: RequestFilter, limit: int | None = None) -> list[Request]:
    ids = find_ids(session, flt, limit=limit)
    if not ids:
        return []
    rows = {r.id: r for r in session.scalars(select(Request).where(Request.id.in_(ids)))}
    return [rows[i] for i in ids]
