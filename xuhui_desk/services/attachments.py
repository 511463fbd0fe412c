"""Attachments: photos, scans and PDFs attached to a request, kept content-addressed in the
data folder.

What this module promises:

* A file is stored once, however many requests refer to it: ``attachments/ab/cdef…`` in the
  data folder, named by its SHA-256 (lower-case hex; the first two digits are the sub-folder).
  Stored files are never changed or removed by the program; folders are 0700, files 0600.
* A file is accepted only when its first bytes say it is a JPEG, PNG or TIFF picture or a PDF
  (the name's extension does not count), it is at most :data:`MAX_FILE_BYTES` and the request's
  attachments stay within :data:`MAX_REQUEST_BYTES`. A refusal is a
  :class:`~xuhui_desk.validation.ValidationFailed` whose message (resources/messages) says why;
  nothing is stored then.
* Attaching writes, in one transaction, the attachment's row and a timeline event of kind
  ``attachment`` (data: sha256, name, size, media_type), so the hub learns of it as of any other
  change; the file itself goes to the hub in the sync round (services/attachment_sync.py).
  Attaching the same file to the same request again adds nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from xuhui_desk.db import Database
from xuhui_desk.models import Base, EventKind, Origin, Request, RequestEvent, SyncState, new_uuid, utcnow
from xuhui_desk.private_files import create_unique_file, make_private_dir, make_private_file
from xuhui_desk.record_rules import MAX_ATTACHMENT_BYTES, is_sha256
from xuhui_desk.validation import Issue, ValidationFailed

STORE_DIRNAME = "attachments"
#: The largest file (the hub refuses bigger ones too).
MAX_FILE_BYTES = MAX_ATTACHMENT_BYTES
#: The most one request's attachments may add up to.
MAX_REQUEST_BYTES = 50 * 1024 * 1024
#: Sync states of an attachment's file (``sync_state``): the hub has it whole (synced), not yet
#: (pending), or refused it for good (refused; ``sync_error`` says why).
FILE_PENDING, FILE_SYNCED, FILE_REFUSED = "pending", "synced", "refused"
#: Kinds of file a picture viewer (and Qt's QImageReader without plug-ins) can thumbnail.
THUMBNAIL_TYPES = frozenset({"image/jpeg", "image/png"})
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/tiff": ".tif", "application/pdf": ".pdf"}
_NAME_MAX = 255
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_READ_BLOCK = 256 * 1024


class Attachment(Base):
    """A request refers to a stored file under a name (migration 0011)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("request_id", "sha256", name="uq_attachments_request_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(50), default="")
    event_uuid: Mapped[str] = mapped_column(String(36))
    sync_state: Mapped[str] = mapped_column(String(16), default=FILE_PENDING, index=True)
    sync_error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment of a request, as the detail view and ``xuhui-desk attach`` show it."""

    tracking_no: str
    sha256: str
    name: str
    media_type: str
    size: int
    added_at: datetime
    actor: str
    #: Where the file is (open it with the system viewer; never write to it).
    path: Path
    #: ``pending``, ``synced`` or ``refused`` (see ``sync_error``).
    sync_state: str
    sync_error: str | None = None
    #: False when the file is attached but not in the store (e.g. a restore without its files).
    present: bool = True
    #: Attaching found the same file on the request already (nothing was added).
    already_attached: bool = False

    @property
    def thumbnail_path(self) -> Path | None:
        """The file when it is a picture that can be thumbnailed (JPEG, PNG), else None."""
        return self.path if self.media_type in THUMBNAIL_TYPES and self.present else None

    def to_dict(self) -> dict[str, Any]:
        return {"tracking_no": self.tracking_no, "sha256": self.sha256, "name": self.name,
                "media_type": self.media_type, "size": self.size, "added_at": self.added_at.isoformat(),
                "actor": self.actor, "path": str(self.path), "sync_state": self.sync_state,
                "sync_error": self.sync_error, "present": self.present, "already_attached": self.already_attached}


# --- the store ------------------------------------------------------------------------------------


def store_dir(data_dir: Path) -> Path:
    return data_dir / STORE_DIRNAME


def blob_path(data_dir: Path, sha256: str) -> Path:
    """Where the file with ``sha256`` is (or would be) stored."""
    if not is_sha256(sha256):
        raise ValueError(f"not a SHA-256: {sha256[:80]!r}")
    return store_dir(data_dir) / sha256[:2] / sha256[2:]


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes of a file say it has (JPEG, PNG, TIFF, PDF), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _refuse(code: str, **params: Any) -> ValidationFailed:
    return ValidationFailed([Issue("attachment", code, params=params)])


def _clean_name(name: str, media_type: str) -> str:
    """The file's name as shown: no folders, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", _UNSAFE_NAME.sub("", name)).strip()
    if not name:
        name = "attachment" + _EXTENSIONS[media_type]
    if len(name) > _NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: _NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:_NAME_MAX]
    return name


