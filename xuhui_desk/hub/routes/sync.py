"""The stations' sync calls: ``POST /api/v1/sync/push`` and ``GET /api/v1/sync/pull``."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import store
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.http import ApiError, HubConfig, read_json
from xuhui_desk.hub.routes.deps import PROTOCOL_PARAMETER, AuthenticatedStation, Config, HubDb, Quota
from xuhui_desk.sync_protocol import (
    ERR_BAD_REQUEST,
    ERR_BATCH_CONFLICT,
    ERR_FORBIDDEN,
    ERR_TOO_LARGE,
    ERR_UNAUTHORIZED,
    MAX_CURSOR,
    PULL_PATH,
    PUSH_PATH,
    PushBatch,
    WireError,
    canonical_json,
    parse_push_body,
    push_request_schema,
)

router = APIRouter()


def _apply(db: HubDatabase, station: store.StationRef, batch: PushBatch, cfg: HubConfig) -> dict[str, Any]:
    # Hashing a large batch takes a while too: it runs here, on the worker thread. Each record is
    # encoded once: the batch's canonical JSON is its records' joined (json.dumps joins a list's
    # items with the same separator), a record's size is its encoding's length whatever the
    # order of its keys, and its content hash is cut from that encoding (store.apply_push).
    encoded = [canonical_json(record) for record in batch.records]
    body_hash = hashlib.sha256(b"[" + b",".join(encoded) + b"]").hexdigest()
    return store.apply_push(db, station, batch.batch_id, batch.records, body_hash,
                            skew_seconds=batch.clock_skew_seconds, max_record_bytes=cfg.max_record_bytes,
                            encodings=encoded)


@router.post(PUSH_PATH, summary="Push a batch of station records",
             openapi_extra={"parameters": [PROTOCOL_PARAMETER], "requestBody": {"required": True, "content": {
                 "application/json": {"schema": push_request_schema()}}}})
async def push(request: Request, station: AuthenticatedStation, db: HubDb, cfg: Config,
               quota: Quota) -> JSONResponse:
    quota.charge_batch(station.id)
    raw, decoded_size = await read_json(request, cfg)
    quota.charge_bytes(station.id, decoded_size)
    try:
        batch = parse_push_body(raw, cfg.max_batch_records)
    except WireError as exc:
        if any(e.code == "wire.too_many" for e in exc.errors):
            raise ApiError(413, ERR_TOO_LARGE, f"at most {cfg.max_batch_records} records per batch",
                           max_batch_records=cfg.max_batch_records) from exc
        raise ApiError(400, ERR_BAD_REQUEST, f"not a push batch: {exc}") from exc
    if batch.station != station.code:
        raise ApiError(403, ERR_FORBIDDEN, f"this token belongs to station {station.code}, not {batch.station}")
    try:
        response = await run_in_threadpool(_apply, db, station, batch, cfg)
    except store.BatchConflict as exc:
        raise ApiError(409, ERR_BATCH_CONFLICT, str(exc)) from exc
    except store.TokenRevoked as exc:
        raise ApiError(401, ERR_UNAUTHORIZED, str(exc)) from exc
    return JSONResponse(response)


@router.get(PULL_PATH, summary="The calling station's change feed after a cursor",
            openapi_extra={"parameters": [PROTOCOL_PARAMETER]})
async def pull(station: AuthenticatedStation, db: HubDb, cfg: Config,
               cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
               limit: Annotated[int, Query(ge=1, le=100_000)] = 200) -> JSONResponse:
    page = await run_in_threadpool(store.pull, db, station, cursor, min(limit, cfg.max_pull_limit))
    return JSONResponse(page)
