"""The one exception the GUI's list reads raise: a read that failed, with a message saying why.

The queue and the directory read pages of rows on the GUI thread while the user scrolls; when
the database cannot be read (locked past the busy timeout, the disk gone, the file damaged)
they show the message once and try again with the next refresh. They catch :class:`ReadFailed`
and never see SQLAlchemy's own exceptions (the GUI imports no SQLAlchemy).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class ReadFailed(Exception):
    """A read of the database failed; ``str()`` says why (SQLite's own words)."""


@contextmanager
def reading() -> Iterator[None]:
    """Turn a database error raised inside the block into :class:`ReadFailed` (chained)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except SQLAlchemyError as exc:
        raise ReadFailed(str(getattr(exc, "orig", None) or exc)) from exc
