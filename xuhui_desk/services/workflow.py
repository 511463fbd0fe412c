"""The life of a request after intake: status, category, department, notes, ratings.

Every change is a timeline event with its actor and time, written in the same
transaction as the change itself, and bumps the request's revision so that sync
sends it again. The status of a request is always the status the timeline says
(:func:`status_from_timeline`): only the transitions in :data:`TRANSITIONS` exist.

"Replied" means the enterprise was told something: a move to ``replied`` needs the reply text,
which is recorded as a station ``reply`` event (``{"text": …}``, the same kind and shape the
district hub writes for its own replies) just before the status change, and syncs with it.

Ratings follow the "好差评" practice: 5 very satisfied … 1 very dissatisfied.
A dissatisfied rating (2 or 1) reopens the request for rectification, due in
15 working days (:func:`rectification_due`; :func:`rating_outcome` says beforehand what a
rating will do).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from xuhui_desk import record_rules
from xuhui_desk.db import Database
from xuhui_desk.models import (
    EventKind,
    Origin,
    Request,
    RequestEvent,
    RoutingCorrection,
    Status,
    SyncState,
    utcnow,
)
from xuhui_desk.validation import Issue, ValidationFailed, check_text, clean_text

if TYPE_CHECKING:
    from xuhui_desk.services.workdays import SlaDue

# The status machine is shared with the hub and the sync engine (xuhui_desk/record_rules.py).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status(source): frozenset(Status(t) for t in targets) for source, targets in record_rules.TRANSITIONS.items()
}
RATABLE = frozenset({Status.REPLIED, Status.CLOSED})
RESOLVED = frozenset({Status.REPLIED, Status.CLOSED})
RATINGS = {5: "very_satisfied", 4: "satisfied", 3: "neutral", 2: "dissatisfied", 1: "very_dissatisfied"}
DISSATISFIED_AT_OR_BELOW = 2
RECTIFICATION_WORKDAYS = 15


class WorkflowError(ValueError):
    """A change the workflow does not allow; the message says why."""


class RequestNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Change:
    """What :func:`apply` did, for the caller to show."""

    tracking_no: str
    status: str
    events: tuple[str, ...]


def allowed_next(status: str) -> list[Status]:
    return sorted(TRANSITIONS[Status(status)], key=list(Status).index)


def status_from_timeline(events: Iterable[RequestEvent]) -> str:
    """The status the timeline says: the target of the last event that set one.

    Events count in the order they were recorded here (their id), never by their
    timestamps: a station's clock may be wrong (DESIGN.md §5.6).
    """
    status = Status.NEW.value
    for event in sorted(events, key=lambda e: e.id or 0):
        if "status" in (event.data or {}):
            status = event.data["status"]
    return status


def find_request(session: Session, key: str) -> Request:
    """A request by tracking number or uuid."""
    request = session.scalars(
        select(Request).where((Request.tracking_no == key) | (Request.uuid == key))
    ).first()
    if request is None:
        raise RequestNotFound(f"no request {key!r}")
    return request


def _event(request: Request, kind: EventKind, actor: str, now: datetime, **data: Any) -> RequestEvent:
    event = RequestEvent(kind=kind, actor=actor, origin=Origin.STATION, occurred_at=now, data=data)
    # Appending (not setting event.request) is what puts the event in the session in SQLAlchemy 2.
    request.events.append(event)
    return event


def _touch(request: Request, now: datetime) -> None:
    request.updated_at = now
    request.revision += 1
    request.sync_state = SyncState.PENDING
    request.sync_error = None


def _check_transition(request: Request, target: Status) -> Status:
    """The request's current status, when ``target`` may follow it (else WorkflowError)."""
    current = Status(request.status)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(s.value for s in allowed_next(current)) or "none (final state)"
        raise WorkflowError(
            f"{request.tracking_no}: cannot go from {current.value} to {target.value}; allowed: {allowed}"
        )
    return current


def _set_status(request: Request, target: Status, actor: str, now: datetime, kind: EventKind, **data: Any) -> None:
    current = _check_transition(request, target)
    request.status = target
    if request.first_response_at is None:
        request.first_response_at = now
    if target in RESOLVED and request.resolved_at is None:
        request.resolved_at = now
    if target is Status.IN_PROGRESS and current in RESOLVED:
        request.resolved_at = None  # reopened
    _event(request, kind, actor, now, **{"from": current.value, "status": target.value, **data})


