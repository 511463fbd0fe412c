"""Finding requests: filters, full-text search, sorting and the rows the queue and `list` show.

What it promises:

* Every query returns request **ids** first (:func:`find_ids`), so a view can hold the id
  list of a filter and load the rows it shows page by page (:func:`fetch_rows`).
* "Newest first" (:data:`RECENT`) is the order requests were recorded in — by id, which
  no clock can disturb (DESIGN §5.6) — so it walks the table's primary key, or, with a
  search, the full-text index from its highest rowid down, and stops at the LIMIT: the
  newest 50 of 200,000 take well under a millisecond for any term. The "attention" order
  (overdue requests first, most overdue on top, then the rest newest first) is two such
  walks, never a sort of the whole table. Column sorts run in the background at full size.
* A request is overdue while it is new, routed or in progress past its due time (as the
  weekly report counts); a replied one has its answer and waits for the rating.
* Full-text search matches each whitespace-separated term as a substring of the
  tracking number, enterprise name, credit code or description (all terms must match),
  case-insensitively. Terms of three characters or more use the FTS5 trigram index
  (``request_fts``); one- and two-character terms — 贷款, 落户 are common at the counter —
  use the bigram index ``request_bigram`` (migration 0005). Only a short term containing
  punctuation falls back to a scan.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, column, func, not_, or_, select, table, text
from sqlalchemy.orm import Session

from xuhui_desk.db import Database
from xuhui_desk.models import OPEN_STATUSES, Enterprise, Request, Status, utcnow
from xuhui_desk.services.read_errors import reading

#: Pseudo-status of a filter: any open status (new, routed, in progress, replied).
OPEN = "open"
#: Sort key: most recently recorded first (by id: the order of intake, whatever the station's clock said).
RECENT = "recent"
#: Sort key of the default queue order: overdue first (most overdue on top), then newest first.
ATTENTION = "attention"

_OPEN_CODES = tuple(s.value for s in OPEN_STATUSES)
#: Statuses still waiting for the district's answer: only these can be overdue (a replied request
#: met its due time and waits for the company's rating; the weekly report counts the same way).
UNRESOLVED = (Status.NEW.value, Status.ROUTED.value, Status.IN_PROGRESS.value)
_STATUS_ORDER = {s.value: i for i, s in enumerate(Status)}
_URGENCY_ORDER = {"urgent": 0, "normal": 1}
_SYNC_ORDER = {"error": 0, "pending": 1, "sending": 2, "synced": 3}

SORT_KEYS = (
    ATTENTION,
    RECENT,
    "created_at",
    "tracking_no",
    "enterprise_name",
    "category",
    "department",
    "status",
    "sla_due_at",
    "urgency",
    "sync_state",
    "updated_at",
)
#: Column sorts by plain value (kept for callers of the original module).
SORTABLE: dict[str, Any] = {
    "created_at": Request.created_at,
    "tracking_no": Request.tracking_no,
    "status": Request.status,
    "category": Request.category,
    "sla_due_at": Request.sla_due_at,
    "enterprise_name": Enterprise.name_sort,
    "updated_at": Request.updated_at,
}


@dataclass
class RequestFilter:
    """What a list of requests is narrowed to, and in which order.

    ``status`` is a status code or :data:`OPEN`; ``created_from`` is inclusive and
    ``created_to`` exclusive (aware datetimes); ``sort`` is one of :data:`SORT_KEYS`.
    """

    status: str | None = None
    category: str | None = None
    department: str | None = None
    search: str = ""
    overdue_only: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None
    enterprise_id: int | None = None
    #: "My requests": only those this specialist took in (``Request.specialist``).
    specialist: str | None = None
    #: An urgency code ("urgent", "normal") and an intake channel code (walk_in, phone, visit).
    urgency: str | None = None
    channel: str | None = None
    sort: str = RECENT
    descending: bool = True


# --- full-text terms ------------------------------------------------------------------------


def search_terms(query: str) -> list[str]:
    """The terms of a search box text: split on whitespace (full-width spaces too), duplicates dropped."""
    seen: list[str] = []
    for term in query.split():
        if term not in seen:
            seen.append(term)
    return seen


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _bigram_indexable(term: str) -> bool:
    # The bigram index keeps letters and digits (CJK included); punctuation splits its tokens.
    return 1 <= len(term) <= 2 and all(c.isalnum() for c in term)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class _TextPlan:
    trigram: str | None = None
    bigram: str | None = None
    scans: tuple[str, ...] = field(default_factory=tuple)


def _plan(query: str) -> _TextPlan:
    trigram, bigram, scans = [], [], []
    for term in search_terms(query):
        if len(term) >= 3:
            trigram.append(_phrase(term))
        elif _bigram_indexable(term):
            bigram.append(_phrase(term) + ("*" if len(term) == 1 else ""))
        else:
            scans.append(term)
    return _TextPlan(" AND ".join(trigram) or None, " AND ".join(bigram) or None, tuple(scans))


def _text_conditions(query: str) -> list[ColumnElement[bool]]:
    plan = _plan(query)
    conditions: list[ColumnElement[bool]] = []
    if plan.trigram:
        conditions.append(
            Request.id.in_(select(text("rowid")).select_from(text("request_fts")).where(
                text("request_fts MATCH :trigram_q").bindparams(trigram_q=plan.trigram)))
        )
    if plan.bigram:
        conditions.append(
            Request.id.in_(select(text("rowid")).select_from(text("request_bigram")).where(
                text("request_bigram MATCH :bigram_q").bindparams(bigram_q=plan.bigram)))
        )
    for i, term in enumerate(plan.scans):
        like = text(
            f"request_fts.tracking_no LIKE :scan{i} ESCAPE '\\' OR request_fts.enterprise_name LIKE :scan{i} "
            f"ESCAPE '\\' OR request_fts.uscc LIKE :scan{i} ESCAPE '\\' OR request_fts.description LIKE :scan{i} "
            "ESCAPE '\\'"
        ).bindparams(**{f"scan{i}": _like(term)})
        conditions.append(Request.id.in_(select(text("rowid")).select_from(text("request_fts")).where(like)))
    return conditions


# --- queries ----------------------------------------------------------------------------------

_FTS = {name: table(name, column("rowid", Integer)) for name in ("request_fts", "request_bigram")}


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(Request.status.in_(UNRESOLVED), Request.sla_due_at < now)


def _not_overdue(now: datetime) -> ColumnElement[bool]:
    return or_(not_(Request.status.in_(UNRESOLVED)), Request.sla_due_at.is_(None), Request.sla_due_at >= now)


def _where(flt: RequestFilter, now: datetime) -> list[ColumnElement[bool]]:
    """The conditions of a filter except its full-text terms."""
    conditions: list[ColumnElement[bool]] = []
    if flt.status == OPEN:
        conditions.append(Request.status.in_(_OPEN_CODES))
    elif flt.status:
        conditions.append(Request.status == flt.status)
    if flt.category:
        conditions.append(Request.category == flt.category)
    if flt.department:
        conditions.append(Request.department == flt.department)
    if flt.enterprise_id is not None:
        conditions.append(Request.enterprise_id == flt.enterprise_id)
    if flt.specialist:
        conditions.append(Request.specialist == flt.specialist)
    if flt.urgency:
        conditions.append(Request.urgency == flt.urgency)
    if flt.channel:
        conditions.append(Request.channel == flt.channel)
    if flt.overdue_only:
        conditions.append(_overdue(now))
    if flt.created_from:
        conditions.append(Request.created_at >= flt.created_from)
    if flt.created_to:
        conditions.append(Request.created_at < flt.created_to)
    return conditions


def _rank(column: Any, order: dict[str, int]) -> Any:
    return case(order, value=column, else_=len(order))


def _taxonomy_order(kind: str) -> dict[str, int]:
    from xuhui_desk.services.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    items = taxonomy.categories if kind == "category" else taxonomy.departments
    return {str(item.code): i for i, item in enumerate(items)}


def _order_column(sort: str) -> Any:
    if sort == "category":
        return _rank(Request.category, _taxonomy_order("category"))
    if sort == "department":
        return _rank(Request.department, _taxonomy_order("department"))
    if sort == "status":
        return _rank(Request.status, _STATUS_ORDER)
    if sort == "urgency":
        return _rank(Request.urgency, _URGENCY_ORDER)
    if sort == "sync_state":
        return _rank(Request.sync_state, _SYNC_ORDER)
    return SORTABLE.get(sort, Request.created_at)


def _select(flt: RequestFilter, conditions: list[ColumnElement[bool]], sort: str, descending: bool, *,
            full: bool = False) -> Select[Any]:
    """``SELECT id`` of the requests meeting ``conditions`` and the filter's text, in one order.

    In the :data:`RECENT` order a text search is driven by the full-text index itself, walked
    from its highest rowid down: the newest matches come first and a LIMIT stops the walk.
    """
    text_conditions = _text_conditions(flt.search)
    plan = _plan(flt.search)
    driver = "request_fts" if plan.trigram else "request_bigram" if plan.bigram else None
    if sort == RECENT and driver is not None:
        fts = _FTS[driver]
        query = plan.trigram if driver == "request_fts" else plan.bigram
        rest = text_conditions[1:]  # the driver's own condition is its MATCH
        stmt = (
            select(fts.c.rowid)
            .select_from(fts.join(Request, Request.id == fts.c.rowid))
            .where(text(f"{driver} MATCH :driver_q").bindparams(driver_q=query), *rest, *conditions)
        )
        return stmt.order_by(fts.c.rowid.desc() if descending else fts.c.rowid.asc())
    stmt = select(Request.id)
    if sort == "enterprise_name":
        stmt = stmt.join(Enterprise, Enterprise.id == Request.enterprise_id)
    stmt = stmt.where(*text_conditions, *conditions)
    if sort == RECENT:
        if full and flt.status == OPEN:
            # All open requests: the status index and a sort of those few rows, not a walk of the
            # whole table in id order (which SQLite picks, not knowing how few are open).
            return stmt.order_by(text("+requests.id DESC" if descending else "+requests.id ASC"))
        return stmt.order_by(Request.id.desc() if descending else Request.id.asc())
    if sort == "sla_due_at":
        # Requests without a due time go last in either direction.
        stmt = stmt.order_by(Request.sla_due_at.is_(None))
    if sort == "enterprise_name":
        # Pinyin order: the enterprise's indexed sort key, then its name (东 before 冬, both dong),
        # then, within one enterprise, its newest request first; every row has one place, so
        # LIMIT/OFFSET pages never repeat or skip a request.
        keys = (Enterprise.name_sort, Enterprise.name)
        return stmt.order_by(*(k.desc() if descending else k.asc() for k in keys), Request.id.desc())
    column = _order_column(sort)
    primary = column.desc() if descending else column.asc()
    return stmt.order_by(primary, Request.id.desc() if descending or sort != "created_at" else Request.id.asc())


def build_query(flt: RequestFilter, now: datetime | None = None) -> Select[Any]:
    """The id query of a filter in one column's order (ties: most recently recorded first).

    For the :data:`ATTENTION` order, which combines two queries, use :func:`find_ids`.
    """
    now = now or utcnow()
    sort = flt.sort if flt.sort in SORT_KEYS and flt.sort != ATTENTION else RECENT
    return _select(flt, _where(flt, now), sort, flt.descending)


def _attention_parts(flt: RequestFilter, now: datetime, *, full: bool = False
                     ) -> tuple[Select[Any], Select[Any] | None]:
    base = _where(replace(flt, overdue_only=False), now)
    overdue = _select(flt, [*base, _overdue(now)], "sla_due_at", descending=False)
    rest = None if flt.overdue_only else _select(flt, [*base, _not_overdue(now)], RECENT, descending=True,
                                                  full=full)
    return overdue, rest


def _ids(session: Session, stmt: Select[Any]) -> list[int]:
    # Straight from the DB-API cursor: 200,000 ids through the ORM's row objects cost
    # twice the query itself, and an id needs no conversion.
    result = session.connection().execute(stmt)
    try:
        return [row[0] for row in result.cursor]
    finally:
        result.close()


def find_ids(
    session: Session, flt: RequestFilter, limit: int | None = None, offset: int = 0, now: datetime | None = None
) -> list[int]:
    """Ids of the requests matching ``flt`` in its order; ``limit``/``offset`` page through them."""
    now = now or utcnow()
    full = limit is None and not offset
    if flt.sort != ATTENTION:
        sort = flt.sort if flt.sort in SORT_KEYS else RECENT
        stmt = _select(flt, _where(flt, now), sort, flt.descending, full=full)
        if not full:
            stmt = stmt.limit(-1 if limit is None else limit).offset(offset)
        return _ids(session, stmt)
    overdue_q, rest_q = _attention_parts(flt, now, full=full)
    overdue = _ids(session, overdue_q)  # few: open requests past their due time
    result = overdue[offset:] if limit is None else overdue[offset:offset + limit]
    if rest_q is None or (limit is not None and len(result) >= limit):
        return result
    rest_offset = max(0, offset - len(overdue))
    rest_limit = None if limit is None else limit - len(result)
    if rest_limit is not None or rest_offset:
        rest_q = rest_q.limit(-1 if rest_limit is None else rest_limit).offset(rest_offset)
    return result + _ids(session, rest_q)


def count(session: Session, flt: RequestFilter, now: datetime | None = None) -> int:
    """How many requests match ``flt``."""
    now = now or utcnow()
    stmt = select(func.count()).select_from(Request).where(*_text_conditions(flt.search), *_where(flt, now))
    return session.scalar(stmt) or 0


@dataclass(frozen=True)
class Counts:
    total: int
    overdue: int


def counts(session: Session, flt: RequestFilter, now: datetime | None = None) -> Counts:
    """The total of a filter and how many of those are overdue (for "共 N 条，其中超期 M 条")."""
    now = now or utcnow()
    return Counts(count(session, flt, now), count(session, replace(flt, overdue_only=True), now))


@dataclass(frozen=True)
class Snapshot:
    """Everything a queue needs to show a filter: its ids in order, its total and overdue counts."""

    ids: list[int]
    total: int
    overdue: int


def queue_snapshot(session: Session, flt: RequestFilter, now: datetime | None = None) -> Snapshot:
    """The ids of ``flt`` with its counts, in as few queries as the order allows."""
    now = now or utcnow()
    if flt.sort == ATTENTION:
        overdue_q, rest_q = _attention_parts(flt, now, full=True)
        overdue = _ids(session, overdue_q)
        ids = overdue + (_ids(session, rest_q) if rest_q is not None else [])
        return Snapshot(ids, len(ids), len(overdue))
    ids = find_ids(session, flt, now=now)
    overdue = len(ids) if flt.overdue_only else count(session, replace(flt, overdue_only=True), now)
    return Snapshot(ids, len(ids), overdue)


# --- rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    """What the queue shows of one request (no relationship loading, one query per page).

    Built straight from a Core ``select`` of its columns; ``slots`` keeps each cached row small
    (no per-row ``__dict__``): the queue holds up to a cache's worth of them."""

    id: int
    uuid: str
    tracking_no: str
    created_at: datetime
    enterprise_name: str
    uscc: str
    category: str
    department: str | None
    status: str
    sla_due_at: datetime | None
    urgency: str
    sync_state: str
    sync_error: str | None
    summary: str
    #: The due time was counted on a provisional calendar year (show it as such).
    sla_provisional: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN_CODES

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED


