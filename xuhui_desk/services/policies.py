"""Policies at the station (政策速递): the company profile, the catalogue the hub's feed gave, the
matches with their reasons, the policy lists handed to companies, and the directory re-matched.

What it promises:

* :func:`company_profile` / :func:`save_company_profile` read and write the profile facts of one
  enterprise (``xuhui_desk.policies.CompanyProfile``; NULL columns are unknown facts). A save that
  changes something bumps the enterprise's revision and queues it for the hub (the enterprise
  record carries ``profile``), and says in the audit log who changed which fact.
* :func:`current_policies` is the catalogue as the last sync left it, valid today; the parsed
  catalogue is cached under a stamp that changes with every catalogue stored, so the intake form
  may ask on every keystroke.
* :func:`matches_for_company` is ``policies.match_policies`` on the stored (or the given) profile.
* :func:`record_push` writes an immutable push (who, when, how, which policies with the title as
  printed), synced to the hub as a ``policy_push`` record; :func:`pushes_for_company` lists them.
  A push made at the counter before the request is saved is *held* (``hold=True``): the intake
  save ties it to the new request (:func:`take_held_pushes`, in the save's transaction), and
  :func:`release_held_pushes` lets it go on its own when the intake is left unsaved; a sync round
  lets go any held for longer than :data:`HOLD_LIMIT` (:func:`release_stale_holds`: the program
  stopped with the intake unsaved). A held push is never sent, so the hub gets it once, with its
  request when there is one.
* :func:`new_policies` (Today) and :func:`companies_for_policy` say which companies of this
  station may qualify; :func:`rematch_directory` counts them for every current policy. They read
  the whole directory and judge it with the core's quick outcome (``policies.outcomes``: the same
  rules as the full match, without the reasons) — 5,000 companies × 200 policies well under the
  2 s the issue allows (benchmarks/policy_match_benchmark.py) — so no cache table is kept and
  nothing can go stale.
* :func:`replace_catalogue` stores a whole catalogue (the hub's feed) in one transaction,
  keeping when each policy first arrived.

The reads raise :class:`~xuhui_desk.services.read_errors.ReadFailed` when the database cannot be
read (the GUI imports no SQLAlchemy); ``LookupError`` for an enterprise or policy that is not there.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from xuhui_desk.db import Database
from xuhui_desk.models import (
    AuditEntry,
    Enterprise,
    PolicyPush,
    StationPolicy,
    SyncMeta,
    SyncState,
    new_uuid,
    utcnow,
)
from xuhui_desk.policies import (
    PROFILE_FACTS,
    CompanyProfile,
    Match,
    Outcome,
    Policy,
    ProfileError,
    match_policies,
    match_policy,
    outcome,
    outcomes,
    parse_policy,
)
from xuhui_desk.services.read_errors import reading
from xuhui_desk.sync_protocol import MAX_PUSH_POLICIES, PUSH_CHANNELS
from xuhui_desk.validation import Issue, ValidationFailed, clean_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: ``sync_meta`` key: the catalogue version this station holds (0: none yet).
META_CATALOGUE_VERSION = "policy_catalogue_version"
#: ``sync_meta`` key: a new uuid each time the stored catalogue changes (what the read cache keys on).
META_CATALOGUE_STAMP = "policy_catalogue_stamp"
#: Audit log action of a profile edit.
PROFILE_EDITED = "profile.edited"

#: Companies re-matched between two looks at ``cancel`` (and two progress reports).
_REMATCH_STEP = 250
#: A progress callback: (done, total, text) — the GUI's task runner passes one.
ProgressFn = Callable[[int, int, str], None]


# --- the profile ----------------------------------------------------------------------------------


def profile_of(row: Any) -> CompanyProfile:
    """The profile held in an enterprise row (ORM object or Core row with the profile columns).

    A stored value the core no longer accepts (a damaged row) is read as unknown rather than
    failing the whole read: the company file still opens, and the fact is asked again."""
    quals: frozenset[str] | None = None
    if row.qualifications is not None:
        try:
            loaded = json.loads(row.qualifications)
            quals = frozenset(str(q) for q in loaded) if isinstance(loaded, list) else None
        except ValueError:
            quals = None
    return CompanyProfile(
        industry_code=row.industry_code, established=row.established,
        registered_in_xuhui=None if row.registered_in_xuhui is None else bool(row.registered_in_xuhui),
        size=row.size, qualifications=quals, employees=row.employees,
        revenue_wan=None if row.revenue_wan is None else float(row.revenue_wan))


_PROFILE_SELECT = (Enterprise.id, Enterprise.name, Enterprise.industry_code, Enterprise.established,
                   Enterprise.registered_in_xuhui, Enterprise.size, Enterprise.qualifications,
                   Enterprise.employees, Enterprise.revenue_wan)


def profile_columns(profile: CompanyProfile) -> dict[str, Any]:
    """The enterprise columns holding ``profile`` (qualifications as JSON text, sorted)."""
    quals = profile.qualifications
    return {
        "industry_code": profile.industry_code, "established": profile.established,
        "registered_in_xuhui": profile.registered_in_xuhui, "size": profile.size,
        "qualifications": None if quals is None else json.dumps(sorted(quals), ensure_ascii=False),
        "employees": profile.employees, "revenue_wan": profile.revenue_wan,
    }


def profile_wire(row: Any) -> dict[str, Any] | None:
    """The enterprise record's ``profile`` on the wire: ``CompanyProfile.to_json()``, None when
    nothing is known."""
    return profile_of(row).to_json() or None


def profile_issues(exc: ProfileError) -> list[Issue]:
    """A core :class:`~xuhui_desk.policies.ProfileError` as the station's field issues (the
    wording of the ``profile.*`` codes lives in resources/messages)."""
    return [Issue(e.field, e.code, params=dict(e.params)) for e in exc.issues]


def _enterprise(session: Session, enterprise_id: int) -> Enterprise:
    found = session.get(Enterprise, enterprise_id)
    if found is None:
        raise LookupError(f"no enterprise {enterprise_id}")
    return found


def find_company_by_key(db: Database, key: str) -> tuple[int, str]:
    """(id, name) of the company ``key`` names: its uuid, else as ``company`` finds it (credit
    code, id, exact or partial name). Raises ``company_file.CompanyNotFound`` / ``CompanyAmbiguous``."""
    from sqlalchemy import func

    from xuhui_desk.services.company_file import find_company

    text = (key or "").strip()
    with reading(), db.session() as session:
        if len(text) == 36 and text.count("-") == 4:
            row = session.execute(select(Enterprise.id, Enterprise.name)
                                  .where(func.lower(Enterprise.uuid) == text.lower())).first()
            if row is not None:
                return int(row.id), str(row.name)
        found = find_company(session, text)
        return found.id, found.name


def company_profile(db: Database, enterprise_id: int) -> CompanyProfile:
    """The profile facts of one enterprise (unknown facts None). Raises ``LookupError``."""
    with reading(), db.session() as session:
        return profile_of(_enterprise(session, enterprise_id))


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def apply_profile(session: Session, enterprise: Enterprise, profile: CompanyProfile, *, actor: str,
                  now: datetime, only_known: bool = False) -> dict[str, tuple[Any, Any]]:
    """Write ``profile`` onto ``enterprise`` in the caller's transaction; returns the facts that
    changed (old, new). With ``only_known`` an unknown fact of ``profile`` leaves the stored one as
    it is (a roster or an intake line that does not mention a fact never erases it). A change bumps
    the revision, queues the enterprise for the hub and is written to the audit log."""
    old = profile_of(enterprise)
    merged = CompanyProfile(**{f: (getattr(old, f) if only_known and getattr(profile, f) is None
                                   else getattr(profile, f)) for f in PROFILE_FACTS})
    changed = {f: (getattr(old, f), getattr(merged, f)) for f in PROFILE_FACTS
               if getattr(old, f) != getattr(merged, f)}
    if not changed:
        return {}
    for column, value in profile_columns(merged).items():
        setattr(enterprise, column, value)
    enterprise.updated_at = now
    enterprise.revision += 1
    enterprise.sync_state = SyncState.PENDING
    enterprise.sync_error = None
    session.add(AuditEntry(at=now, actor=clean_text(actor or "")[:50], action=PROFILE_EDITED, reason="",
                           details={"enterprise_uuid": enterprise.uuid, "name": enterprise.name,
                                    "changed": {f: [_json_value(a), _json_value(b)] for f, (a, b) in changed.items()}}))
    return changed


def save_profile_facts(session: Session, enterprise_id: int, facts: CompanyProfile, *, actor: str,
                       now: datetime) -> dict[str, tuple[Any, Any]]:
    """Merge the known facts of ``facts`` into one enterprise's profile in the caller's transaction
    (an intake line, a roster row): an unknown fact leaves the stored one as it is. Returns what changed."""
    return apply_profile(session, _enterprise(session, enterprise_id), facts, actor=actor, now=now, only_known=True)


def save_company_profile(db: Database, enterprise_id: int, profile: CompanyProfile, *, actor: str,
                         now: datetime | None = None) -> None:
    """Store the whole profile of one enterprise (an unknown fact is stored as unknown). When a fact
    changed, the enterprise's revision is bumped so that the hub gets it with the next sync, and the
    audit log says who changed what. Raises ``LookupError`` when there is no such enterprise."""
    with db.write() as session:
        apply_profile(session, _enterprise(session, enterprise_id), profile, actor=actor, now=now or utcnow())


# --- the catalogue --------------------------------------------------------------------------------

_parsed_lock = threading.Lock()
#: Parsed policies by their stored text (the text holds the version): a re-read parses nothing.
_parsed: dict[str, Policy] = {}
_PARSED_MAX = 4000
#: The whole stored catalogue by its stamp (below): the intake form asks on every keystroke, and
#: reading 200 rows again each time would cost more than matching them.
_catalogues: dict[str, list[tuple[Policy, datetime, datetime]]] = {}


def _policy_from_row(body: str, version: int) -> Policy:
    with _parsed_lock:
        found = _parsed.get(body)
    if found is not None:
        return found
    policy = parse_policy(json.loads(body), version=version)
    with _parsed_lock:
        if len(_parsed) >= _PARSED_MAX:
            _parsed.clear()
        _parsed[body] = policy
    return policy


def stored_policies(session: Session) -> list[tuple[Policy, datetime, datetime]]:
    """Every stored policy (current or not) with when this version and the policy first arrived, by id.
    A row the core refuses (written by an older program, say) is left out rather than failing.

    The list is cached under the catalogue's stamp (``sync_meta`` :data:`META_CATALOGUE_STAMP`, a
    new uuid whenever :func:`replace_catalogue` changes anything): one small read when nothing changed."""
    return _stored_policies(session, _catalogue_stamp(session))


_STAMP = select(SyncMeta.value).where(SyncMeta.key == META_CATALOGUE_STAMP)


def _catalogue_stamp(session: Session) -> str | None:
    # On the session's connection (Core): no ORM statement overhead for a one-value read.
    return session.connection().execute(_STAMP).scalar() or None


def _stored_policies(session: Session, key: str | None) -> list[tuple[Policy, datetime, datetime]]:
    if key is not None:
        with _parsed_lock:
            cached = _catalogues.get(key)
        if cached is not None:
            return list(cached)
    out = []
    for body, version, received, first in session.execute(
            select(StationPolicy.body, StationPolicy.version, StationPolicy.received_at,
                   StationPolicy.first_received_at).order_by(StationPolicy.id)):
        try:
            out.append((_policy_from_row(body, version), received, first))
        except ValueError:
            continue
    if key is not None:
        with _parsed_lock:
            if len(_catalogues) >= 8:
                _catalogues.clear()
            _catalogues[key] = out
    return list(out)


def current_policies(db: Database, *, today: date) -> list[Policy]:
    """The policies of the catalogue this station holds that are valid on ``today``, by id."""
    with reading(), db.session() as session:
        return [p for p, _, _ in stored_policies(session) if p.current(today)]


def held_versions(db: Database) -> dict[str, int]:
    """The version of each policy this station holds (current or not), by id."""
    with reading(), db.session() as session:
        return {pid: int(v) for pid, v in session.execute(select(StationPolicy.id, StationPolicy.version))}


def catalogue_version(db: Database) -> int:
    """The catalogue version this station holds (0: no catalogue received yet)."""
    with reading(), db.session() as session:
        return _catalogue_version(session)


def _catalogue_version(session: Session) -> int:
    row = session.get(SyncMeta, META_CATALOGUE_VERSION)
    try:
        return int(row.value) if row is not None and row.value else 0
    except ValueError:
        return 0


@dataclass(frozen=True)
class CatalogueUpdate:
    """What storing a catalogue did."""

    version: int
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0


def replace_catalogue(db: Database, version: int, policies: Sequence[Policy], *,
                      now: datetime | None = None) -> CatalogueUpdate:
    """Replace the station's whole set of policies by ``policies`` and remember ``version``, in one
    transaction. A policy already held keeps when it first arrived (a new version does not make it
    "new" again); one held with the same version and content is left as it is."""
    now = now or utcnow()
    added: list[str] = []
    updated: list[str] = []
    unchanged = 0
    with db.write() as session:
        held = {row.id: row for row in session.scalars(select(StationPolicy))}
        wanted = {p.id for p in policies}
        removed = sorted(set(held) - wanted)
        if removed:
            session.execute(delete(StationPolicy).where(StationPolicy.id.in_(removed)))
        for policy in policies:
            body = json.dumps(policy.to_json(), ensure_ascii=False, sort_keys=True)
            row = held.get(policy.id)
            if row is None:
                session.add(StationPolicy(id=policy.id, version=policy.version, body=body, received_at=now,
                                          first_received_at=now))
                added.append(policy.id)
            elif row.version != policy.version or row.body != body:
                row.version, row.body, row.received_at = policy.version, body, now
                updated.append(policy.id)
            else:
                unchanged += 1
        values = {META_CATALOGUE_VERSION: str(version)}
        if added or updated or removed or session.get(SyncMeta, META_CATALOGUE_STAMP) is None:
            values[META_CATALOGUE_STAMP] = new_uuid()
        for key, value in values.items():
            meta = session.get(SyncMeta, key)
            if meta is None:
                session.add(SyncMeta(key=key, value=value))
            else:
                meta.value = value
    return CatalogueUpdate(version, tuple(added), tuple(updated), tuple(removed), unchanged)


# --- matching one company -------------------------------------------------------------------------


def matches_for_company(db: Database, enterprise_id: int | None, *, today: date, text: str | None = None,
                        profile: CompanyProfile | None = None) -> list[Match]:
    """Every current policy matched against the company's stored profile — or against ``profile``
    when given (the intake form's facts as typed; ``enterprise_id`` may then be None) — and the
    request's ``text`` when given: eligible first, then possible, then not eligible (the core's order)."""
    with reading(), db.session() as session:
        if profile is None and enterprise_id is not None:
            # The profile columns and the catalogue's stamp in one Core statement: this runs as the
            # specialist types, and the cached catalogue then costs nothing more to read.
            row = session.connection().execute(
                select(*_PROFILE_SELECT, _STAMP.scalar_subquery().label("stamp"))
                .where(Enterprise.id == enterprise_id)).first()
            if row is None:
                raise LookupError(f"no enterprise {enterprise_id}")
            profile = profile_of(row)
            stamp = row.stamp or None
        else:
            stamp = _catalogue_stamp(session)
        policies = [p for p, _, _ in _stored_policies(session, stamp) if p.current(today)]
    return match_policies(profile or CompanyProfile(), policies, today=today, text=text)


# --- pushes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushRecord:
    """A policy list handed to a company."""

    uuid: str
    pushed_at: datetime
    pushed_by: str
    channel: str
    #: (policy id, version, title as handed over)
    policies: tuple[tuple[str, int, str], ...]
    enterprise_id: int = 0
    request_id: int | None = None
    sync_state: str = SyncState.PENDING.value

    def to_dict(self) -> dict[str, Any]:
        from xuhui_desk.services.timefmt import iso_local

        return {"uuid": self.uuid, "pushed_at": iso_local(self.pushed_at), "pushed_by": self.pushed_by,
                "channel": self.channel, "request_id": self.request_id, "sync_state": self.sync_state,
                "policies": [{"id": i, "version": v, "title": t} for i, v, t in self.policies]}


def _push_record(row: PolicyPush) -> PushRecord:
    items = tuple((str(p.get("id", "")), int(p.get("version") or 0), str(p.get("title", "")))
                  for p in (row.policies or []) if isinstance(p, dict))
    return PushRecord(row.uuid, row.pushed_at, row.pushed_by, row.channel, items, row.enterprise_id,
                      row.request_id, str(row.sync_state))


def record_push(db: Database, enterprise_id: int, policies: list[tuple[str, int]], *, by: str, channel: str,
                request_id: int | None = None, at: datetime | None = None, hold: bool = False,
                uuid: str | None = None, request_uuid: str | None = None) -> PushRecord:
    """Record that the policy list ``policies`` ((id, version) pairs, 1 to 50, no id twice) was
    handed to the company ``by`` whom and how (``channel``: one of ``sync_protocol.PUSH_CHANNELS``), during
    the intake ``request_id`` if any. Each policy must be one this station holds (any version the
    catalogue held: the title kept is the stored one). ``by`` empty: the specialist setting (one of
    the two is needed).

    ``request_uuid``: the request by its uuid instead of ``request_id``. ``hold``: made during an
    intake that is not saved yet (no request); the push is held until that intake is saved or left
    (see the module documentation). ``uuid``: the push's id, chosen by the caller so that an intake
    saved before this write returns still names it.
    Raises :class:`~xuhui_desk.validation.ValidationFailed` (nothing written) or ``LookupError``."""
    if hold and (request_id is not None or request_uuid is not None):
        raise ValueError("a push made for a saved request is not held")
    from xuhui_desk.models import Request
    from xuhui_desk.services.station import get_setting

    issues: list[Issue] = []
    if channel not in PUSH_CHANNELS:
        issues.append(Issue("channel", "policy_push.channel",
                            params={"value": channel, "choices": ", ".join(PUSH_CHANNELS)}))
    ids = [str(pid) for pid, _ in policies]
    if not 1 <= len(policies) <= MAX_PUSH_POLICIES:
        issues.append(Issue("policies", "policy_push.count", params={"limit": MAX_PUSH_POLICIES,
                                                                     "count": len(policies)}))
    elif len(set(ids)) != len(ids):
        issues.append(Issue("policies", "policy_push.repeated",
                            params={"value": next(i for i in ids if ids.count(i) > 1)}))
    with db.write() as session:
        enterprise = _enterprise(session, enterprise_id)
        held = {p.id: p for p, _, _ in stored_policies(session)}
        unknown = [i for i in ids if i not in held]
        if unknown:
            issues.append(Issue("policies", "policy_push.unknown", params={"ids": ", ".join(unknown)}))
        if request_uuid is not None:
            request_id = session.scalar(select(Request.id).where(Request.uuid == request_uuid))
            if request_id is None:
                raise LookupError(f"no request {request_uuid}")
        elif request_id is not None and session.get(Request, request_id) is None:
            raise LookupError(f"no request {request_id}")
        who = clean_text(by or "") or get_setting(session, "specialist")
        if not who:  # the hub refuses a push without its specialist: say so now, not after a sync
            issues.append(Issue("pushed_by", "text.required"))
        if issues:
            raise ValidationFailed(issues)
        row = PolicyPush(uuid=uuid or new_uuid(), enterprise_id=enterprise.id, request_id=request_id,
                         pushed_by=who[:50], pushed_at=at or utcnow(), channel=channel,
                         sync_state=SyncState.HELD if hold else SyncState.PENDING,
                         policies=[{"id": str(pid), "version": int(version), "title": held[str(pid)].title}
                                   for pid, version in policies])
        session.add(row)
        session.flush()
        return _push_record(row)


def take_held_pushes(conn: Connection, uuids: Sequence[str], *, enterprise_id: int, request_id: int) -> int:
    """Tie the held pushes ``uuids`` of the company ``enterprise_id`` to the request just saved
    (on the save's own connection, in its transaction) and let them go to the hub after it; a
    held push of another company (the intake's company was changed after it was handed over)
    goes on its own. Returns how many were tied."""
    if not uuids:
        return 0
    pp = PolicyPush.__table__.c
    held = (pp.uuid.in_(list(uuids))) & (pp.sync_state == SyncState.HELD)
    tied = conn.execute(update(PolicyPush).where(held, pp.enterprise_id == enterprise_id)
                        .values(request_id=request_id, sync_state=SyncState.PENDING)).rowcount
    conn.execute(update(PolicyPush).where(held).values(sync_state=SyncState.PENDING))
    return int(tied or 0)


def release_held_pushes(db: Database, uuids: Sequence[str]) -> int:
    """Let the held pushes ``uuids`` (an intake left unsaved) go to the hub on their own, without a
    request. Returns how many were let go."""
    if not uuids:
        return 0
    pp = PolicyPush.__table__.c
    with db.write() as session:
        result = session.connection().execute(
            update(PolicyPush).where(pp.sync_state == SyncState.HELD, pp.uuid.in_(list(uuids)))
            .values(sync_state=SyncState.PENDING))
        return int(result.rowcount or 0)


#: A push held longer than this is let go on its own by the next sync round: its intake was
#: left in a program that stopped without closing (a crash, the power), or is still unsaved
#: after a working morning.
HOLD_LIMIT = timedelta(hours=4)


def release_stale_holds(db: Database, now: datetime) -> int:
    """Let go the pushes held since before ``now - HOLD_LIMIT`` (the sync round, before it counts
    what to send); reads first, so a round with none writes nothing."""
    pp = PolicyPush.__table__.c
    stale = (pp.sync_state == SyncState.HELD) & (pp.pushed_at < now - HOLD_LIMIT)
    with db.session() as session:
        if session.connection().execute(select(pp.id).where(stale).limit(1)).first() is None:
            return 0
    with db.write() as session:
        result = session.connection().execute(
            update(PolicyPush).where(stale).values(sync_state=SyncState.PENDING))
        return int(result.rowcount or 0)


def pushes_for_company(db: Database, enterprise_id: int) -> list[PushRecord]:
    """The policy lists handed to one company, newest first."""
    with reading(), db.session() as session:
        return [_push_record(r) for r in session.scalars(
            select(PolicyPush).where(PolicyPush.enterprise_id == enterprise_id)
            .order_by(PolicyPush.pushed_at.desc(), PolicyPush.id.desc()))]


# --- the whole directory --------------------------------------------------------------------------




def directory_profiles(session: Session) -> tuple[list[tuple[int, CompanyProfile]], dict[int, str]]:
    """Every enterprise's profile (by name order) and name."""
    companies: list[tuple[int, CompanyProfile]] = []
    names: dict[int, str] = {}
    for row in session.execute(select(*_PROFILE_SELECT).order_by(Enterprise.name_sort, Enterprise.name,
                                                                  Enterprise.id)):
        companies.append((row.id, profile_of(row)))
        names[row.id] = row.name
    return companies, names


@dataclass(frozen=True)
class NewPolicy:
    """A policy that arrived recently, with how many of this station's companies may qualify
    (eligible or possible)."""

    policy: Policy
    received_at: datetime
    companies: int
    eligible: int = 0


def new_policies(db: Database, *, today: date, days: int = 7) -> list[NewPolicy]:
    """The current policies that first arrived at this station in the last ``days`` Shanghai days
    (``today`` included), newest first, each with the number of this station's companies that are
    eligible or possibly eligible (Today's "new policy: N companies may qualify")."""
    first_day = today - timedelta(days=max(1, days) - 1)
    with reading(), db.session() as session:
        fresh = [(p, first) for p, _, first in stored_policies(session)
                 if p.current(today) and first.astimezone(SHANGHAI).date() >= first_day]
        if not fresh:
            return []
        companies, _ = directory_profiles(session)
    policies = [p for p, _ in fresh]
    eligible = [0] * len(policies)
    possible = [0] * len(policies)
    for _cid, profile in companies:
        for i, result in enumerate(outcomes(profile, policies, today=today)):
            if result is Outcome.ELIGIBLE:
                eligible[i] += 1
            elif result is Outcome.POSSIBLE:
                possible[i] += 1
    out = [NewPolicy(policy, first, eligible[i] + possible[i], eligible[i])
           for i, (policy, first) in enumerate(fresh)]
    out.sort(key=lambda n: (n.received_at, n.policy.id), reverse=True)
    return out


@dataclass(frozen=True)
class CompanyMatch:
    """A company of this station against one policy."""

    enterprise_id: int
    name: str
    outcome: Outcome
    missing: tuple[str, ...]


def companies_for_policy(db: Database, policy_id: str, *, today: date,
                         include_not_eligible: bool = False) -> list[CompanyMatch]:
    """The companies of this station that are eligible (first) or possibly eligible for the policy
    ``policy_id``, each in directory (pinyin) order, with the facts to ask the possible ones; with
    ``include_not_eligible`` the others follow. Empty when the policy is not valid ``today``.
    Raises ``LookupError`` when the station holds no such policy."""
    with reading(), db.session() as session:
        policy = next((p for p, _, _ in stored_policies(session) if p.id == policy_id), None)
        if policy is None:
            raise LookupError(f"no policy {policy_id}")
        if not policy.current(today):
            return []
        companies, names = directory_profiles(session)
    rank = {Outcome.ELIGIBLE: 0, Outcome.POSSIBLE: 1, Outcome.NOT_ELIGIBLE: 2}
    out = []
    for cid, profile in companies:
        # The quick outcome first: only the companies listed pay for the reasons (the missing facts).
        result = outcome(profile, policy, today=today)
        if result is Outcome.NOT_ELIGIBLE and not include_not_eligible:
            continue
        missing = () if result is Outcome.ELIGIBLE else match_policy(profile, policy, today=today).missing
        out.append(CompanyMatch(cid, names[cid], result, missing))
    out.sort(key=lambda m: rank[m.outcome])  # stable: name order within each outcome
    return out


@dataclass(frozen=True)
class RematchSummary:
    """The directory re-matched: per current policy, how many companies are eligible and possible."""

    companies: int
    policies: int
    #: policy id → (eligible, possible)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def eligible(self) -> int:
        return sum(e for e, _ in self.counts.values())

    @property
    def possible(self) -> int:
        return sum(p for _, p in self.counts.values())


def rematch_directory(db: Database, *, today: date, cancel: Callable[[], bool] | None = None,
                      progress: ProgressFn | None = None) -> RematchSummary:
    """Match every company of the directory against every current policy (for a background task:
    no Qt, one read transaction; ``cancel`` is polled every few hundred companies, ``progress``
    told (companies done, companies, "")). Returns the eligible and possible counts per policy; a
    cancelled run returns what it counted so far (``companies``: how many were judged) with
    ``cancelled`` set. 5,000 companies × 200 policies take well under 2 s
    (benchmarks/policy_match_benchmark.py)."""
    import time

    started = time.perf_counter()
    with reading(), db.session() as session:
        policies = [p for p, _, _ in stored_policies(session) if p.current(today)]
        companies, _ = directory_profiles(session)
    eligible = [0] * len(policies)
    possible = [0] * len(policies)
    total = len(companies)

    def counted() -> dict[str, tuple[int, int]]:
        return {p.id: (eligible[i], possible[i]) for i, p in enumerate(policies)}

    for start in range(0, total, _REMATCH_STEP):
        if cancel is not None and cancel():
            return RematchSummary(start, len(policies), counted(), True, time.perf_counter() - started)
        for _cid, profile in companies[start:start + _REMATCH_STEP]:
            for i, result in enumerate(outcomes(profile, policies, today=today)):
                if result is Outcome.ELIGIBLE:
                    eligible[i] += 1
                elif result is Outcome.POSSIBLE:
                    possible[i] += 1
        if progress is not None:
            progress(min(start + _REMATCH_STEP, total), total, "")
    return RematchSummary(total, len(policies), counted(), False, time.perf_counter() - started)
