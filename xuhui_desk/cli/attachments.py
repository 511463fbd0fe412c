"""Attachment subcommands: ``attach TRACKING_NO FILE`` (and ``attachments TRACKING_NO`` to list)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from xuhui_desk.cli.common import (
    EXIT_ERROR,
    EXIT_INVALID_INPUT,
    EXIT_OK,
    CommandError,
    emit,
    json_flag,
    language,
    open_db,
)


def cmd_attach(args: argparse.Namespace) -> int:
    from xuhui_desk.services.attachments import add_attachment
    from xuhui_desk.services.workflow import RequestNotFound
    from xuhui_desk.validation import ValidationFailed

    with open_db(args) as db:
        try:
            info = add_attachment(db, args.tracking_no, Path(args.file), name=args.name, actor=args.actor or "")
        except RequestNotFound as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc
        except ValidationFailed as exc:  # a refused file: the reason in the station's language
            lang = language(db)
            raise CommandError("; ".join(i.message(lang) for i in exc.issues), EXIT_INVALID_INPUT) from exc
    verb = "already has" if info.already_attached else "attached"
    emit(args, info.to_dict(),
         f"{info.tracking_no}: {verb} {info.name} ({info.media_type}, {info.size} bytes, sha256 {info.sha256})")
    return EXIT_OK


def cmd_attachments(args: argparse.Namespace) -> int:
    from xuhui_desk.services.attachments import list_attachments
    from xuhui_desk.services.workflow import RequestNotFound

    with open_db(args) as db:
        try:
            items = list_attachments(db, args.tracking_no)
        except RequestNotFound as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc
    emit(args, [i.to_dict() for i in items],
         "\n".join(f"{i.sha256[:12]}  {i.size:>9}  {i.sync_state:<8} {i.name}" for i in items)
         or f"{args.tracking_no}: no attachments")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("attach", help="attach a photo, scan or PDF to a request")
    p.add_argument("tracking_no")
    p.add_argument("file")
    p.add_argument("--name", help="the name shown for the file (default: the file's own name)")
    p.add_argument("--actor", help="who attaches it (default: the specialist setting)")
    json_flag(p)
    p.set_defaults(func=cmd_attach)

    p = sub.add_parser("attachments", help="list a request's attachments")
    p.add_argument("tracking_no")
    json_flag(p)
    p.set_defaults(func=cmd_attachments)