#: Characters of the description carried with a row (for a tooltip), never the whole text.
SUMMARY_CHARS = 160


def fetch_rows(session: Session, ids: Sequence[int]) -> dict[int, QueueRow]:
    """The rows of ``ids`` (at most a page: one indexed query)."""
    if not ids:
        return {}
    stmt = (
        select(
            Request.id, Request.uuid, Request.tracking_no, Request.created_at, Enterprise.name,
            func.coalesce(Enterprise.uscc, ""), Request.category, Request.department, Request.status,
            Request.sla_due_at, Request.urgency, Request.sync_state, Request.sync_error,
            func.substr(Request.description, 1, SUMMARY_CHARS), Request.sla_provisional,
        )
        .join(Enterprise, Enterprise.id == Request.enterprise_id)
        .where(Request.id.in_(list(ids)))
    )
    return {row[0]: QueueRow(*row) for row in session.execute(stmt)}


# --- the queue's reads (one session each, plain data back) -----------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRead:
    """What one background read of the queue hands to the GUI.

    ``ids`` in the filter's order as a compact ``array('q')`` (8 bytes an id: 200,000 ids take
    1.6 MB instead of 7 MB as a list of ints); ``rows`` the rows read with them; ``partial``
    when ``ids`` is only the first page of a longer list (the rest comes from
    :func:`read_queue_ids`)."""

    ids: array[int]
    total: int
    overdue: int
    rows: dict[int, QueueRow]
    partial: bool = False


