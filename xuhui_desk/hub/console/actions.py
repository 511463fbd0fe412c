"""What district staff do to a request in the console, and the company's rating from the tracking
page. Each action is one transaction: hub timeline events (origin ``hub``), the request's
hub-owned fields, one entry in the station's change feed (so the station sees it on its next
pull) and one audit entry.

Allowed by the workstation's status machine (:data:`xuhui_desk.services.workflow.TRANSITIONS`):

* **accept** — new / routed → in progress;
* **reply** (text required) — routed / in progress → replied (from new: in progress first, as
  two recorded steps, since new → replied is no transition);
* **ask** the station for more information — an ``info_requested`` event while open; no status change;
* **transfer** to another department with a reason (required) — while new, routed or in progress;
  it takes effect at once (no approval step: see docs/console.md, "Transfers");
* **rate** (tracking page) — replied → closed, or, for 1 or 2, rectification: back to in progress,
  due in 15 working days, as ``workflow.rate`` does at the counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuhui_desk.hub.console.accounts import Principal, audit
from xuhui_desk.hub.console.casework import OPEN_WORK, visible
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import HubEvent, HubRequest, HubStation
from xuhui_desk.hub.store import append_change
from xuhui_desk.models import EventKind, Origin, Status, new_uuid, utcnow
from xuhui_desk.services.workflow import DISSATISFIED_AT_OR_BELOW, RATINGS, RECTIFICATION_WORKDAYS, TRANSITIONS
from xuhui_desk.sync_protocol import DEPARTMENT_KEY, FROM_KEY, STATUS_KEY
from xuhui_desk.validation import clean_text

MAX_TEXT = 2000
MAX_REASON = 500


class ActionRefused(Exception):
    """The action is not possible; ``key`` names the console message, ``params`` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Gone(LookupError):
    """No such request, or none the user may see."""


@dataclass(frozen=True)
class Client:
    """Where an action came from (for the audit log)."""

    ip: str = ""
    user_agent: str = ""


