"""``GET /api/v1/calendar``: the official calendar years the district published, for stations.

A station's bearer token is required (as for the change feed). The answer is small — one entry
per published year — so it is served whole on every call: ``{"years": [{"year", "source",
"holidays", "workdays", "digest", "published_at", "published_by"}, …]}``; the station compares
digests with the years it holds and applies what is new.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import calendar, store
from xuhui_desk.services.calendar_updates import CALENDAR_PATH
from xuhui_desk.sync_protocol import ERR_UNAUTHORIZED, error_body

_STATION_AUTH = HTTPBearer(auto_error=False, scheme_name="stationToken",
                           description="The station's token (`xuhui-hub station add CODE`).")

router = APIRouter()


@router.get(CALENDAR_PATH, summary="The official calendar years published by the district",
            dependencies=[Security(_STATION_AUTH)])
async def calendar_feed(request: Request) -> JSONResponse:
    db = request.app.state.db
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    station = await run_in_threadpool(store.authenticate, db, token.strip() if scheme.lower() == "bearer" else "")
    if station is None:
        return JSONResponse(error_body(ERR_UNAUTHORIZED, "unknown or revoked station token"), status_code=401,
                            headers={"WWW-Authenticate": 'Bearer realm="xuhui-hub"'})
    return JSONResponse({"years": await run_in_threadpool(calendar.published, db)})
