"""The district's policy catalogue (政策速递, issue 15; docs/policies.md): publishing, editing and
withdrawing policies, the feed the stations pull, the pushes stations report and the district's
follow-up of them, and the companies that qualify for a policy.

Promises
--------
* The hub owns versions: a policy's version goes up by one exactly when its content changes (a
  catalogue file's own ``version`` is ignored); publishing the same content again changes nothing.
* The catalogue's version (``hub_meta`` ``policy_catalogue_version``) goes up by one in every
  transaction that changes the published set (a publish, an edit, a withdrawal) — never otherwise —
  so a station asking ``since`` the version it holds learns "unchanged" cheaply.
* A catalogue is checked whole before anything is written: every problem is reported, and a file
  with any problem publishes nothing.
* Follow-up of a pushed policy moves only forward: pushed → applied → granted | declined (a
  免申即享 policy may go from pushed straight to granted).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from xuhui_desk import policies
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import (
    HubEnterprise,
    HubMeta,
    HubPolicy,
    HubPolicyPush,
    HubPolicyPushItem,
    HubPolicyVersion,
    HubStation,
)
from xuhui_desk.hub.store import HubError
from xuhui_desk.models import utcnow
from xuhui_desk.sync_protocol import wire_time

PUBLISHED = "published"
WITHDRAWN = "withdrawn"
CATALOGUE_VERSION_KEY = "policy_catalogue_version"
#: PostgreSQL advisory lock key of catalogue writers (station locks use the station's id ≥ 1).
_CATALOGUE_LOCK_KEY = -1
BY_MAX = 64
#: Ids the console's paths use (``/console/policies/new``).
_RESERVED_IDS = frozenset({"new"})

# Follow-up of one pushed policy.
PUSHED, APPLIED, GRANTED, DECLINED = "pushed", "applied", "granted", "declined"
FOLLOW_UP_STATES = (PUSHED, APPLIED, GRANTED, DECLINED)
_NEXT: dict[str, tuple[str, ...]] = {PUSHED: (APPLIED,), APPLIED: (GRANTED, DECLINED), GRANTED: (), DECLINED: ()}


#: Called inside a change's own transaction with what changed (the console writes its audit
#: entry there, so that the entry commits with the change or not at all).
Recorder = Callable[[Session, dict[str, Any]], None]


class UnknownPolicy(HubError, LookupError):
    pass


class CatalogueRefused(HubError, ValueError):
    """A catalogue (or an edited policy) with problems; nothing was written. ``issues`` lists each
    :class:`~xuhui_desk.policies.Problem`, ``problems`` the same in English (the command line),
    ``texts(language)`` for the console."""

    def __init__(self, issues: list[policies.Problem]) -> None:
        self.issues = issues
        super().__init__(f"{len(issues)} problem(s), nothing published:\n" + "\n".join(self.problems))

    @property
    def problems(self) -> list[str]:
        return self.texts("en")

    def texts(self, language: str) -> list[str]:
        return [p.text(language) for p in self.issues]


class FollowUpRefused(HubError, ValueError):
    pass


@dataclass(frozen=True)
class PublishSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: The catalogue's version after the publish.
    catalogue_version: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "catalogue_version": self.catalogue_version, "created_ids": self.created,
                "updated_ids": self.updated}


# --- checking ---------------------------------------------------------------------------------

def department_codes() -> tuple[str, ...]:
    """The taxonomy's departments (resources/taxonomy/taxonomy.toml): who a policy comes from."""
    from xuhui_desk.services.taxonomy import load_taxonomy

    return tuple(d.code for d in load_taxonomy().departments)


def check_catalogue(obj: Any) -> list[policies.Policy]:
    """The policies of a catalogue (``{"policies": [...]}``) as the hub accepts them: the core's
    checks (``policies.parse_catalogue``), a department of the taxonomy and an id that is not
    reserved. Raises
    :class:`CatalogueRefused` with every problem."""
    try:
        parsed = policies.parse_catalogue(obj)
    except policies.CatalogueError as exc:
        problems = list(exc.issues)
        # The core stops at its own problems; name unknown departments too, so one round fixes all.
        problems += _hub_problems(obj.get("policies") if isinstance(obj, Mapping) else None)
        raise CatalogueRefused(problems) from exc
    problems = _hub_problems(obj["policies"])
    if problems:
        raise CatalogueRefused(problems)
    return parsed