def change_status(request: Request, target: str, actor: str, now: datetime, note: str = "",
                  reply: str = "") -> None:
    """Move ``request`` to ``target`` (only along :data:`TRANSITIONS`).

    A move to ``replied`` needs ``reply``, what the enterprise was told: it is recorded as a
    ``reply`` event before the status change (ValidationFailed ``reply.required`` without it). A
    reply with any other target is refused (``reply.needs_replied``): nothing is written.
    """
    try:
        status = Status(target)
    except ValueError:
        raise WorkflowError(
            f"unknown status {target!r}; statuses: {', '.join(s.value for s in Status)}"
        ) from None
    _check_transition(request, status)  # first: a move that cannot happen needs no reply
    reply = clean_text(reply or "", multiline=True)
    if status is Status.REPLIED:
        if not reply:
            raise ValidationFailed([Issue("reply", "reply.required")])
        issues = check_text(reply, "reply", required=True)
        if issues:
            raise ValidationFailed(issues)
    elif reply:
        raise ValidationFailed([Issue("reply", "reply.needs_replied")])
    if reply:
        _event(request, EventKind.REPLY, actor, now, text=reply)
    extra = {"note": note} if note else {}
    _set_status(request, status, actor, now, EventKind.STATUS_CHANGED, **extra)
    _touch(request, now)


def change_category(session: Session, request: Request, category: str, actor: str, now: datetime,
                    subcategory: str | None = None) -> None:
    """Re-route to another category; the department follows unless a department was set by hand."""
    from xuhui_desk.services.assignment import department_for, due_for
    from xuhui_desk.services.taxonomy import load_taxonomy

    codes = [c.code for c in load_taxonomy().categories]
    if category not in codes:
        raise WorkflowError(f"unknown category {category!r}; categories: {', '.join(codes)}")
    if request.status in (Status.CLOSED, Status.CANCELLED):
        raise WorkflowError(f"{request.tracking_no} is {request.status}; its category can no longer change")
    if category == request.category and subcategory in (None, request.subcategory):
        return
    old_category, old_department = request.category, request.department
    request.category = category
    request.subcategory = subcategory
    request.department = department_for(category, subcategory)
    due = due_for(category, request.urgency, request.created_at, session)
    if due is not None:
        request.sla_due_at, request.sla_provisional = due
    _event(request, EventKind.ROUTED, actor, now, category=category, from_category=old_category,
           department=request.department, from_department=old_department)
    if request.suggested_category and category != request.suggested_category:
        session.add(RoutingCorrection(text=request.description, suggested=request.suggested_category,
                                      chosen=category, specialist=actor, created_at=now))
    _touch(request, now)


def reassign(request: Request, department: str, actor: str, now: datetime) -> None:
    from xuhui_desk.services.taxonomy import load_taxonomy

    known = {d.code for d in load_taxonomy().departments}
    if department not in known:
        raise WorkflowError(f"unknown department {department!r}; departments: {', '.join(sorted(known))}")
    if department == request.department:
        return
    _event(request, EventKind.REASSIGNED, actor, now, department=department, from_department=request.department)
    request.department = department
    _touch(request, now)


def add_note(request: Request, note: str, actor: str, now: datetime) -> None:
    note = clean_text(note, multiline=True)
    issues = check_text(note, "note", required=True)
    if issues:
        raise ValidationFailed(issues)
    _event(request, EventKind.NOTE, actor, now, note=note)
    _touch(request, now)


def rectification_due(now: datetime, session: Session | None = None) -> SlaDue:
    """When a request reopened for rectification at ``now`` is due: close of business of the
    :data:`RECTIFICATION_WORKDAYS`-th working day on the station's working-day calendar (given a
    session of its database; else the program's), flagged provisional when a year it crosses has
    no official calendar yet.

    Raises ``CalendarYearUnknown`` when the calendar cannot count that year at all.
    """
    from xuhui_desk.services.assignment import calendar

    return calendar(session).due(now, RECTIFICATION_WORKDAYS)


@dataclass(frozen=True)
class RatingOutcome:
    """What saving a rating will do to a request (see :func:`rating_outcome`)."""

    #: The request is reopened (back to in progress) for rectification.
    reopens: bool
    #: The request is closed by the rating (it was replied).
    closes: bool
    #: The rectification's due time when it reopens; None when the calendar cannot say.
    due: datetime | None = None
    #: The due time counts days of a year without an official holiday calendar yet.
    provisional: bool = False


def rating_outcome(status: str, rating: int, now: datetime, session: Session | None = None) -> RatingOutcome:
    """What :func:`rate` will do with ``rating`` for a request in ``status`` at ``now``: a
    dissatisfied rating reopens it for rectification (due :func:`rectification_due`, on the
    calendar of ``session``'s station), another one closes a replied request. The same rules
    :func:`rate` applies, for showing before saving."""
    from xuhui_desk.services.workdays import CalendarYearUnknown

    if rating <= DISSATISFIED_AT_OR_BELOW:
        try:
            due, provisional = rectification_due(now, session)
        except CalendarYearUnknown:
            return RatingOutcome(reopens=True, closes=False)
        return RatingOutcome(reopens=True, closes=False, due=due, provisional=provisional)
    return RatingOutcome(reopens=False, closes=status == Status.REPLIED.value)


