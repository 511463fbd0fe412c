"""Output subcommands: ``report`` (the weekly Excel report) and ``receipt`` (the printable PDF).

openpyxl is imported only by ``report`` and Qt only by ``receipt``, when they run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from xuhui_desk.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CommandError, emit, json_flag, language, open_db


def cmd_report(args: argparse.Namespace) -> int:
    from xuhui_desk.services.reports import (
        ReportError,
        build_weekly_report,
        default_filename,
        parse_week,
        write_weekly_report,
    )
    from xuhui_desk.services.workdays import CalendarYearUnknown

    try:
        week = parse_week(args.week)
    except ReportError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    with open_db(args) as db:
        lang = args.language or language(db)
        try:
            with db.session() as session:
                report = build_weekly_report(session, week, language=lang, unmasked=args.unmasked)
        except ReportError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from exc
        except CalendarYearUnknown as exc:  # working hours need the year's official calendar
            raise CommandError(str(exc), EXIT_ERROR) from exc
    out = Path(args.out) if args.out else Path.cwd() / default_filename(report.station_code, week)
    if out.suffix.lower() != ".xlsx":
        raise CommandError(f"{out}: the report is an Excel workbook; give a file name ending in .xlsx", EXIT_USAGE)
    if out.is_dir():
        raise CommandError(f"{out} is a folder; give a file name ending in .xlsx", EXIT_USAGE)
    try:
        write_weekly_report(report, out)
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
    payload = {"path": str(out.resolve()), **report.summary_dict()}
    t = report.totals
    emit(args, payload,
         f"{out}: week {week.label}: {t.new} new, {t.resolved} resolved, {t.open} still open, {t.overdue} overdue"
         + (" (the week is not over yet)" if report.partial else ""))
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from xuhui_desk.models import Enterprise, Request
    from xuhui_desk.services.receipts import build_receipt
    from xuhui_desk.services.station import get_setting, require_station
    from xuhui_desk.services.taxonomy import load_taxonomy

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise CommandError(f"{out}: the receipt is a PDF; give a file name ending in .pdf", EXIT_USAGE)
    if not out.parent.is_dir():
        raise CommandError(f"no such folder: {out.parent}", EXIT_USAGE)
    with open_db(args) as db, db.session() as s:
        found = s.execute(
            select(Request, Enterprise)
            .join(Enterprise, Enterprise.id == Request.enterprise_id)
            .where((Request.tracking_no == args.tracking_no.strip()) | (Request.uuid == args.tracking_no.strip()))
        ).first()
        if found is None:
            raise CommandError(f"no request with tracking number {args.tracking_no!r}", EXIT_ERROR)
        request, enterprise = found
        station = require_station(s)
        lang = args.language or get_setting(s, "language")
        try:
            category_label = load_taxonomy().category(request.category).label(lang)
        except KeyError:
            category_label = request.category
        try:
            data = build_receipt(
                station_name=station.name,
                station_address=get_setting(s, "station_address") or station.address,
                tracking_no=request.tracking_no,
                created_at=request.created_at,
                enterprise_name=enterprise.name,
                uscc=enterprise.uscc,
                category_label=category_label,
                description=request.description,
                specialist=request.specialist,
                expected_response=request.sla_due_at,
                url_template=get_setting(s, "tracking_url_template"),
                language=lang,
                request_uuid=request.uuid,
            )
        except ValueError as exc:  # an unusable tracking URL template
            raise CommandError(f"{exc}; fix it with `xuhui-desk settings set tracking_url_template URL`",
                               EXIT_ERROR) from exc

    # Qt only now: the rest of the command line starts without it.
    from xuhui_desk.ui.receipt_render import ensure_gui_app, render_receipt_pdf

    ensure_gui_app()
    try:
        path = render_receipt_pdf(data, out, args.layout)
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
    emit(args, {"path": str(path.resolve()), "tracking_no": data.tracking_no, "layout": args.layout,
                "tracking_url": data.tracking_url},
         f"receipt {data.tracking_no} written to {path} ({args.layout})")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="write the weekly Excel report")
    p.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W48")
    p.add_argument("--out", metavar="FILE.xlsx",
                   help="where to write it (default: STATION-YYYY-Www.xlsx in the current folder)")
    p.add_argument("--unmasked", action="store_true",
                   help="include contact names and phone numbers in full (masked by default)")
    p.add_argument("--language", choices=["zh_CN", "en"], help="language of the workbook (default: the setting)")
    json_flag(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("receipt", help="write the printable receipt of a request as PDF")
    p.add_argument("tracking_no", metavar="TRACKING_NO")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--layout", choices=["thermal", "a5"], default="thermal",
                   help="80 mm thermal slip (default) or A5 page")
    p.add_argument("--language", choices=["zh_CN", "en"], help="language of the receipt (default: the setting)")
    json_flag(p)
    p.set_defaults(func=cmd_receipt)
