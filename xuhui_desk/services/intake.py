"""Intake: turn what a walk-in company asks for into a saved, numbered, routed request.

``create_request`` promises: the input is validated first (every problem reported, field
by field); the enterprise is reused when its credit code — or, without one, its
normalised name — is already in the directory; the request, its ``created`` timeline
event, its tracking number and the full-text index are written in one transaction, so
nothing is ever half-saved; tracking numbers never repeat, even with several processes
saving at once (the daily sequence is bumped under SQLite's write lock). Given an
:class:`IntakeKey`, a request already saved under that key is reported, not saved again; the
key is written in the same transaction as the request, so a crash leaves neither or both.

The save writes with Core statements on the write transaction's connection (no ORM unit of work:
an intake is one known set of rows), reads the station's code and default specialist in one
statement, and inserts the request with its uuid made here, so that nothing is read back
(benchmarks/intake_benchmark.py measures it against raw SQL of the same writes).

The intake form's reads live here too, each taking the :class:`~xuhui_desk.db.Database` and
returning plain frozen data: :func:`lookup_enterprises` and :func:`enterprise_by_uscc` (the
directory as the name or code is typed), :func:`duplicates_for` (the open requests a new one may
duplicate), :func:`todays_intakes`, :func:`load_station_router` and :func:`intake_receipt`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from xuhui_desk.db import Database
from xuhui_desk.models import (
    OPEN_STATUSES,
    Channel,
    Enterprise,
    EventKind,
    Origin,
    Request,
    Status,
    SyncState,
    Urgency,
    new_uuid,
    utcnow,
)
from xuhui_desk.services.pinyin_order import pinyin_sort_key
from xuhui_desk.services.prepared_statements import PreparedStatement
from xuhui_desk.services.station import NotInitialised
from xuhui_desk.validation import (
    Issue,
    ValidationFailed,
    check_phone,
    check_text,
    check_uscc,
    clean_text,
    errors,
    name_key,
    normalize_uscc,
)

if TYPE_CHECKING:
    from xuhui_desk.policies import CompanyProfile
    from xuhui_desk.services.receipts import ReceiptData
    from xuhui_desk.services.routing import Router

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: How many directory entries :func:`lookup_enterprises` offers at most.
LOOKUP_LIMIT = 8
#: How many of today's intakes :func:`todays_intakes` lists.
RECENT_LIMIT = 5
DUPLICATE_WINDOW = timedelta(days=30)
#: A key made from a file's line (not a client id) recognises a request saved this recently.
LINE_KEY_WINDOW = timedelta(days=7)
CLIENT_ID_MAX = 200


@dataclass(frozen=True)
class IntakeKey:
    """What recognises a line of ``intake --json-lines`` that is already saved (DESIGN.md §6).

    ``client``: the caller's own id for the request (the line's ``"client_id"``); it matches
    forever. ``line``: the file's path, the line's JSON content in canonical form (keys sorted,
    formatting ignored) and how many identical lines came before it in the file; it matches a
    request saved within :data:`LINE_KEY_WINDOW`. Only the SHA-256 of the parts is stored.
    """

    digest: str
    kind: str

    @classmethod
    def for_client_id(cls, client_id: str) -> IntakeKey:
        return cls(hashlib.sha256(b"client\0" + client_id.encode("utf-8", "surrogatepass")).hexdigest(), "client")

    @classmethod
    def for_line(cls, source: str, content: dict[str, Any], occurrence: int) -> IntakeKey:
        """``source``: the input file's full path; ``occurrence``: 1 for the first line with this
        content in the file, 2 for the next identical one, …"""
        parts = "\0".join([source, canonical_line(content), str(occurrence)])
        return cls(hashlib.sha256(b"line\0" + parts.encode("utf-8", "surrogatepass")).hexdigest(), "line")


def canonical_line(content: dict[str, Any]) -> str:
    """A JSON line's content in one spelling: the same object always gives the same text."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class EnterpriseInput:
    name: str
    uscc: str = ""
    contact_name: str = ""
    phone: str = ""
    park: str = ""
    building: str = ""
    #: Profile facts given with it (``intake --json-lines``, a roster's columns): the known ones
    #: replace the stored ones, an unknown one never erases what is known. None: none given.
    profile: CompanyProfile | None = None


