"""The sync panel's list (use case :func:`refused_rows`): every record the hub refused or this
station quarantined, as the panel shows it — with the request to open for it, the company's
name, the timeline entry's kind and the reason in the GUI's language. Plain data, no Qt."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from xuhui_desk.db import Database
from xuhui_desk.models import Enterprise, Request, RequestEvent
from xuhui_desk.services.sync.state import rejected_records
from xuhui_desk.sync_protocol import ENTERPRISE, EVENT, POLICY_PUSH

#: Tracking numbers and uuids looked up per statement (keeps IN lists small).
_CHUNK = 500


@dataclass(frozen=True)
class RefusedRow:
    """One refused record as the sync panel lists it."""

    type: str  # "request", "enterprise", "event", "policy_push", or "change" (a faulty change pulled from the hub)
    uuid: str
    request_uuid: str | None  # the request to open (the record itself, or the event's request)
    tracking_no: str | None
    name: str  # the enterprise's name
    event_kind: str | None
    kind: str  # "rejected", "too_large", "timeout", "pulled"
    reason: str


def refused_rows(db: Database, language: str) -> list[RefusedRow]:
    """Every quarantined record (in :func:`rejected_records`' order) with the reason in
    ``language``, the uuid of the request to open for it (None when the station holds no such
    request), its company's name and, for a timeline entry, the entry's kind. Reads only."""
    records = rejected_records(db)
    wanted = sorted({r.tracking_no for r in records if r.tracking_no})
    events = sorted({r.uuid for r in records if r.type == EVENT})
    requests: dict[str, tuple[str, str]] = {}
    kinds: dict[str, str] = {}
    with db.session() as s:
        for i in range(0, len(wanted), _CHUNK):
            requests.update((t, (u, n)) for t, u, n in s.execute(
                select(Request.tracking_no, Request.uuid, Enterprise.name)
                .join(Enterprise, Enterprise.id == Request.enterprise_id)
                .where(Request.tracking_no.in_(wanted[i:i + _CHUNK]))))
        for i in range(0, len(events), _CHUNK):
            kinds.update((u, k) for u, k in s.execute(
                select(RequestEvent.uuid, RequestEvent.kind).where(RequestEvent.uuid.in_(events[i:i + _CHUNK]))))
    rows = []
    for r in records:
        request_uuid, name = requests.get(r.tracking_no or "", (None, ""))
        if r.type in (ENTERPRISE, POLICY_PUSH):  # their label is the company's name
            name = r.label
        rows.append(RefusedRow(r.type, r.uuid, request_uuid, r.tracking_no, name, kinds.get(r.uuid), r.kind,
                               r.message(language)))
    return rows
