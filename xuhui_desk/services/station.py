"""The station this workstation belongs to, and the settings stored with it."""

from __future__ import annotations

import re
from pathlib import Path
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


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` names this computer (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    try:
        host = urlparse(url).hostname or ""
    except ValueError:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def hub_url_insecure(url: str) -> bool:
    """Whether talking to the hub at ``url`` would send the token and the data unencrypted over
    the network: not https, and not this computer."""
    return bool(url) and urlparse(url).scheme != "https" and not is_loopback_url(url)


def check_hub_url(url: str, allow_insecure: bool = False) -> list[Issue]:
    """What is wrong with ``url`` as the hub's address (empty: fine). The station trusts the hub
    only over TLS: an ``http://`` address is refused unless it is this computer (loopback) or
    the ``allow_insecure_hub`` setting is on (then sync reports itself as insecure)."""
    if not url:
        return []
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return [Issue("hub_url", "hub_url.invalid")]
    if hub_url_insecure(url) and not allow_insecure:
        return [Issue("hub_url", "hub_url.insecure")]
    return []


def insecure_hub_allowed(session: Session) -> bool:
    return get_setting(session, "allow_insecure_hub") == "1"


def validate_setting(key: str, value: str, *, allow_insecure_hub: bool = False) -> str:
    """``value`` as it will be stored, or ``ValueError`` saying why not. ``hub_url`` must be
    https (or loopback) unless ``allow_insecure_hub`` (:func:`check_hub_url`)."""
    if key not in SETTING_DEFAULTS:
        raise UnknownSetting(f"unknown setting {key!r}; known: {', '.join(sorted(SETTING_DEFAULTS))}")
    value = value.strip()
    if key == "language" and value not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    if key == "allow_insecure_hub" and value not in ("0", "1"):
        raise ValueError("allow_insecure_hub must be 0 (off) or 1 (on)")
    if key == "hub_url" and value:
        issues = check_hub_url(value, allow_insecure_hub)
        if issues:
            raise ValidationFailed(issues)
        value = value.rstrip("/")
    if key == "tracking_url_template" and value and (
        "{tracking_no}" not in value or urlparse(value).scheme not in ("http", "https")
    ):
        raise ValueError("tracking_url_template must be an http(s) URL containing {tracking_no}")
    if key == "scanner_folder" and value and not Path(value).expanduser().is_absolute():
        raise ValueError("scanner_folder must be a full path to a folder")
    return value


def set_setting(db: Database, key: str, value: str) -> str:
    """Validate and store one setting. ``station_address`` is the station's own address (one
    store: ``Station.address``, printed on receipts by the GUI and the command line alike)."""
    with db.write() as session:
        value = validate_setting(key, value, allow_insecure_hub=insecure_hub_allowed(session))
        if key == "station_address":
            require_station(session).address = clean_text(value)
            legacy = session.get(Setting, key)
            if legacy is not None:
                session.delete(legacy)
        else:
            _put(session, key, value)
    return value


def get_setting(session: Session, key: str) -> str:
    if key not in SETTING_DEFAULTS:
        raise UnknownSetting(f"unknown setting {key!r}; known: {', '.join(sorted(SETTING_DEFAULTS))}")
    if key == "station_address":
        return station_address(session)
    row = session.get(Setting, key)
    return row.value if row is not None else SETTING_DEFAULTS[key]


def station_address(session: Session) -> str:
    """The address printed on receipts: the station's own, else one stored by an older version as a
    setting (before the address had one store)."""
    station = get_station(session)
    if station is not None and station.address:
        return station.address
    row = session.get(Setting, "station_address")
    return row.value if row is not None else ""


def all_settings(session: Session) -> dict[str, str]:
    stored = {s.key: s.value for s in session.scalars(select(Setting))}
    values = {k: stored.get(k, default) for k, default in SETTING_DEFAULTS.items()}
    values["station_address"] = station_address(session)
    return values


#: What the Settings page edits and saves, in the order it saves them (the insecure-hub switch
#: before the hub address it allows).
SETTINGS_PAGE_KEYS = ("specialist", "allow_insecure_hub", "hub_url", "hub_token", "tracking_url_template",
                      "language")


def load_settings_page(db: Database) -> dict[str, str]:
    """Everything the Settings page shows: the station (code, name, address) and every setting."""
    with db.session() as session:
        values = all_settings(session)
        station = get_station(session)
        values["station_code"] = station.code if station else ""
        values["station_name"] = station.name if station else ""
    return values


def save_settings_page(db: Database, values: dict[str, str]) -> None:
    """Write the station's name and address and the page's settings, each validated here."""
    if values.get("station_code"):
        init_station(db, values["station_code"], values["station_name"], values.get("station_address", ""))
        set_setting(db, "station_address", values.get("station_address", ""))
    for key in SETTINGS_PAGE_KEYS:
        if key in values:
            set_setting(db, key, values[key])