@dataclass
class IntakeInput:
    enterprise: EnterpriseInput
    description: str
    category: str | None = None
    subcategory: str | None = None
    channel: str = Channel.WALK_IN
    urgency: str = Urgency.NORMAL
    specialist: str = ""
    #: Link to an open request of the same enterprise instead of duplicating it.
    linked_request_uuid: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> IntakeInput:
        """Build from the JSON-lines shape of DESIGN.md §6; wrong types become validation issues."""
        ent = raw.get("enterprise")
        issues: list[Issue] = []
        if not isinstance(ent, dict):
            issues.append(Issue("enterprise_name", "text.required"))
            ent = {}

        def text_of(source: dict[str, Any], key: str, field_name: str) -> str:
            value = source.get(key)
            if value is None:
                return ""
            # Numbers are fine for codes and phones typed into a spreadsheet; true/false, lists
            # and objects are never text (bool is an int in Python, hence the first test).
            if isinstance(value, bool) or not isinstance(value, str | int):
                issues.append(Issue(field_name, "text.not_text"))
                return ""
            return str(value)

        enterprise = EnterpriseInput(
            name=text_of(ent, "name", "enterprise_name"),
            uscc=text_of(ent, "uscc", "uscc"),
            contact_name=text_of(ent, "contact_name", "contact_name"),
            phone=text_of(ent, "phone", "phone"),
            park=text_of(ent, "park", "park"),
            building=text_of(ent, "building", "building"),
            profile=_profile_facts(ent, issues),
        )
        data = cls(
            enterprise=enterprise,
            description=text_of(raw, "description", "description"),
            category=text_of(raw, "category", "category") or None,
            subcategory=text_of(raw, "subcategory", "category") or None,
            channel=text_of(raw, "channel", "channel") or Channel.WALK_IN,
            urgency=text_of(raw, "urgency", "urgency") or Urgency.NORMAL,
            specialist=text_of(raw, "specialist", "specialist"),
        )
        if issues:
            raise ValidationFailed(issues)
        return data


def _profile_facts(ent: dict[str, Any], issues: list[Issue]) -> CompanyProfile | None:
    """The profile facts of a JSON line's ``enterprise`` (None when it names none); a fact that
    cannot be read is an issue of its own field (the line is refused whole: nothing is lost)."""
    from xuhui_desk.policies import PROFILE_FACTS, CompanyProfile, ProfileError
    from xuhui_desk.services.policies import profile_issues

    given = {k: ent[k] for k in PROFILE_FACTS if k in ent}
    if not given:
        return None
    try:
        return CompanyProfile.from_json(given)
    except ProfileError as exc:
        issues.extend(profile_issues(exc))
        return None


@dataclass
class IntakeResult:
    uuid: str
    tracking_no: str
    category: str
    department: str | None
    sla_due_at: datetime | None
    warnings: list[Issue] = field(default_factory=list)
    enterprise_reused: bool = False
    #: The request was saved earlier under the same :class:`IntakeKey`; nothing was saved now.
    already_saved: bool = False


def _choice(value: str, choices: list[str], field_name: str) -> list[Issue]:
    if value in choices:
        return []
    return [Issue(field_name, "choice.invalid", params={"value": value, "choices": ", ".join(choices)})]


