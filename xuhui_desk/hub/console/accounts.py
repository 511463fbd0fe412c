"""Console accounts: users and roles, argon2 passwords, database-backed sessions, login back-off
and lockout, the generic failure throttle (also used by the public tracking page), and the
audit log.

Nothing here is kept in a process's memory: several hub processes may serve one database, and
a session, a lockout or a rate limit must hold whichever process a browser reaches.

Promises
--------
* Passwords are stored only as argon2id hashes (memory-hard); a hash made with older
  parameters is upgraded at the next successful sign-in.
* A login is refused without checking the password while the user name or the client address
  is locked; every failure counts, and after :attr:`LoginPolicy.backoff_after` failures each
  further attempt must wait (doubling), after :attr:`LoginPolicy.lock_after` the account is
  locked for :attr:`LoginPolicy.lock_minutes`. Unknown user names cost the same time as known
  ones (a dummy hash is verified) and count the same.
* A session token is 256 random bits; the database keeps only its SHA-256. A session ends after
  :attr:`LoginPolicy.idle_minutes` without a request, after :attr:`LoginPolicy.max_hours` in any
  case, at logout, and when the user is disabled or their password changes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import ConsoleAudit, ConsoleSession, ConsoleThrottle, ConsoleUser
from xuhui_desk.hub.store import HubError
from xuhui_desk.models import utcnow
from xuhui_desk.validation import clean_text

ADMIN = "admin"
COORDINATOR = "coordinator"
HANDLER = "handler"
VIEWER = "viewer"
#: Keeps the district's policy catalogue (issue 15): edits, publishes and withdraws policies;
#: sees no requests.
POLICY_EDITOR = "policy_editor"
ROLES = (ADMIN, COORDINATOR, HANDLER, VIEWER, POLICY_EDITOR)
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 256


class AccountError(HubError):
    """A refused account change; the message says why (shown by the command and the admin page)."""


class LoginRefused(Exception):
    """A refused sign-in: ``reason`` is ``failed``, ``locked``, ``backoff`` or ``ip_locked``."""

    def __init__(self, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginPolicy:
    """How sign-ins are throttled and sessions expire (``XUHUI_CONSOLE_*`` variables; docs/console.md)."""

    backoff_after: int = 3  # from the 3rd failure on, wait 1 s, 2 s, … before the next attempt
    lock_after: int = 5  # failures within the window that lock the account
    lock_minutes: int = 15
    window_minutes: int = 15
    ip_lock_after: int = 30  # failures from one address within the window (many user names)
    idle_minutes: int = 30
    max_hours: int = 12


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the pages see it."""

    id: int
    username: str
    display_name: str
    role: str
    departments: tuple[str, ...] = ()
    station_code: str | None = None
    csrf_token: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def sees_all_departments(self) -> bool:
        return self.role in (ADMIN, COORDINATOR, VIEWER)

    @property
    def may_act(self) -> bool:
        """Accept, reply, ask and transfer (viewers only read)."""
        return self.role in (ADMIN, COORDINATOR, HANDLER)

    @property
    def may_see_phone(self) -> bool:
        """Handlers call the company back; the coordinator follows up. Others see it masked."""
        return self.role in (COORDINATOR, HANDLER)

    @property
    def may_see_dashboard(self) -> bool:
        return self.role in (ADMIN, COORDINATOR, VIEWER)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def may_edit_policies(self) -> bool:
        """Edit, publish and withdraw the policy catalogue (docs/policies.md)."""
        return self.role in (COORDINATOR, POLICY_EDITOR)

    def may_follow_up(self, department: str) -> bool:
        """Record a pushed policy's follow-up: the coordinator, or a handler of its department."""
        return self.role == COORDINATOR or (self.role == HANDLER and department in self.departments)


# --- passwords --------------------------------------------------------------------------------