@dataclass(frozen=True)
class _Staged:
    sha256: str
    size: int
    media_type: str
    temp: Path


def _stage(data_dir: Path, source: Path) -> _Staged:
    """Copy ``source`` into the store's staging folder, hashing and checking it on the way."""
    try:
        st = source.stat()
    except FileNotFoundError as exc:
        raise _refuse("attachment.missing", path=str(source)) from exc
    except OSError as exc:
        raise _refuse("attachment.unreadable", path=str(source), reason=exc.strerror or str(exc)) from exc
    if not source.is_file():
        raise _refuse("attachment.not_a_file", path=str(source))
    if st.st_size == 0:
        raise _refuse("attachment.empty", name=source.name)
    if st.st_size > MAX_FILE_BYTES:
        raise _refuse("attachment.too_large", name=source.name, size=_mib(st.st_size), limit=_mib(MAX_FILE_BYTES))
    staging = make_private_dir(store_dir(data_dir) / ".staging")
    temp = create_unique_file(staging, f"{os.getpid()}-{new_uuid()}", ".part")
    digest = hashlib.sha256()
    size = 0
    media_type: str | None = None
    try:
        try:
            with source.open("rb") as src, temp.open("wb") as dst:
                while block := src.read(_READ_BLOCK):
                    if size == 0:
                        media_type = sniff_media_type(block[:16])
                        if media_type is None:
                            raise _refuse("attachment.type", name=source.name)
                    size += len(block)
                    if size > MAX_FILE_BYTES:  # the file grew while it was read
                        raise _refuse("attachment.too_large", name=source.name, size=_mib(size),
                                      limit=_mib(MAX_FILE_BYTES))
                    digest.update(block)
                    dst.write(block)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            raise _refuse("attachment.unreadable", path=str(source), reason=exc.strerror or str(exc)) from exc
        if size == 0 or media_type is None:
            raise _refuse("attachment.empty", name=source.name)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return _Staged(digest.hexdigest(), size, media_type, temp)


def _install(data_dir: Path, staged: _Staged) -> Path:
    """Move a staged file to its content address (a file already there is the same content)."""
    target = blob_path(data_dir, staged.sha256)
    make_private_dir(store_dir(data_dir))
    make_private_dir(target.parent)
    if target.exists() and target.stat().st_size == staged.size:
        staged.temp.unlink(missing_ok=True)
    else:
        os.replace(staged.temp, target)  # atomic: a reader sees no file or the whole file
        make_private_file(target)
    return target


def install_verified(data_dir: Path, source: Path, sha256: str) -> bool:
    """Copy ``source`` into the store as ``sha256`` when its content has that hash (a restore
    bringing files back); False, storing nothing, when it does not."""
    staging = make_private_dir(store_dir(data_dir) / ".staging")
    temp = create_unique_file(staging, f"{os.getpid()}-{new_uuid()}", ".part")
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as src, temp.open("wb") as dst:
            while block := src.read(_READ_BLOCK):
                digest.update(block)
                size += len(block)
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        if digest.hexdigest() != sha256:
            temp.unlink(missing_ok=True)
            return False
        _install(data_dir, _Staged(sha256, size, "", temp))
        return True
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# --- attaching and listing --------------------------------------------------------------------------


