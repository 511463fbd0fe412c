"""The stations' attachment uploads (docs/attachments.md), under the sync API's auth:

``POST /api/v1/attachments/status``   ``{"files": [sha256, …]}`` → each file's state and offset
``POST /api/v1/attachments/{sha256}?offset=N&size=S&media_type=T``  one chunk (the raw bytes;
      header ``X-Xuhui-Chunk-SHA256``) → ``{"sha256", "offset", "complete"}``

Refusals: 400 malformed, 409 wrong offset (``offset`` says where to resume), 413 too large or
over the station's quota, 415 not an accepted kind of file, 422 a chunk (or the whole file)
whose SHA-256 does not match.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import attachments
from xuhui_desk.hub.http import ApiError, read_body, read_json
from xuhui_desk.hub.routes.deps import PROTOCOL_PARAMETER, AuthenticatedStation, Config, HubDb
from xuhui_desk.record_rules import MAX_ATTACHMENT_BYTES
from xuhui_desk.sync_protocol import API_PREFIX, ERR_BAD_REQUEST

ATTACHMENTS_PATH = f"{API_PREFIX}/attachments"
CHUNK_HASH_HEADER = "X-Xuhui-Chunk-SHA256"

router = APIRouter()


@router.post(f"{ATTACHMENTS_PATH}/status", summary="Which of these files the hub has, and how much of each",
             openapi_extra={"parameters": [PROTOCOL_PARAMETER]})
async def status(request: Request, station: AuthenticatedStation, db: HubDb, cfg: Config) -> JSONResponse:
    raw, _size = await read_json(request, cfg)
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, list) or len(files) > attachments.MAX_STATUS_FILES or \
            not all(isinstance(f, str) for f in files):
        raise ApiError(400, ERR_BAD_REQUEST, f"give {{\"files\": [sha256, …]}} with at most "
                                             f"{attachments.MAX_STATUS_FILES} hashes")
    states = await run_in_threadpool(attachments.file_states, db, station.id, files)
    return JSONResponse({"files": states, "limits": {
        "max_file_bytes": cfg.attachment_max_bytes, "max_chunk_bytes": attachments.MAX_CHUNK_BYTES,
        "station_quota": cfg.attachment_station_quota}})


@router.post(ATTACHMENTS_PATH + "/{sha256}", summary="One chunk of a file, at its offset",
             openapi_extra={"parameters": [PROTOCOL_PARAMETER]})
async def put_chunk(request: Request, sha256: str, station: AuthenticatedStation, db: HubDb, cfg: Config,
                    offset: Annotated[int, Query(ge=0, le=MAX_ATTACHMENT_BYTES * 64)],
                    size: Annotated[int, Query(ge=0, le=MAX_ATTACHMENT_BYTES * 64)],
                    media_type: Annotated[str, Query(max_length=64)]) -> JSONResponse:
    chunk = await read_body(request, cfg)
    limits = attachments.UploadLimits(cfg.attachment_max_bytes, cfg.attachment_station_quota)
    try:
        result = await run_in_threadpool(
            lambda: attachments.put_chunk(db, station.id, sha256, offset=offset, size=size, media_type=media_type,
                                          chunk=chunk, chunk_sha256=request.headers.get(CHUNK_HASH_HEADER, ""),
                                          limits=limits))
    except attachments.UploadRefused as exc:
        extra = {"offset": exc.offset} if exc.offset is not None else {}
        raise ApiError(exc.status, exc.code, str(exc), **extra) from exc
    return JSONResponse(result)