def _id_array(session: Session, stmt: Select[Any]) -> array[int]:
    # Straight from the cursor into the array: no list of 200,000 int objects on the way.
    result = session.connection().execute(stmt)
    try:
        return array("q", (row[0] for row in result.cursor))
    finally:
        result.close()


def _queue_ids(session: Session, flt: RequestFilter, now: datetime) -> tuple[array[int], int, int]:
    if flt.sort == ATTENTION:
        overdue_q, rest_q = _attention_parts(flt, now, full=True)
        ids = _id_array(session, overdue_q)
        overdue = len(ids)
        if rest_q is not None:
            ids.extend(_id_array(session, rest_q))
        return ids, len(ids), overdue
    sort = flt.sort if flt.sort in SORT_KEYS else RECENT
    ids = _id_array(session, _select(flt, _where(flt, now), sort, flt.descending, full=True))
    overdue = len(ids) if flt.overdue_only else count(session, replace(flt, overdue_only=True), now)
    return ids, len(ids), overdue


def read_queue(db: Database, flt: RequestFilter, now: datetime, *, page_size: int,
               first_page_above: int | None = None, rows_for: Sequence[int] = ()) -> QueueRead:
    """The ids of ``flt`` at ``now`` with its counts and the rows of its first ``page_size`` ids
    and of ``rows_for`` (rows the caller shows already), read in one session.

    With ``first_page_above`` (and no text search: counting matches costs about as much as
    listing them), a list longer than that is returned as its first page only (``partial``):
    the counts, the first ``page_size`` ids and their rows, a few milliseconds even for
    200,000 requests. Raises :class:`~xuhui_desk.services.read_errors.ReadFailed`.
    """
    with reading(), db.session() as session:
        if first_page_above is not None and not flt.search:
            total = count(session, flt, now)
            if total > first_page_above:
                head = find_ids(session, flt, limit=page_size, now=now)
                overdue = total if flt.overdue_only else count(session, replace(flt, overdue_only=True), now)
                return QueueRead(array("q", head), total, overdue, fetch_rows(session, head), partial=True)
        ids, total, overdue = _queue_ids(session, flt, now)
        wanted = list(dict.fromkeys([*ids[:page_size], *rows_for]))
        return QueueRead(ids, total, overdue, fetch_rows(session, wanted))