def validate(data: IntakeInput) -> tuple[IntakeInput, list[Issue]]:
    """Clean the input and list every issue (errors and warnings). Pure: touches no database."""
    from xuhui_desk.services.taxonomy import load_taxonomy

    ent = data.enterprise
    uscc, uscc_issues = check_uscc(ent.uscc)
    phone, phone_issues = check_phone(ent.phone)
    cleaned = IntakeInput(
        enterprise=EnterpriseInput(
            name=clean_text(ent.name),
            uscc=uscc,
            contact_name=clean_text(ent.contact_name),
            phone=phone,
            park=clean_text(ent.park),
            building=clean_text(ent.building),
            profile=ent.profile,
        ),
        description=clean_text(data.description, multiline=True),
        category=(data.category or "").strip() or None,
        subcategory=(data.subcategory or "").strip() or None,
        channel=(data.channel or Channel.WALK_IN).strip(),
        urgency=(data.urgency or Urgency.NORMAL).strip(),
        specialist=clean_text(data.specialist),
        linked_request_uuid=data.linked_request_uuid,
    )
    issues: list[Issue] = []
    issues += check_text(cleaned.enterprise.name, "enterprise_name", required=True, minimum=2)
    issues += uscc_issues + phone_issues
    issues += check_text(cleaned.enterprise.contact_name, "contact_name")
    issues += check_text(cleaned.enterprise.park, "park")
    issues += check_text(cleaned.enterprise.building, "building")
    issues += check_text(cleaned.description, "description", required=True, minimum=4)
    issues += check_text(cleaned.specialist, "specialist")
    issues += _choice(cleaned.channel, [c.value for c in Channel], "channel")
    issues += _choice(cleaned.urgency, [u.value for u in Urgency], "urgency")
    if cleaned.category is not None or cleaned.subcategory is not None:
        taxonomy = load_taxonomy()
        codes = [str(c.code) for c in taxonomy.categories]
        if cleaned.category is None:
            issues.append(Issue("category", "text.required"))  # a subcategory needs its category
        else:
            issues += _choice(cleaned.category, codes, "category")
        if cleaned.subcategory and cleaned.category in codes:
            subs = [s.code for s in taxonomy.category(cleaned.category).subcategories]
            issues += _choice(cleaned.subcategory, subs, "category")
    return cleaned, issues


def find_enterprise(session: Session, name: str, uscc: str) -> Enterprise | None:
    """The directory entry for this company: by credit code, else by normalised name."""
    if uscc:
        found = session.scalars(select(Enterprise).where(Enterprise.uscc == uscc)).first()
        if found is not None:
            return found
        # A company first recorded without its code, now given one.
        return session.scalars(
            select(Enterprise).where(Enterprise.name_key == name_key(name), Enterprise.uscc.is_(None))
        ).first()
    return session.scalars(select(Enterprise).where(Enterprise.name_key == name_key(name))).first()


def upsert_enterprise(session: Session, ent: EnterpriseInput, now: datetime) -> tuple[Enterprise, bool]:
    found = find_enterprise(session, ent.name, ent.uscc)
    if found is None:
        enterprise = Enterprise(
            name=ent.name,
            name_key=name_key(ent.name),
            name_sort=pinyin_sort_key(ent.name),
            uscc=ent.uscc or None,
            contact_name=ent.contact_name,
            phone=ent.phone,
            park=ent.park,
            building=ent.building,
            first_seen_at=now,
            updated_at=now,
        )
        session.add(enterprise)
        session.flush()
        return enterprise, False
    changed = False
    # Newer contact details replace older ones; empty fields never erase what is known.
    updates = {"contact_name": ent.contact_name, "phone": ent.phone, "park": ent.park,
               "building": ent.building, "uscc": ent.uscc or None}
    for attr, value in updates.items():
        if value and getattr(found, attr) != value:
            setattr(found, attr, value)
            changed = True
    if changed:
        found.updated_at = now
        found.revision += 1
        found.sync_state = SyncState.PENDING
    return found, True


# Bumps the day's sequence and returns it, in one statement (built once, like the save's statements).
_NEXT_SEQUENCE = text(
    "INSERT INTO daily_sequences(station_code, day, last) VALUES (:code, :day, 1) "
    "ON CONFLICT(station_code, day) DO UPDATE SET last = last + 1 RETURNING last")


def next_tracking_no(session: Session | Connection, station_code: str, when: datetime) -> str:
    """``CODE-YYYYMMDD-NNN`` for the Shanghai calendar day of ``when``; must run in a write transaction."""
    day = when.astimezone(SHANGHAI).strftime("%Y%m%d")
    seq: int = session.execute(_NEXT_SEQUENCE, {"code": station_code, "day": day}).scalar_one()
    return f"{station_code}-{day}-{seq:03d}"


