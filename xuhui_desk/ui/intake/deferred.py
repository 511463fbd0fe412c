"""Background jobs of the intake page wait for a database still opening before they import the services."""

from __future__ import annotations

from xuhui_desk.db import Database


def opened(db: Database) -> Database:
    """``db``, once it is open.

    At start-up the main window shows before the database opens (``ui/app.py``'s
    ``DeferredDatabase``, whose ``engine`` waits on a worker until the window is shown). A job
    calls this before it imports :mod:`xuhui_desk.services.intake`, so that SQLAlchemy and the
    models are not loaded while the window is still being shown.
    """
    db.engine  # noqa: B018 - resolving the engine is the wait
    return db