def _hub_problems(items: Any) -> list[policies.Problem]:
    if not isinstance(items, list):
        return []
    known = department_codes()
    out: list[policies.Problem] = []
    for i, item in enumerate(items):
        dept = item.get("department") if isinstance(item, Mapping) else None
        if isinstance(dept, str) and dept.strip() and dept.strip() not in known:
            out.append(policies.Problem(f"policies[{i}].department", "department",
                                        {"value": f"{dept!r:.40}", "known": ", ".join(known)}))
        pid = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(pid, str) and pid.lower() in _RESERVED_IDS:  # the console's own paths
            out.append(policies.Problem(f"policies[{i}].id", "reserved_id", {"value": repr(pid)}))
    return out


def read_catalogue_file(path: Any) -> list[policies.Policy]:
    """A catalogue JSON file's policies; :class:`CatalogueRefused` for an unreadable or bad file."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            obj = json.load(fh)
    except OSError as exc:
        raise CatalogueRefused([policies.Problem(str(path), "file_unreadable",
                                                 {"reason": exc.strerror or str(exc)})]) from exc
    except UnicodeDecodeError as exc:
        raise CatalogueRefused([policies.Problem(str(path), "file_not_utf8", {"reason": exc.reason})]) from exc
    except json.JSONDecodeError as exc:
        raise CatalogueRefused([policies.Problem(str(path), "file_json", {"line": exc.lineno, "column": exc.colno,
                                                                         "reason": exc.msg})]) from exc
    return check_catalogue(obj)


# --- writing ----------------------------------------------------------------------------------

def _content(body: Mapping[str, Any]) -> dict[str, Any]:
    """A policy body without its version: what "changed" compares."""
    return {k: v for k, v in body.items() if k != "version"}


def _lock_catalogue(db: HubDatabase, s: Session) -> None:
    if db.dialect == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": 0x5848, "key": _CATALOGUE_LOCK_KEY})


def _bump(s: Session) -> int:
    row = s.get(HubMeta, CATALOGUE_VERSION_KEY)
    if row is None:
        row = HubMeta(key=CATALOGUE_VERSION_KEY, value="0")
        s.add(row)
    row.value = str(int(row.value or 0) + 1)
    return int(row.value)


def _read_version(s: Session) -> int:
    row = s.get(HubMeta, CATALOGUE_VERSION_KEY)
    return int(row.value) if row is not None and row.value else 0


def catalogue_version(db: HubDatabase) -> int:
    """The catalogue's version (0: nothing ever published)."""
    with db.session() as s:
        return _read_version(s)


def _clean_by(by: str) -> str:
    from xuhui_desk.validation import clean_text

    return clean_text(by)[:BY_MAX] or "district"


def _upsert(s: Session, policy: policies.Policy, by: str, now: datetime) -> str:
    """Write one policy; ``created`` / ``updated`` / ``unchanged``."""
    row = s.get(HubPolicy, policy.id)
    if row is not None and row.status == PUBLISHED and _content(row.body) == _content(policy.to_json()):
        return "unchanged"
    version = 1 if row is None else row.version + (0 if _content(row.body) == _content(policy.to_json()) else 1)
    body = {**policy.to_json(), "version": version}
    state = "created" if row is None else "updated"
    if row is None:
        row = HubPolicy(id=policy.id)
        s.add(row)
    if state == "created" or row.version != version:
        s.add(HubPolicyVersion(policy_id=policy.id, version=version, body=body, published_at=now, published_by=by))
    row.version, row.status, row.body = version, PUBLISHED, body
    row.title, row.department, row.apply = policy.title, policy.department, policy.apply
    row.valid_from, row.valid_to = policy.valid_from, policy.valid_to
    row.published_at, row.published_by = now, by
    row.withdrawn_at = row.withdrawn_by = row.withdraw_reason = None
    return state


