"""``GET /api/v1/policies?since=N``: the district's published policy catalogue, for stations.

A station's bearer token is required (as for the change feed and the calendar). The answer is
``{"catalogue_version": N, "policies": [Policy.to_json(), …]}`` — every published policy,
withdrawn ones left out (expired ones stay: a station hides them by date) — or, when ``since``
is the current version, ``{"catalogue_version": N, "unchanged": true}``. The station replaces its
whole set in one transaction (docs/policies.md, docs/sync.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import policy_catalogue, store
from xuhui_desk.sync_protocol import ERR_BAD_REQUEST, ERR_UNAUTHORIZED, MAX_CURSOR, POLICIES_PATH, error_body

_STATION_AUTH = HTTPBearer(auto_error=False, scheme_name="stationToken",
                           description="The station's token (`xuhui-hub station add CODE`).")

router = APIRouter()


@router.get(POLICIES_PATH, summary="The district's published policy catalogue",
            dependencies=[Security(_STATION_AUTH)])
async def policies_feed(request: Request,
                        since: str | None = Query(None, description="the catalogue version the station holds"),
                        ) -> JSONResponse:
    db = request.app.state.db
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    station = await run_in_threadpool(store.authenticate, db, token.strip() if scheme.lower() == "bearer" else "")
    if station is None:
        return JSONResponse(error_body(ERR_UNAUTHORIZED, "unknown or revoked station token"), status_code=401,
                            headers={"WWW-Authenticate": 'Bearer realm="xuhui-hub"'})
    held: int | None = None
    if since is not None and since != "":
        if not since.isascii() or not since.isdigit() or int(since) > MAX_CURSOR:
            return JSONResponse(error_body(ERR_BAD_REQUEST, "since must be a catalogue version (0 or more)"),
                                status_code=400)
        held = int(since)
    return JSONResponse(await run_in_threadpool(policy_catalogue.feed, db, held))