@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    # argon2id, 64 MiB, 3 passes: the library's (RFC 9106 "low memory") defaults.
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return str(_hasher().hash(secrets.token_hex(16)))


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    """Raise :class:`AccountError` for a password too short, too long or all one character."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must have at most {MAX_PASSWORD} characters")
    if len(set(password)) < 4:
        raise AccountError("the password must use at least 4 different characters")


# --- users ------------------------------------------------------------------------------------

def _departments(codes: list[str] | tuple[str, ...]) -> list[str]:
    from xuhui_desk.services.taxonomy import load_taxonomy

    known = {d.code for d in load_taxonomy().departments}
    cleaned = sorted({c.strip() for c in codes if c.strip()})
    unknown = [c for c in cleaned if c not in known]
    if unknown:
        raise AccountError(f"unknown department(s) {', '.join(unknown)}; departments: {', '.join(sorted(known))}")
    return cleaned


def create_user(db: HubDatabase, username: str, password: str, role: str, *, departments: list[str] | None = None,
                station: str | None = None, display_name: str = "") -> dict[str, Any]:
    """Create a console user. A handler needs at least one department; ``station`` limits a viewer."""
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise AccountError("a user name is 2 to 64 letters, digits or . _ @ - (starting with a letter or digit)")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    depts = _departments(departments or [])
    if role == HANDLER and not depts:
        raise AccountError("a handler needs at least one --department")
    if role != HANDLER and depts:
        raise AccountError("only handlers belong to departments (coordinators and admins see every request)")
    if station and role != VIEWER:
        raise AccountError("only a viewer can be limited to one station")
    check_password(password)
    display_name = clean_text(display_name)[:50]
    with db.write() as s:
        if s.scalars(select(ConsoleUser.id).where(ConsoleUser.username == username)).first() is not None:
            raise AccountError(f"user {username} exists already")
        now = utcnow()
        user = ConsoleUser(username=username, display_name=display_name, password_hash=hash_password(password),
                           role=role, departments=depts, station_code=station.strip().upper() if station else None,
                           created_at=now, password_changed_at=now)
        s.add(user)
        s.flush()
        return user_dict(user)


def user_dict(u: ConsoleUser) -> dict[str, Any]:
    from xuhui_desk.services.timefmt import iso_local

    return {"username": u.username, "display_name": u.display_name, "role": u.role,
            "departments": list(u.departments or []), "station": u.station_code,
            "active": u.disabled_at is None, "created_at": iso_local(u.created_at),
            "last_login_at": iso_local(u.last_login_at) if u.last_login_at else None}


def list_users(db: HubDatabase) -> list[dict[str, Any]]:
    with db.session() as s:
        return [user_dict(u) for u in s.scalars(select(ConsoleUser).order_by(ConsoleUser.username))]


def _user(s: Session, username: str) -> ConsoleUser:
    user = s.scalars(select(ConsoleUser).where(ConsoleUser.username == username.strip())).first()
    if user is None:
        raise AccountError(f"no user {username}")
    return user


def set_disabled(db: HubDatabase, username: str, disabled: bool = True) -> None:
    """Disable (or enable again) a user; disabling ends their sessions at once."""
    with db.write() as s:
        user = _user(s, username)
        user.disabled_at = utcnow() if disabled else None
        if disabled:
            s.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))


def set_password(db: HubDatabase, username: str, password: str) -> None:
    """Replace a user's password; their sessions end and a lockout is lifted."""
    check_password(password)
    with db.write() as s:
        user = _user(s, username)
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
        s.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
        s.execute(delete(ConsoleThrottle).where(ConsoleThrottle.key == f"login-user:{user.username.lower()}"))


# --- throttle ---------------------------------------------------------------------------------

def throttle_wait(s: Session, key: str, now: datetime) -> float:
    """Seconds ``key`` is still locked for (0: not locked)."""
    row = s.get(ConsoleThrottle, key)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0.0
    return (row.locked_until - now).total_seconds()


def throttle_failure(s: Session, key: str, now: datetime, *, window: timedelta, lock_after: int,
                     lock_for: timedelta, backoff_after: int | None = None) -> int:
    """Count one failure of ``key`` (a new window starts when the last one is over) and lock it
    for ``lock_for`` at ``lock_after`` failures, or for a doubling back-off from ``backoff_after``.
    Returns the failures in the window."""
    row = s.get(ConsoleThrottle, key, with_for_update=True)
    if row is None:
        row = ConsoleThrottle(key=key, failures=0, window_start=now)
        s.add(row)
    if row.window_start + window <= now:
        row.failures = 0
        row.window_start = now
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= lock_after:
        row.locked_until = now + lock_for
    elif backoff_after is not None and row.failures >= backoff_after:
        row.locked_until = now + timedelta(seconds=min(2 ** (row.failures - backoff_after), 60))
    return row.failures


def throttle_clear(s: Session, key: str) -> None:
    s.execute(delete(ConsoleThrottle).where(ConsoleThrottle.key == key))


# --- sessions ---------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _principal(user: ConsoleUser, csrf: str = "") -> Principal:
    return Principal(user.id, user.username, user.display_name, user.role, tuple(user.departments or ()),
                     user.station_code, csrf)