def publish(db: HubDatabase, items: Iterable[policies.Policy], *, by: str = "",
            now: datetime | None = None, record: Recorder | None = None) -> PublishSummary:
    """Publish checked policies (:func:`check_catalogue`) in one transaction: a new id is created
    at version 1, a changed one goes up a version (a withdrawn one is published again), an
    identical one is left alone. The catalogue's version goes up once if anything changed;
    ``record`` is called then, in the transaction, with the summary and each changed policy's
    version."""
    now = now or utcnow()
    by = _clean_by(by)
    summary: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    with db.write() as s:
        _lock_catalogue(db, s)
        for policy in items:
            summary[_upsert(s, policy, by, now)].append(policy.id)
        changed = summary["created"] + summary["updated"]
        version = _bump(s) if changed else _read_version(s)
        if changed and record is not None:
            record(s, {"created": summary["created"], "updated": summary["updated"], "catalogue_version": version,
                       "versions": {pid: s.get(HubPolicy, pid).version for pid in changed}})  # type: ignore[union-attr]
    return PublishSummary(summary["created"], summary["updated"], summary["unchanged"], version)


def withdraw(db: HubDatabase, policy_id: str, *, by: str = "", reason: str = "",
             now: datetime | None = None, record: Recorder | None = None) -> bool:
    """Withdraw a published policy (it leaves the stations' feed at their next sync); ``False``
    when it was already withdrawn. Raises :class:`UnknownPolicy`. ``record``: as for :func:`publish`."""
    from xuhui_desk.validation import clean_text

    now = now or utcnow()
    with db.write() as s:
        _lock_catalogue(db, s)
        row = s.get(HubPolicy, policy_id)
        if row is None:
            raise UnknownPolicy(f"no policy {policy_id!r}")
        if row.status == WITHDRAWN:
            return False
        row.status, row.withdrawn_at, row.withdrawn_by = WITHDRAWN, now, _clean_by(by)
        row.withdraw_reason = clean_text(reason, multiline=True)[:2000] or None
        version = _bump(s)
        if record is not None:
            record(s, {"reason": row.withdraw_reason or "", "catalogue_version": version})
    return True


# --- reading ----------------------------------------------------------------------------------

def feed(db: HubDatabase, since: int | None = None) -> dict[str, Any]:
    """What ``GET /api/v1/policies?since=N`` answers: every published policy (withdrawn ones left
    out) with the catalogue's version, or ``unchanged`` when ``since`` is that version."""
    with db.session() as s:
        version = _read_version(s)
        if since is not None and since == version:
            return {"catalogue_version": version, "unchanged": True}
        bodies: list[dict[str, Any]] = list(s.scalars(
            select(HubPolicy.body).where(HubPolicy.status == PUBLISHED).order_by(HubPolicy.id)))
    return {"catalogue_version": version, "policies": [dict(b) for b in bodies]}


def _push_counts(s: Session) -> dict[str, int]:
    return dict(s.execute(select(HubPolicyPushItem.policy_id, func.count())
                          .group_by(HubPolicyPushItem.policy_id)).all())


def policy_row(r: HubPolicy, pushes: int = 0) -> dict[str, Any]:
    return {"id": r.id, "version": r.version, "status": r.status, "title": r.title, "department": r.department,
            "apply": r.apply, "valid_from": r.valid_from.isoformat(),
            "valid_to": r.valid_to.isoformat() if r.valid_to else None,
            "sample": bool(r.body.get("sample")), "published_at": wire_time(r.published_at),
            "published_by": r.published_by,
            "withdrawn_at": wire_time(r.withdrawn_at) if r.withdrawn_at else None,
            "withdrawn_by": r.withdrawn_by, "withdraw_reason": r.withdraw_reason, "pushes": pushes}


def list_policies(db: HubDatabase, *, status: str | None = None) -> list[dict[str, Any]]:
    """Every policy of the catalogue (published first, then withdrawn; by id), with the number of
    times stations pushed it."""
    with db.session() as s:
        stmt = select(HubPolicy).order_by(HubPolicy.status.desc(), HubPolicy.id)
        if status:
            stmt = stmt.where(HubPolicy.status == status)
        counts = _push_counts(s)
        return [policy_row(r, counts.get(r.id, 0)) for r in s.scalars(stmt)]


