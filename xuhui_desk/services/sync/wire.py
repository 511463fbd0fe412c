"""What the push sends: a claimed record (:class:`Item`) and batch (:class:`Batch`), and each
kind of local row as the protocol's wire record (:data:`WIRE`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from xuhui_desk.services.policies import profile_wire
from xuhui_desk.sync_protocol import (
    ACCEPTED,
    DUPLICATE,
    ENTERPRISE,
    ENTERPRISE_FIELDS,
    EVENT,
    POLICY_PUSH,
    REQUEST,
    REQUEST_FIELDS,
    RecordResult,
    to_wire,
)


@dataclass
class Item:
    """A record claimed for a batch: what goes on the wire, and its size there."""

    type: str
    uuid: str
    revision: int
    wire: dict[str, Any]
    size: int
    #: ``wire`` as sent (compact JSON): encoded once, for the size and for the body.
    encoded: bytes = b""
    #: The local row id (acknowledged records are marked by it).
    id: int = 0


@dataclass
class Batch:
    """A claimed batch, recorded in ``sync_batches`` and encoded, ready to post."""

    id: str
    items: list[Item]
    content: bytes
    headers: dict[str, str]
    #: The stage (index into STAGES) the next claim starts from.
    stage: int


# UUIDs go out in lower case (the hub compares them case-insensitively too): a uuid written in
# upper case by some import is still one record, not two. The rows are Core rows (named tuples
# of the table's columns): a claim reads thousands of them, ORM objects would cost several times more.
def _enterprise_wire(e: Row[Any]) -> dict[str, Any]:
    values = {f: getattr(e, f) for f in ENTERPRISE_FIELDS if f != "profile"}
    # The profile facts (policy matching): CompanyProfile.to_json(), null when nothing is known.
    values["profile"] = profile_wire(e)
    return to_wire(ENTERPRISE, e.uuid.lower(), e.revision, values)


def _request_wire(r: Row[Any]) -> dict[str, Any]:
    values = {f: getattr(r, f) for f in REQUEST_FIELDS if f not in ("enterprise_uuid", "status_base")}
    values["enterprise_uuid"] = r.enterprise_uuid.lower()
    if r.linked_request_uuid:
        values["linked_request_uuid"] = r.linked_request_uuid.lower()
    values["status_base"] = None  # filled in by _add_status_bases
    return to_wire(REQUEST, r.uuid.lower(), r.revision, values)


def _event_wire(e: Row[Any]) -> dict[str, Any]:
    return to_wire(EVENT, e.uuid.lower(), 1, {"request_uuid": e.request_uuid.lower(), "kind": e.kind,
                                              "actor": e.actor, "origin": e.origin,
                                              "occurred_at": e.occurred_at, "data": e.data})


def _policy_push_wire(p: Row[Any]) -> dict[str, Any]:
    # Immutable like an event (revision 1); the titles stay at the station (the hub has the policies).
    items = [{"id": str(i["id"]), "version": int(i["version"])} for i in p.policies]
    return to_wire(POLICY_PUSH, p.uuid.lower(), 1, {
        "enterprise_uuid": p.enterprise_uuid.lower(), "pushed_by": p.pushed_by, "pushed_at": p.pushed_at,
        "channel": p.channel, "policies": items,
        "request_uuid": p.request_uuid.lower() if p.request_uuid else None})


WIRE = {ENTERPRISE: _enterprise_wire, REQUEST: _request_wire, EVENT: _event_wire, POLICY_PUSH: _policy_push_wire}


def all_acknowledged(items: list[Item], results: list[RecordResult]) -> bool:
    """Every record of the batch answered, and answered accepted or duplicate."""
    answered = {(r.type, r.uuid.lower()): r.status for r in results}
    return all(answered.get((i.type, i.uuid.lower())) in (ACCEPTED, DUPLICATE) for i in items)