def read_queue_ids(db: Database, flt: RequestFilter, now: datetime) -> QueueRead:
    """The whole id list of ``flt`` at ``now`` with its counts, no rows (after a partial
    :func:`read_queue`). Raises :class:`~xuhui_desk.services.read_errors.ReadFailed`."""
    with reading(), db.session() as session:
        ids, total, overdue = _queue_ids(session, flt, now)
    return QueueRead(ids, total, overdue, {})


def queue_rows(db: Database, ids: Sequence[int]) -> dict[int, QueueRow]:
    """The queue rows of ``ids`` (a page: one indexed query, about a millisecond), as plain
    :class:`QueueRow` values. Raises :class:`~xuhui_desk.services.read_errors.ReadFailed`."""
    if not ids:
        return {}
    with reading(), db.session() as session:
        return fetch_rows(session, ids)


def request_id_of(db: Database, uuid: str) -> int | None:
    """The local id of the request ``uuid`` (None when there is none): one indexed lookup.
    Raises :class:`~xuhui_desk.services.read_errors.ReadFailed`."""
    with reading(), db.session() as session:
        found = session.scalar(select(Request.id).where(Request.uuid == uuid))
    return None if found is None else int(found)


def request_fields(r: Any) -> dict[str, Any]:
    """The contract keys of a request (DESIGN.md §6 `list --json`), shared by the station's
    `list` and the hub's `request list`; ``r`` is a workstation or a hub request."""
    from xuhui_desk.services.timefmt import iso_local

    def local(value: datetime | None) -> str | None:
        return iso_local(value) if value is not None else None

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
        "sla_due_at": local(r.sla_due_at),
        "resolved_at": local(r.resolved_at),
        "rating": r.rating,
        "revision": r.revision,
    }


def request_dict(r: Request) -> dict[str, Any]:
    """The stable JSON shape of a request on the workstation (`list --json`)."""
    return request_fields(r) | {"sync_state": r.sync_state}


def list_requests(session: Session, flt: RequestFilter, limit: int | None = None) -> list[Request]:
    ids = find_ids(session, flt, limit=limit)
    if not ids:
        return []
    rows: dict[int, Request] = {}
    for chunk in _chunks(ids, 500):
        rows.update((r.id, r) for r in session.scalars(select(Request).where(Request.id.in_(chunk))))
    return [rows[i] for i in ids]


def _chunks(ids: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


_TRACKING = re.compile(r"^[A-Z0-9]{2,12}-\d{8}-\d{3,}$", re.IGNORECASE)


def looks_like_tracking_no(query: str) -> bool:
    """Whether the search box holds one whole tracking number (the view may open it directly)."""
    return bool(_TRACKING.match(query.strip()))