def login(db: HubDatabase, username: str, password: str, *, ip: str = "", user_agent: str = "",
          policy: LoginPolicy | None = None, now: datetime | None = None) -> tuple[str, Principal]:
    """Check a sign-in and open a session: ``(cookie token, principal)``; raises :class:`LoginRefused`."""
    policy = policy or LoginPolicy()
    now = now or utcnow()
    name = username.strip()[:64]
    user_key, ip_key = f"login-user:{name.lower()}", f"login-ip:{ip}"[:120]
    with db.session() as s:
        wait = throttle_wait(s, ip_key, now)
        if wait:
            raise LoginRefused("ip_locked", wait)
        row = s.get(ConsoleThrottle, user_key)
        wait = throttle_wait(s, user_key, now)
        if wait:
            locked = row is not None and row.failures >= policy.lock_after
            raise LoginRefused("locked" if locked else "backoff", wait)
    with db.session() as s:
        user = s.scalars(select(ConsoleUser).where(ConsoleUser.username == name)).first()
        stored = user.password_hash if user is not None else _dummy_hash()
    # The slow hash runs outside any transaction.
    good = verify_password(stored, password) and user is not None and user.disabled_at is None
    window, lock_for = timedelta(minutes=policy.window_minutes), timedelta(minutes=policy.lock_minutes)
    if not good:
        # Committed before the refusal is raised (an exception inside the block would roll it back).
        with db.write() as s:
            count = throttle_failure(s, user_key, now, window=window, lock_after=policy.lock_after,
                                     lock_for=lock_for, backoff_after=policy.backoff_after)
            throttle_failure(s, ip_key, now, window=window, lock_after=policy.ip_lock_after, lock_for=lock_for)
            audit(s, name, "login_failed", detail={"failures": count}, ip=ip, user_agent=user_agent, now=now)
            if count >= policy.lock_after:
                audit(s, name, "account_locked", detail={"minutes": policy.lock_minutes}, ip=ip,
                      user_agent=user_agent, now=now)
        raise LoginRefused("failed")
    assert user is not None
    with db.write() as s:
        throttle_clear(s, user_key)
        fresh = s.get(ConsoleUser, user.id)
        assert fresh is not None
        if _hasher().check_needs_rehash(fresh.password_hash):
            fresh.password_hash = hash_password(password)
        fresh.last_login_at = now
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = min(now + timedelta(minutes=policy.idle_minutes), now + timedelta(hours=policy.max_hours))
        s.add(ConsoleSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=csrf, created_at=now,
                             last_seen_at=now, expires_at=expires, ip=ip[:64], user_agent=user_agent[:200]))
        # Old sessions of everyone are swept now and then, on sign-in (cheap: indexed on expiry).
        s.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
        audit(s, user.username, "login", ip=ip, user_agent=user_agent, now=now)
        return token, _principal(fresh, csrf)


def resume(db: HubDatabase, token: str, *, policy: LoginPolicy | None = None,
           now: datetime | None = None) -> Principal | None:
    """The principal of a session cookie, or ``None`` (unknown, expired, user disabled).

    Extends the idle expiry, writing at most once a minute per session.
    """
    if not token or len(token) > 128:
        return None
    policy = policy or LoginPolicy()
    now = now or utcnow()
    digest = _token_hash(token)
    with db.session() as s:
        found = s.execute(select(ConsoleSession, ConsoleUser)
                          .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
                          .where(ConsoleSession.token_hash == digest)).first()
    if found is None:
        return None
    session, user = found
    if session.expires_at <= now or user.disabled_at is not None or user.password_changed_at > session.created_at:
        with db.write() as s:
            s.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == digest))
        return None
    if now - session.last_seen_at >= timedelta(minutes=1):
        expires = min(now + timedelta(minutes=policy.idle_minutes),
                      session.created_at + timedelta(hours=policy.max_hours))
        with db.write() as s:
            row = s.get(ConsoleSession, digest)
            if row is not None:
                row.last_seen_at = now
                row.expires_at = expires
    return _principal(user, session.csrf_token)


def logout(db: HubDatabase, token: str) -> None:
    with db.write() as s:
        s.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))


# --- audit ------------------------------------------------------------------------------------

def audit(s: Session, username: str, action: str, target: str = "", *, detail: dict[str, Any] | None = None,
          ip: str = "", user_agent: str = "", now: datetime | None = None) -> None:
    """Append one audit entry inside the caller's transaction (so it commits with the action)."""
    s.add(ConsoleAudit(at=now or utcnow(), username=username[:64], action=action[:40], target=target[:64],
                       detail=detail or {}, ip=ip[:64], user_agent=user_agent[:200]))