def open_duplicates(
    session: Session, enterprise_id: int, category: str, now: datetime | None = None
) -> list[Request]:
    """Open requests of the same enterprise and category created within the last 30 days."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Request)
            .where(
                Request.enterprise_id == enterprise_id,
                Request.category == category,
                Request.status.in_([s.value for s in OPEN_STATUSES]),
                Request.created_at >= now - DUPLICATE_WINDOW,
            )
            .order_by(Request.created_at.desc())
        )
    )


def find_duplicates_for(session: Session, name: str, uscc: str, category: str,
                        now: datetime | None = None) -> list[Request]:
    """Duplicate check before saving, from what the form holds."""
    enterprise = find_enterprise(session, clean_text(name), check_uscc(uscc)[0])
    if enterprise is None:
        return []
    return open_duplicates(session, enterprise.id, category, now)


def _key_time(when: datetime) -> str:
    # The spelling SQLAlchemy uses for the other DateTime columns (naive UTC), so text compares as time.
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _saved_under(session: Session, key: IntakeKey, now: datetime) -> IntakeResult | None:
    row = session.execute(text("SELECT request_id, kind, created_at FROM intake_keys WHERE key = :key"),
                          {"key": key.digest}).first()
    if row is None or (row.kind != "client" and str(row.created_at) < _key_time(now - LINE_KEY_WINDOW)):
        return None
    request = session.get(Request, row.request_id)
    if request is None:
        return None
    return IntakeResult(request.uuid, request.tracking_no, request.category, request.department,
                        request.sla_due_at, already_saved=True)


def find_saved(db: Database, key: IntakeKey, now: datetime | None = None) -> IntakeResult | None:
    """The request already saved under ``key`` (see :class:`IntakeKey`), or None."""
    with db.session() as session:
        return _saved_under(session, key, now or utcnow())


# --- the save, on Core ------------------------------------------------------------------------------
# Statements built once: SQLAlchemy compiles each on first use and reuses the compiled form.

_tables = Request.metadata.tables
_requests = _tables["requests"]
_events = _tables["request_events"]
_enterprises = _tables["enterprises"]
_corrections = _tables["routing_corrections"]

# The station's code, the default specialist and the key of the station's working-day calendar
# (its official years and their digests, to find the cached calendar) in one round trip. The code
# and the specialist change only through the settings; they are read on each save rather than
# cached where a change could be missed.
_STATION_AND_SPECIALIST = PreparedStatement(text(
    "SELECT (SELECT code FROM station LIMIT 1), (SELECT value FROM settings WHERE key = 'specialist'), "
    "(SELECT group_concat(year || ' ' || coalesce(digest, ''), ',') FROM "
    "(SELECT year, digest FROM calendar_years ORDER BY year, digest))"))
_ENTERPRISE_COLUMNS = (_enterprises.c.id, _enterprises.c.uscc, _enterprises.c.contact_name, _enterprises.c.phone,
                       _enterprises.c.park, _enterprises.c.building)
_ENTERPRISE_BY_USCC = PreparedStatement(
    select(*_ENTERPRISE_COLUMNS).where(_enterprises.c.uscc == bindparam("uscc")).limit(1), ["uscc"])
_ENTERPRISE_BY_KEY_NO_USCC = PreparedStatement(
    select(*_ENTERPRISE_COLUMNS).where(_enterprises.c.name_key == bindparam("key"), _enterprises.c.uscc.is_(None))
    .limit(1), ["key"])
_ENTERPRISE_BY_KEY = PreparedStatement(
    select(*_ENTERPRISE_COLUMNS).where(_enterprises.c.name_key == bindparam("key")).limit(1), ["key"])
_DETAILS = ("contact_name", "phone", "park", "building", "uscc")
_INSERT_ENTERPRISE = PreparedStatement(insert(_enterprises), [
    "uuid", "name", "name_key", "name_sort", "uscc", "contact_name", "phone", "park", "building", "first_seen_at",
    "updated_at", "revision", "sync_state"])
# Every detail column at once (the merged values): one compiled statement serves every change.
_UPDATE_ENTERPRISE = PreparedStatement(
    update(_enterprises).where(_enterprises.c.id == bindparam("enterprise_id"))
    .values(revision=_enterprises.c.revision + 1, sync_state=SyncState.PENDING),
    ["enterprise_id", "updated_at", *_DETAILS])
_NEXT_SEQUENCE_PREPARED = PreparedStatement(_NEXT_SEQUENCE, ["code", "day"])
_INSERT_REQUEST = PreparedStatement(insert(_requests), [
    "uuid", "tracking_no", "enterprise_id", "channel", "category", "subcategory", "department", "description",
    "urgency", "status", "sla_due_at", "sla_provisional", "specialist", "created_at", "updated_at",
    "suggested_category", "linked_request_uuid", "revision", "sync_state"])
_INSERT_EVENT = PreparedStatement(insert(_events), [
    "uuid", "request_id", "kind", "actor", "origin", "occurred_at", "sync_state", "data"])
_INSERT_CORRECTION = PreparedStatement(insert(_corrections),
                                       ["text", "suggested", "chosen", "specialist", "created_at"])
_INSERT_KEY = PreparedStatement(text(
    "INSERT INTO intake_keys(key, kind, request_id, created_at) VALUES (:key, :kind, :id, :at) "
    "ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, request_id = excluded.request_id, "
    "created_at = excluded.created_at"), ["key", "kind", "id", "at"])


def _station_and_specialist(conn: Connection) -> tuple[str, str, tuple[tuple[int, str], ...]]:
    """The station's code, the default specialist and the calendar's key (see ``calendar_for_key``)."""
    from xuhui_desk.config import SETTING_DEFAULTS

    code, specialist, years = _STATION_AND_SPECIALIST.execute(conn).fetchone()
    if code is None:
        raise NotInitialised()
    key = tuple((int(year), digest) for year, digest in (item.split(" ", 1) for item in years.split(","))) \
        if years else ()
    return code, specialist if specialist is not None else SETTING_DEFAULTS["specialist"], key


def _save_enterprise(conn: Connection, ent: EnterpriseInput, now: datetime) -> tuple[int, bool]:
    """:func:`upsert_enterprise`'s rule with Core statements: (the enterprise's id, whether it was known)."""
    key = name_key(ent.name)
    found = None
    if ent.uscc:
        found = _ENTERPRISE_BY_USCC.execute(conn, {"uscc": ent.uscc}).fetchone()
        if found is None:  # a company first recorded without its code, now given one
            found = _ENTERPRISE_BY_KEY_NO_USCC.execute(conn, {"key": key}).fetchone()
    else:
        found = _ENTERPRISE_BY_KEY.execute(conn, {"key": key}).fetchone()
    if found is None:
        inserted = _INSERT_ENTERPRISE.execute(conn, {
            "uuid": new_uuid(), "name": ent.name, "name_key": key, "name_sort": pinyin_sort_key(ent.name),
            "uscc": ent.uscc or None, "contact_name": ent.contact_name, "phone": ent.phone, "park": ent.park,
            "building": ent.building, "first_seen_at": now, "updated_at": now, "revision": 1,
            "sync_state": SyncState.PENDING})
        return int(inserted.lastrowid), False
    # Newer contact details replace older ones; empty fields never erase what is known.
    enterprise_id, *known = found
    stored = dict(zip(("uscc", "contact_name", "phone", "park", "building"), known, strict=True))
    typed = {"contact_name": ent.contact_name, "phone": ent.phone, "park": ent.park,
             "building": ent.building, "uscc": ent.uscc or None}
    merged = {k: typed[k] or stored[k] for k in _DETAILS}
    if any(merged[k] != stored[k] for k in _DETAILS):
        _UPDATE_ENTERPRISE.execute(conn, {"enterprise_id": enterprise_id, "updated_at": now, **merged})
    return int(enterprise_id), True


def create_request(
    db: Database,
    data: IntakeInput,
    *,
    router: Router | None = None,
    now: datetime | None = None,
    accept_warnings: bool = True,
    key: IntakeKey | None = None,
    held_pushes: Sequence[str] = (),
) -> IntakeResult:
    """Validate, route when no category was chosen, and save a new request (see module doc).

    ``held_pushes``: the policy lists handed to the company during this intake, held until now
    (:func:`xuhui_desk.services.policies.record_push` with ``hold``); the save ties them to the
    request in the same transaction.

    With ``key``: when a request was already saved under it, that request is returned with
    ``already_saved`` set and nothing is written (checked again under the write lock, so two
    processes taking in the same file never both save a line).
    """
    from xuhui_desk.services import assignment
    from xuhui_desk.services.calendar_updates import calendar_for_key, station_calendar

    if key is not None and (earlier := find_saved(db, key, now)) is not None:
        return earlier
    cleaned, issues = validate(data)
    if errors(issues) or (issues and not accept_warnings):
        raise ValidationFailed(issues)
    warnings = [i for i in issues if i not in errors(issues)]
    now = now or utcnow()
    suggestion = assignment.suggest(cleaned.description, cleaned.enterprise.name, router=router)
    category = str(cleaned.category or suggestion.category)
    suggested_sub = suggestion.subcategory.code if suggestion.subcategory else None
    subcategory = cleaned.subcategory or (suggested_sub if category == suggestion.category else None)
    department = assignment.department_for(category, subcategory)
    corrected = bool(cleaned.category and cleaned.category != suggestion.category)
    uuid = new_uuid()

    with db.write() as session:
        if key is not None and (earlier := _saved_under(session, key, now)) is not None:
            return earlier
        # Core statements on the transaction's own connection: no unit of work to flush.
        conn = session.connection()
        station_code, default_specialist, calendar_key = _station_and_specialist(conn)
        work_calendar = calendar_for_key(calendar_key) or station_calendar(session)
        due = assignment.due_for(category, cleaned.urgency, now, work_calendar=work_calendar)
        specialist = cleaned.specialist or default_specialist
        enterprise_id, reused = _save_enterprise(conn, cleaned.enterprise, now)
        day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
        seq = _NEXT_SEQUENCE_PREPARED.execute(conn, {"code": station_code, "day": day}).fetchone()[0]
        tracking_no = f"{station_code}-{day}-{seq:03d}"
        sla_due_at = due.at if due else None
        request_id = _INSERT_REQUEST.execute(conn, {
            "uuid": uuid, "tracking_no": tracking_no, "enterprise_id": enterprise_id, "channel": cleaned.channel,
            "category": category, "subcategory": subcategory, "department": department,
            "description": cleaned.description, "urgency": cleaned.urgency, "status": Status.NEW,
            "sla_due_at": sla_due_at, "sla_provisional": bool(due and due.provisional), "specialist": specialist,
            "created_at": now, "updated_at": now, "suggested_category": str(suggestion.category),
            "linked_request_uuid": cleaned.linked_request_uuid, "revision": 1, "sync_state": SyncState.PENDING,
        }).lastrowid
        _INSERT_EVENT.execute(conn, {
            "uuid": new_uuid(), "request_id": request_id, "kind": EventKind.CREATED, "actor": specialist,
            "origin": Origin.STATION, "occurred_at": now, "sync_state": SyncState.PENDING,
            "data": {"category": category, "department": department, "channel": cleaned.channel,
                     "suggested_category": str(suggestion.category), "status": Status.NEW.value},
        })
        if cleaned.enterprise.profile is not None:  # the line's profile facts (intake --json-lines)
            from xuhui_desk.services.policies import save_profile_facts

            save_profile_facts(session, enterprise_id, cleaned.enterprise.profile, actor=specialist, now=now)
        if held_pushes:
            from xuhui_desk.services.policies import take_held_pushes

            take_held_pushes(conn, held_pushes, enterprise_id=enterprise_id, request_id=request_id)
        if corrected:
            _INSERT_CORRECTION.execute(conn, {"text": cleaned.description, "suggested": str(suggestion.category),
                                              "chosen": cleaned.category, "specialist": specialist,
                                              "created_at": now})
        if key is not None:
            # A stale key of the same line (older than the window) now names the new request.
            _INSERT_KEY.execute(conn, {"key": key.digest, "kind": key.kind, "id": request_id,
                                       "at": _key_time(now)})
    if corrected:
        assignment.learn(cleaned.description, str(cleaned.category), router=router)
    return IntakeResult(uuid, tracking_no, category, department, sla_due_at, warnings, reused)


# --- what the intake form reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseMatch:
    """A directory entry offered while the name or the credit code is typed ("" for what is unknown)."""

    name: str
    uscc: str
    contact_name: str
    phone: str
    park: str
    building: str


@dataclass(frozen=True)
class Duplicate:
    """An open request of the same enterprise and category: what the form's banner shows."""

    uuid: str
    tracking_no: str
    status: str
    created_at: datetime
    description: str


