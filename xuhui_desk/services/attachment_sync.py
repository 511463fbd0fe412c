"""Sending attachment files to the hub: in chunks, resumably, each file once (docs/attachments.md).

Run by the sync round after the records are pushed (so the hub knows the ``attachment`` events
naming the files). What it promises:

* Each file is sent once, however many requests refer to it: the hub is asked which of the
  station's pending hashes it already has (whole or in part) before anything is sent.
* A file goes in chunks of :data:`CHUNK_BYTES` at the hub's offset; a round that stops half-way
  (cancelled, the network gone, the program closed) leaves nothing to undo here: the next round
  asks the hub again and resumes at the offset the hub has.
* Every chunk carries its SHA-256; a chunk the hub finds damaged is sent again. A lost answer is
  a retry of the same chunk, which the hub acknowledges without storing it twice.
* A file the hub refuses (too large, a kind it does not take, over the station's quota) is marked
  ``refused`` with the hub's reason and not sent again; a file the hub has whole is ``synced``.
* Never raises for a hub or network problem: :class:`UploadReport` ``messages`` say what went
  wrong, for the round's summary.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from xuhui_desk.db import Database
from xuhui_desk.services.attachments import FILE_PENDING, FILE_REFUSED, FILE_SYNCED, Attachment, blob_path

if TYPE_CHECKING:
    import httpx

ATTACHMENTS_PATH = "/api/v1/attachments"
CHUNK_HASH_HEADER = "X-Xuhui-Chunk-SHA256"
#: The size of one upload call.
CHUNK_BYTES = 512 * 1024
#: How many hashes one status question names (the hub takes at most 500).
STATUS_BATCH = 200
#: Tries of one call before the round's uploads stop (network errors, 429, 5xx).
ATTEMPTS = 4
#: Times a chunk the hub found damaged is sent again before the file waits for the next round.
DAMAGED_RETRIES = 3


@dataclass
class UploadReport:
    """What one round's uploads did."""

    #: Problems for the round's summary (empty: every pending file went or was refused with reason).
    messages: list[str] = field(default_factory=list)
    synced: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    chunks_sent: int = 0
    bytes_sent: int = 0


class _Stop(Exception):
    """The round's uploads stop here (hub unreachable, token refused, cancelled)."""


def pending_files(db: Database) -> list[tuple[str, int, str]]:
    """The files the hub does not have yet: (sha256, size, media type), each once."""
    with db.session() as s:
        rows = s.execute(select(Attachment.sha256, Attachment.size, Attachment.media_type)
                         .where(Attachment.sync_state == FILE_PENDING).distinct().order_by(Attachment.sha256)).all()
    seen: dict[str, tuple[str, int, str]] = {}
    for sha, size, media in rows:
        seen.setdefault(sha, (sha, int(size), media))
    return list(seen.values())


def _mark(db: Database, sha256: str, state: str, error: str | None = None) -> None:
    with db.write() as s:
        s.execute(update(Attachment).where(Attachment.sha256 == sha256)
                  .values(sync_state=state, sync_error=error))


def _message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])[:300]
    except ValueError:
        pass
    return f"HTTP {resp.status_code}"


