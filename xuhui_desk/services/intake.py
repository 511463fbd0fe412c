"""Intake: turn what a walk-in company asks for into a saved, numbered, routed request.

``create_request`` promises: the input is validated first (every problem reported, field
by field); the enterprise is reused when its credit code — or, without one, its
normalised name — is already in the directory; the request, its ``created`` timeline
event, its tracking number and the full-text index are written in one transaction, so
nothing is ever half-saved; tracking numbers never repeat, even with several processes
saving at once (the daily sequence is bumped under SQLite's write lock). Given an
:class:`IntakeKey`, a request already saved under that key is reported, not saved again; the
key is written in the same transaction as the request, so a crash leaves neither or both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xuhui_desk.db import Database
from xuhui_desk.models import (
    OPEN_STATUSES,
    Channel,
    Enterprise,
    EventKind,
    Request,
    RequestEvent,
    RoutingCorrection,
    Status,
    SyncState,
    Urgency,
    utcnow,
)
from xuhui_desk.services.pinyin_order import pinyin_sort_key
from xuhui_desk.services.station import get_setting, require_station
from xuhui_desk.validation import (
    Issue,
    ValidationFailed,
    check_phone,
    check_text,
    check_uscc,
    clean_text,
    errors,
    name_key,
)

if TYPE_CHECKING:
    from xuhui_desk.services.routing import Router

SHANGHAI = ZoneInfo("Asia/Shanghai")
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


def next_tracking_no(session: Session, station_code: str, when: datetime) -> str:
    """``CODE-YYYYMMDD-NNN`` for the Shanghai calendar day of ``when``; must run in a write transaction."""
    day = when.astimezone(SHANGHAI).strftime("%Y%m%d")
    seq = session.execute(
        text(
            "INSERT INTO daily_sequences(station_code, day, last) VALUES (:code, :day, 1) "
            "ON CONFLICT(station_code, day) DO UPDATE SET last = last + 1 RETURNING last"
        ),
        {"code": station_code, "day": day},
    ).scalar_one()
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


def find_duplicates_for(session: Session, name: str, uscc: str, category: str) -> list[Request]:
    """Duplicate check before saving, from what the form holds."""
    enterprise = find_enterprise(session, clean_text(name), check_uscc(uscc)[0])
    if enterprise is None:
        return []
    return open_duplicates(session, enterprise.id, category)


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


def create_request(
    db: Database,
    data: IntakeInput,
    *,
    router: Router | None = None,
    now: datetime | None = None,
    accept_warnings: bool = True,
    key: IntakeKey | None = None,
) -> IntakeResult:
    """Validate, route when no category was chosen, and save a new request (see module doc).

    With ``key``: when a request was already saved under it, that request is returned with
    ``already_saved`` set and nothing is written (checked again under the write lock, so two
    processes taking in the same file never both save a line).
    """
    from xuhui_desk.services import assignment

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

    with db.write() as session:
        if key is not None and (earlier := _saved_under(session, key, now)) is not None:
            return earlier
        due = assignment.due_for(category, cleaned.urgency, now, session)
        station = require_station(session)
        specialist = cleaned.specialist or get_setting(session, "specialist")
        enterprise, reused = upsert_enterprise(session, cleaned.enterprise, now)
        request = Request(
            tracking_no=next_tracking_no(session, station.code, now),
            enterprise_id=enterprise.id,
            channel=cleaned.channel,
            category=category,
            subcategory=subcategory,
            department=department,
            description=cleaned.description,
            urgency=cleaned.urgency,
            status=Status.NEW,
            sla_due_at=due.at if due else None,
            sla_provisional=bool(due and due.provisional),
            specialist=specialist,
            created_at=now,
            updated_at=now,
            suggested_category=str(suggestion.category),
            linked_request_uuid=cleaned.linked_request_uuid,
        )
        session.add(request)
        session.flush()
        session.add(
            RequestEvent(
                request_id=request.id,
                kind=EventKind.CREATED,
                actor=specialist,
                occurred_at=now,
                data={"category": category, "department": department, "channel": cleaned.channel,
                      "suggested_category": str(suggestion.category), "status": Status.NEW.value},
            )
        )
        if cleaned.category and cleaned.category != suggestion.category:
            session.add(RoutingCorrection(text=cleaned.description, suggested=str(suggestion.category),
                                          chosen=cleaned.category, specialist=specialist, created_at=now))
        session.flush()
        if key is not None:
            # A stale key of the same line (older than the window) now names the new request.
            session.execute(
                text("INSERT INTO intake_keys(key, kind, request_id, created_at) VALUES (:key, :kind, :id, :at) "
                     "ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, request_id = excluded.request_id, "
                     "created_at = excluded.created_at"),
                {"key": key.digest, "kind": key.kind, "id": request.id, "at": _key_time(now)},
            )
        result = IntakeResult(request.uuid, request.tracking_no, category, department, request.sla_due_at, warnings,
                              reused)
    if cleaned.category and cleaned.category != suggestion.category:
        assignment.learn(cleaned.description, cleaned.category, router=router)
    return result
