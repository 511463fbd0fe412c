"""The working-day calendar: ``calendar status``, ``calendar import FILE``, ``calendar recompute``.

See docs/calendar.md: official years, the provisional rule, and how due dates are recomputed.
"""

from __future__ import annotations

import argparse
from typing import Any

from xuhui_desk.cli.common import EXIT_INVALID_INPUT, EXIT_OK, CommandError, emit, json_flag, open_db


def _update_text(update: Any) -> str:
    from xuhui_desk.services.timefmt import iso_local

    lines = []
    if update.stored:
        lines.append("official calendar stored for " + ", ".join(map(str, update.stored)))
    if update.unchanged:
        lines.append("already held unchanged: " + ", ".join(map(str, update.unchanged)))
    for r in update.recomputed:
        old = iso_local(r.old_due)[:16] if r.old_due else "-"
        lines.append(f"  {r.tracking_no}: due {old} → {iso_local(r.new_due)[:16]}"
                     + (" (still provisional)" if r.provisional else ""))
    lines.append(f"{len(update.recomputed)} due date(s) recomputed, {update.confirmed} confirmed unchanged")
    lines.extend(f"warning: {w}" for w in update.warnings)
    return "\n".join(lines)


def cmd_import(args: argparse.Namespace) -> int:
    from xuhui_desk.services.calendar_updates import import_calendar_file
    from xuhui_desk.services.workdays import CalendarDataError

    with open_db(args) as db:
        try:
            update = import_calendar_file(db, args.file, actor=args.actor or "")
        except CalendarDataError as exc:
            raise CommandError(f"calendar file refused, nothing changed — {exc}", EXIT_INVALID_INPUT) from exc
    emit(args, update.to_dict(), _update_text(update))
    return EXIT_OK


def cmd_recompute(args: argparse.Namespace) -> int:
    from xuhui_desk.services.calendar_updates import CalendarUpdate, recompute_provisional

    update = CalendarUpdate()
    with open_db(args) as db, db.write() as session:
        update.recomputed, update.confirmed = recompute_provisional(session, actor=args.actor or "")
    emit(args, update.to_dict(), _update_text(update))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from xuhui_desk.models import OPEN_STATUSES, Request, utcnow
    from xuhui_desk.services.calendar_updates import station_calendar, station_years
    from xuhui_desk.services.workdays import SHANGHAI

    this_year = utcnow().astimezone(SHANGHAI).year
    with open_db(args) as db, db.session() as s:
        calendar = station_calendar(s)
        years = station_years(s)
        provisional = s.scalar(select(func.count()).select_from(Request).where(
            Request.sla_provisional.is_(True), Request.status.in_([x.value for x in OPEN_STATUSES]))) or 0
        outlook = {y: "official" if calendar.covers(y) else "provisional" if calendar.is_provisional(y)
                   else "unknown" for y in range(this_year, this_year + 3)}
    payload = {"years": outlook, "station_years": years, "open_provisional_due_dates": provisional}
    text = "\n".join([*(f"{y}: {state}" for y, state in outlook.items()),
                      *(f"held: {r['year']} ({r['origin']}) {r['source']}" for r in years),
                      f"{provisional} open request(s) with a provisional due date"])
    emit(args, payload, text)
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("calendar", help="the working-day calendar: official years and provisional due dates")
    csub = p.add_subparsers(dest="calendar_action", required=True)
    a = csub.add_parser("status", help="which years are official or provisional here")
    json_flag(a)
    a.set_defaults(func=cmd_status)
    a = csub.add_parser("import", help="store an official year (TOML, as resources/calendar/YYYY.toml) and "
                                       "recompute provisional due dates")
    a.add_argument("file")
    a.add_argument("--actor", help="who imported it (shown in the timeline)")
    json_flag(a)
    a.set_defaults(func=cmd_import)
    a = csub.add_parser("recompute", help="recompute provisional due dates on the calendar now known")
    a.add_argument("--actor", help="who ran it (shown in the timeline)")
    json_flag(a)
    a.set_defaults(func=cmd_recompute)