class _Uploader:
    def __init__(self, db: Database, client: httpx.Client, auth: dict[str, str], cancel: Callable[[], bool],
                 sleep: Callable[[float], None], chunk_bytes: int) -> None:
        import httpx

        self.httpx = httpx
        self.db, self.client, self.auth = db, client, auth
        self.cancel, self.sleep, self.chunk_bytes = cancel, sleep, chunk_bytes
        self.report = UploadReport()

    def _post(self, path: str, **kwargs: Any) -> httpx.Response:
        """The hub's answer to a POST, retried on network errors, 429 and 5xx; :class:`_Stop`
        when it cannot be had, or when the hub refuses the station itself."""
        last = ""
        headers = {**kwargs.pop("headers", {}), **self.auth}
        for attempt in range(ATTEMPTS):
            if self.cancel():
                raise _Stop("attachment uploads were cancelled; the next sync resumes them")
            try:
                resp = self.client.post(path, headers=headers, **kwargs)
            except self.httpx.HTTPError as exc:
                last = f"cannot reach the hub: {exc or type(exc).__name__}"
            else:
                if resp.status_code in (401, 403):
                    raise _Stop(f"the hub refused this station's token for attachments ({_message(resp)})")
                if resp.status_code not in (429, 500, 502, 503, 504):
                    return resp
                last = f"the hub answered HTTP {resp.status_code}: {_message(resp)}"
            self.sleep(min(2.0, 0.1 * 2 ** attempt))
        raise _Stop(f"attachment uploads stopped: {last}; the next sync resumes them")

    def states(self, hashes: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(hashes), STATUS_BATCH):
            resp = self._post(f"{ATTACHMENTS_PATH}/status", json={"files": hashes[i:i + STATUS_BATCH]})
            if resp.status_code == 404:
                raise _Stop("")  # a hub older than attachments: nothing to send it
            if resp.status_code != 200:
                raise _Stop(f"the hub refused the attachment status question ({_message(resp)})")
            try:
                for entry in resp.json()["files"]:
                    out[str(entry["sha256"])] = entry
            except (ValueError, KeyError, TypeError) as exc:
                raise _Stop(f"the hub's attachment status answer is malformed ({exc})") from exc
        return out

    def send(self, sha256: str, size: int, media_type: str, offset: int) -> None:
        path = blob_path(self.db.path.parent, sha256)
        try:
            fh = path.open("rb")
        except OSError as exc:
            self.report.messages.append(f"attachment {sha256[:12]}… is missing from {path.parent} "
                                        f"({exc.strerror}); it cannot be sent")
            return
        with fh:
            if _file_hash(fh) != sha256:
                _mark(self.db, sha256, FILE_PENDING, "the stored file is damaged (its SHA-256 changed)")
                self.report.messages.append(f"attachment {sha256[:12]}… is damaged in {path.parent}; not sent")
                return
            damaged = 0
            while True:
                fh.seek(offset)
                chunk = fh.read(min(self.chunk_bytes, size - offset))
                resp = self._post(f"{ATTACHMENTS_PATH}/{sha256}", content=chunk,
                                  params={"offset": offset, "size": size, "media_type": media_type},
                                  headers={CHUNK_HASH_HEADER: hashlib.sha256(chunk).hexdigest(),
                                           "Content-Type": "application/octet-stream"})
                body = _json(resp)
                if resp.status_code == 200:
                    self.report.chunks_sent += 1
                    self.report.bytes_sent += len(chunk)
                    if body.get("complete"):
                        _mark(self.db, sha256, FILE_SYNCED)
                        self.report.synced.append(sha256)
                        return
                    offset = _offset(body, offset + len(chunk))
                elif resp.status_code == 409 and "offset" in body:
                    offset = _offset(body, 0)  # the hub has another amount: resume where it is
                elif resp.status_code == 422:
                    damaged += 1
                    if damaged > DAMAGED_RETRIES:
                        self.report.messages.append(f"attachment {sha256[:12]}… arrived damaged "
                                                    f"{damaged} times; the next sync tries again")
                        return
                    offset = _offset(body, offset)
                elif resp.status_code in (400, 413, 415):
                    reason = _message(resp)
                    _mark(self.db, sha256, FILE_REFUSED, reason)
                    self.report.refused[sha256] = reason
                    self.report.messages.append(f"the hub refused attachment {sha256[:12]}…: {reason}")
                    return
                else:
                    raise _Stop(f"the hub refused an attachment upload ({_message(resp)})")
                if offset >= size:  # the hub says it has it all, yet not complete: ask again next round
                    return


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _offset(body: dict[str, Any], default: int) -> int:
    value = body.get("offset")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _file_hash(fh: Any) -> str:
    digest = hashlib.sha256()
    fh.seek(0)
    while block := fh.read(256 * 1024):
        digest.update(block)
    return digest.hexdigest()


def push_files(db: Database, client: httpx.Client, *, auth: dict[str, str] | None = None,
               cancel: Callable[[], bool] | None = None, sleep: Callable[[float], None] = time.sleep,
               chunk_bytes: int = CHUNK_BYTES) -> UploadReport:
    """Send the station's pending attachment files to the hub with the sync round's ``client``
    (``auth``: the station's Authorization header). See the module doc for what it promises."""
    uploader = _Uploader(db, client, auth or {}, cancel or (lambda: False), sleep, chunk_bytes)
    pending = pending_files(db)
    if not pending:
        return uploader.report
    try:
        states = uploader.states([sha for sha, _size, _media in pending])
        for sha, size, media in pending:
            state = states.get(sha, {})
            if state.get("state") == "complete":
                _mark(db, sha, FILE_SYNCED)  # the hub has it already (sent for another request)
                uploader.report.synced.append(sha)
                continue
            uploader.send(sha, size, media, _offset(state, 0))
    except _Stop as stop:
        if str(stop):
            uploader.report.messages.append(str(stop))
    return uploader.report

