"""The hub's attachment store: files uploaded by stations in chunks, kept in the hub database.

What this module promises (docs/attachments.md):

* A file is kept once per station and SHA-256 (``attachment_files``), its bytes as chunks by
  position (``attachment_chunks``). Keeping them in the hub database means they are in its
  backups, on SQLite and PostgreSQL alike, and an upload step commits with its offset.
* An upload is resumable: a chunk goes at the file's current offset (``received``); a chunk
  before it was already stored (a retry after a lost answer) and is acknowledged without being
  stored again; a chunk past it is refused with the offset to resume at.
* Each chunk carries its own SHA-256 and is refused when its bytes do not match (corrupted on the
  way); when the last byte arrives the whole file's SHA-256 is checked, and only then is the
  file ``complete``. A mismatch throws the upload away (it starts again at 0).
* A file is accepted only when it is at most the configured size, of an allowed kind (told by
  its first bytes) and within the station's quota (complete and half-uploaded files together).
* Only complete files are listed as a request's attachments or served for download: a
  half-uploaded file never shows as attached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    LargeBinary,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import BigId, HubBase, HubEvent, HubRequest, HubStation
from xuhui_desk.models import utcnow
from xuhui_desk.record_rules import ATTACHMENT_MEDIA_TYPES, is_sha256

#: The largest chunk a station may send in one call (the station sends 512 KiB).
MAX_CHUNK_BYTES = 1024 * 1024
#: How many hashes one status question may name.
MAX_STATUS_FILES = 500
_MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",),
          "image/tiff": (b"II*\x00", b"MM\x00*"), "application/pdf": (b"%PDF-",)}


class AttachmentFile(HubBase):
    __tablename__ = "attachment_files"

    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]


class AttachmentChunk(HubBase):
    __tablename__ = "attachment_chunks"
    __table_args__ = (ForeignKeyConstraint(["station_id", "sha256"],
                                           ["attachment_files.station_id", "attachment_files.sha256"],
                                           ondelete="CASCADE"),)

    station_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class UploadRefused(Exception):
    """An upload the hub will not take; ``status`` and ``code`` for the answer, ``offset`` (when
    set) where the station should resume."""

    def __init__(self, status: int, code: str, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.offset = status, code, offset


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    station_quota: int


def file_states(db: HubDatabase, station_id: int, hashes: list[str]) -> list[dict[str, Any]]:
    """For each hash, whether this station's file is ``complete``, ``partial`` (with the offset to
    resume at) or ``absent`` on the hub."""
    wanted = [h for h in dict.fromkeys(hashes) if is_sha256(h)]
    with db.session() as s:
        rows = {r.sha256: r for r in s.scalars(select(AttachmentFile).where(
            AttachmentFile.station_id == station_id, AttachmentFile.sha256.in_(wanted)))} if wanted else {}
    out = []
    for h in wanted:
        row = rows.get(h)
        if row is None:
            out.append({"sha256": h, "state": "absent", "offset": 0})
        else:
            out.append({"sha256": h, "state": "complete" if row.complete else "partial",
                        "offset": row.size if row.complete else row.received})
    return out


def _refuse_new(s: Session, station_id: int, sha256: str, size: int, media_type: str, chunk: bytes,
                limits: UploadLimits) -> None:
    if size < 1 or size > limits.max_file_bytes:
        raise UploadRefused(413, "attachment_too_large",
                            f"the file is {size} bytes; the hub takes at most {limits.max_file_bytes}")
    if media_type not in ATTACHMENT_MEDIA_TYPES:
        raise UploadRefused(415, "attachment_type", f"files of type {media_type[:64]!r} are not accepted "
                                                    f"(only {', '.join(ATTACHMENT_MEDIA_TYPES)})")
    if not chunk.startswith(_MAGIC[media_type]):
        raise UploadRefused(415, "attachment_type", f"the file's content is not {media_type}")
    used = s.scalar(select(func.coalesce(func.sum(AttachmentFile.size), 0))
                    .where(AttachmentFile.station_id == station_id)) or 0
    if used + size > limits.station_quota:
        raise UploadRefused(413, "attachment_quota",
                            f"this station's files take {used} bytes on the hub; with this one they would pass "
                            f"its quota of {limits.station_quota} bytes (ask the district)")


def put_chunk(db: HubDatabase, station_id: int, sha256: str, *, offset: int, size: int, media_type: str,
              chunk: bytes, chunk_sha256: str, limits: UploadLimits) -> dict[str, Any]:
    """Store one chunk of this station's file ``sha256`` (total ``size`` bytes) at ``offset``.

    Returns ``{"sha256", "offset", "complete"}`` after the step; raises :class:`UploadRefused`
    for a refusal (a chunk past the offset: 409 with the offset; a chunk whose bytes do not
    match ``chunk_sha256``: 422; the whole file's hash wrong: 422 and the upload restarts at 0).
    """
    if not is_sha256(sha256):
        raise UploadRefused(400, "bad_request", "the file's name must be its SHA-256 (64 lower-case hex digits)")
    if not chunk or len(chunk) > MAX_CHUNK_BYTES:
        raise UploadRefused(413 if chunk else 400, "bad_request",
                            f"a chunk holds 1 to {MAX_CHUNK_BYTES} bytes (this one {len(chunk)})")
    if hashlib.sha256(chunk).hexdigest() != chunk_sha256:
        raise UploadRefused(422, "attachment_chunk_hash", "the chunk's bytes do not match its SHA-256 "
                                                          "(damaged on the way): send it again", offset)
    if offset < 0 or offset + len(chunk) > size:
        raise UploadRefused(400, "bad_request", f"a chunk at {offset} of {len(chunk)} bytes does not fit a file of "
                                                f"{size} bytes")
    with db.write() as s:
        db.lock_station(s, station_id)
        row = s.get(AttachmentFile, (station_id, sha256))
        if row is None:
            if offset != 0:
                raise UploadRefused(409, "attachment_offset", "the hub has none of this file: start at 0", 0)
            _refuse_new(s, station_id, sha256, size, media_type, chunk, limits)
            row = AttachmentFile(station_id=station_id, sha256=sha256, size=size, media_type=media_type,
                                 received=0, complete=False, created_at=utcnow())
            s.add(row)
            s.flush()
        if row.size != size or row.media_type != media_type:
            raise UploadRefused(400, "bad_request", f"this file was announced as {row.size} bytes of "
                                                    f"{row.media_type}, not {size} bytes of {media_type[:64]}")
        if row.complete:
            return {"sha256": sha256, "offset": row.size, "complete": True}
        if offset < row.received:
            # Sent before and stored (its answer was lost): acknowledged, not stored twice.
            return {"sha256": sha256, "offset": row.received, "complete": False}
        if offset > row.received:
            raise UploadRefused(409, "attachment_offset", f"the hub has {row.received} bytes of this file: "
                                                          f"resume there", row.received)
        s.add(AttachmentChunk(station_id=station_id, sha256=sha256, position=offset, data=chunk))
        row.received = offset + len(chunk)
        if row.received < row.size:
            return {"sha256": sha256, "offset": row.received, "complete": False}
        s.flush()
        digest = hashlib.sha256()
        for part in _chunks(s, station_id, sha256):
            digest.update(part)
        if digest.hexdigest() != sha256:
            # Every chunk matched its own hash, yet the whole does not: start the file again.
            s.execute(delete(AttachmentChunk).where(AttachmentChunk.station_id == station_id,
                                                    AttachmentChunk.sha256 == sha256))
            row.received = 0
            verdict = UploadRefused(422, "attachment_hash", "the whole file's SHA-256 does not match its name: "
                                                            "the upload was discarded; send it again from 0", 0)
        else:
            row.complete = True
            row.completed_at = utcnow()
            return {"sha256": sha256, "offset": row.size, "complete": True}
    raise verdict  # after the commit that discarded the chunks


def _chunks(s: Session, station_id: int, sha256: str) -> Iterator[bytes]:
    positions = s.scalars(select(AttachmentChunk.position).where(
        AttachmentChunk.station_id == station_id, AttachmentChunk.sha256 == sha256)
        .order_by(AttachmentChunk.position)).all()
    for position in positions:  # one chunk in memory at a time
        yield s.scalar(select(AttachmentChunk.data).where(
            AttachmentChunk.station_id == station_id, AttachmentChunk.sha256 == sha256,
            AttachmentChunk.position == position)) or b""


def request_attachments(s: Session, request: HubRequest) -> list[dict[str, Any]]:
    """The attachments of ``request`` whose files the hub has whole (newest event last): name,
    media type, size, SHA-256, when and by whom. A file still uploading is not listed."""
    events = s.scalars(select(HubEvent).where(HubEvent.request_id == request.id, HubEvent.kind == "attachment")
                       .order_by(HubEvent.id)).all()
    hashes = {e.data.get("sha256") for e in events if isinstance(e.data, dict)}
    complete = set(s.scalars(select(AttachmentFile.sha256).where(
        AttachmentFile.station_id == request.station_id, AttachmentFile.complete.is_(True),
        AttachmentFile.sha256.in_([h for h in hashes if is_sha256(h)])))) if hashes else set()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for e in events:
        data = e.data if isinstance(e.data, dict) else {}
        sha = data.get("sha256")
        if sha not in complete or sha in seen:
            continue
        seen.add(sha)
        out.append({"sha256": sha, "name": str(data.get("name") or ""), "media_type": data.get("media_type"),
                    "size": data.get("size"), "actor": e.actor, "occurred_at": e.occurred_at.isoformat()})
    return out


def attachments_of(db: HubDatabase, tracking_no: str) -> list[dict[str, Any]]:
    """:func:`request_attachments` of the request ``tracking_no`` (none for an unknown one)."""
    with db.session() as s:
        request = s.scalars(select(HubRequest).where(HubRequest.tracking_no == tracking_no)).first()
        return request_attachments(s, request) if request is not None else []


def read_file(db: HubDatabase, request: HubRequest, sha256: str) -> tuple[dict[str, Any], Iterator[bytes]] | None:
    """The attachment ``sha256`` of ``request`` (its listing entry) and its bytes, chunk by
    chunk; None when the request names no such file or the hub does not have it whole."""
    with db.session() as s:
        entry = next((a for a in request_attachments(s, request) if a["sha256"] == sha256), None)
    if entry is None:
        return None
    station_id = request.station_id

    def body() -> Iterator[bytes]:
        with db.session() as s:
            yield from _chunks(s, station_id, sha256)

    return entry, body()


def station_usage(db: HubDatabase, code: str) -> dict[str, int]:
    """How many files and bytes a station keeps on the hub (complete and uploading)."""
    with db.session() as s:
        station = s.scalars(select(HubStation).where(HubStation.code == code)).first()
        if station is None:
            return {"files": 0, "bytes": 0}
        files, used = s.execute(select(func.count(), func.coalesce(func.sum(AttachmentFile.size), 0))
                                .where(AttachmentFile.station_id == station.id)).one()
        return {"files": int(files), "bytes": int(used)}
