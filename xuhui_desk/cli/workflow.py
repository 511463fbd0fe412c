"""Routing and workflow subcommands: ``route`` and ``update``."""

from __future__ import annotations

import argparse
from typing import Any

from xuhui_desk.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CommandError, emit, json_flag, open_db


def cmd_route(args: argparse.Namespace) -> int:
    from xuhui_desk.config import database_path, resolve_data_dir
    from xuhui_desk.services.assignment import load_router, suggest

    text = " ".join(args.text).strip()
    if not text:
        raise CommandError("route needs the text of a request", EXIT_USAGE)
    router = None
    language = args.language
    if database_path(resolve_data_dir(args.data_dir)).exists():
        # The station's own corrections count; without a database the plain rules answer.
        with open_db(args) as db, db.session() as s:
            router = load_router(s)
            if language is None:
                from xuhui_desk.services.station import get_setting

                language = get_setting(s, "language")
    payload = suggest(text, router=router, language=language or "zh_CN").to_dict()
    alternatives = ", ".join(f"{a['category']} {a['confidence']:.0%}" for a in payload["alternatives"])
    emit(args, payload,
         f"{payload['category']} ({payload['confidence']:.0%})\n"
         + "\n".join(f"  - {r}" for r in payload["reasons"])
         + (f"\nalternatives: {alternatives}" if alternatives else ""))
    return EXIT_OK


def cmd_update(args: argparse.Namespace) -> int:
    from xuhui_desk.services.workflow import RequestNotFound, WorkflowError, apply

    if args.comment and args.rating is None:
        raise CommandError("--comment goes with --rating", EXIT_USAGE)
    if not any([args.status, args.category, args.department, args.note, args.rating is not None]):
        raise CommandError("nothing to update: give --status, --category, --department, --note or --rating",
                           EXIT_USAGE)
    with open_db(args) as db:
        try:
            change = apply(db, args.tracking_no, actor=args.actor or "", status=args.status,
                           category=args.category, department=args.department, note=args.note,
                           rating=args.rating, comment=args.comment or "")
        except RequestNotFound as exc:  # a LookupError: its text is the message as written
            raise CommandError(str(exc), EXIT_ERROR) from exc
        except WorkflowError as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc
    emit(args, {"tracking_no": change.tracking_no, "status": change.status, "events": list(change.events)},
         f"{change.tracking_no}: {change.status} ({', '.join(change.events) or 'no change'})")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("route", help="suggest a category for a request's text")
    p.add_argument("text", nargs="+")
    p.add_argument("--language", choices=["zh_CN", "en"])
    json_flag(p)
    p.set_defaults(func=cmd_route)

    p = sub.add_parser("update", help="change a request's status, category, department; add a note or rating")
    p.add_argument("tracking_no")
    p.add_argument("--status")
    p.add_argument("--category")
    p.add_argument("--department")
    p.add_argument("--note")
    p.add_argument("--rating", type=int, choices=range(1, 6), metavar="1-5")
    p.add_argument("--comment")
    p.add_argument("--actor", help="who makes the change (default: the specialist setting)")
    json_flag(p)
    p.set_defaults(func=cmd_update)
