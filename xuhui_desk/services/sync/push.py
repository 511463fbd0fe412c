"""The push of a round: enterprises, then requests, then timeline events, then policy pushes, in
bounded batches (count and bytes, gzip bodies), each recorded in ``sync_batches`` (its id is the
hub's idempotency key). Records go ``pending → sending → synced / error``; a record edited while its
batch was in flight stays ``pending``. A 413 or a timeout splits the batch; a single record that
still fails is quarantined. A record whose parent the hub lost is sent again after the parent.
"""

from __future__ import annotations

import gzip
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import cache
from typing import Any

from sqlalchemy import Integer, Row, and_, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from xuhui_desk import record_rules
from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.models import (
    Enterprise,
    Origin,
    PolicyPush,
    Request,
    RequestEvent,
    SyncBatch,
    SyncMeta,
    SyncState,
    new_uuid,
)
from xuhui_desk.services.prepared_statements import PreparedStatement
from xuhui_desk.services.sync.context import RoundContext
from xuhui_desk.services.sync.errors import HubTimeout, SyncFailure, TooLarge, UpgradeRequired
from xuhui_desk.services.sync.state import (
    BATCH_DONE,
    BATCH_FAILED,
    BATCH_SENDING,
    BATCH_SPLIT,
    META_EVENT_ERROR,
    MODELS,
    Q_REJECTED,
    Q_TIMEOUT,
    Q_TOO_LARGE,
    STAGES,
    count_records,
    error_json,
    put_meta,
)
from xuhui_desk.services.sync.wire import WIRE, Batch, Item, all_acknowledged
from xuhui_desk.sync_protocol import (
    ACCEPTED,
    DUPLICATE,
    ENTERPRISE,
    EVENT,
    FROM_KEY,
    INITIAL_EVENT_KINDS,
    PARENT_UNKNOWN,
    POLICY_PUSH,
    PUSH_PATH,
    REQUEST,
    REQUEST_UNKNOWN,
    REVISION_CONFLICT,
    STATUS_KEY,
    FieldError,
    RecordResult,
    WireError,
    compact_json,
    parse_push_response,
    push_body,
)


@cache
def _pending_rows(stage: str) -> Any:
    """The next pending rows of ``stage`` after ``:after_id``, at most ``:limit`` (built once: a claim
    runs it for every batch)."""
    after, limit = bindparam("after_id", type_=Integer), bindparam("limit", type_=Integer)
    if stage == ENTERPRISE:
        e = Enterprise.__table__.c
        return (select(Enterprise.__table__).where(e.sync_state == SyncState.PENDING, e.id > after)
                .order_by(e.id).limit(limit))
    if stage == REQUEST:
        r = Request.__table__.c
        return (select(Request.__table__, Enterprise.__table__.c.uuid.label("enterprise_uuid"))
                .join(Enterprise.__table__, Enterprise.__table__.c.id == r.enterprise_id)
                .where(r.sync_state == SyncState.PENDING, r.id > after,
                       Enterprise.__table__.c.sync_state != SyncState.ERROR)
                .order_by(r.id).limit(limit))
    ev = RequestEvent.__table__.c
    return (select(RequestEvent.__table__, Request.__table__.c.uuid.label("request_uuid"))
            .join(Request.__table__, Request.__table__.c.id == ev.request_id)
            .where(ev.sync_state == SyncState.PENDING, ev.id > after, ev.origin == Origin.STATION,
                   Request.__table__.c.sync_state != SyncState.ERROR)
            .order_by(ev.id).limit(limit))


@cache
def _mark_sending(stage: str) -> Any:
    """Claimed rows (``:ids``, still pending) marked ``sending``."""
    table = MODELS[stage].__table__
    return (table.update().where(table.c.id.in_(bindparam("ids", expanding=True)),
                                 table.c.sync_state == SyncState.PENDING)
            .values(sync_state=SyncState.SENDING))


@cache
def _batch_insert() -> PreparedStatement:
    """A batch's row in ``sync_batches`` (one per batch: a statement on the cursor, not an ORM object)."""
    return PreparedStatement(insert(SyncBatch),
                             ["id", "created_at", "state", "record_count", "byte_count"])