def _find_request(session: Session, key: str) -> Request:
    from xuhui_desk.services.workflow import find_request

    return find_request(session, key)


def _info(data_dir: Path, tracking_no: str, row: Attachment, *, already: bool = False) -> AttachmentInfo:
    path = blob_path(data_dir, row.sha256)
    return AttachmentInfo(tracking_no, row.sha256, row.name, row.media_type, row.size, row.added_at, row.actor,
                          path, row.sync_state, row.sync_error, path.is_file(), already)


def add_attachment(db: Database, key: str, source: Path, *, name: str | None = None, actor: str = "",
                   now: datetime | None = None) -> AttachmentInfo:
    """Attach the file ``source`` to the request ``key`` (tracking number or uuid).

    Checks the file (kind by content, size, the request's total), stores it content-addressed
    and records the attachment with its timeline event in one transaction. ``name`` defaults to
    the file's own name; ``actor`` to the specialist setting. Raises
    :class:`~xuhui_desk.services.workflow.RequestNotFound` for an unknown request and
    :class:`ValidationFailed` (code ``attachment.*``) for a refused file; nothing is recorded
    then. Attaching a file the request already has returns it with ``already_attached``.
    """
    from xuhui_desk.services.station import get_setting

    source = Path(source)
    data_dir = db.path.parent
    with db.session() as s:
        _find_request(s, key)  # an unknown request is said before the file is read
    staged = _stage(data_dir, source)
    try:
        when = now or utcnow()
        with db.write() as s:
            request = _find_request(s, key)
            existing = s.scalars(select(Attachment).where(Attachment.request_id == request.id,
                                                          Attachment.sha256 == staged.sha256)).first()
            if existing is not None:
                staged.temp.unlink(missing_ok=True)
                return _info(data_dir, request.tracking_no, existing, already=True)
            total = s.scalar(select(func.coalesce(func.sum(Attachment.size), 0))
                             .where(Attachment.request_id == request.id)) or 0
            if total + staged.size > MAX_REQUEST_BYTES:
                raise _refuse("attachment.request_full", name=source.name, tracking_no=request.tracking_no,
                              used=_mib(total), limit=_mib(MAX_REQUEST_BYTES))
            # The file is in place before the row that refers to it is committed: a crash in
            # between leaves a stored file nobody refers to, never a row without its file.
            _install(data_dir, staged)
            shown = _clean_name(name if name is not None else source.name, staged.media_type)
            actor = (actor or get_setting(s, "specialist"))[:50]
            synced = s.scalar(select(Attachment.sync_state).where(Attachment.sha256 == staged.sha256,
                                                                  Attachment.sync_state == FILE_SYNCED).limit(1))
            event = RequestEvent(kind=EventKind.ATTACHMENT, actor=actor, origin=Origin.STATION, occurred_at=when,
                                 data={"sha256": staged.sha256, "name": shown, "size": staged.size,
                                       "media_type": staged.media_type})
            request.events.append(event)
            s.flush()
            row = Attachment(request_id=request.id, sha256=staged.sha256, name=shown, media_type=staged.media_type,
                             size=staged.size, added_at=when, actor=actor, event_uuid=event.uuid,
                             sync_state=synced or FILE_PENDING)
            s.add(row)
            request.updated_at = when
            request.revision += 1
            request.sync_state = SyncState.PENDING
            request.sync_error = None
            s.flush()
            return _info(data_dir, request.tracking_no, row)
    finally:
        staged.temp.unlink(missing_ok=True)


def list_attachments(db: Database, key: str) -> list[AttachmentInfo]:
    """The attachments of request ``key`` (tracking number or uuid), oldest first, each with its
    file's path in the store, whether it is there, and whether the hub has it."""
    data_dir = db.path.parent
    with db.session() as s:
        request = _find_request(s, key)
        rows = s.scalars(select(Attachment).where(Attachment.request_id == request.id).order_by(Attachment.id)).all()
        return [_info(data_dir, request.tracking_no, r) for r in rows]


def referenced_hashes(session: Session) -> set[str]:
    """Every SHA-256 some request of this station refers to."""
    return set(session.scalars(select(Attachment.sha256).distinct()).all())
