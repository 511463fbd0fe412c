"""What every route of the hub's HTTP API shares: the operator's configuration, the JSON error
body (:class:`ApiError`), reading a request body within its limits, and per-station quotas.

Body limits (docs/sync.md §1): at most ``max_body_bytes`` on the wire; decoded (after gzip) at
most what a legitimate batch needs — ``max_batch_records`` × the largest record
(:func:`~xuhui_desk.record_rules.decoded_body_limit`), refused while inflating, never after.
Inflating and parsing run on a worker thread, one body at a time, so that a large body never
stalls the event loop (health checks and other stations keep being answered) and the memory
of a body being parsed is bounded.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

from xuhui_desk.record_rules import MAX_ATTACHMENT_BYTES, MAX_RECORD_BYTES, decoded_body_limit
from xuhui_desk.sync_protocol import (
    ERR_BAD_REQUEST,
    ERR_BUSY,
    ERR_TOO_LARGE,
    MIN_CLIENT_PROTOCOL,
    error_body,
)

MiB = 1024 * 1024
#: Deepest nesting of arrays and objects a request body may have (a push batch needs 4 or 5).
MAX_JSON_DEPTH = 64
#: 429: a station went over its quota (``Retry-After`` says when to come back).
ERR_QUOTA = "quota"
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Compressed bytes fed to the inflater at a time (its output is bounded per call too).
_INFLATE_STEP = 64 * 1024


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass
class HubConfig:
    """What an operator may tune (command-line options, or ``XUHUI_HUB_*`` variables)."""

    #: Largest request body on the wire (after any gzip), in bytes.
    max_body_bytes: int = 4 * MiB
    #: Largest decoded body (bounds a "zip bomb"); None: what ``max_batch_records`` records of
    #: ``max_record_bytes`` need (:func:`~xuhui_desk.record_rules.decoded_body_limit`).
    max_decoded_bytes: int | None = None
    max_batch_records: int = 200
    #: Largest single record (compact UTF-8 JSON); a larger one is refused (``record.too_large``).
    max_record_bytes: int = MAX_RECORD_BYTES
    max_pull_limit: int = 1000
    min_client_protocol: int = MIN_CLIENT_PROTOCOL
    #: Bearer token of district staff for the update endpoint (unset: endpoint disabled).
    admin_token: str | None = None
    #: Per-station quota on pushes (a token bucket per station and hub process): a burst of
    #: ``station_burst_bytes`` decoded bytes / ``station_burst_batches`` batches, refilled at
    #: ``station_bytes_per_second`` / ``station_batches_per_second``. 0 turns a limit off.
    station_burst_bytes: int = 64 * MiB
    station_bytes_per_second: float = 256 * 1024
    station_burst_batches: int = 600
    station_batches_per_second: float = 10.0
    #: Attachments (hub/attachments.py): the largest file, and what one station's files may
    #: take in all (complete and half-uploaded ones; a station cannot fill the disk).
    attachment_max_bytes: int = MAX_ATTACHMENT_BYTES
    attachment_station_quota: int = 2048 * MiB

    @property
    def decoded_limit(self) -> int:
        if self.max_decoded_bytes is not None:
            return self.max_decoded_bytes
        return decoded_body_limit(self.max_batch_records, self.max_record_bytes)

    def limits(self) -> dict[str, Any]:
        """The limits ``GET /health`` advertises (a station sizes its batches below them)."""
        return {"max_body_bytes": self.max_body_bytes, "max_decoded_bytes": self.decoded_limit,
                "max_batch_records": self.max_batch_records, "max_record_bytes": self.max_record_bytes,
                "max_pull_limit": self.max_pull_limit,
                "station_quota": {"burst_bytes": self.station_burst_bytes,
                                  "bytes_per_second": self.station_bytes_per_second,
                                  "burst_batches": self.station_burst_batches,
                                  "batches_per_second": self.station_batches_per_second}}

    @classmethod
    def from_env(cls) -> HubConfig:
        return cls(
            max_body_bytes=_env_int("XUHUI_HUB_MAX_BODY_BYTES", cls.max_body_bytes),
            max_batch_records=_env_int("XUHUI_HUB_MAX_BATCH_RECORDS", cls.max_batch_records),
            max_record_bytes=_env_int("XUHUI_HUB_MAX_RECORD_BYTES", cls.max_record_bytes),
            min_client_protocol=_env_int("XUHUI_HUB_MIN_CLIENT_PROTOCOL", MIN_CLIENT_PROTOCOL),
            admin_token=os.environ.get("XUHUI_HUB_ADMIN_TOKEN") or None,
            station_burst_bytes=_env_int("XUHUI_HUB_STATION_BURST_BYTES", cls.station_burst_bytes),
            station_bytes_per_second=_env_float("XUHUI_HUB_STATION_BYTES_PER_SECOND", cls.station_bytes_per_second),
            station_burst_batches=_env_int("XUHUI_HUB_STATION_BURST_BATCHES", cls.station_burst_batches),
            attachment_station_quota=_env_int("XUHUI_HUB_ATTACHMENT_STATION_QUOTA",
                                              cls.attachment_station_quota),
            station_batches_per_second=_env_float("XUHUI_HUB_STATION_BATCHES_PER_SECOND",
                                                  cls.station_batches_per_second),
        )


class ApiError(Exception):
    """A refusal answered as ``{"error": code, "message": text, ...}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra


