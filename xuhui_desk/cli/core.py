"""Core subcommands: init, intake, list, settings, backup, restore, and the GUI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from xuhui_desk.cli.common import (
    EXIT_INVALID_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    emit,
    json_flag,
    language,
    open_db,
    to_json,
)


def cmd_init(args: argparse.Namespace) -> int:
    from xuhui_desk.services.station import init_station

    with open_db(args) as db:
        station = init_station(db, args.station_code, args.station_name, args.address or "",
                               args.specialist or "")
        emit(args, {"station_code": station.code, "station_name": station.name, "data_dir": str(db.path.parent)},
              f"station {station.code} {station.name} ready in {db.path.parent}")
    return EXIT_OK


def _read_lines(source: str) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    """Numbered lines of a file or standard input, each decoded on its own.

    A line that is not UTF-8 is yielded as its decoding error, so it is reported and the
    lines around it are still read (decoding the whole stream would lose them).
    """
    if source == "-":
        stream: BinaryIO = sys.stdin.buffer
        yield from _decoded(stream)
        return
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"{source}: no such file")
    with path.open("rb") as stream:
        yield from _decoded(stream)


def _decoded(stream: BinaryIO) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark written by Windows editors
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, exc


def cmd_intake(args: argparse.Namespace) -> int:
    from xuhui_desk.services.assignment import load_router
    from xuhui_desk.services.intake import IntakeInput, create_request
    from xuhui_desk.validation import Issue, ValidationFailed

    invalid = 0
    with open_db(args) as db:
        lang = language(db)
        with db.session() as s:
            router = load_router(s)
        for number, line in _read_lines(args.json_lines):
            if isinstance(line, str) and not line.strip():
                continue
            result: dict[str, Any] = {"line": number, "ok": False}
            try:
                if isinstance(line, UnicodeDecodeError):
                    reason = f"not UTF-8 text ({line.reason} at byte {line.start})"
                    raise ValidationFailed([Issue("line", "json.invalid", params={"reason": reason})])
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValidationFailed([Issue("line", "json.invalid", params={"reason": exc.msg})]) from exc
                except (ValueError, RecursionError) as exc:  # huge numbers, deep nesting
                    reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
                    raise ValidationFailed([Issue("line", "json.invalid", params={"reason": reason})]) from exc
                if not isinstance(raw, dict):
                    raise ValidationFailed([Issue("line", "json.not_object")])
                saved = create_request(db, IntakeInput.from_dict(raw), router=router)
                result.update(ok=True, tracking_no=saved.tracking_no, uuid=saved.uuid, category=saved.category)
                if saved.warnings:
                    result["warnings"] = [w.to_dict(lang) for w in saved.warnings]
                human = f"line {number}: saved {saved.tracking_no} ({saved.category})"
            except ValidationFailed as exc:
                invalid += 1
                result["errors"] = [i.to_dict(lang) for i in exc.issues]
                human = f"line {number}: not saved: " + "; ".join(i.message(lang) for i in exc.issues)
            emit(args, result, human)
            sys.stdout.flush()
    return EXIT_INVALID_INPUT if invalid else EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from xuhui_desk.services.search import RequestFilter, list_requests, request_dict

    flt = RequestFilter(status=args.status, category=args.category, search=args.search or "",
                        overdue_only=args.overdue)
    with open_db(args) as db, db.session() as s:
        # sla_provisional: the due time was counted on a provisional calendar year (docs/calendar.md);
        # station-only, so not in request_dict, whose keys the hub's request list shares.
        rows = [request_dict(r) | {"sla_provisional": r.sla_provisional}
                for r in list_requests(s, flt, limit=args.limit)]
    if args.json:
        print(to_json(rows, indent=1))
    else:
        for r in rows:
            print(f"{r['tracking_no']}  {r['status']:<11} {r['category']:<8} {r['enterprise_name']}  "
                  f"{r['description'][:40]}")
        print(f"{len(rows)} request(s)")
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from xuhui_desk.services.station import UnknownSetting, all_settings, get_setting, set_setting

    with open_db(args) as db:
        try:
            if args.action == "set":
                if args.value is None:
                    raise CommandError("settings set needs KEY VALUE", EXIT_USAGE)
                value = set_setting(db, args.key, args.value)
                emit(args, {args.key: value}, f"{args.key} = {value}")
            elif args.action == "get":
                if not args.key:
                    raise CommandError("settings get needs KEY", EXIT_USAGE)
                with db.session() as s:
                    value = get_setting(s, args.key)
                emit(args, {args.key: value}, value)
            else:
                with db.session() as s:
                    values = all_settings(s)
                values["hub_token"] = "***" if values["hub_token"] else ""
                emit(args, values, "\n".join(f"{k} = {v}" for k, v in values.items()))
        except (UnknownSetting, ValueError) as exc:
            raise CommandError(str(exc).strip("'\""), EXIT_USAGE) from exc
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from xuhui_desk.config import resolve_data_dir
    from xuhui_desk.services.backups import make_backup

    with open_db(args):  # opening applies pending migrations and checks the file
        pass
    path = make_backup(resolve_data_dir(args.data_dir))
    emit(args, {"backup": str(path)}, f"backup written to {path}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from xuhui_desk.config import resolve_data_dir
    from xuhui_desk.services.backups import restore_backup

    kept = restore_backup(resolve_data_dir(args.data_dir), Path(args.file))
    with open_db(args):  # an older backup is migrated now, not at the next start
        pass
    emit(args, {"restored": args.file, "previous_kept_as": str(kept) if kept else None},
          f"restored {args.file}" + (f"; the replaced database was kept as {kept}" if kept else ""))
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from xuhui_desk.ui.app import run
    except ImportError as exc:
        raise CommandError(
            f"the graphical interface cannot start: {exc}. On Debian/Ubuntu install the Qt runtime "
            "libraries: sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 "
            "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0"
        ) from exc
    return run(args.data_dir)



def register(sub: Any) -> None:

    p = sub.add_parser("init", help="first-run setup of the station")
    p.add_argument("--station-code", required=True)
    p.add_argument("--station-name", required=True)
    p.add_argument("--address", default="")
    p.add_argument("--specialist", default="")
    json_flag(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("intake", help="create requests from JSON lines")
    p.add_argument("--json-lines", required=True, metavar="FILE|-")
    json_flag(p)
    p.set_defaults(func=cmd_intake)

    p = sub.add_parser("list", help="list requests")
    p.add_argument("--status")
    p.add_argument("--category")
    p.add_argument("--search")
    p.add_argument("--overdue", action="store_true")
    p.add_argument("--limit", type=int)
    json_flag(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("settings", help="read or change settings")
    p.add_argument("action", choices=["get", "set", "show"])
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    json_flag(p)
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("backup", help="write a consistent copy of the database")
    json_flag(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database with a checked backup")
    p.add_argument("file")
    json_flag(p)
    p.set_defaults(func=cmd_restore)

