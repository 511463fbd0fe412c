"""The report's input: one :class:`ReportRow` per request that matters for the week, as it stood
at the cut-off; :func:`timeline_facts` derives the timeline fields from a request's events, and
:func:`workstation_rows` reads the rows from the workstation's SQLite in two bulk statements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from xuhui_desk.models import Status

if TYPE_CHECKING:
    from sqlalchemy.orm import Session



#: Statuses of a request the department has answered.
RESOLVED_STATUSES: Final = frozenset({Status.REPLIED.value, Status.CLOSED.value})
#: Statuses of a request still being worked on (cancelled and resolved ones are not open).
UNRESOLVED_STATUSES: Final = (Status.NEW.value, Status.ROUTED.value, Status.IN_PROGRESS.value)


# ------------------------------------------------------------------------------- rows (the input)


@dataclass(slots=True)
class ReportRow:
    """One request as the report sees it at the cut-off. All datetimes are timezone-aware.

    What a row provider (the workstation's :func:`workstation_rows`, or the hub's own) must give:

    * one row for every request received before the cut-off that was received during the week,
      was first responded to, resolved or rated during the week, or is open at the cut-off
      (extra rows are harmless: :func:`compute_weekly_report` filters by the times below);
    * ``status``: the status at the cut-off (the target of the last status-setting timeline
      event at or before it), not the current one;
    * ``first_response_at``: the first status change after intake (whatever the new status, as
      ``Request.first_response_at``), if it happened before the cut-off;
    * ``resolved_at``: when ``status`` is replied or closed, the latest moment before the cut-off
      the request entered replied/closed from another status; otherwise None;
    * ``rating`` / ``rated_at``: the last rating given before the cut-off;
    * ``due_at``: the SLA due time; ``category`` / ``department``: taxonomy codes;
    * ``station``: the station code, for the district roll-up ("" on a workstation);
    * ``due_provisional``: ``due_at`` was counted on a provisional calendar year (the workbook
      marks it; see services/workdays.py).

    :func:`timeline_facts` computes the timeline fields from a request's events.
    """

    tracking_no: str
    created_at: datetime
    enterprise_name: str
    uscc: str
    contact_name: str
    phone: str
    category: str
    department: str
    status: str
    due_at: datetime | None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    station: str = ""
    due_provisional: bool = False


@dataclass(frozen=True, slots=True)
class TimelineFacts:
    """The timeline-derived fields of a :class:`ReportRow` (see there for their meaning)."""

    status: str
    first_response_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    rated_at: datetime | None
    #: Events left out because their data cannot be used (an unknown status, a rating that is
    #: not 1–5): what each was, for the caller to flag. They never reach the figures.
    ignored: tuple[str, ...] = ()


_KNOWN_STATUSES = frozenset(s.value for s in Status)


def timeline_facts(events: Iterable[tuple[datetime, str, Mapping[str, Any]]], as_of: datetime) -> TimelineFacts:
    """Status, first response, resolution and rating at ``as_of`` from ``(occurred_at, kind, data)``.

    ``events`` are a request's timeline events in the order they were recorded (the order breaks
    ties between equal times); events at or after ``as_of`` are ignored. A status-setting event is
    one whose ``data`` has a ``status`` key (with the previous status in ``from``); a rating is a
    ``rated`` event with ``data["rating"]``. This is the rule :func:`workstation_rows` applies in SQL.
    An event whose status is not a known one, or whose rating is not an integer 1–5, is left out
    and named in ``ignored`` (one faulty record never breaks or skews a report).
    """
    status = Status.NEW.value
    first_response: datetime | None = None
    resolved: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    ignored: list[str] = []
    ordered = sorted(enumerate(events), key=lambda item: (item[1][0], item[0]))
    for _, (occurred, kind, data) in ordered:
        if occurred >= as_of:
            continue
        target = data.get("status")
        value = data.get("rating") if kind == "rated" else None
        if target is not None and (not isinstance(target, str) or target not in _KNOWN_STATUSES):
            ignored.append(f"{kind} event with status {str(target)[:40]!r}")
            continue
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
            ignored.append(f"{kind} event with rating {str(value)[:20]!r}")
            continue
        if target is not None:
            if kind != "created" and first_response is None:
                first_response = occurred
            if target in RESOLVED_STATUSES and str(data.get("from") or "") not in RESOLVED_STATUSES:
                resolved = occurred
            status = target
        if value is not None:
            rating, rated_at = value, occurred
    return TimelineFacts(status, first_response, resolved if status in RESOLVED_STATUSES else None,
                         rating, rated_at, tuple(ignored))


def _db_time(moment: datetime) -> str:
    """A bound in the form SQLAlchemy stores UTC datetimes in SQLite (naive, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _from_db(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value + "+00:00")


_UNRESOLVED_IN = ", ".join(f"'{s}'" for s in UNRESOLVED_STATUSES)
_RESOLVED_IN = ", ".join(f"'{s}'" for s in sorted(RESOLVED_STATUSES))

# Candidates with their own columns: received in the week, open now, or touched since the week
# began. The workflow keeps status, first_response_at, resolved_at and rating equal to what the
# timeline says and moves updated_at with every event, so a request untouched since the cut-off
# is described by its columns as it stood then — except for when it was rated. The timeline is
# read only for requests touched after the cut-off, or rated and touched since the week began.
_ROWS_SQL = f"""
SELECT r.id, r.tracking_no, r.created_at, ent.name, ent.uscc, ent.contact_name, ent.phone,
       r.category, r.department, r.sla_due_at, r.status, r.first_response_at, r.resolved_at, r.rating,
       r.updated_at >= :as_of OR (r.rating IS NOT NULL AND r.updated_at >= :start) AS needs_timeline,
       r.sla_provisional
FROM requests r JOIN enterprises ent ON ent.id = r.enterprise_id
WHERE r.id IN (
    SELECT id FROM requests WHERE created_at >= :start AND created_at < :as_of
    UNION ALL
    SELECT id FROM requests WHERE status IN ({_UNRESOLVED_IN}) AND created_at < :start
    UNION ALL
    SELECT id FROM requests WHERE updated_at >= :start AND created_at < :start
)
"""

# One grouped pass over the timelines of the touched requests gives, as at the cut-off: the first
# status change after intake, the status (latest status-setting event, ties by id), the latest
# entry into a resolved status from an unresolved one, and the latest rating. "time|id|value"
# strings make MAX pick the latest event's value: stored times are fixed-width, so they sort as
# they compare. This is :func:`timeline_facts` in SQL.
_TIMELINE_SQL = f"""
SELECT rid,
       MIN(CASE WHEN kind <> 'created' AND st IS NOT NULL THEN at END),
       MAX(CASE WHEN st IS NOT NULL THEN at || '|' || printf('%012d', eid) || '|' || st END),
       MAX(CASE WHEN st IN ({_RESOLVED_IN}) AND coalesce(fr, '') NOT IN ({_RESOLVED_IN}) THEN at END),
       MAX(CASE WHEN kind = 'rated' AND rating IS NOT NULL
                THEN at || '|' || printf('%012d', eid) || '|' || rating END)
FROM (
    SELECT e.request_id AS rid, e.id AS eid, e.kind AS kind, e.occurred_at AS at,
           json_extract(e.data, '$.status') AS st, json_extract(e.data, '$.from') AS fr,
           json_extract(e.data, '$.rating') AS rating
    FROM json_each(:ids) AS wanted JOIN request_events e ON e.request_id = wanted.value
    WHERE e.occurred_at < :as_of
)
GROUP BY rid
"""


def workstation_rows(session: Session, start: datetime, as_of: datetime) -> list[ReportRow]:
    """The :class:`ReportRow` s of the workstation database for a week starting at ``start``.

    Candidates are the requests received in ``[start, as_of)``, those open now (which covers
    those open at the cut-off and untouched since), and those touched since ``start`` (by
    ``updated_at``, which every timeline event moves). Two statements, however many requests
    there are: the candidates with their columns, then one grouped pass over the timelines of
    those whose columns may describe a later state or miss when they were rated.
    """
    from sqlalchemy import text

    params = {"start": _db_time(start), "as_of": _db_time(as_of)}
    candidates = session.execute(text(_ROWS_SQL), params).all()
    touched = [c[0] for c in candidates if c[14]]  # needs_timeline
    facts: dict[int, tuple[Any, ...]] = {}
    if touched:
        params["ids"] = "[" + ",".join(map(str, touched)) + "]"
        facts = {f[0]: f for f in session.execute(text(_TIMELINE_SQL), params)}
    parse = _from_db
    rows: list[ReportRow] = []
    append = rows.append
    for (rid, tracking_no, created, name, uscc, contact, phone, category, department, due, status,
         first_response, resolved, rating, _touched, provisional) in candidates:
        rated_at = None
        fact = facts.get(rid)
        if fact is not None:
            _rid, first_response, status_key, resolved, rating_key = fact
            if status_key:
                status = status_key.rsplit("|", 1)[1]
            rating = None
            if rating_key:
                at, _eid, value = rating_key.split("|")
                rating, rated_at = int(float(value)), parse(at)
        append(ReportRow(
            tracking_no, parse(created), name, uscc or "", contact or "", phone or "", category, department or "",
            status, parse(due), parse(first_response),
            parse(resolved) if status in RESOLVED_STATUSES else None, rating, rated_at,
            due_provisional=bool(provisional),
        ))
    return rows