def get_policy(db: HubDatabase, policy_id: str) -> tuple[dict[str, Any], policies.Policy]:
    """One policy's row and its parsed current version; :class:`UnknownPolicy`."""
    with db.session() as s:
        row = s.get(HubPolicy, policy_id)
        if row is None:
            raise UnknownPolicy(f"no policy {policy_id!r}")
        count = s.scalar(select(func.count()).select_from(HubPolicyPushItem)
                         .where(HubPolicyPushItem.policy_id == policy_id)) or 0
        return policy_row(row, count), policies.parse_policy(row.body, version=row.version)


def versions(db: HubDatabase, policy_id: str) -> list[dict[str, Any]]:
    """Every version of a policy, newest first: number, when, by whom, its body."""
    with db.session() as s:
        rows = s.scalars(select(HubPolicyVersion).where(HubPolicyVersion.policy_id == policy_id)
                         .order_by(HubPolicyVersion.version.desc())).all()
        return [{"version": v.version, "published_at": wire_time(v.published_at), "published_by": v.published_by,
                 "body": dict(v.body)} for v in rows]


@dataclass(frozen=True)
class PushItemView:
    item_id: int
    push_uuid: str
    station: str
    enterprise: str
    enterprise_uuid: str
    pushed_by: str
    pushed_at: datetime
    channel: str
    policy_version: int
    state: str
    state_by: str | None
    state_at: datetime | None
    note: str | None

    def next_states(self, apply: str) -> tuple[str, ...]:
        return next_states(self.state, apply)


def next_states(state: str, apply: str) -> tuple[str, ...]:
    """The follow-up states an item in ``state`` may move to (a 免申即享 policy needs no application)."""
    out = _NEXT.get(state, ())
    if state == PUSHED and apply == "no_application":
        out = (*out, GRANTED)
    return out


def pushes_of_policy(db: HubDatabase, policy_id: str, *, station: str | None = None,
                     limit: int = 500) -> list[PushItemView]:
    """The pushes of one policy, newest first (``station``: one station's only)."""
    with db.session() as s:
        stmt = (select(HubPolicyPushItem, HubPolicyPush, HubStation.code, HubEnterprise.name, HubEnterprise.uuid)
                .join(HubPolicyPush, HubPolicyPush.id == HubPolicyPushItem.push_id)
                .join(HubStation, HubStation.id == HubPolicyPush.station_id)
                .join(HubEnterprise, HubEnterprise.id == HubPolicyPush.enterprise_id)
                .where(HubPolicyPushItem.policy_id == policy_id)
                .order_by(HubPolicyPush.pushed_at.desc(), HubPolicyPushItem.id.desc()).limit(limit))
        if station:
            stmt = stmt.where(HubStation.code == station)
        return [PushItemView(item.id, push.uuid, code, name, ent_uuid, push.pushed_by, push.pushed_at, push.channel,
                             item.policy_version, item.state, item.state_by, item.state_at, item.note)
                for item, push, code, name, ent_uuid in s.execute(stmt)]


def pushes_per_station(db: HubDatabase, policy_id: str) -> list[dict[str, Any]]:
    """Per station: how many times the policy was pushed, and how many items are in each state."""
    with db.session() as s:
        rows = s.execute(select(HubStation.code, HubPolicyPushItem.state, func.count())
                         .join(HubPolicyPush, HubPolicyPush.id == HubPolicyPushItem.push_id)
                         .join(HubStation, HubStation.id == HubPolicyPush.station_id)
                         .where(HubPolicyPushItem.policy_id == policy_id)
                         .group_by(HubStation.code, HubPolicyPushItem.state)).all()
    out: dict[str, dict[str, Any]] = {}
    for code, state, n in rows:
        entry = out.setdefault(code, {"station": code, "total": 0, **{st: 0 for st in FOLLOW_UP_STATES}})
        entry[state] = entry.get(state, 0) + n
        entry["total"] += n
    return [out[k] for k in sorted(out)]


