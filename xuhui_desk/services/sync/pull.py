"""The pull of a round: the station's change feed page by page, each page's rows and the
cursor after it saved in one transaction. The hub owns status and department changes made in
the district and its replies; the station keeps every field it recorded and any status or
department change of its own not yet on the hub. Timeline events merge by uuid. A change that
fails the checks is quarantined (listed with the refused records), never applied."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuhui_desk import record_rules
from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.models import Origin, Request, RequestEvent, Status, SyncState
from xuhui_desk.services.sync.context import RoundContext
from xuhui_desk.services.sync.errors import SyncFailure
from xuhui_desk.services.sync.state import META_CURSOR, META_PULL_QUARANTINE, get_meta, put_meta
from xuhui_desk.sync_protocol import (
    EVENT,
    INITIAL_EVENT_KINDS,
    PULL_PATH,
    STATUS_KEY,
    Change,
    FieldError,
    WireError,
    parse_pull_response,
    to_wire,
)

_STATUSES = frozenset(s.value for s in Status)


class Puller:
    """The pull of one round (see the module doc)."""

    def __init__(self, ctx: RoundContext) -> None:
        self.ctx = ctx

    def run(self) -> None:
        """Pull the feed to its end (or until cancelled)."""
        with self.ctx.db.session() as s:
            cursor = int(get_meta(s, META_CURSOR) or 0)
        self.ctx.report("pulling", 0, 0)
        while True:
            self.ctx.check_cancel()
            resp = self.ctx.hub.call("GET", PULL_PATH, params={"cursor": cursor, "limit": self.ctx.options.pull_limit},
                                 auth=True)
            try:
                changes, next_cursor, has_more = parse_pull_response(self.ctx.hub.json(resp))
            except WireError as exc:
                raise SyncFailure(SyncErrorKind.PROTOCOL, f"the hub's change feed is malformed: {exc}") from exc
            if next_cursor < cursor:
                raise SyncFailure(SyncErrorKind.PROTOCOL,
                                  f"the hub's feed went backwards (cursor {cursor} → {next_cursor})")
            with self.ctx.db.write() as s:
                self._apply_changes(s, changes)
                put_meta(s, META_CURSOR, str(next_cursor))
                self.ctx.write_lease(s, self.ctx.clock())
            self.ctx.summary.pulled += len(changes)
            self.ctx.report("pulling", self.ctx.summary.pulled, 0)
            if not has_more or not changes:
                break
            cursor = next_cursor

    def _apply_changes(self, s: Session, changes: list[Change]) -> None:
        if not changes:
            return
        uuids = sorted({c.request_uuid for c in changes})
        requests: dict[str, Request] = {}
        for i in range(0, len(uuids), 500):
            requests.update((r.uuid, r) for r in s.scalars(select(Request).where(Request.uuid.in_(uuids[i:i + 500]))))
        ids = [r.id for r in requests.values()]
        # A status change made here and not yet sent is kept (it goes to the hub next, which
        # applies it or answers why not); otherwise the hub's status is the truth. The
        # department is the hub's once the district assigned one.
        own_status: set[int] = set()
        for i in range(0, len(ids), 500):
            for request_id, kind, data in s.execute(
                select(RequestEvent.request_id, RequestEvent.kind, RequestEvent.data).where(
                    RequestEvent.request_id.in_(ids[i:i + 500]), RequestEvent.origin == Origin.STATION,
                    RequestEvent.sync_state != SyncState.SYNCED)):
                if kind in INITIAL_EVENT_KINDS or not isinstance(data, dict):
                    continue
                if STATUS_KEY in data:
                    own_status.add(request_id)
        event_ids = sorted({e.uuid for c in changes for e in c.events})
        known: set[str] = set()
        for i in range(0, len(event_ids), 500):
            known.update(s.scalars(select(RequestEvent.uuid).where(RequestEvent.uuid.in_(event_ids[i:i + 500]))))
        unknown = 0
        window = record_rules.time_window(self.ctx.clock(), self.ctx.summary.skew_seconds)
        for change in changes:
            request = requests.get(change.request_uuid)
            if request is None:
                unknown += 1
                continue
            problems = _change_problems(change, request, window)
            if problems:
                self._quarantine_change(s, change, problems)
                continue
            for ev in change.events:
                if ev.uuid in known:
                    continue
                known.add(ev.uuid)
                v = ev.values
                s.add(RequestEvent(uuid=ev.uuid, request_id=request.id, kind=v["kind"], actor=v["actor"],
                                   origin=v["origin"], occurred_at=v["occurred_at"], data=v["data"],
                                   sync_state=SyncState.SYNCED))
                if v["origin"] == Origin.HUB:
                    _adopt_hub_event(request, v["kind"], v["data"])
            if request.id not in own_status and change.status in _STATUSES:
                request.status = change.status
            if change.department_by_district and change.department:
                request.department = change.department
        if unknown:
            self.ctx.summary.errors.append(
                f"{unknown} change(s) from the hub concern requests this station does not have")

    def _quarantine_change(self, s: Session, change: Change, problems: list[FieldError]) -> None:
        """Keep a faulty change from the hub out of the database, and listed (rejected_records)."""
        entry = {"seq": change.seq, "request_uuid": change.request_uuid, "tracking_no": change.tracking_no[:40],
                 "errors": [record_rules.with_message(p).to_wire() for p in problems[:10]]}
        put_meta(s, f"{META_PULL_QUARANTINE}{change.seq}", json.dumps(entry, ensure_ascii=False))
        self.ctx.summary.quarantined += 1
        self.ctx.summary.errors.append(f"an update from the hub for {change.tracking_no[:40] or change.request_uuid} "
                                   "is faulty and was not applied: "
                                   + "; ".join(f"{p.field}: {p.code}" for p in problems[:5]))


def _change_problems(change: Change, request: Request, window: record_rules.TimeWindow) -> list[FieldError]:
    """What is wrong with a change pulled from the hub for ``request`` — checked as strictly as
    the hub checks what a station pushes: status, department, ownership, and every event (a hub
    event, of a known kind with its data, plausible time and size)."""
    problems = list(change.problems)
    if change.status not in record_rules.STATUSES:
        problems.append(FieldError("status", "status.unknown", {"value": change.status[:40]}))
    problems += record_rules.check_department("department", change.department)
    if change.tracking_no != request.tracking_no:
        problems.append(FieldError("tracking_no", "wire.change", {"value": change.tracking_no[:40]}))
    for ev in change.events:
        if ev.type != EVENT:
            problems.append(FieldError("events", "wire.type", {"expected": "event"}))
            continue
        if ev.values.get("request_uuid") != change.request_uuid:
            problems.append(FieldError("request_uuid", "wire.change"))
        problems += record_rules.check_record_size(to_wire(EVENT, ev.uuid, 1, ev.values))
        problems += record_rules.check_event(ev.values, origin=Origin.HUB.value, window=window)
    return problems


def _adopt_hub_event(request: Request, kind: str, data: dict[str, Any]) -> None:
    """A rating given on the hub's public tracking page, and the rectification a low one starts,
    set what the workflow sets when the rating is given at the counter (``workflow.rate``): the
    request's rating and comment, its new due time, and "not resolved" again."""
    if kind == "rated" and isinstance(data.get("rating"), int) and not isinstance(data.get("rating"), bool):
        request.rating = data["rating"]
        request.rating_comment = str(data.get("comment") or "") or None
    elif kind == "rectification" and isinstance(data.get("due"), str):
        try:
            due = datetime.fromisoformat(data["due"])
        except ValueError:
            return
        if due.tzinfo is not None:
            request.sla_due_at = due
        request.resolved_at = None
