"""Output subcommands: ``report`` (the weekly Excel report) and ``receipt`` (the printable PDF).

openpyxl is imported only by ``report`` and Qt only by ``receipt``, when they run.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xuhui_desk.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CommandError, emit, json_flag, language, open_db


def write_replacing(out: Path, write: Callable[[Path], object]) -> None:
    """Write ``out`` through ``write(temporary file)``, then rename the temporary file onto ``out``.

    The temporary file is new, 0600, in ``out``'s folder, so the rename is atomic and a symbolic
    link at ``out`` is replaced, never followed (audit L3: ``receipt --out link.pdf`` overwrote
    the link's target). ``out`` appears complete or not at all. Raises :class:`CommandError`.
    """
    from xuhui_desk.private_files import make_private_file, private_temp_next_to

    try:
        temporary = private_temp_next_to(out)
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
    try:
        with _abandoned_writers_quiet():
            write(temporary)
        make_private_file(temporary)  # a writer that renamed its own file over it brought its own mode
        os.replace(temporary, out)
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _abandoned_writers_quiet() -> Iterator[None]:
    """openpyxl's write-only sheets are generators writing through lxml into a zip file. When
    the write fails half-way (no permission, a full disk) they and the zip file are closed
    during clean-up, and lxml and zipfile print a dozen "Exception ignored" tracebacks after
    the real message (audit L2): close them here, quietly. Only the failed write's own
    debris is silenced: errors of lxml, and OS errors while finalising."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        error = unraisable.exc_value
        if not (type(error).__module__.startswith("lxml") or isinstance(error, OSError)):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)  # frees the workbook and its generators now
        gc.collect()
        raise
    finally:
        sys.unraisablehook = previous


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
    if args.unmasked and not (args.reason or "").strip():
        raise CommandError("--unmasked shows contact names and phone numbers in full: say why with --reason TEXT "
                           "(kept in the workstation's audit log)", EXIT_USAGE)
    with open_db(args) as db:
        lang = args.language or language(db)
        if args.unmasked:
            from xuhui_desk.services import audit
            from xuhui_desk.services.station import get_setting

            with db.session() as session:
                actor = get_setting(session, "specialist")
            audit.record(db, audit.UNMASKED_REPORT, actor=actor, reason=args.reason,
                         details={"week": week.label, "path": str(args.out or ""), "via": "command line"})
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
    if not out.parent.is_dir():
        raise CommandError(f"no such folder: {out.parent}", EXIT_USAGE)
    write_replacing(out, lambda temporary: write_weekly_report(report, temporary))
    payload = {"path": str(out.resolve()), **report.summary_dict()}
    t = report.totals
    emit(args, payload,
         f"{out}: week {week.label}: {t.new} new, {t.resolved} resolved, {t.open} still open, {t.overdue} overdue"
         + (" (the week is not over yet)" if report.partial else ""))
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace) -> int:
    from xuhui_desk.services.receipts import RequestNotFoundForReceipt, receipt_for_request
    from xuhui_desk.services.station import get_setting

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise CommandError(f"{out}: the receipt is a PDF; give a file name ending in .pdf", EXIT_USAGE)
    if not out.parent.is_dir():
        raise CommandError(f"no such folder: {out.parent}", EXIT_USAGE)
    if out.is_dir():
        raise CommandError(f"{out} is a folder; give a file name ending in .pdf", EXIT_USAGE)
    with open_db(args) as db, db.session() as s:
        lang = args.language or get_setting(s, "language")
        try:
            data = receipt_for_request(s, args.tracking_no, lang)
        except RequestNotFoundForReceipt:
            raise CommandError(f"no request with tracking number {args.tracking_no!r}", EXIT_ERROR) from None
        except ValueError as exc:  # an unusable tracking URL template
            raise CommandError(f"{exc}; fix it with `xuhui-desk settings set tracking_url_template URL`",
                               EXIT_ERROR) from exc

    # Qt only now: the rest of the command line starts without it.
    from xuhui_desk.ui.receipt_render import ensure_gui_app, render_receipt_pdf

    ensure_gui_app()
    write_replacing(out, lambda temporary: render_receipt_pdf(data, temporary, args.layout))
    path = out
    emit(args, {"path": str(path.resolve()), "tracking_no": data.tracking_no, "layout": args.layout,
                "tracking_url": data.tracking_url},
         f"receipt {data.tracking_no} written to {path} ({args.layout})")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="write the weekly Excel report")
    p.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W48")
    p.add_argument("--out", metavar="FILE.xlsx",
                   help="where to write it (default: STATION-YYYY-Www.xlsx in the current folder)")
    p.add_argument("--reason", metavar="TEXT",
                   help="why the report is unmasked (required with --unmasked; kept in the audit log)")
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
