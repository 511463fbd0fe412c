"""What every ``xuhui-desk`` subcommand shares: errors, output, opening the database."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3


class CommandError(Exception):
    """A failure with a message for the user; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def emit(args: argparse.Namespace, payload: Any, human: str) -> None:
    """Print ``payload`` as JSON with ``--json``, else the human text."""
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, indent=None if isinstance(payload, dict) else 1))
    else:
        print(human)


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


@contextmanager
def open_db(args: argparse.Namespace) -> Iterator[Any]:
    """The workstation database of ``--data-dir``, migrated and checked."""
    from xuhui_desk.config import database_path, resolve_data_dir
    from xuhui_desk.db import open_database

    db = open_database(database_path(resolve_data_dir(args.data_dir)))
    try:
        yield db
    finally:
        db.close()


def language(db: Any) -> str:
    from xuhui_desk.services.station import get_setting

    with db.session() as s:
        return get_setting(s, "language")
