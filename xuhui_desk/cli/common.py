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


def to_json(payload: Any, indent: int | None = None) -> str:
    """JSON with Chinese kept readable, but safe for line-based readers and any encoding:
    U+2028/U+2029 (line breaks to ``splitlines()``) and lone surrogates are escaped."""
    text = json.dumps(payload, ensure_ascii=False, indent=indent)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(payload, ensure_ascii=True, indent=indent)
    return text


def emit(args: argparse.Namespace, payload: Any, human: str) -> None:
    """Print ``payload`` as JSON with ``--json``, else the human text."""
    if getattr(args, "json", False):
        print(to_json(payload, indent=None if isinstance(payload, dict) else 1))
    else:
        print(human.encode("utf-8", "backslashreplace").decode("utf-8"))


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
