"""The hub's HTTP API (FastAPI). The OpenAPI document is served at ``/openapi.json``
(browsable at ``/docs``).

``GET  /api/v1/health``                     server version, protocol, time, hub id, limits
``POST /api/v1/sync/push``                  a station's batch → one result per record
``GET  /api/v1/sync/pull?cursor=N&limit=M`` the calling station's change feed, paged
``POST /api/v1/requests/{tracking_no}/update``  district staff (admin token) change a request

Stations authenticate with ``Authorization: Bearer TOKEN``; sync calls must carry the
``X-Xuhui-Protocol`` header (too old or missing → 426). Errors are JSON
``{"error": code, "message": text}``: 400 malformed, 401 bad token, 403 wrong station,
409 batch id reused for other records (never retry), 413 body or batch too large (split),
415 unknown content encoding, 426 upgrade required, 503 busy (retry later).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import zlib
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware

from xuhui_desk import __version__
from xuhui_desk.hub import store
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.models import utcnow
from xuhui_desk.sync_protocol import (
    ERR_BAD_REQUEST,
    ERR_BATCH_CONFLICT,
    ERR_BUSY,
    ERR_FORBIDDEN,
    ERR_TOO_LARGE,
    ERR_UNAUTHORIZED,
    ERR_UPGRADE_REQUIRED,
    HEALTH_PATH,
    MAX_CURSOR,
    MIN_CLIENT_PROTOCOL,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PULL_PATH,
    PUSH_PATH,
    WireError,
    canonical_json,
    error_body,
    parse_push_body,
    push_request_schema,
    wire_time,
)

MiB = 1024 * 1024
#: Deepest nesting of arrays and objects a request body may have (a push batch needs 4 or 5).
MAX_JSON_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")

# For the OpenAPI document only: the handlers read the Authorization and protocol headers
# themselves (so that every refusal has the hub's own error body).
_STATION_AUTH = HTTPBearer(auto_error=False, scheme_name="stationToken",
                           description="The station's token (`xuhui-hub station add CODE`).")
_ADMIN_AUTH = HTTPBearer(auto_error=False, scheme_name="adminToken",
                         description="District staff's admin token (`XUHUI_HUB_ADMIN_TOKEN`).")
_PROTOCOL_PARAMETER = {
    "name": PROTOCOL_HEADER, "in": "header", "required": True,
    "description": "The client's sync protocol version (missing or too old: 426 Upgrade Required).",
    "schema": {"type": "integer", "minimum": 1},
}


class _BadJson(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadJson(f"number out of range: {text[:40]}")
    return value


def _no_constant(name: str) -> Any:
    raise _BadJson(f"{name} is not a JSON number")


def _where(path: tuple[Any, ...]) -> str:
    """``records[0].data.text``: where in the body (keys shortened, surrogates escaped)."""
    def key(part: str) -> str:
        return part[:40].encode("utf-8", "backslashreplace").decode("utf-8")

    return "".join(f"[{p}]" if isinstance(p, int) else f".{key(p)}" for p in path).lstrip(".") or "the body"


def _check_text(value: str, path: tuple[Any, ...]) -> None:
    if _SURROGATE.search(value):
        raise _BadJson(f"{_where(path)}: a lone surrogate (\\ud800–\\udfff) is not Unicode text")


def check_decoded_json(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise ``ValueError`` when decoded JSON holds what the hub can neither store nor echo:
    lone surrogates in strings (keys included) or nesting deeper than ``max_depth``."""
    if isinstance(value, str):
        _check_text(value, ())
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 1, ())]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        if depth > max_depth:
            raise _BadJson(f"{_where(path)}: nested deeper than {max_depth} levels")
        for key, child in children:
            if isinstance(key, str):
                _check_text(key, (*path, key))
            if isinstance(child, str):
                _check_text(child, (*path, key))
            elif isinstance(child, (dict, list)):
                stack.append((child, depth + 1, (*path, key)))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass
