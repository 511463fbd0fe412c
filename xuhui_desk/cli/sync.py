"""The ``sync`` subcommand: one push/pull round with the district hub."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from xuhui_desk.cli.common import EXIT_ERROR, EXIT_INVALID_INPUT, EXIT_OK, CommandError, emit, json_flag, open_db


def cmd_sync(args: argparse.Namespace) -> int:
    from xuhui_desk.services.station import validate_setting
    from xuhui_desk.services.sync import SyncProgress, run_sync

    url = None
    if args.url:
        try:
            # Shape only here: run_sync applies the TLS rule with the allow_insecure_hub setting.
            url = validate_setting("hub_url", args.url, allow_insecure_hub=True)
        except ValueError as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc

    def progress(p: SyncProgress) -> None:
        if args.verbose and p.phase != "finished":
            total = f"/{p.total}" if p.total else ""
            print(f"  {p.phase} {p.done}{total} {p.message}".rstrip(), file=sys.stderr)

    with open_db(args) as db:
        summary = run_sync(db, url=url, progress=progress)
    payload: dict[str, Any] = summary.to_dict()
    human = (f"pushed {summary.pushed}, duplicates {summary.duplicates}, rejected {summary.rejected}, "
             f"pulled {summary.pulled}, pending {summary.pending}"
             + (f", quarantined {summary.in_error}" if summary.in_error else "")
             + (f"; clock skew {summary.skew_seconds:+.1f} s" if summary.skew_seconds is not None else ""))
    emit(args, payload, human)
    if summary.skew_warning:
        print(f"xuhui-desk: warning: {summary.skew_warning}", file=sys.stderr)
    if not summary.ok:
        print(f"xuhui-desk: sync failed: {summary.error}", file=sys.stderr)
        return EXIT_ERROR
    if summary.in_error:
        print(f"xuhui-desk: {summary.in_error} record(s) were refused by the hub and wait for a fix: "
              + "; ".join(summary.errors[:5]), file=sys.stderr)
        return EXIT_INVALID_INPUT
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("sync", help="one push/pull round with the district hub")
    p.add_argument("--url", help="hub URL for this round (default: the hub_url setting)")
    p.add_argument("-v", "--verbose", action="store_true", help="show progress on standard error")
    json_flag(p)
    p.set_defaults(func=cmd_sync)