def rate(request: Request, rating: int, comment: str, actor: str, now: datetime) -> None:
    """Record the company's rating; a replied request is closed by it, a dissatisfied one reopened."""
    if rating not in RATINGS:
        raise ValidationFailed([Issue("rating", "rating.range")])
    comment = clean_text(comment, multiline=True)
    issues = check_text(comment, "comment")
    if issues:
        raise ValidationFailed(issues)
    if Status(request.status) not in RATABLE:
        raise WorkflowError(f"{request.tracking_no} is {request.status}; only a replied or closed request can be rated")
    request.rating = rating
    request.rating_comment = comment or None
    _event(request, EventKind.RATED, actor, now, rating=rating, level=RATINGS[rating], comment=comment)
    if rating <= DISSATISFIED_AT_OR_BELOW:
        # Rectification reopens a replied or closed request: the one way back from "closed".
        due, provisional = rectification_due(now, object_session(request))
        _event(request, EventKind.RECTIFICATION, actor, now, **{
            "from": request.status, "status": Status.IN_PROGRESS.value, "due": due.isoformat(),
            "reason": "dissatisfied_rating"})
        request.status = Status.IN_PROGRESS
        request.resolved_at = None
        request.sla_due_at, request.sla_provisional = due, provisional
    elif request.status == Status.REPLIED.value:
        _set_status(request, Status.CLOSED, actor, now, EventKind.STATUS_CHANGED, note="rated")
    _touch(request, now)


def apply(
    db: Database,
    key: str,
    *,
    actor: str = "",
    status: str | None = None,
    category: str | None = None,
    department: str | None = None,
    note: str | None = None,
    rating: int | None = None,
    comment: str = "",
    reply: str | None = None,
    now: datetime | None = None,
) -> Change:
    """Apply the given changes to one request in one transaction (all or none).

    Order: category (re-routing), department, status, note, rating — so that
    ``--category legal --status routed`` routes to legal's department first. ``reply`` goes
    with ``status="replied"`` and is required by it (see :func:`change_status`).
    """
    from xuhui_desk.services.station import get_setting

    now = now or utcnow()
    with db.write() as session:
        request = find_request(session, key)
        actor = actor or get_setting(session, "specialist")
        before = len(request.events)
        if category:
            change_category(session, request, category, actor, now)
        if department:
            reassign(request, department, actor, now)
        if status:
            change_status(request, status, actor, now, reply=reply or "")
        elif reply:
            raise ValidationFailed([Issue("reply", "reply.needs_replied")])
        if note:
            add_note(request, note, actor, now)
        if rating is not None:
            rate(request, rating, comment, actor, now)
        session.flush()
        kinds = tuple(e.kind for e in request.events[before:])
        return Change(request.tracking_no, request.status, kinds)


INTAKE_FIELDS = ("description", "channel", "urgency")


def can_edit_intake(request: Request) -> bool:
    """Intake fields may be corrected until the hub has seen the request."""
    return request.synced_revision is None and request.status not in (Status.CLOSED, Status.CANCELLED)


def edit_intake(db: Database, key: str, *, actor: str = "", now: datetime | None = None, **changes: str) -> None:
    """Correct what was recorded at intake (description, channel, urgency) before the first sync."""
    from xuhui_desk.models import Channel, Urgency

    unknown = set(changes) - set(INTAKE_FIELDS)
    if unknown:
        raise WorkflowError(f"not an intake field: {', '.join(sorted(unknown))}")
    now = now or utcnow()
    with db.write() as session:
        request = find_request(session, key)
        if not can_edit_intake(request):
            raise WorkflowError(f"{request.tracking_no} was already sent to the district hub; add a note instead")
        issues: list[Issue] = []
        if "description" in changes:
            changes["description"] = clean_text(changes["description"], multiline=True)
            issues += check_text(changes["description"], "description", required=True, minimum=4)
        if "channel" in changes and changes["channel"] not in [c.value for c in Channel]:
            issues.append(Issue("channel", "choice.invalid",
                                params={"value": changes["channel"], "choices": ", ".join(Channel)}))
        if "urgency" in changes and changes["urgency"] not in [u.value for u in Urgency]:
            issues.append(Issue("urgency", "choice.invalid",
                                params={"value": changes["urgency"], "choices": ", ".join(Urgency)}))
        if issues:
            raise ValidationFailed(issues)
        changed = {k: v for k, v in changes.items() if getattr(request, k) != v}
        if not changed:
            return
        before = {k: getattr(request, k) for k in changed}
        for k, v in changed.items():
            setattr(request, k, v)
        # Who corrects it now (the current specialist), not who took it in: every action records its doer.
        from xuhui_desk.services.station import get_setting

        actor = actor or get_setting(session, "specialist") or request.specialist
        _event(request, EventKind.EDITED, actor, now, fields=sorted(changed),
               before=before)
        _touch(request, now)
