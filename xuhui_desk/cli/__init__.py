"""The ``xuhui-desk`` command: the GUI with no arguments, and the stable command-line
contract of DESIGN.md §6 for scripts and station leads.

Each group of subcommands lives in its own module with a ``register(subparsers)``;
every subcommand imports what it needs when it runs, so that the program starts fast.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from importlib import import_module
from pathlib import Path

from xuhui_desk import __version__
from xuhui_desk.cli.common import EXIT_ERROR, CommandError

#: What a shell reports for a program stopped by SIGPIPE (128 + 13), as for ``yes | head``.
EXIT_BROKEN_PIPE = 141

_GROUPS = ("core", "workflow", "outputs", "sync", "calendar", "followup", "attachments", "policies")


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
    """Run one command; return its exit status. Never a traceback for a failure the user can act on."""
    try:
        code = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        # The reader (``| head``) has gone: say nothing more (Python's documented recipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(argv: list[str] | None) -> int:
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
    except BrokenPipeError:
        raise
    except Exception as exc:
        message = _explain(exc, args)
        if message is None:
            raise
        print(f"xuhui-desk: {message}", file=sys.stderr)
        return EXIT_ERROR


def _explain(exc: Exception, args: argparse.Namespace) -> str | None:
    """The message for a failure a command did not handle itself (None: a bug, show the traceback)."""
    import sqlite3

    from sqlalchemy.exc import DatabaseError as SQLDatabaseError

    from xuhui_desk.config import database_path, resolve_data_dir
    from xuhui_desk.db import DatabaseError, explain_os_error, explain_sqlite_error
    from xuhui_desk.services.station import NotInitialised
    from xuhui_desk.validation import ValidationFailed

    if isinstance(exc, DatabaseError | NotInitialised | ValidationFailed):
        return str(exc)
    database = database_path(resolve_data_dir(args.data_dir))
    if isinstance(exc, SQLDatabaseError | sqlite3.DatabaseError):
        # Only real damage advises a restore (a read-only folder or a full disk never does).
        return str(explain_sqlite_error(exc, database))
    if isinstance(exc, OSError):
        where = Path(exc.filename) if exc.filename else database.parent
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return str(explain_os_error(exc, where))
        return f"{where}: {exc.strerror or exc}"
    return None


if __name__ == "__main__":
    sys.exit(main())