@dataclass(frozen=True)
class RecentIntake:
    """One of today's intakes (the list beside the form)."""

    uuid: str
    tracking_no: str
    enterprise_name: str
    category: str
    created_at: datetime


@dataclass(frozen=True)
class TodaysIntakes:
    """How many requests were received today, and the newest of them (newest first)."""

    total: int
    latest: tuple[RecentIntake, ...]


_MATCH_COLUMNS = (_enterprises.c.name, _enterprises.c.uscc, _enterprises.c.contact_name, _enterprises.c.phone,
                  _enterprises.c.park, _enterprises.c.building)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _match(row: Any) -> EnterpriseMatch:
    return EnterpriseMatch(row.name, row.uscc or "", row.contact_name, row.phone, row.park, row.building)


def lookup_enterprises(db: Database, typed: str, limit: int = LOOKUP_LIMIT) -> list[EnterpriseMatch]:
    """Directory entries whose name (or normalised name) contains ``typed``, or whose credit code
    starts with it; names that start with it first, then the most recently updated. At most
    ``limit``; nothing for an empty or blank ``typed``."""
    term = clean_text(typed)
    if not term:
        return []
    code = normalize_uscc(term)
    escaped = _escape_like(term)
    conditions = [_enterprises.c.name.like(f"%{escaped}%", escape="\\")]
    key = name_key(term)
    if key:
        conditions.append(_enterprises.c.name_key.like(f"%{_escape_like(key)}%", escape="\\"))
    if code.isalnum() and code.isascii():
        conditions.append(_enterprises.c.uscc.like(f"{_escape_like(code)}%", escape="\\"))
    starts = case((_enterprises.c.name.like(f"{escaped}%", escape="\\"), 0), else_=1)
    query = (select(*_MATCH_COLUMNS).where(or_(*conditions))
             .order_by(starts, _enterprises.c.updated_at.desc()).limit(limit))
    with db.session() as session:
        return [_match(row) for row in session.execute(query)]


