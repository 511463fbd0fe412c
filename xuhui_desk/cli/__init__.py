"""The ``xuhui-desk`` command: the GUI with no arguments, and the stable command-line
contract of DESIGN.md §6 for scripts and station leads.

Each group of subcommands lives in its own module with a ``register(subparsers)``;
every subcommand imports what it needs when it runs, so that the program starts fast.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from xuhui_desk import __version__
from xuhui_desk.cli.common import EXIT_ERROR, CommandError

_GROUPS = ("core", "workflow", "outputs", "sync")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xuhui-desk",
                                     description="Xuhui enterprise service station workstation")
    parser.add_argument("--version", action="version", version=f"xuhui-desk {__version__}")
    parser.add_argument("--data-dir", help="data folder (env XUHUI_DESK_DATA_DIR; default: the user data dir)")
    sub = parser.add_subparsers(dest="command")
    for group in _GROUPS:  # every group ships with the program: a missing one is an error, not skipped
        import_module(f"xuhui_desk.cli.{group}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from xuhui_desk.cli.core import cmd_gui

    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except CommandError as exc:
        print(f"xuhui-desk: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        import sqlite3

        from sqlalchemy.exc import DatabaseError as SQLDatabaseError

        from xuhui_desk.db import DatabaseError
        from xuhui_desk.services.station import NotInitialised
        from xuhui_desk.validation import ValidationFailed

        if isinstance(exc, DatabaseError | NotInitialised | ValidationFailed):
            print(f"xuhui-desk: {exc}", file=sys.stderr)
            return EXIT_ERROR
        if isinstance(exc, SQLDatabaseError | sqlite3.DatabaseError):
            # Damage found while reading (a bad page, a broken index): say so, never a traceback.
            detail = getattr(exc, "orig", None) or exc
            print(f"xuhui-desk: the database cannot be read ({detail}). It was not changed; run "
                  "`xuhui-desk restore FILE` with a recent backup (see the backups folder).", file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    sys.exit(main())