def set_follow_up(db: HubDatabase, item_id: int, state: str, *, by: str, note: str = "",
                  now: datetime | None = None, record: Recorder | None = None) -> dict[str, Any]:
    """Move one pushed policy's follow-up to ``state`` (see :func:`next_states`); returns the
    item's policy id, station, company and the state it left (also handed to ``record``, in the
    transaction). Raises :class:`FollowUpRefused`; two people moving one item at once are
    serialised (the item's row is locked), the second is refused if its step no longer fits."""
    from xuhui_desk.validation import clean_text

    now = now or utcnow()
    with db.write() as s:
        item = s.get(HubPolicyPushItem, item_id, options=[selectinload(HubPolicyPushItem.push)],
                     with_for_update=True)
        if item is None:
            raise FollowUpRefused(f"no pushed policy item {item_id}")
        policy = s.get(HubPolicy, item.policy_id)
        apply = policy.apply if policy is not None else ""
        if state not in next_states(item.state, apply):
            raise FollowUpRefused(f"{item.policy_id}: cannot go from {item.state} to {state}")
        before = item.state
        item.state, item.state_by, item.state_at = state, _clean_by(by), now
        item.note = clean_text(note, multiline=True)[:2000] or item.note
        enterprise = s.get(HubEnterprise, item.push.enterprise_id)
        station = s.get(HubStation, item.push.station_id)
        done = {"policy_id": item.policy_id, "item": item.id, "from": before, "state": state,
                "station": station.code if station else "", "enterprise": enterprise.name if enterprise else "",
                "department": policy.department if policy is not None else ""}
        if record is not None:
            record(s, done)
        return done


def item_policy(db: HubDatabase, item_id: int) -> str | None:
    """The policy id of a pushed item (``None``: no such item)."""
    with db.session() as s:
        return s.scalar(select(HubPolicyPushItem.policy_id).where(HubPolicyPushItem.id == item_id))


# --- companies that qualify -------------------------------------------------------------------

@dataclass(frozen=True)
class QualifyingCompany:
    station: str
    enterprise_uuid: str
    name: str
    outcome: policies.Outcome
    missing: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Qualifying:
    """The companies that may qualify for a policy: the first ``limit`` of each outcome with their
    reasons, how many there are of each, and how many companies with a profile were judged."""

    companies: list[QualifyingCompany]
    eligible: int
    possible: int
    judged: int


def qualifying_companies(db: HubDatabase, policy: policies.Policy, *, today: date,
                         language: str = "zh_CN", station: str | None = None, limit: int = 200) -> Qualifying:
    """The hub's companies with a profile judged for ``policy`` (``policies.outcome``, then
    ``policies.match_policy`` for the reasons of those shown): eligible and possible ones
    (possible: with the facts to ask), eligible first, then by name; at most ``limit`` of each
    outcome with reasons, the rest counted. A profile that can no longer be read (stored before
    a rule changed) is skipped, never a crash."""
    judged = 0
    with db.session() as s:
        stmt = (select(HubEnterprise.uuid, HubEnterprise.name, HubEnterprise.profile, HubStation.code)
                .join(HubStation, HubStation.id == HubEnterprise.station_id)
                .where(HubEnterprise.profile.is_not(None)))
        if station:
            stmt = stmt.where(HubStation.code == station)
        rows = s.execute(stmt).all()
    found: dict[policies.Outcome, list[tuple[str, str, str, policies.CompanyProfile]]] = {
        policies.Outcome.ELIGIBLE: [], policies.Outcome.POSSIBLE: []}
    for ent_uuid, name, raw, code in rows:
        try:
            profile = policies.CompanyProfile.from_json(json.loads(raw or "null"))
        except (ValueError, TypeError):
            continue
        judged += 1
        # The quick outcome for every company; reasons in words only for those shown.
        result = policies.outcome(profile, policy, today=today)
        if result != policies.Outcome.NOT_ELIGIBLE:
            found[result].append((name, ent_uuid, code, profile))
    shown: list[QualifyingCompany] = []
    for result in (policies.Outcome.ELIGIBLE, policies.Outcome.POSSIBLE):
        for name, ent_uuid, code, profile in sorted(found[result], key=lambda c: (c[0], c[1]))[:limit]:
            match = policies.match_policy(profile, policy, today=today)
            shown.append(QualifyingCompany(code, ent_uuid, name, match.outcome, match.missing,
                                           tuple(r.text(language) for r in match.reasons)))
    return Qualifying(shown, len(found[policies.Outcome.ELIGIBLE]), len(found[policies.Outcome.POSSIBLE]), judged)