@cache
def _unsent_own_events() -> Any:
    """The kind and data of the station's own not-yet-synced events of the requests ``:ids`` that
    may give a status base, oldest first (built once: a claim of requests runs it for every batch).
    An initial event (``created``) never does: its data, the largest, is not even read."""
    ev = RequestEvent.__table__.c  # the table's columns: rows as Core rows, not through the ORM's loading
    return (select(ev.request_id, ev.kind, ev.data)
            .where(ev.request_id.in_(bindparam("ids", expanding=True)), ev.origin == Origin.STATION,
                   ev.sync_state != SyncState.SYNCED, ev.kind.not_in(sorted(INITIAL_EVENT_KINDS)))
            .order_by(ev.id))


@cache
def _synced_statement(rtype: str) -> PreparedStatement:
    """Acknowledged records of ``rtype`` marked, one row (``i`` row id; ``r`` the revision sent, for
    enterprises and requests) per item of an executemany on the DBAPI cursor: built and compiled
    once, every value through its column's bind processor (services/prepared_statements.py).

    Nothing acknowledged stays ``sending``: an event or policy push becomes ``synced``; an
    enterprise or request ``synced`` when the revision sent is still its revision, else (edited
    while in flight) ``pending`` again, to be sent once more. The hub has seen the revision sent
    either way (``synced_revision``)."""
    table = MODELS[rtype].__table__
    c = table.c
    sending = c.sync_state == SyncState.SENDING
    if rtype == POLICY_PUSH:
        return PreparedStatement(table.update().where(c.id == bindparam("i"), sending)
                                 .values(sync_state=SyncState.SYNCED, sync_error=None), ["i"])
    if rtype == EVENT:
        return PreparedStatement(table.update().where(c.id == bindparam("i"), sending)
                                 .values(sync_state=SyncState.SYNCED), ["i"])
    now_synced = and_(c.revision == bindparam("r"), sending)
    return PreparedStatement(table.update().where(c.id == bindparam("i")).values(
        sync_state=case((now_synced, SyncState.SYNCED.value), (sending, SyncState.PENDING.value),
                        else_=c.sync_state),
        sync_error=case((now_synced, None), else_=c.sync_error),
        synced_revision=case((or_(c.synced_revision.is_(None), c.synced_revision < bindparam("r")),
                              bindparam("r")), else_=c.synced_revision),
    ), ["i", "r"])


