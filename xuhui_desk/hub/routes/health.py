"""``GET /api/v1/health`` (no token): version, protocol, time, hub id and limits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xuhui_desk import __version__
from xuhui_desk.hub import store
from xuhui_desk.hub.routes.deps import Config, HubDb
from xuhui_desk.models import utcnow
from xuhui_desk.sync_protocol import HEALTH_PATH, PROTOCOL_VERSION, wire_time

router = APIRouter()


@router.get("/", include_in_schema=False)
def root() -> dict[str, Any]:
    return {"service": "xuhui-hub", "version": __version__, "health": HEALTH_PATH}


@router.get(HEALTH_PATH, summary="Server version, protocol, time and limits (no token needed)")
def health(db: HubDb, cfg: Config) -> dict[str, Any]:
    return {
        "status": "ok",
        "service": "xuhui-hub",
        "server_version": __version__,
        "protocol": PROTOCOL_VERSION,
        "min_client_protocol": cfg.min_client_protocol,
        "server_time": wire_time(utcnow()),
        "hub_id": store.hub_id(db),
        "limits": cfg.limits(),
    }
