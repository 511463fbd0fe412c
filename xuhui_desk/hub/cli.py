"""The ``xuhui-hub`` command: serve the district hub, manage station tokens, let district
staff list and update requests, and write the district's weekly report.

Every command takes ``--database-url URL`` (env ``XUHUI_HUB_DATABASE_URL``; default an
SQLite file in the hub's data folder) and brings the schema up to date first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from xuhui_desk import __version__

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


# Installed by the ``hub`` extra of pyproject.toml, not by the workstation's own dependencies.
HUB_EXTRA_MODULES = frozenset({"fastapi", "uvicorn", "starlette", "pydantic", "psycopg", "jinja2", "argon2",
                               "pwdlib"})


def _db(args: argparse.Namespace) -> Any:
    from xuhui_desk.hub.database import open_hub_database

    return open_hub_database(args.database_url)


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=1))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from xuhui_desk.hub.app import HubConfig, create_app

    config = HubConfig.from_env()
    if args.max_body_bytes:
        config.max_body_bytes = args.max_body_bytes
    if args.min_client_protocol:
        config.min_client_protocol = args.min_client_protocol
    db = _db(args)
    try:
        print(f"xuhui-hub {__version__} serving http://{args.host}:{args.port} "
              f"(protocol ≥ {config.min_client_protocol}, body ≤ {config.max_body_bytes} bytes"
              f"{f', {args.workers} worker processes' if args.workers > 1 else ''})", file=sys.stderr)
        if args.workers > 1:
            # Worker processes build the app themselves (xuhui_desk/hub/worker_app.py) from these.
            os.environ.update({"XUHUI_HUB_DATABASE_URL": db.url,
                               "XUHUI_HUB_MAX_BODY_BYTES": str(config.max_body_bytes),
                               "XUHUI_HUB_MIN_CLIENT_PROTOCOL": str(config.min_client_protocol)})
            uvicorn.run("xuhui_desk.hub.worker_app:app_from_environment", factory=True, workers=args.workers,
                        host=args.host, port=args.port, log_level=args.log_level, ws="none",
                        timeout_graceful_shutdown=5)
        else:
            uvicorn.run(create_app(db, config), host=args.host, port=args.port, log_level=args.log_level,
                        ws="none", timeout_graceful_shutdown=5)
    finally:
        db.close()
    return EXIT_OK


def cmd_station(args: argparse.Namespace) -> int:
    from xuhui_desk.hub import store

    db = _db(args)
    try:
        if args.action == "add":
            token = store.add_station(db, args.code, args.name or "", rotate=args.rotate)
            # The token alone on standard output, so that scripts can capture it.
            print(token)
        elif args.action == "revoke":
            store.revoke_station(db, args.code)
            print(f"station {args.code.upper()}: token revoked", file=sys.stderr)
        else:
            rows = store.list_stations(db)
            if args.json:
                _print_json(rows)
            else:
                for r in rows:
                    state = "active" if r["active"] else "revoked"
                    print(f"{r['code']:<8} {state:<8} {r['name']}  last seen {r['last_seen_at'] or '-'}")
    finally:
        db.close()
    return EXIT_OK


def cmd_request(args: argparse.Namespace) -> int:
    from xuhui_desk.hub import store

    db = _db(args)
    try:
        if args.action == "list":
            rows, skipped = store.list_requests_checked(db, station=args.station, status=args.status)
            # A row that cannot be used is left out and named, never a traceback for all stations.
            for bad in skipped:
                print(f"xuhui-hub: skipped {bad.tracking_no}: {bad.reason}", file=sys.stderr)
            if args.json:
                _print_json(rows)
            else:
                for r in rows:
                    print(f"{r['tracking_no']}  {r['station']:<6} {r['status']:<11} {r['category']:<8} "
                          f"{r['department'] or '-':<10} {r['enterprise_name']}")
                print(f"{len(rows)} request(s)" + (f", {len(skipped)} skipped (see above)" if skipped else ""))
        elif args.action == "show":
            detail = store.request_detail(db, args.tracking_no)
            # The station's contacts with the company (``contact`` events), for scripts to read directly.
            detail["contacts"] = [{"uuid": e["uuid"], "occurred_at": e["occurred_at"], "actor": e["actor"],
                                   **{k: (e["data"] or {}).get(k) for k in ("channel", "summary", "callback_on")}}
                                  for e in detail["events"] if e["kind"] == "contact" and isinstance(e["data"], dict)]
            from xuhui_desk.hub.attachments import attachments_of  # whole files only (docs/attachments.md)

            detail["attachments"] = attachments_of(db, args.tracking_no)
            _print_json(detail)
            if detail.get("problems") or any(e.get("invalid") for e in detail["events"]):
                print(f"xuhui-hub: {args.tracking_no} holds implausible values (flagged as \"problems\" / "
                      "\"invalid\" above); they are left out of the report", file=sys.stderr)
        else:
            if args.status is None and args.department is None and args.reply is None:
                raise store.InvalidUpdate("nothing to change: give --status, --department and/or --reply")
            updated = store.district_update(db, args.tracking_no, status=args.status, department=args.department,
                                            reply=args.reply, actor=args.actor or "")
            if args.json:
                _print_json(updated)
            else:
                print(f"{updated['tracking_no']}: status {updated['status']}, department {updated['department']} "
                      f"({updated['events_added']} timeline event(s) added)")
    finally:
        db.close()
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """The weekly Excel report of every station (the district roll-up), or of ``--station``."""
    from pathlib import Path

    from xuhui_desk.hub.report_rows import build_hub_report_checked
    from xuhui_desk.services.reports import ReportError, default_filename, parse_week, write_weekly_report
    from xuhui_desk.services.workdays import CalendarYearUnknown

    try:
        week = parse_week(args.week)
    except ReportError as exc:
        print(f"xuhui-hub: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out) if args.out else Path.cwd() / default_filename(
        args.station.strip().upper() if args.station else None, week)
    if out.suffix.lower() != ".xlsx":
        print(f"xuhui-hub: {out}: the report is an Excel workbook; give a file name ending in .xlsx", file=sys.stderr)
        return EXIT_USAGE
    if out.is_dir():
        print(f"xuhui-hub: {out} is a folder; give a file name ending in .xlsx", file=sys.stderr)
        return EXIT_USAGE
    db = _db(args)
    try:
        try:
            report, skipped = build_hub_report_checked(db, week, station=args.station, language=args.language,
                                                       unmasked=args.unmasked)
        except ReportError as exc:
            print(f"xuhui-hub: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except CalendarYearUnknown as exc:  # working hours need the year's official calendar
            print(f"xuhui-hub: {exc}", file=sys.stderr)
            return EXIT_ERROR
    finally:
        db.close()
    try:
        write_weekly_report(report, out)
    except OSError as exc:
        print(f"xuhui-hub: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    stations = sorted({r.station for r in report.requests})
    for bad in skipped:  # one station's faulty row never stops the district's report
        print(f"xuhui-hub: {bad.tracking_no}: {bad.reason}", file=sys.stderr)
    payload = {"path": str(out.resolve()), **report.summary_dict(), "stations": stations,
               "skipped": [bad.to_dict() for bad in skipped]}
    if args.json:
        _print_json(payload)
    else:
        t = report.totals
        who = report.station_code or "all stations"
        print(f"{out}: week {week.label} ({who}): {t.new} new, {t.resolved} resolved, {t.open} still open, "
              f"{t.overdue} overdue" + (" (the week is not over yet)" if report.partial else ""))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xuhui-hub", description="District hub of the Xuhui service stations")
    parser.add_argument("--version", action="version", version=f"xuhui-hub {__version__}")
    url_help = "database URL (env XUHUI_HUB_DATABASE_URL; default: an SQLite file in the hub's data folder)"
    parser.add_argument("--database-url", help=url_help)
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: given after the subcommand it wins, else the value given before it stands.
    common.add_argument("--database-url", help=url_help, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument("--max-body-bytes", type=int, help="largest request body (env XUHUI_HUB_MAX_BODY_BYTES)")
    p.add_argument("--min-client-protocol", type=int,
                   help="oldest sync protocol accepted (env XUHUI_HUB_MIN_CLIENT_PROTOCOL)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes on the one port (PostgreSQL; docs/console.md)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("station", help="station tokens")
    ssub = p.add_subparsers(dest="action", required=True)
    a = ssub.add_parser("add", parents=[common], help="register a station and print its token")
    a.add_argument("code")
    a.add_argument("--name", default="")
    a.add_argument("--rotate", action="store_true", help="replace the token of an active station")
    a.set_defaults(func=cmd_station)
    a = ssub.add_parser("revoke", parents=[common], help="revoke a station's token")
    a.add_argument("code")
    a.set_defaults(func=cmd_station)
    a = ssub.add_parser("list", parents=[common], help="list stations")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_station)

    p = sub.add_parser("request", help="requests received from the stations")
    rsub = p.add_subparsers(dest="action", required=True)
    a = rsub.add_parser("list", parents=[common], help="list requests in the order received")
    a.add_argument("--station")
    a.add_argument("--status")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_request)
    a = rsub.add_parser("show", parents=[common], help="one request with its timeline and contacts (JSON)")
    a.add_argument("tracking_no")
    # Accepted for the contract's ``request show TRACKING_NO --json``: show always prints JSON.
    a.add_argument("--json", action="store_true", help="JSON (show's only output)")
    a.set_defaults(func=cmd_request)
    a = rsub.add_parser("update", parents=[common], help="district update: status, department, reply")
    a.add_argument("tracking_no")
    a.add_argument("--status")
    a.add_argument("--department")
    a.add_argument("--reply")
    a.add_argument("--actor", help="who made the change (shown in the timeline)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_request)

    from xuhui_desk.hub.console.users_cli import register as register_user_commands

    register_user_commands(sub, common)

    p = sub.add_parser("report", parents=[common], help="write the weekly Excel report of all stations (or one)")
    p.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W48")
    p.add_argument("--station", metavar="CODE", help="only this station (default: the district roll-up)")
    p.add_argument("--out", metavar="FILE.xlsx",
                   help="where to write it (default: district-YYYY-Www.xlsx or CODE-YYYY-Www.xlsx here)")
    p.add_argument("--language", choices=["zh_CN", "en"], default="zh_CN", help="language of the workbook")
    p.add_argument("--unmasked", action="store_true",
                   help="include contact names and phone numbers in full (masked by default)")
    p.add_argument("--json", action="store_true", help="print the headline figures as JSON")
    p.set_defaults(func=cmd_report)

    from xuhui_desk.hub import calendar

    calendar.register(sub, common)
    from xuhui_desk.hub import policy_cli

    policy_cli.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in HUB_EXTRA_MODULES:
            print(f"xuhui-hub: the district hub needs the '{exc.name.split('.')[0]}' package, which comes with the "
                  "hub extra: pip install 'xuhui-desk[hub]'", file=sys.stderr)
            return EXIT_ERROR
        raise
    except Exception as exc:
        from xuhui_desk.hub.database import HubDatabaseError
        from xuhui_desk.hub.store import HubError

        if isinstance(exc, HubError | HubDatabaseError):
            print(f"xuhui-hub: {exc}", file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    sys.exit(main())