def json_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Every refusal, whatever raised it, gets the hub's own JSON error body."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return json_response(exc.status, error_body(exc.code, exc.message, **exc.extra), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg")) for e in exc.errors())
        return json_response(400, error_body(ERR_BAD_REQUEST, f"invalid request: {where}"))

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        return json_response(503, error_body(ERR_BUSY, "the hub database is busy or unreachable; retry later"),
                             {"Retry-After": "2"})

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        # Serialisation failures and deadlocks (PostgreSQL) are worth a retry; the transaction
        # was rolled back, so nothing was half-applied.
        return json_response(503, error_body(ERR_BUSY, "the hub could not complete the transaction; retry later"),
                             {"Retry-After": "1"})


# --- JSON -------------------------------------------------------------------------------------

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


# A lone surrogate in decoded JSON comes from a ``\uD800``–``\uDFFF`` escape or from the UTF-8 bytes
# of a surrogate (``json.loads`` decodes bytes with "surrogatepass"). A UTF-8 body with neither
# cannot hold one; a match is only a maybe (``\\ud800`` is an escaped backslash and the text "ud800").
_SURROGATE_SOURCE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def may_hold_surrogates(body: bytes) -> bool:
    """False only when the JSON text ``body`` certainly decodes without a lone surrogate."""
    if json.detect_encoding(body) not in ("utf-8", "utf-8-sig"):
        return True  # UTF-16 or UTF-32 JSON: the byte patterns above do not apply
    return _SURROGATE_SOURCE.search(body) is not None