class _Change:
    def __init__(self, s: Session, req: HubRequest, actor: str, now: datetime) -> None:
        self.s, self.req, self.actor, self.now = s, req, actor[:50], now
        self.events: list[HubEvent] = []

    def event(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append(HubEvent(uuid=new_uuid(), request=self.req, kind=kind, actor=self.actor,
                                    origin=Origin.HUB, occurred_at=self.now, data=data, received_at=self.now))

    def status(self, target: Status, **extra: Any) -> None:
        current = Status(self.req.status)
        if target not in TRANSITIONS[current]:
            raise ActionRefused("request.not_allowed", status=current.value)
        self.event(EventKind.STATUS_CHANGED, {FROM_KEY: current.value, STATUS_KEY: target.value, **extra})
        self.req.status = target.value

    def commit(self) -> None:
        self.s.add_all(self.events)
        self.s.flush()
        self.req.changed_at = self.now
        append_change(self.s, self.req, self.events, self.now)


def _locked_request(db: HubDatabase, s: Session, tracking_no: str) -> tuple[HubRequest, str]:
    if "\x00" in tracking_no or len(tracking_no) > 32:
        raise Gone(tracking_no[:40])
    found = s.execute(select(HubRequest.station_id, HubStation.code)
                      .join(HubStation, HubStation.id == HubRequest.station_id)
                      .where(HubRequest.tracking_no == tracking_no)).first()
    if found is None:
        raise Gone(tracking_no)
    db.lock_station(s, found[0])
    req = s.scalars(select(HubRequest).where(HubRequest.tracking_no == tracking_no)
                    .execution_options(populate_existing=True)).one()
    return req, found[1]


def _text(value: str, limit: int, missing_key: str) -> str:
    text = clean_text(value or "", multiline=True)
    if not text:
        raise ActionRefused(missing_key)
    if len(text) > limit:
        raise ActionRefused("request.too_long", limit=limit)
    return text


def act(db: HubDatabase, who: Principal, tracking_no: str, action: str, form: dict[str, str], client: Client,
        *, now: datetime | None = None) -> dict[str, Any]:
    """Apply one console ``action`` (accept, reply, ask, transfer) to a request ``who`` may act on.

    Raises :class:`Gone` (404) for a request out of the user's sight, :class:`ActionRefused`
    with a message key for an action the status machine or the input does not allow, and
    ``PermissionError`` for a role that may not act.
    """
    if not who.may_act:
        raise PermissionError(who.role)
    now = now or utcnow()
    with db.write() as s:
        req, station_code = _locked_request(db, s, tracking_no)
        if not visible(who, req.department, station_code):
            raise Gone(tracking_no)
        change = _Change(s, req, who.name, now)
        detail: dict[str, Any] = {"from_status": req.status}
        if action == "accept":
            change.status(Status.IN_PROGRESS)
        elif action == "reply":
            text = _text(form.get("reply", ""), MAX_TEXT, "request.reply_required")
            if req.status not in OPEN_WORK:
                raise ActionRefused("request.not_allowed", status=req.status)
            if req.status == Status.NEW:
                change.status(Status.IN_PROGRESS)
            change.event(EventKind.REPLY, {"text": text})
            req.reply = text
            change.status(Status.REPLIED)
            detail["chars"] = len(text)
        elif action == "ask":
            text = _text(form.get("text", ""), MAX_TEXT, "request.text_required")
            if req.status not in OPEN_WORK:
                raise ActionRefused("request.not_allowed", status=req.status)
            change.event(EventKind.INFO_REQUESTED, {"text": text})
            detail["chars"] = len(text)
        elif action == "transfer":
            from xuhui_desk.services.taxonomy import load_taxonomy

            target = form.get("department", "").strip()
            if target not in {d.code for d in load_taxonomy().departments}:
                raise ActionRefused("request.unknown_department")
            if target == req.department:
                raise ActionRefused("request.same_department")
            reason = _text(form.get("reason", ""), MAX_REASON, "request.reason_required")
            if req.status not in OPEN_WORK:
                raise ActionRefused("request.not_allowed", status=req.status)
            # ``note`` is the key the station's timeline prints under the department change.
            change.event(EventKind.REASSIGNED, {DEPARTMENT_KEY: target, "from_department": req.department,
                                                "note": reason, "reason": "transfer"})
            detail.update({"from_department": req.department, "to_department": target, "reason": reason})
            req.department = target
            req.department_by_district = True
        else:
            raise ActionRefused("error.forbidden")
        change.commit()
        detail["status"] = req.status
        audit(s, who.username, f"request_{action}", tracking_no, detail=detail, ip=client.ip,
              user_agent=client.user_agent, now=now)
        return {"status": req.status, "department": req.department}


def rate(db: HubDatabase, tracking_no: str, rating: int, comment: str, actor: str, client: Client,
         *, now: datetime | None = None) -> dict[str, Any]:
    """The company's rating from the public tracking page (the caller checked the code).

    Only a replied request can be rated here. Returns ``{"status", "due"}`` (``due`` is the
    rectification's due time for a rating of 1 or 2, else None).
    """
    from xuhui_desk.services.assignment import calendar

    if rating not in RATINGS:
        raise ActionRefused("track.pick_rating")
    comment = clean_text(comment or "", multiline=True)
    if len(comment) > MAX_REASON:
        raise ActionRefused("request.too_long", limit=MAX_REASON)
    now = now or utcnow()
    with db.write() as s:
        req, _station = _locked_request(db, s, tracking_no)
        if req.status != Status.REPLIED:
            raise ActionRefused("track.already")
        change = _Change(s, req, actor, now)
        change.event(EventKind.RATED, {"rating": rating, "level": RATINGS[rating], "comment": comment})
        req.rating = rating
        req.rating_comment = comment or None
        due: datetime | None = None
        if rating <= DISSATISFIED_AT_OR_BELOW:
            due = calendar().add_workdays(now, RECTIFICATION_WORKDAYS)
            change.event(EventKind.RECTIFICATION, {FROM_KEY: req.status, STATUS_KEY: Status.IN_PROGRESS.value,
                                                   "due": due.isoformat(), "reason": "dissatisfied_rating"})
            req.status = Status.IN_PROGRESS.value
            req.sla_due_at = due
        else:
            change.status(Status.CLOSED, note="rated")
        change.commit()
        audit(s, "", "tracking_rated", tracking_no, detail={"rating": rating}, ip=client.ip,
              user_agent=client.user_agent, now=now)
        return {"status": req.status, "due": due}