class HubConfig:
    """What an operator may tune (command-line options, or ``XUHUI_HUB_*`` variables)."""

    #: Largest request body on the wire (after any gzip), in bytes.
    max_body_bytes: int = 4 * MiB
    #: Largest body after gzip decoding (bounds a "zip bomb").
    max_decoded_bytes: int = 64 * MiB
    max_batch_records: int = 1000
    max_pull_limit: int = 1000
    min_client_protocol: int = MIN_CLIENT_PROTOCOL
    #: Bearer token of district staff for the update endpoint (unset: endpoint disabled).
    admin_token: str | None = None

    @classmethod
    def from_env(cls) -> HubConfig:
        return cls(
            max_body_bytes=_env_int("XUHUI_HUB_MAX_BODY_BYTES", cls.max_body_bytes),
            max_batch_records=_env_int("XUHUI_HUB_MAX_BATCH_RECORDS", cls.max_batch_records),
            min_client_protocol=_env_int("XUHUI_HUB_MIN_CLIENT_PROTOCOL", MIN_CLIENT_PROTOCOL),
            admin_token=os.environ.get("XUHUI_HUB_ADMIN_TOKEN") or None,
        )


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(db: HubDatabase, config: HubConfig | None = None) -> FastAPI:
    """The hub's ASGI application serving ``db`` (the caller opens, migrates and closes it)."""
    cfg = config or HubConfig()
    app = FastAPI(title="xuhui-hub", version=__version__,
                  description="District hub of the Xuhui enterprise service stations (sync peer). "
                              "See docs/sync.md.")
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.state.db = db
    app.state.config = cfg
    from xuhui_desk.hub.console import install_console  # the district console's pages (docs/console.md)

    install_console(app)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, error_body(exc.code, exc.message, **exc.extra), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg")) for e in exc.errors())
        return _json(400, error_body(ERR_BAD_REQUEST, f"invalid request: {where}"))

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        return _json(503, error_body(ERR_BUSY, "the hub database is busy or unreachable; retry later"),
                     {"Retry-After": "2"})

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        # Serialisation failures and deadlocks (PostgreSQL) are worth a retry; the transaction
        # was rolled back, so nothing was half-applied.
        return _json(503, error_body(ERR_BUSY, "the hub could not complete the transaction; retry later"),
                     {"Retry-After": "1"})

    def require_protocol(request: Request) -> int:
        raw = request.headers.get(PROTOCOL_HEADER, "")
        try:
            version = int(raw)
        except ValueError:
            version = 0
        if version < cfg.min_client_protocol:
            raise ApiError(426, ERR_UPGRADE_REQUIRED,
                           f"this hub needs sync protocol {cfg.min_client_protocol} or newer (the client sent "
                           f"{raw or 'none'}): install the newer workstation program; intake keeps working",
                           {"X-Xuhui-Min-Protocol": str(cfg.min_client_protocol)},
                           min_protocol=cfg.min_client_protocol, protocol=PROTOCOL_VERSION)
        return version

    def bearer(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    async def station_of(request: Request) -> store.StationRef:
        station = await run_in_threadpool(store.authenticate, db, bearer(request))
        if station is None:
            raise ApiError(401, ERR_UNAUTHORIZED, "unknown or revoked station token",
                           {"WWW-Authenticate": 'Bearer realm="xuhui-hub"'})
        return station

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        too_big = declared is not None and declared.isdigit() and int(declared) > cfg.max_body_bytes
        size = 0
        chunks: list[bytes] = []
        # Read (and drop) an oversized body rather than close mid-upload: the client then
        # sees a clean 413 it can act on instead of a broken connection.
        async for chunk in request.stream():
            size += len(chunk)
            if size > cfg.max_body_bytes:
                too_big = True
                chunks.clear()
                if size > 16 * cfg.max_body_bytes:
                    break
            elif not too_big:
                chunks.append(chunk)
        if too_big:
            raise ApiError(413, ERR_TOO_LARGE, f"the body exceeds {cfg.max_body_bytes} bytes: send smaller batches",
                           limit=cfg.max_body_bytes)
        body = b"".join(chunks)
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if encoding == "gzip":
            decoder = zlib.decompressobj(wbits=31)
            try:
                body = decoder.decompress(body, cfg.max_decoded_bytes + 1)
            except zlib.error as exc:
                raise ApiError(400, ERR_BAD_REQUEST, f"the gzip body cannot be decoded: {exc}") from exc
            if len(body) > cfg.max_decoded_bytes or decoder.unconsumed_tail:
                raise ApiError(413, ERR_TOO_LARGE, f"the decoded body exceeds {cfg.max_decoded_bytes} bytes",
                               limit=cfg.max_body_bytes)
            if not decoder.eof:
                raise ApiError(400, ERR_BAD_REQUEST, "the gzip body is truncated")
        elif encoding not in ("identity", ""):
            raise ApiError(415, ERR_BAD_REQUEST, f"unsupported Content-Encoding {encoding!r} (use gzip)")
        return body

    async def read_json(request: Request) -> Any:
        body = await read_body(request)
        try:
            value = json.loads(body, parse_float=_finite_float, parse_constant=_no_constant)
        except RecursionError as exc:
            raise ApiError(400, ERR_BAD_REQUEST,
                           f"the body is nested too deeply (at most {MAX_JSON_DEPTH} levels)") from exc
        except _BadJson as exc:
            raise ApiError(400, ERR_BAD_REQUEST, f"the body is not acceptable JSON: {exc}") from exc
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer of too many digits
            raise ApiError(400, ERR_BAD_REQUEST, f"the body is not JSON: {exc}") from exc
        try:
            check_decoded_json(value)
        except ValueError as exc:
            raise ApiError(400, ERR_BAD_REQUEST, f"the body is not acceptable JSON: {exc}") from exc
        return value

    @app.get("/", include_in_schema=False)
    def root() -> dict[str, Any]:
        return {"service": "xuhui-hub", "version": __version__, "health": HEALTH_PATH, "docs": "/docs"}

    @app.get(HEALTH_PATH, summary="Server version, protocol, time and limits (no token needed)")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "service": "xuhui-hub",
            "server_version": __version__,
            "protocol": PROTOCOL_VERSION,
            "min_client_protocol": cfg.min_client_protocol,
            "server_time": wire_time(utcnow()),
            "hub_id": store.hub_id(db),
            "limits": {"max_body_bytes": cfg.max_body_bytes, "max_batch_records": cfg.max_batch_records,
                       "max_pull_limit": cfg.max_pull_limit},
        }

    @app.post(PUSH_PATH, summary="Push a batch of station records", dependencies=[Security(_STATION_AUTH)],
              openapi_extra={"parameters": [_PROTOCOL_PARAMETER], "requestBody": {"required": True, "content": {
                  "application/json": {"schema": push_request_schema()}}}})
    async def push(request: Request) -> JSONResponse:
        require_protocol(request)
        station = await station_of(request)
        raw = await read_json(request)
        try:
            batch_id, code, records = parse_push_body(raw, cfg.max_batch_records)
        except WireError as exc:
            if any(e.code == "wire.too_many" for e in exc.errors):
                raise ApiError(413, ERR_TOO_LARGE, f"at most {cfg.max_batch_records} records per batch",
                               max_batch_records=cfg.max_batch_records) from exc
            raise ApiError(400, ERR_BAD_REQUEST, f"not a push batch: {exc}") from exc
        if code != station.code:
            raise ApiError(403, ERR_FORBIDDEN, f"this token belongs to station {station.code}, not {code}")
        body_hash = hashlib.sha256(canonical_json(records)).hexdigest()
        try:
            response = await run_in_threadpool(store.apply_push, db, station, batch_id, records, body_hash)
        except store.BatchConflict as exc:
            raise ApiError(409, ERR_BATCH_CONFLICT, str(exc)) from exc
        except store.TokenRevoked as exc:
            raise ApiError(401, ERR_UNAUTHORIZED, str(exc)) from exc
        return JSONResponse(response)

    @app.get(PULL_PATH, summary="The calling station's change feed after a cursor",
             dependencies=[Security(_STATION_AUTH)], openapi_extra={"parameters": [_PROTOCOL_PARAMETER]})
    async def pull(request: Request, cursor: int = Query(0, ge=0, le=MAX_CURSOR),
                   limit: int = Query(200, ge=1, le=100_000)) -> JSONResponse:
        require_protocol(request)
        station = await station_of(request)
        page = await run_in_threadpool(store.pull, db, station, cursor, min(limit, cfg.max_pull_limit))
        return JSONResponse(page)

    @app.post("/api/v1/requests/{tracking_no}/update", summary="District staff update a request (admin token)",
              dependencies=[Security(_ADMIN_AUTH)],
              openapi_extra={"requestBody": {"content": {"application/json": {"schema": {
                  "type": "object", "properties": {"status": {"type": "string"}, "department": {"type": "string"},
                                                   "reply": {"type": "string"}, "actor": {"type": "string"}}}}}}})
    async def district_update(tracking_no: str, request: Request) -> JSONResponse:
        if not cfg.admin_token:
            raise ApiError(403, ERR_FORBIDDEN, "district updates over HTTP are disabled (no admin token set); "
                                               "use `xuhui-hub request update`")
        if not hmac.compare_digest(bearer(request).encode(), cfg.admin_token.encode()):
            raise ApiError(401, ERR_UNAUTHORIZED, "wrong admin token", {"WWW-Authenticate": "Bearer"})
        raw = await read_json(request)
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

    return app
