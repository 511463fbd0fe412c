"""The station this workstation belongs to, and the settings stored with it."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuhui_desk.config import LANGUAGES, SETTING_DEFAULTS
from xuhui_desk.db import Database
from xuhui_desk.models import Setting, Station
from xuhui_desk.validation import Issue, ValidationFailed, check_text, clean_text

STATION_CODE = re.compile(r"^[A-Z0-9]{2,12}$")


class NotInitialised(RuntimeError):
    def __init__(self) -> None:
        super().__init__("this workstation is not set up yet: run `xuhui-desk init --station-code CODE "
                         "--station-name NAME` (or start the program to use the first-run wizard)")


class UnknownSetting(KeyError):
    pass


def get_station(session: Session) -> Station | None:
    return session.scalars(select(Station).limit(1)).first()


def require_station(session: Session) -> Station:
    station = get_station(session)
    if station is None:
        raise NotInitialised()
    return station


def init_station(db: Database, code: str, name: str, address: str = "", specialist: str = "") -> Station:
    """Create (or, run again, rename) the station. The code cannot change once requests exist."""
    code = clean_text(code).upper()
    name = clean_text(name)
    issues: list[Issue] = []
    if not STATION_CODE.match(code):
        issues.append(Issue("station_code", "station.code"))
    issues += check_text(name, "station_name", required=True)
    if issues:
        raise ValidationFailed(issues)
    with db.write() as session:
        station = get_station(session)
        if station is None:
            station = Station(code=code, name=name, address=clean_text(address))
            session.add(station)
        else:
            if station.code != code:
                from xuhui_desk.models import Request

                if session.scalars(select(Request.id).limit(1)).first() is not None:
                    raise ValueError(
                        f"the station code is {station.code} and requests already carry it; it cannot change"
                    )
                station.code = code
            station.name = name
            if address:
                station.address = clean_text(address)
        if specialist:
            _put(session, "specialist", clean_text(specialist))
        session.flush()
        return station


def _put(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def validate_setting(key: str, value: str) -> str:
    if key not in SETTING_DEFAULTS:
        raise UnknownSetting(f"unknown setting {key!r}; known: {', '.join(sorted(SETTING_DEFAULTS))}")
    value = value.strip()
    if key == "language" and value not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    if key == "hub_url" and value:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("hub_url must be an http(s) URL, e.g. https://hub.example.cn")
        value = value.rstrip("/")
    if key == "tracking_url_template" and value and (
        "{tracking_no}" not in value or urlparse(value).scheme not in ("http", "https")
    ):
        raise ValueError("tracking_url_template must be an http(s) URL containing {tracking_no}")
    return value


def set_setting(db: Database, key: str, value: str) -> str:
    value = validate_setting(key, value)
    with db.write() as session:
        _put(session, key, value)
    return value


def get_setting(session: Session, key: str) -> str:
    if key not in SETTING_DEFAULTS:
        raise UnknownSetting(f"unknown setting {key!r}; known: {', '.join(sorted(SETTING_DEFAULTS))}")
    row = session.get(Setting, key)
    return row.value if row is not None else SETTING_DEFAULTS[key]


def all_settings(session: Session) -> dict[str, str]:
    stored = {s.key: s.value for s in session.scalars(select(Setting))}
    return {k: stored.get(k, default) for k, default in SETTING_DEFAULTS.items()}
