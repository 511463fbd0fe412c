"""Core subcommands: init, intake, list, settings, backup, restore, and the GUI."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

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

if TYPE_CHECKING:
    from xuhui_desk.services.intake import IntakeKey
    from xuhui_desk.validation import Issue


def cmd_init(args: argparse.Namespace) -> int:
    from xuhui_desk.services.station import init_station

    with open_db(args) as db:
        station = init_station(db, args.station_code, args.station_name, args.address or "",
                               args.specialist or "")
        emit(args, {"station_code": station.code, "station_name": station.name, "data_dir": str(db.path.parent)},
              f"station {station.code} {station.name} ready in {db.path.parent}")
    return EXIT_OK


#: The longest line ``intake`` reads (a request is at most a few KB of JSON).
MAX_LINE_BYTES = 1 << 20


def _read_lines(source: str) -> Iterator[tuple[int, str | Issue]]:
    """Numbered lines of a file or standard input, each decoded on its own.

    A line that is not UTF-8, or longer than :data:`MAX_LINE_BYTES`, is yielded as the issue
    to report, so the lines around it are still read (decoding the whole stream would lose
    them); a long line is skipped in pieces, never held in memory whole.
    """
    if source == "-":
        yield from _decoded(sys.stdin.buffer)
        return
    path = Path(source)
    if path.is_dir():
        raise CommandError(f"{source} is a folder; give a file of JSON lines", EXIT_USAGE)
    if not path.exists():
        raise CommandError(f"{source}: no such file")
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise CommandError(f"{source}: cannot read it ({exc.strerror})") from exc
    with stream:
        yield from _decoded(stream)


def _bounded_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """Raw lines of ``stream``; None for a line longer than :data:`MAX_LINE_BYTES` (skipped)."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield raw


def _decoded(stream: BinaryIO) -> Iterator[tuple[int, str | Issue]]:
    from xuhui_desk.validation import Issue

    for number, raw in enumerate(_bounded_lines(stream), start=1):
        if raw is None:
            yield number, Issue("line", "line.too_long", params={"limit": MAX_LINE_BYTES})
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark written by Windows editors
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
            yield number, Issue("line", "json.invalid", params={"reason": reason})


def _json_reason(exc: ValueError | RecursionError) -> str:
    """Why a line is not usable JSON, in the user's terms (never Python's advice to a programmer)."""
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if "int_max_str_digits" in str(exc) or "integer string conversion" in str(exc):
        return "a number has too many digits"
    return str(exc).split(";")[0]


def _intake_key(raw: dict[str, Any], source: str | None, seen: Counter[bytes]) -> IntakeKey | None:
    """The line's key (DESIGN.md §6): its ``client_id``; else, for a file, its path, content and
    occurrence; a line from standard input without ``client_id`` has none."""
    from xuhui_desk.services.intake import CLIENT_ID_MAX, IntakeKey, canonical_line
    from xuhui_desk.validation import Issue, ValidationFailed

    client_id = raw.get("client_id")
    if client_id is not None:
        if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > CLIENT_ID_MAX:
            raise ValidationFailed([Issue("client_id", "client_id.invalid", params={"limit": CLIENT_ID_MAX})])
        return IntakeKey.for_client_id(client_id.strip())
    if source is None:
        return None
    digest = hashlib.sha256(canonical_line(raw).encode("utf-8", "surrogatepass")).digest()
    seen[digest] += 1
    return IntakeKey.for_line(source, raw, seen[digest])


def cmd_intake(args: argparse.Namespace) -> int:
    from xuhui_desk.services.assignment import load_router
    from xuhui_desk.services.intake import IntakeInput, create_request
    from xuhui_desk.validation import Issue, ValidationFailed

    invalid = 0
    source = None if args.json_lines == "-" else str(Path(args.json_lines).resolve())
    seen: Counter[bytes] = Counter()
    lines = _read_lines(args.json_lines)
    with open_db(args) as db:
        lang = language(db)
        with db.session() as s:
            router = load_router(s)
        for number, line in lines:
            if isinstance(line, str) and not line.strip():
                continue
            result: dict[str, Any] = {"line": number, "ok": False}
            try:
                if isinstance(line, Issue):
                    raise ValidationFailed([line])
                try:
                    raw = json.loads(line)
                except (ValueError, RecursionError) as exc:  # bad JSON, huge numbers, deep nesting
                    raise ValidationFailed([Issue("line", "json.invalid",
                                                  params={"reason": _json_reason(exc)})]) from exc
                if not isinstance(raw, dict):
                    raise ValidationFailed([Issue("line", "json.not_object")])
                key = _intake_key(raw, source, seen)
                saved = create_request(db, IntakeInput.from_dict(raw), router=router, key=key)
                result.update(ok=True, tracking_no=saved.tracking_no, uuid=saved.uuid, category=saved.category)
                if saved.already_saved:
                    result["already_saved"] = True
                    human = f"line {number}: already saved as {saved.tracking_no}; skipped"
                else:
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


def _shown(key: str, value: str) -> str:
    """A setting as it may be printed: the hub token never (a terminal's scrollback is not private)."""
    return ("***" if value else "") if key == "hub_token" else value


def cmd_settings(args: argparse.Namespace) -> int:
    from xuhui_desk.services.station import UnknownSetting, all_settings, get_setting, set_setting

    with open_db(args) as db:
        try:
            if args.action == "set":
                if args.value is None:
                    raise CommandError("settings set needs KEY VALUE", EXIT_USAGE)
                value = _shown(args.key, set_setting(db, args.key, args.value))
                emit(args, {args.key: value}, f"{args.key} = {value}")
            elif args.action == "get":
                if not args.key:
                    raise CommandError("settings get needs KEY", EXIT_USAGE)
                with db.session() as s:
                    value = _shown(args.key, get_setting(s, args.key))
                emit(args, {args.key: value}, value)
            else:
                with db.session() as s:
                    values = {k: _shown(k, v) for k, v in all_settings(s).items()}
                emit(args, values, "\n".join(f"{k} = {v}" for k, v in values.items()))
        except (UnknownSetting, ValueError) as exc:
            raise CommandError(str(exc.args[0] if exc.args else exc), EXIT_USAGE) from exc
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
    from xuhui_desk.services.backups import describe_backup, restore

    if args.check:
        described = describe_backup(Path(args.file))
        emit(args, described.to_dict(), f"{args.file} can be restored: {described.summary()}")
        return EXIT_OK
    done = restore(resolve_data_dir(args.data_dir), Path(args.file))
    kept = done.kept
    emit(args, {"restored": args.file, "previous_kept_as": str(kept) if kept else None,
                "backup": done.restored.to_dict(), "attachments_restored": done.attachments_restored,
                "attachments_missing": list(done.attachments_missing)},
         f"restored {args.file} ({done.restored.summary()})"
         + (f"; the replaced database was kept as {kept}" if kept else "")
         + (f"; {len(done.attachments_missing)} attached file(s) are in neither the backup nor the data folder"
            if done.attachments_missing else ""))
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
    p.add_argument("--check", action="store_true",
                   help="only check FILE and say what it holds (station, requests, hub); change nothing")
    json_flag(p)
    p.set_defaults(func=cmd_restore)

