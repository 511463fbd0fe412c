"""District staff's calls (admin token): ``POST /api/v1/requests/{tracking_no}/update``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import store
from xuhui_desk.hub.http import ApiError, read_json
from xuhui_desk.hub.routes.deps import Config, HubDb, district_admin
from xuhui_desk.sync_protocol import ERR_BAD_REQUEST

router = APIRouter(dependencies=[Depends(district_admin)])

_UPDATE_SCHEMA = {"type": "object", "properties": {
    "status": {"type": "string"}, "department": {"type": "string"}, "reply": {"type": "string"},
    "actor": {"type": "string"}}}


@router.post("/api/v1/requests/{tracking_no}/update", summary="District staff update a request (admin token)",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": _UPDATE_SCHEMA}}}})
async def district_update(tracking_no: str, request: Request, db: HubDb, cfg: Config) -> JSONResponse:
    raw, _size = await read_json(request, cfg)
    if not isinstance(raw, dict):
        raise ApiError(400, ERR_BAD_REQUEST, "expected a JSON object")
    fields = {k: raw.get(k) for k in ("status", "department", "reply")}
    actor = raw.get("actor")
    if any(v is not None and not isinstance(v, str) for v in (*fields.values(), actor)):
        raise ApiError(400, ERR_BAD_REQUEST, "status, department, reply and actor must be strings")
    try:
        updated = await run_in_threadpool(
            lambda: store.district_update(db, tracking_no, actor=actor or "", **fields))
    except store.UnknownRequest as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    except store.InvalidUpdate as exc:
        raise ApiError(400, ERR_BAD_REQUEST, str(exc)) from exc
    return JSONResponse(updated)
