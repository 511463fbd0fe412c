"""Follow-up subcommands: ``today`` (the Today lists), ``company KEY`` (the company file),
``contact TRACKING_NO`` (record a contact, optionally plan a callback) and ``callback done``."""

from __future__ import annotations

import argparse
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


def _invalid(db: Any, exc: Any) -> CommandError:
    """A ValidationFailed as the station's language says it (exit 3: the input was refused)."""
    lang = language(db)
    return CommandError("; ".join(i.message(lang) for i in exc.issues), EXIT_INVALID_INPUT)


def cmd_today(args: argparse.Namespace) -> int:
    from xuhui_desk.models import utcnow
    from xuhui_desk.services.labels import status_label
    from xuhui_desk.services.station import get_setting
    from xuhui_desk.services.timefmt import display
    from xuhui_desk.services.today import LISTS, today

    with open_db(args) as db:
        specialist = args.specialist
        if args.mine:
            with db.session() as s:
                specialist = get_setting(s, "specialist") or None
            if not specialist:
                raise CommandError("--mine needs the current specialist: xuhui-desk settings set specialist NAME",
                                   EXIT_ERROR)
        result = today(db, utcnow(), specialist, limit=args.limit)
    lines = [f"today {result.day.isoformat()}" + (f" ({specialist})" if specialist else "")]
    for key in LISTS:
        block = result[key]
        lines.append(f"{key}: {block.count}")
        for line in block.lines:
            when = line.due_on or (display(line.due_at) if line.due_at else "")
            status = status_label(line.status, "en") if line.status else ""
            lines.append(f"  {line.tracking_no or '-'}  {when:<16} {status:<11} {line.company}"
                         + (f"  — {line.detail}" if line.detail else ""))
    emit(args, result.to_dict(), "\n".join(lines))
    return EXIT_OK


def cmd_company(args: argparse.Namespace) -> int:
    from xuhui_desk.services.company_file import CompanyAmbiguous, CompanyNotFound, company_file
    from xuhui_desk.services.timefmt import display

    with open_db(args) as db:
        try:
            found = company_file(db, args.key)
        except (CompanyNotFound, CompanyAmbiguous) as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc
    p = found.profile
    lines = [f"{p.name}  {p.uscc or '-'}", f"contact: {p.contact_name or '-'} {p.phone or ''}".rstrip(),
             f"requests: {len(found.requests)} ({found.open_count} open)"]
    for r in found.requests:
        lines.append(f"  {r.tracking_no}  {r.status:<11} {r.department or '-':<22} "
                     f"{r.rating if r.rating is not None else '-'}  {r.description}")
    if found.contacts:
        lines.append(f"contacts: {len(found.contacts)}")
        for c in found.contacts:
            lines.append(f"  {display(c.occurred_at)}  {c.tracking_no}  {c.channel:<7} {c.actor}: {c.summary}"
                         + (f"  (callback {c.callback_on})" if c.callback_on else ""))
    emit(args, found.to_dict(), "\n".join(lines))
    return EXIT_OK


def cmd_contact(args: argparse.Namespace) -> int:
    from xuhui_desk.services.followup import record_contact
    from xuhui_desk.services.workflow import RequestNotFound
    from xuhui_desk.validation import ValidationFailed

    with open_db(args) as db:
        try:
            result = record_contact(db, args.tracking_no, args.channel, args.summary, args.callback,
                                    actor=args.actor or "")
        except RequestNotFound as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc
        except ValidationFailed as exc:
            raise _invalid(db, exc) from exc
    emit(args, result.to_dict(),
         f"{result.tracking_no}: contact by {result.channel} recorded ({result.actor or 'no specialist set'})"
         + (f"; callback planned for {result.callback_on}" if result.callback_on else "")
         + (f"; {result.callbacks_closed} earlier callback(s) done" if result.callbacks_closed else ""))
    return EXIT_OK


def cmd_callback_done(args: argparse.Namespace) -> int:
    from xuhui_desk.services.followup import FollowupError, complete_callbacks
    from xuhui_desk.services.workflow import RequestNotFound

    with open_db(args) as db:
        try:
            closed = complete_callbacks(db, args.tracking_no, actor=args.actor or "")
        except (RequestNotFound, FollowupError) as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc
    emit(args, {"tracking_no": args.tracking_no, "callbacks_closed": closed},
         f"{args.tracking_no}: {closed} callback(s) done")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("today", help="what is due today: deadlines, callbacks, low ratings, refused records")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--specialist", help="only this specialist's requests and callbacks")
    who.add_argument("--mine", action="store_true", help="only the current specialist's")
    p.add_argument("--limit", type=int, default=200, help="lines per list (the counts are always complete)")
    json_flag(p)
    p.set_defaults(func=cmd_today)

    p = sub.add_parser("company", help="a company's file: profile, requests (open first), contacts")
    p.add_argument("key", help="credit code, company name (or part of it), or enterprise id")
    json_flag(p)
    p.set_defaults(func=cmd_company)

    p = sub.add_parser("contact", help="record a contact with the company on a request; plan a callback")
    p.add_argument("tracking_no")
    p.add_argument("--channel", required=True, help="phone, visit or message")
    p.add_argument("--summary", required=True, help="what was said (required)")
    p.add_argument("--callback", metavar="YYYY-MM-DD", help="the day to call back (today or later)")
    p.add_argument("--actor", help="who made the contact (default: the specialist setting)")
    json_flag(p)
    p.set_defaults(func=cmd_contact)

    p = sub.add_parser("callback", help="planned callbacks")
    csub = p.add_subparsers(dest="callback_action", required=True)
    a = csub.add_parser("done", help="mark a request's open callbacks done without a new contact")
    a.add_argument("tracking_no")
    a.add_argument("--actor", help="who did it (default: the specialist setting)")
    json_flag(a)
    a.set_defaults(func=cmd_callback_done)