class Pusher:
    """The push of one round (see the module doc).

    Pipelined: while a batch is in flight (posted on a helper thread), the next one is claimed,
    recorded and encoded here; it is posted once the answer to the previous one is applied, so
    the hub still receives the batches one after the other, parents before children. Every
    database write stays on the round's thread. When a batch comes back with anything but
    "accepted" or "duplicate" for every record (refusals, unknown parents, a split), the
    prepared batch is put back unsent and claimed again — with the previous answer applied, as
    a round without the pipeline would claim it.
    """

    def __init__(self, ctx: RoundContext) -> None:
        self.ctx = ctx
        self.timeout_quarantines = 0
        self.push_total = 0
        self.push_done = 0
        #: Parents (type, uuid) this round sent again because the hub said it did not know them.
        self.reseeded: set[tuple[str, str]] = set()

    def run(self) -> None:
        """Push every pending record (a few passes: see SyncOptions.passes)."""
        from xuhui_desk.services.policies import release_stale_holds

        release_stale_holds(self.ctx.db, self.ctx.clock())
        with self.ctx.db.session() as s:
            self.push_total, _ = count_records(s, [SyncState.PENDING])
        self.ctx.report("pushing", 0, self.push_total)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xuhui-sync-post") as poster:
            for _ in range(max(1, self.ctx.options.passes)):
                summary = self.ctx.summary
                before = summary.pushed + summary.duplicates + summary.rebased + len(self.reseeded)
                sent_any = self._pass(poster)
                progressed = summary.pushed + summary.duplicates + summary.rebased + len(self.reseeded) > before
                if not sent_any or not progressed:
                    break

    def _pass(self, poster: ThreadPoolExecutor) -> bool:
        """One pass over the pending records, in local row order; True when it sent anything.

        While batch N is in flight the next one is claimed; when N's answer is all accepted or
        duplicate, N+1 is posted at once and N's answer applied while N+1 is in flight. Any
        other answer (or none) puts the prepared batch back; it is claimed again after N's answer
        is applied, exactly as without the pipeline.
        """
        cursors = dict.fromkeys(STAGES, 0)
        self.ctx.check_cancel()
        batch = self._claim(cursors, 0)
        if batch is None:
            return False
        # ``batch``: posted, its answer awaited in ``in_flight``; ``prepared``: claimed, not posted
        # (``saved``: the cursors before it was claimed); ``posted``: the batch after ``batch``,
        # posted while ``batch``'s answer is applied.
        in_flight: Future[list[RecordResult]] | None = poster.submit(self._post, batch)
        saved = dict(cursors)
        prepared = self._claim(cursors, batch.stage) if batch.stage < len(STAGES) else None
        posted: Batch | None = None
        try:
            while batch is not None:
                assert in_flight is not None
                try:
                    answer: list[RecordResult] | Exception = in_flight.result()
                except Exception as exc:  # concluded below: split, quarantine or stop
                    answer = exc
                in_flight = None
                clean = not isinstance(answer, Exception) and all_acknowledged(batch.items, answer)
                # Cancelling stops before the next post: what is prepared goes back unsent.
                stop = self.ctx.cancel()
                if prepared is not None and (stop or not clean):
                    self._release(prepared.items, prepared.id)
                    prepared, cursors = None, saved
                elif prepared is not None:
                    posted, prepared = prepared, None
                    in_flight = poster.submit(self._post, posted)
                if posted is not None and posted.stage < len(STAGES) and not isinstance(answer, Exception):
                    # The answer applied and the batch after the one in flight claimed: one transaction.
                    self.ctx.summary.batches += 1
                    saved = dict(cursors)
                    prepared = self._apply_results(batch.id, batch.items, answer, claim=(cursors, posted.stage))
                else:
                    self._conclude(batch, answer)
                if stop:
                    self.ctx.check_cancel()
                if posted is None and batch.stage < len(STAGES):
                    # Claimed again now that the answer is applied, as without the pipeline.
                    posted = self._claim(cursors, batch.stage)
                    if posted is not None:
                        self._check_cancel(posted)
                        in_flight = poster.submit(self._post, posted)
                        saved = dict(cursors)
                        prepared = self._claim(cursors, posted.stage) if posted.stage < len(STAGES) else None
                batch, posted = posted, None
        except BaseException:
            # Nothing may still use the connection when the round closes it; what was claimed and
            # not answered goes back to pending (after a kill -9 here, recover() does that).
            if in_flight is not None:
                wait([in_flight])
            for unanswered in (batch, posted):
                if unanswered is not None:
                    self._release(unanswered.items, None)
            if prepared is not None:
                self._release(prepared.items, prepared.id)
            raise
        return True

    def _check_cancel(self, unsent: Batch) -> None:
        """Stop when asked to, before posting ``unsent`` (then put back, unsent)."""
        if self.ctx.cancel():
            self._release(unsent.items, unsent.id)
            self.ctx.check_cancel()

    @staticmethod
    def _select_policy_pushes(s: Session, after_id: int, limit: int) -> list[Row[Any]]:
        """Pending policy pushes after ``after_id``, with their company's (and request's) uuid; a
        push waits while its company is refused, as a request does."""
        pp = PolicyPush.__table__.c
        ents, reqs = Enterprise.__table__, Request.__table__
        return list(s.execute(
            select(PolicyPush.__table__, ents.c.uuid.label("enterprise_uuid"), reqs.c.uuid.label("request_uuid"))
            .join(ents, ents.c.id == pp.enterprise_id).outerjoin(reqs, reqs.c.id == pp.request_id)
            .where(pp.sync_state == SyncState.PENDING, pp.id > after_id, ents.c.sync_state != SyncState.ERROR)
            .order_by(pp.id).limit(limit)))

    def _select(self, s: Session, stage: str, after_id: int, limit: int) -> list[Row[Any]]:
        return list(s.execute(_pending_rows(stage), {"after_id": after_id, "limit": limit}))

    def _claim(self, cursors: dict[str, int], stage: int) -> Batch | None:
        """Mark the next batch of pending records ``sending`` and record the batch in
        ``sync_batches`` — read, marked and recorded in one transaction; None when nothing is left.

        Enterprises, then requests, then timeline events, in local row order — parents always
        before their children; one batch may run on from one kind into the next.
        """
        with self.ctx.db.write() as s:
            claimed = self._claim_in(s, cursors, stage)
        return self._batch(*claimed) if claimed is not None else None

    def _claim_in(self, s: Session, cursors: dict[str, int],
                  stage: int) -> tuple[str, list[Item], bytes, int] | None:
        """:meth:`_claim` in the caller's transaction: the batch id, its items, its body (not yet
        compressed) and the stage the next claim starts from."""
        items: list[Item] = []
        total = 0
        while stage < len(STAGES) and len(items) < self.ctx.max_records:
            kind = STAGES[stage]
            want = self.ctx.max_records - len(items)
            rows = (self._select_policy_pushes(s, cursors[kind], want) if kind == POLICY_PUSH
                    else self._select(s, kind, cursors[kind], want))
            taken: list[tuple[Any, Item]] = []
            full = False
            wire_of = WIRE[kind]
            # Known before the rows are encoded, so that each is encoded once.
            bases = self._status_bases(s, [row.id for row in rows]) if kind == REQUEST and rows else {}
            for row in rows:
                wire = wire_of(row)
                if bases:
                    wire["status_base"] = bases.get(row.id)
                encoded = compact_json(wire)
                size = len(encoded) + 1
                if (items or taken) and total + size > self.ctx.max_bytes:
                    full = True
                    break
                taken.append((row, Item(kind, row.uuid, wire["revision"], wire, size, encoded, row.id)))
                total += size
                cursors[kind] = row.id
            if taken:
                s.execute(_mark_sending(kind), {"ids": [row.id for row, _ in taken]})
                items += [i for _, i in taken]
            if full or len(rows) == want:
                break  # this batch is full; the stage goes on in the next one
            stage += 1
        if not items:
            return None
        batch_id, body = self._encode(items)
        self._record_batch(s, batch_id, len(items), len(body))
        return batch_id, items, body, stage

    def _encode(self, items: list[Item]) -> tuple[str, bytes]:
        """A new batch id and the body: ``push_body``'s JSON, its records spliced in from their
        encodings (each record was encoded once already, to measure it)."""
        batch_id = new_uuid()
        shell = compact_json(push_body(batch_id, self.ctx.station_code, [],
                                       clock_skew_seconds=self.ctx.summary.skew_seconds))
        head, empty, tail = shell.partition(b'"records":[]')
        assert empty, "push_body has a records list"
        return batch_id, b"".join((head, b'"records":[', b",".join(i.encoded for i in items), b"]", tail))

    def _record_batch(self, s: Session, batch_id: str, records: int, size: int) -> None:
        _batch_insert().execute(s.connection(), {"id": batch_id, "created_at": self.ctx.clock(), "state": BATCH_SENDING,
                                                 "record_count": records, "byte_count": size}).close()
        self.ctx.write_lease(s, self.ctx.clock())

    def _batch(self, batch_id: str, items: list[Item], body: bytes, stage: int) -> Batch:
        headers = {"Content-Type": "application/json"}
        content = body
        if len(body) >= self.ctx.options.gzip_min_bytes:
            content = gzip.compress(body, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
        return Batch(batch_id, items, content, headers, stage)

    @staticmethod
    def _status_bases(s: Session, request_ids: list[int]) -> dict[int, str]:
        """``status_base`` of the requests that have one: where this station's unsent status
        changes of a request started (the ``from`` of its oldest unsent own status event, "" when
        it names none). A request without one sends None — then the status it sends is only the
        hub's, adopted earlier, and must not undo a newer one."""
        bases: dict[int, str] = {}
        for row in s.execute(_unsent_own_events(), {"ids": request_ids}):
            data = row.data
            if (row.request_id not in bases and row.kind not in INITIAL_EVENT_KINDS
                    and isinstance(data, dict) and STATUS_KEY in data):
                base = data.get(FROM_KEY)
                bases[row.request_id] = base if isinstance(base, str) else ""
        return bases

    def _release(self, items: list[Item], unsent_batch: str | None) -> None:
        """Whatever of ``items`` is still ``sending`` (no answer came for it) goes back to pending;
        ``unsent_batch``: the batch they were claimed for was never posted (its record goes)."""
        with self.ctx.db.write() as s:
            self._reset_sending(s, items)
            if unsent_batch is not None:
                s.execute(delete(SyncBatch).where(SyncBatch.id == unsent_batch))

    @staticmethod
    def _reset_sending(s: Session, items: list[Item]) -> None:
        for kind in STAGES:
            model = MODELS[kind]
            uuids = [i.uuid for i in items if i.type == kind]
            for i in range(0, len(uuids), 500):
                s.execute(update(model).where(model.uuid.in_(uuids[i:i + 500]),
                                              model.sync_state == SyncState.SENDING)
                          .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))

    def _post(self, batch: Batch) -> list[RecordResult]:
        """POST a batch and parse the answer (on the helper thread: no database here)."""
        resp = self.ctx.hub.call("POST", PUSH_PATH, content=batch.content, headers=batch.headers,
                                 split_on_timeout=True, auth=True)
        _, results = parse_push_response(self.ctx.hub.json(resp))
        return results

    def _conclude(self, batch: Batch, answer: list[RecordResult] | Exception) -> None:
        """Apply the ``answer`` to ``batch``; when there is none (a 413 or a timeout), split the
        batch and send the halves, one after the other, here (nothing else is in flight then)."""
        self.ctx.summary.batches += 1
        queue: deque[tuple[str, list[Item], list[RecordResult] | Exception | None]] = deque(
            [(batch.id, batch.items, answer)])
        while queue:
            batch_id, chunk, result = queue.popleft()
            if result is None:  # a half of a split batch: recorded and sent now
                self.ctx.check_cancel()
                batch_id, body = self._encode(chunk)
                with self.ctx.db.write() as s:
                    self._record_batch(s, batch_id, len(chunk), len(body))
                self.ctx.summary.batches += 1
                try:
                    result = self._post(self._batch(batch_id, chunk, body, 0))
                except Exception as exc:  # handled below, as for the batch itself
                    result = exc
            if isinstance(result, Exception):
                queue.extendleft(reversed(self._failed(batch_id, chunk, result)))
                continue
            self._apply_results(batch_id, chunk, result)

    def _failed(self, batch_id: str, chunk: list[Item],
                error: Exception) -> list[tuple[str, list[Item], list[RecordResult] | Exception | None]]:
        """A batch without an answer: split it (413, timeout), quarantine a single record, or
        stop the round. Returns the halves to send."""
        halves: list[tuple[str, list[Item], list[RecordResult] | Exception | None]] = []
        if len(chunk) > 1:
            halves = [("", chunk[:len(chunk) // 2], None), ("", chunk[len(chunk) // 2:], None)]
        if isinstance(error, TooLarge):
            self._finish_batch(batch_id, BATCH_SPLIT, "413: too large for the hub")
            # Shrink the rest of the round's batches too, so one 413 does not repeat per batch.
            self.ctx.max_bytes = max(1024, min(self.ctx.max_bytes, sum(i.size for i in chunk) // 2))
            self.ctx.max_records = max(1, min(self.ctx.max_records, max(1, len(chunk) // 2)))
            if len(chunk) == 1:
                self._quarantine(chunk[0], Q_TOO_LARGE,
                                 f"this record is too large for the hub ({chunk[0].size} bytes)")
            return halves
        if isinstance(error, HubTimeout):
            self._finish_batch(batch_id, BATCH_FAILED, "timed out")
            if not self.ctx.hub.healthy():
                raise SyncFailure(SyncErrorKind.TIMEOUT, f"the hub stopped answering ({self.ctx.hub.url}); "
                                                         "nothing was lost, the records wait for the next sync")
            if len(chunk) == 1:
                if self.timeout_quarantines >= self.ctx.options.max_timeout_quarantines:
                    raise SyncFailure(SyncErrorKind.TIMEOUT, "the hub keeps timing out on single records; "
                                                             "try again later")
                self.timeout_quarantines += 1
                self._quarantine(chunk[0], Q_TIMEOUT, "the hub did not answer in time for this record alone")
            else:
                self.ctx.max_records = max(1, min(self.ctx.max_records, max(1, len(chunk) // 2)))
            return halves
        if isinstance(error, WireError):
            self._finish_batch(batch_id, BATCH_FAILED, "malformed answer")
            raise SyncFailure(SyncErrorKind.PROTOCOL, f"the hub's answer to a batch is malformed: {error}") from error
        if isinstance(error, SyncFailure):
            self._finish_batch(batch_id, BATCH_FAILED, error.message)
            raise error
        if isinstance(error, UpgradeRequired):
            self._finish_batch(batch_id, BATCH_FAILED, "upgrade required")
            raise error
        raise error

    def _finish_batch(self, batch_id: str, state: str, error: str | None = None) -> None:
        with self.ctx.db.write() as s:
            s.execute(update(SyncBatch).where(SyncBatch.id == batch_id)
                      .values(state=state, finished_at=self.ctx.clock(), error=error)
                      .execution_options(synchronize_session=False))

    def _quarantine(self, item: Item, kind: str, message: str, errors: list[FieldError] | None = None) -> None:
        model = MODELS[item.type]
        with self.ctx.db.write() as s:
            self._mark_error(s, model, item, kind, message, errors)
        self.ctx.summary.rejected += 1
        self.ctx.summary.errors.append(f"{item.type} {item.wire.get('tracking_no') or item.uuid}: {message}")

    def _mark_error(self, s: Session, model: Any, item: Item, kind: str, message: str,
                    errors: list[FieldError] | None) -> None:
        text = error_json(kind, message, errors)
        if item.type == POLICY_PUSH:  # immutable: no revision to compare
            s.execute(update(model).where(model.uuid == item.uuid, model.sync_state == SyncState.SENDING)
                      .values(sync_state=SyncState.ERROR, sync_error=text).execution_options(synchronize_session=False))
            return
        if item.type == EVENT:
            res = s.execute(update(model).where(model.uuid == item.uuid, model.sync_state == SyncState.SENDING)
                            .values(sync_state=SyncState.ERROR).execution_options(synchronize_session=False))
            if res.rowcount:  # type: ignore[attr-defined]
                put_meta(s, META_EVENT_ERROR + item.uuid, text)
            return
        # An edit made while the batch was in flight may have fixed it: then it stays pending.
        s.execute(update(model).where(model.uuid == item.uuid, model.revision == item.revision,
                                      model.sync_state == SyncState.SENDING)
                  .values(sync_state=SyncState.ERROR, sync_error=text).execution_options(synchronize_session=False))

    def _reseed_parent(self, s: Session, item: Item, r: RecordResult, acknowledged: set[tuple[str, str]]) -> None:
        """The hub does not know ``item``'s parent (after a hub reset or a restored hub backup,
        say). If this station holds the parent as sent, send it again — a request with its
        enterprise — in the round's next pass; if the hub still does not know it after that,
        the record is refused with the reason in words, never left pending forever."""
        parent: Request | Enterprise | None
        # An event's parent is its request; a policy push's its enterprise, or the request it was
        # handed over during when that is what the hub does not know.
        if item.type == EVENT or (item.type == POLICY_PUSH and item.wire.get("request_uuid")
                                  and REQUEST_UNKNOWN in r.error_codes):
            parent_type, parent_uuid = REQUEST, str(item.wire.get("request_uuid", ""))
            parent = s.scalars(select(Request).where(func.lower(Request.uuid) == parent_uuid.lower())).first()
        else:
            parent_type, parent_uuid = ENTERPRISE, str(item.wire.get("enterprise_uuid", ""))
            parent = s.scalars(select(Enterprise).where(func.lower(Enterprise.uuid) == parent_uuid.lower())).first()
        # A parent the hub acknowledged in this very batch, yet "unknown" for its child: the hub
        # will not place the child whatever is re-sent.
        lost = parent is None or (parent_type, parent_uuid.lower()) in acknowledged
        if parent is not None and not lost and parent.sync_state in (SyncState.PENDING, SyncState.SENDING,
                                                                       SyncState.ERROR):
            return  # on its way (parents go first), or itself refused and listed: the child waits
        if parent is None or lost or (parent_type, parent_uuid) in self.reseeded:
            error = FieldError("request_uuid" if parent_type == REQUEST else "enterprise_uuid", "request.parent_lost")
            error = record_rules.with_message(error)
            self._mark_error(s, MODELS[item.type], item, Q_REJECTED, error.message, [*r.errors, error])
            self.ctx.summary.rejected += 1
            self.ctx.summary.errors.append(f"{item.type} {item.wire.get('tracking_no') or item.uuid}: {error.message}")
            return
        self.reseeded.add((parent_type, parent_uuid))
        parent.sync_state = SyncState.PENDING
        # The hub lost the request (the event's parent, or the request whose enterprise it lost)
        # with its timeline: what of that timeline it had acknowledged goes again too.
        request = parent if isinstance(parent, Request) else s.scalars(
            select(Request).where(Request.uuid == item.uuid)).first()
        if request is not None and request.synced_revision is not None:
            s.execute(update(RequestEvent).where(RequestEvent.request_id == request.id,
                                                 RequestEvent.origin == Origin.STATION,
                                                 RequestEvent.sync_state == SyncState.SYNCED)
                      .values(sync_state=SyncState.PENDING).execution_options(synchronize_session=False))
        if isinstance(parent, Request) and parent.enterprise.sync_state == SyncState.SYNCED:
            parent.enterprise.sync_state = SyncState.PENDING
            self.reseeded.add((ENTERPRISE, parent.enterprise.uuid.lower()))

    def _apply_results(self, batch_id: str, chunk: list[Item], results: list[RecordResult], *,
                       claim: tuple[dict[str, int], int] | None = None) -> Batch | None:
        """Apply the hub's answer to ``chunk`` in one transaction, which also puts back to pending
        whatever of it is still ``sending`` (not answered, edited in flight, its parent unknown);
        ``claim`` (cursors, stage): claim the next batch in that same transaction, and return it."""
        claimed = None
        by_key = {(r.type, r.uuid.lower()): r for r in results}
        acknowledged = {key for key, r in by_key.items() if r.status in (ACCEPTED, DUPLICATE)}
        synced: dict[str, list[Item]] = {}
        rejected: list[tuple[Item, RecordResult]] = []
        with self.ctx.db.write() as s:
            for item in chunk:
                r = by_key.get((item.type, item.uuid.lower()))
                if r is None:
                    continue  # not answered: released back to pending
                model = MODELS[item.type]
                if r.status in (ACCEPTED, DUPLICATE):
                    synced.setdefault(item.type, []).append(item)
                    if r.status == ACCEPTED:
                        self.ctx.summary.pushed += 1
                    else:
                        self.ctx.summary.duplicates += 1
                elif r.errors and r.error_codes <= set(PARENT_UNKNOWN):
                    # Its parent is not on the hub (yet): released, sent again in a later pass —
                    # after the parent, which is re-sent if the hub lost it.
                    self._reseed_parent(s, item, r, acknowledged)
                elif (REVISION_CONFLICT in r.error_codes and item.type in (ENTERPRISE, REQUEST)
                      and r.hub_revision is not None):
                    # The hub holds a newer revision (this station was restored from a backup, say):
                    # continue above it, so that what the station holds now is sent and kept.
                    s.execute(update(model).where(model.uuid == item.uuid)
                              .values(revision=case((model.revision <= r.hub_revision, r.hub_revision + 1),
                                                    else_=model.revision),
                                      sync_state=SyncState.PENDING)
                              .execution_options(synchronize_session=False))
                    self.ctx.summary.rebased += 1
                else:
                    message = "；".join(e.message or f"{e.field}: {e.code}" for e in r.errors) or "rejected by the hub"
                    self._mark_error(s, model, item, Q_REJECTED, message, r.errors)
                    rejected.append((item, r))
            for rtype, items in synced.items():
                self._mark_synced(s, rtype, items)
            # What was acknowledged left ``sending`` in _mark_synced; the rest goes back to pending.
            self._reset_sending(s, [item for item in chunk if (item.type, item.uuid.lower()) not in acknowledged])
            s.execute(update(SyncBatch).where(SyncBatch.id == batch_id)
                      .values(state=BATCH_DONE, finished_at=self.ctx.clock())
                      .execution_options(synchronize_session=False))
            if claim is not None:
                claimed = self._claim_in(s, *claim)
        for item, r in rejected:
            self.ctx.summary.rejected += 1
            label = item.wire.get("tracking_no") or item.wire.get("name") or item.uuid
            self.ctx.summary.errors.append(f"{item.type} {label} rejected by the hub: "
                                       + "; ".join(e.message or e.code for e in r.errors))
        self.push_done += len(chunk)
        self.ctx.report("pushing", min(self.push_done, self.push_total), self.push_total)
        return self._batch(*claimed) if claimed is not None else None

    @staticmethod
    def _mark_synced(s: Session, rtype: str, items: list[Item]) -> None:
        """Acknowledged records, in one executemany (:func:`_synced_statement`)."""
        if rtype in (EVENT, POLICY_PUSH):
            _synced_statement(rtype).executemany(s.connection(), [{"i": item.id} for item in items])
        else:
            _synced_statement(rtype).executemany(s.connection(), [{"i": item.id, "r": item.revision}
                                                                  for item in items])
        if rtype == EVENT:
            s.execute(delete(SyncMeta).where(SyncMeta.key.in_([META_EVENT_ERROR + item.uuid for item in items])))