def enterprise_by_uscc(db: Database, uscc: str) -> EnterpriseMatch | None:
    """The directory entry with exactly this (normalised) credit code, or None."""
    with db.session() as session:
        row = session.execute(select(*_MATCH_COLUMNS).where(_enterprises.c.uscc == uscc).limit(1)).first()
    return _match(row) if row is not None else None


def duplicates_for(db: Database, name: str, uscc: str, category: str, now: datetime | None = None) -> list[Duplicate]:
    """What :func:`find_duplicates_for` finds for the form's name, credit code and category (newest
    first), as plain data."""
    with db.session() as session:
        return [Duplicate(r.uuid, r.tracking_no, str(r.status), r.created_at, r.description)
                for r in find_duplicates_for(session, name, uscc, category, now)]


def todays_intakes(db: Database, limit: int = RECENT_LIMIT, now: datetime | None = None) -> TodaysIntakes:
    """The requests received on the Shanghai calendar day of ``now`` (default: now): how many, and
    the ``limit`` newest (by time received, then by id)."""
    start = (now or utcnow()).astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    today = _requests.c.created_at >= start
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(_requests).where(today)) or 0
        rows = session.execute(
            select(_requests.c.uuid, _requests.c.tracking_no, _enterprises.c.name, _requests.c.category,
                   _requests.c.created_at)
            .join(_enterprises, _enterprises.c.id == _requests.c.enterprise_id)
            .where(today).order_by(_requests.c.created_at.desc(), _requests.c.id.desc()).limit(limit))
        return TodaysIntakes(int(total), tuple(RecentIntake(row.uuid, row.tracking_no, row.name, row.category,
                                                            row.created_at) for row in rows))


def load_station_router(db: Database) -> Router:
    """The station's router (the taxonomy's rules with this station's corrections), read from ``db``."""
    # The session first: while the database is still opening after start-up this waits (on the
    # GUI's worker) before the router's modules are imported.
    with db.session() as session:
        from xuhui_desk.services.assignment import load_router

        return load_router(session)


def intake_receipt(db: Database, key: str, language: str) -> ReceiptData:
    """The receipt of a saved request (``key``: its uuid or tracking number) in ``language``: the
    builder ``xuhui-desk receipt`` uses too (:func:`~xuhui_desk.services.receipts.receipt_for_request`)."""
    from xuhui_desk.services.receipts import request_receipt

    return request_receipt(db, key, language)
