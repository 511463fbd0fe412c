"""The company file (企业档案): one company's profile, contacts and every request it made.

What it promises (:func:`company_file`):

* The company is found by ``key``: an enterprise id (an int, or digits only), a unified social
  credit code (any spacing or width), or a name — the exact name (as :func:`validation.name_key`
  compares names) first, else the one company whose name contains it. No match raises
  :class:`CompanyNotFound`; several raise :class:`CompanyAmbiguous` with the candidates' names.
* Its requests come open ones first (new, routed, in progress, replied; earliest due first),
  then the rest newest first, each with status, department and rating — at most ``limit``
  of them, with the complete ``total`` and ``open_count``; its contacts (the ``contact``
  events on its requests) newest first, and its open callbacks.
* Reads walk ``ix_requests_enterprise_category`` and the partial ``ix_request_events_contact``
  (migration 0010): under 50 ms at 200,000 requests, for a company with thousands of requests
  too (benchmarks/today_benchmark.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from xuhui_desk.db import Database
from xuhui_desk.models import OPEN_STATUSES, Callback, Enterprise, Request, RequestEvent, Status
from xuhui_desk.policies import CompanyProfile as PolicyProfile
from xuhui_desk.services.policies import profile_of
from xuhui_desk.services.timefmt import iso_local
from xuhui_desk.validation import USCC_CHARSET, clean_text, name_key, normalize_uscc

_OPEN = tuple(s.value for s in OPEN_STATUSES)
_CLOSED = tuple(s.value for s in Status if s not in OPEN_STATUSES)
#: Contacts shown in the file (newest first); the request timelines hold them all.
CONTACTS_SHOWN = 50
#: Candidates named when a name matches several companies.
CANDIDATES_SHOWN = 10
#: Characters of a request's description the file shows.
SNIPPET = 80
#: Requests listed (every open one first); the counts are complete. A company that comes
#: every week has thousands: the GUI asks for more when the list is scrolled.
DEFAULT_REQUESTS = 100


class CompanyNotFound(LookupError):
    """No company matches the key."""


class CompanyAmbiguous(LookupError):
    """Several companies match the key; ``candidates`` names them (at most CANDIDATES_SHOWN)."""

    def __init__(self, key: str, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(f"{key!r} matches several companies: {', '.join(candidates)}; give the credit code "
                         "or more of the name")


@dataclass(frozen=True)
class CompanyProfile:
    id: int
    uuid: str
    name: str
    uscc: str | None
    contact_name: str
    phone: str
    park: str
    building: str
    first_seen_at: datetime
    #: What is known of the company for matching policies (services/policies; unknown facts None).
    facts: PolicyProfile = field(default_factory=PolicyProfile)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "uuid": self.uuid, "name": self.name, "uscc": self.uscc,
                "contact_name": self.contact_name, "phone": self.phone, "park": self.park,
                "building": self.building, "first_seen_at": iso_local(self.first_seen_at),
                "facts": self.facts.to_json()}


@dataclass(frozen=True)
class CompanyRequest:
    uuid: str
    tracking_no: str
    created_at: datetime
    category: str
    department: str | None
    status: str
    is_open: bool
    rating: int | None
    sla_due_at: datetime | None
    specialist: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "tracking_no": self.tracking_no, "created_at": iso_local(self.created_at),
                "category": self.category, "department": self.department, "status": self.status,
                "open": self.is_open, "rating": self.rating,
                "sla_due_at": iso_local(self.sla_due_at) if self.sla_due_at else None,
                "specialist": self.specialist, "description": self.description}


@dataclass(frozen=True)
class CompanyContact:
    """A contact with the company, recorded on one of its requests."""

    request_uuid: str
    tracking_no: str
    occurred_at: datetime
    channel: str
    summary: str
    actor: str
    callback_on: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"request_uuid": self.request_uuid, "tracking_no": self.tracking_no,
                "occurred_at": iso_local(self.occurred_at), "channel": self.channel, "summary": self.summary,
                "actor": self.actor, "callback_on": self.callback_on}


@dataclass(frozen=True)
class CompanyFile:
    profile: CompanyProfile
    requests: tuple[CompanyRequest, ...]
    contacts: tuple[CompanyContact, ...]
    #: Open callbacks on its requests: (tracking number, day), earliest first.
    open_callbacks: tuple[tuple[str, str], ...]
    #: All its requests, and the open ones (``requests`` lists at most the limit asked for).
    total: int
    open_count: int

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile.to_dict(), "open_count": self.open_count, "total": self.total,
                "requests": [r.to_dict() for r in self.requests],
                "contacts": [c.to_dict() for c in self.contacts],
                "open_callbacks": [{"tracking_no": t, "due_on": d} for t, d in self.open_callbacks]}


def _looks_like_uscc(code: str) -> bool:
    return len(code) == 18 and all(c in USCC_CHARSET for c in code)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_company(session: Session, key: str | int) -> Enterprise:
    """The company ``key`` names (see the module's description)."""
    if isinstance(key, int) or (isinstance(key, str) and key.strip().isdigit() and len(key.strip()) < 18):
        found = session.get(Enterprise, int(key))
        if found is None:
            raise CompanyNotFound(f"no company with id {key}")
        return found
    text = clean_text(key)
    if not text:
        raise CompanyNotFound("give a credit code or a company name")
    code = normalize_uscc(text)
    if _looks_like_uscc(code):
        found = session.scalars(select(Enterprise).where(Enterprise.uscc == code)).first()
        if found is not None:
            return found
    wanted = name_key(text)
    exact = session.scalars(select(Enterprise).where(Enterprise.name_key == wanted).limit(2)).all()
    if len(exact) == 1:
        return exact[0]
    matches = exact or session.scalars(
        select(Enterprise).where(Enterprise.name_key.like(_like(wanted), escape="\\"))
        .order_by(Enterprise.name_sort, Enterprise.name).limit(CANDIDATES_SHOWN + 1)).all()
    if not matches:
        raise CompanyNotFound(f"no company matches {text!r}")
    if len(matches) > 1:
        raise CompanyAmbiguous(text, [m.name for m in matches[:CANDIDATES_SHOWN]])
    return matches[0]


def company_file(db: Database, key: str | int, *, limit: int = DEFAULT_REQUESTS) -> CompanyFile:
    """The file of the company ``key`` names: profile, requests (every open one first, then the
    newest others; at most ``limit`` lines, the counts complete), contacts, open callbacks.
    Raises CompanyNotFound / CompanyAmbiguous."""
    with db.session() as session:
        ent = find_company(session, key)
        profile = CompanyProfile(ent.id, ent.uuid, ent.name, ent.uscc, ent.contact_name, ent.phone, ent.park,
                                 ent.building, ent.first_seen_at, profile_of(ent))
        mine = Request.enterprise_id == ent.id
        is_open = Request.status.in_(_OPEN)
        total = session.scalar(select(func.count()).select_from(Request).where(mine)) or 0
        open_count = session.scalar(select(func.count()).select_from(Request).where(mine, is_open)) or 0
        columns = (Request.uuid, Request.tracking_no, Request.created_at, Request.category, Request.department,
                   Request.status, Request.rating, Request.sla_due_at, Request.specialist, Request.description)
        # Open first (the most pressing due first), then the rest newest first.
        rows = list(session.execute(select(*columns).where(mine, is_open)
                                    .order_by(Request.sla_due_at, Request.id).limit(limit)))
        if len(rows) < limit:
            # The newest closed ids come from ix_requests_enterprise_status_due alone; only those rows are read.
            newest = (select(Request.id).where(mine, Request.status.in_(_CLOSED))
                      .order_by(Request.id.desc()).limit(limit - len(rows)).scalar_subquery())
            rows += session.execute(select(*columns).where(Request.id.in_(newest))
                                    .order_by(Request.id.desc()))
        requests = tuple(CompanyRequest(r.uuid, r.tracking_no, r.created_at, r.category, r.department, str(r.status),
                                        str(r.status) in _OPEN, r.rating, r.sla_due_at, r.specialist,
                                        r.description[:SNIPPET]) for r in rows)
        ids = select(Request.id).where(mine).scalar_subquery()
        # The literal kind lets SQLite use the partial index ix_request_events_contact (migration 0010); the
        # requests are looked up afterwards, for the few contacts found only.
        events = session.execute(
            select(RequestEvent.occurred_at, RequestEvent.actor, RequestEvent.data, RequestEvent.request_id)
            .where(RequestEvent.request_id.in_(ids), text("request_events.kind = 'contact'"))
            .order_by(RequestEvent.id.desc()).limit(CONTACTS_SHOWN)
        ).all()
        # Open callbacks are few station-wide: walk them (ix_callbacks_open_due), not the company's requests.
        open_callbacks = session.execute(
            select(Callback.request_id, Callback.due_on)
            .where(text("callbacks.done_at IS NULL"), text("+callbacks.request_id IN (SELECT id FROM requests "
                                                           "WHERE enterprise_id = :enterprise_id)"))
            .params(enterprise_id=ent.id).order_by(Callback.due_on, Callback.id)).all()
        wanted = {e.request_id for e in events} | {c.request_id for c in open_callbacks}
        names = {r.id: (r.uuid, r.tracking_no) for r in session.execute(
            select(Request.id, Request.uuid, Request.tracking_no).where(Request.id.in_(wanted)))}
        contacts = tuple(CompanyContact(names[e.request_id][0], names[e.request_id][1], e.occurred_at,
                                        str((e.data or {}).get("channel", "")), str((e.data or {}).get("summary", "")),
                                        e.actor, (e.data or {}).get("callback_on")) for e in events)
        callbacks = tuple((names[c.request_id][1], c.due_on) for c in open_callbacks)
    return CompanyFile(profile, requests, contacts, callbacks, total, open_count)
