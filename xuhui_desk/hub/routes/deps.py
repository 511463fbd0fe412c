"""Dependencies of the hub's routes: the database and configuration of the app, the sync
protocol check, the authenticated station and the district admin.

The handlers of the protocol header and the tokens raise :class:`~xuhui_desk.hub.http.ApiError`
themselves (rather than FastAPI's own 401/403), so that every refusal carries the hub's error
body; the ``HTTPBearer`` schemes are there for the OpenAPI document.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import store
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.http import ApiError, HubConfig, StationQuota
from xuhui_desk.sync_protocol import (
    ERR_FORBIDDEN,
    ERR_UNAUTHORIZED,
    ERR_UPGRADE_REQUIRED,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
)

STATION_AUTH = HTTPBearer(auto_error=False, scheme_name="stationToken",
                          description="The station's token (`xuhui-hub station add CODE`).")
ADMIN_AUTH = HTTPBearer(auto_error=False, scheme_name="adminToken",
                        description="District staff's admin token (`XUHUI_HUB_ADMIN_TOKEN`).")
PROTOCOL_PARAMETER = {
    "name": PROTOCOL_HEADER, "in": "header", "required": True,
    "description": "The client's sync protocol version (missing or too old: 426 Upgrade Required).",
    "schema": {"type": "integer", "minimum": 1},
}


def hub_db(request: Request) -> HubDatabase:
    return request.app.state.db


def hub_config(request: Request) -> HubConfig:
    return request.app.state.config


def station_quota(request: Request) -> StationQuota:
    return request.app.state.quota


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _header_text(raw: str) -> str:
    """A header value as the client meant it: HTTP headers arrive as Latin-1, clients send UTF-8."""
    try:
        text = raw.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        text = raw
    return text[:20].encode("unicode_escape").decode("ascii") if not text.isprintable() else text[:20]


HubDb = Annotated[HubDatabase, Depends(hub_db)]
Config = Annotated[HubConfig, Depends(hub_config)]
Quota = Annotated[StationQuota, Depends(station_quota)]
_StationCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(STATION_AUTH)]
_AdminCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(ADMIN_AUTH)]


def require_protocol(request: Request, cfg: Config) -> int:
    """The client's protocol version; 426 when it is missing, not an ASCII number, or too old."""
    raw = request.headers.get(PROTOCOL_HEADER, "")
    # ASCII digits only: int() would also take "١" (Arabic-Indic one).
    version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
    if version < cfg.min_client_protocol:
        shown = _header_text(raw) or "none"
        raise ApiError(426, ERR_UPGRADE_REQUIRED,
                       f"this hub needs sync protocol {cfg.min_client_protocol} or newer (the client sent "
                       f"{shown}): install the newer workstation program; intake keeps working",
                       {"X-Xuhui-Min-Protocol": str(cfg.min_client_protocol)},
                       min_protocol=cfg.min_client_protocol, protocol=PROTOCOL_VERSION)
    return version


async def authenticated_station(
    request: Request,
    _protocol: Annotated[int, Depends(require_protocol)],
    _credentials: _StationCredentials,
    db: HubDb,
) -> store.StationRef:
    """The station whose token the call carries (after the protocol check); 401 otherwise."""
    station = await run_in_threadpool(store.authenticate, db, bearer(request))
    if station is None:
        raise ApiError(401, ERR_UNAUTHORIZED, "unknown or revoked station token",
                       {"WWW-Authenticate": 'Bearer realm="xuhui-hub"'})
    return station


def district_admin(
    request: Request,
    _credentials: _AdminCredentials,
    cfg: Config,
) -> None:
    """District staff with the admin token; 403 when the hub has none set, 401 for a wrong one."""
    if not cfg.admin_token:
        raise ApiError(403, ERR_FORBIDDEN, "district updates over HTTP are disabled (no admin token set); "
                                           "use `xuhui-hub request update`")
    if not hmac.compare_digest(bearer(request).encode(), cfg.admin_token.encode()):
        raise ApiError(401, ERR_UNAUTHORIZED, "wrong admin token", {"WWW-Authenticate": "Bearer"})


#: The station whose token the call carries (protocol checked first).
AuthenticatedStation = Annotated[store.StationRef, Depends(authenticated_station)]