def _deeper_than(value: Any, max_depth: int) -> bool:
    """Whether ``value`` nests deeper than ``max_depth`` (no paths kept: the common case is no)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def check_decoded_json(value: Any, max_depth: int = MAX_JSON_DEPTH, *, texts: bool = True) -> None:
    """Raise ``ValueError`` when decoded JSON holds what the hub can neither store nor echo:
    lone surrogates in strings (keys included) or nesting deeper than ``max_depth``.

    ``texts=False`` when the body is known to hold no surrogate (:func:`may_hold_surrogates`):
    then only the depth is checked, without the walk that names where a problem is (it runs
    only when there is one to name). A push of 600 records: 6.7 ms with every text, 1.3 ms
    without."""
    if not texts and not _deeper_than(value, max_depth):
        return
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


def inflate(body: bytes, limit: int) -> bytes:
    """Decode a gzip body, refusing (413) as soon as the output passes ``limit`` bytes — the
    inflater never produces more than ``limit`` + 1 bytes, whatever the ratio."""
    decoder = zlib.decompressobj(wbits=31)
    out = bytearray()
    pos = 0
    try:
        while not decoder.eof:
            if decoder.unconsumed_tail:
                chunk = decoder.unconsumed_tail
            elif pos < len(body):
                chunk = body[pos:pos + _INFLATE_STEP]
                pos += _INFLATE_STEP
            else:
                break
            out += decoder.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise ApiError(413, ERR_TOO_LARGE, f"the decoded body exceeds {limit} bytes: send smaller batches",
                               limit=limit)
    except zlib.error as exc:
        raise ApiError(400, ERR_BAD_REQUEST, f"the gzip body cannot be decoded: {exc}") from exc
    if not decoder.eof:
        raise ApiError(400, ERR_BAD_REQUEST, "the gzip body is truncated")
    return bytes(out)


def decode_json_body(body: bytes, encoding: str, limit: int) -> tuple[Any, int]:
    """The JSON value of a request body (inflated when gzip) and its decoded size;
    :class:`ApiError` when it is too large or not acceptable JSON. Blocking: call it on a
    worker thread."""
    if encoding == "gzip":
        body = inflate(body, limit)
    elif encoding not in ("identity", ""):
        raise ApiError(415, ERR_BAD_REQUEST, f"unsupported Content-Encoding {encoding!r} (use gzip)")
    if len(body) > limit:
        raise ApiError(413, ERR_TOO_LARGE, f"the body exceeds {limit} bytes: send smaller batches", limit=limit)
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
        check_decoded_json(value, texts=may_hold_surrogates(body))
    except ValueError as exc:
        raise ApiError(400, ERR_BAD_REQUEST, f"the body is not acceptable JSON: {exc}") from exc
    return value, len(body)


async def read_body(request: Request, cfg: HubConfig) -> bytes:
    """The raw body, at most ``max_body_bytes`` (413 otherwise)."""
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
    return b"".join(chunks)


def _parse_limiter(app: FastAPI) -> anyio.CapacityLimiter:
    # Made on first use: a limiter belongs to the running event loop.
    limiter = getattr(app.state, "parse_limiter", None)
    if limiter is None:
        limiter = app.state.parse_limiter = anyio.CapacityLimiter(1)
    return limiter


async def read_json(request: Request, cfg: HubConfig) -> tuple[Any, int]:
    """The body as JSON and its decoded size, within the limits; inflated and parsed on a worker
    thread, one body at a time (see the module doc)."""
    body = await read_body(request, cfg)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    return await anyio.to_thread.run_sync(decode_json_body, body, encoding, cfg.decoded_limit,
                                          limiter=_parse_limiter(request.app))


# --- per-station quotas -----------------------------------------------------------------------

@dataclass
class _Bucket:
    level: float
    stamp: float


@dataclass
class StationQuota:
    """Token buckets per station (bytes and batches) in this hub process: a burst, then a
    steady rate. Several hub processes each keep their own (the quota is per process)."""

    config: HubConfig
    clock: Any = time.monotonic
    _buckets: dict[tuple[int, str], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _take(self, key: tuple[int, str], amount: float, burst: float, rate: float) -> float:
        """Seconds to wait before ``amount`` fits (0: taken now)."""
        if burst <= 0 or rate <= 0:
            return 0.0
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(burst, now)
        bucket.level = min(burst, bucket.level + (now - bucket.stamp) * rate)
        bucket.stamp = now
        need = min(amount, burst)  # one batch larger than the burst still goes through a full bucket
        if bucket.level >= need:
            bucket.level -= need
            return 0.0
        return (need - bucket.level) / rate

    def _refuse(self, wait: float) -> None:
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, ERR_QUOTA, f"this station sent more than its quota; retry in {seconds} s",
                           {"Retry-After": str(seconds)}, retry_after=seconds)

    def charge_batch(self, station_id: int) -> None:
        """Take one push from the station's quota (before its body is parsed), or raise 429."""
        with self._lock:
            wait = self._take((station_id, "batches"), 1, self.config.station_burst_batches,
                              self.config.station_batches_per_second)
        self._refuse(wait)

    def charge_bytes(self, station_id: int, nbytes: int) -> None:
        """Take a push's decoded bytes from the station's quota, or raise 429 (nothing applied)."""
        with self._lock:
            wait = self._take((station_id, "bytes"), nbytes, self.config.station_burst_bytes,
                              self.config.station_bytes_per_second)
        self._refuse(wait)
