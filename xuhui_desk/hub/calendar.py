"""The district's published working-day calendar: ``xuhui-hub calendar publish FILE`` / ``list``.

The district publishes a year's official calendar (the State Council's notice, in the TOML
format of ``resources/calendar/YYYY.toml``) once; every station fetches the published years
from ``GET /api/v1/calendar`` (:mod:`xuhui_desk.hub.calendar_api`) during its sync rounds and
recomputes its provisional due dates (:mod:`xuhui_desk.services.calendar_updates`). A file is
validated as strictly as the station validates it; publishing a corrected file for a year
replaces it, publishing the same one again changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.models import HubBase
from xuhui_desk.hub.store import HubError
from xuhui_desk.models import utcnow
from xuhui_desk.sync_protocol import wire_time


class HubCalendarYear(HubBase):
    """One published official year."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text)
    holidays: Mapped[list[str]] = mapped_column(JSON)
    workdays: Mapped[list[str]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(50), default="")


def publish(db: HubDatabase, path: Path, *, actor: str = "", now: datetime | None = None) -> dict[str, Any]:
    """Validate the calendar file and publish its year; raises :class:`HubError` for a bad file.

    Returns ``{"year", "source", "digest", "changed"}`` (``changed`` False: already published as is).
    """
    from xuhui_desk.services.workdays import CalendarDataError, read_calendar_file

    try:
        year = read_calendar_file(path)
    except CalendarDataError as exc:
        raise HubError(f"calendar file refused, nothing published — {exc}") from exc
    digest = year.digest
    wire = year.to_wire()
    with db.write() as s:
        row = s.get(HubCalendarYear, year.year)
        changed = row is None or row.digest != digest
        if changed:
            if row is None:
                row = HubCalendarYear(year=year.year)
                s.add(row)
            row.source, row.holidays, row.workdays = year.source, wire["holidays"], wire["workdays"]
            row.digest, row.published_at, row.published_by = digest, now or utcnow(), actor[:50]
    return {"year": year.year, "source": year.source, "digest": digest, "changed": changed}


def published(db: HubDatabase) -> list[dict[str, Any]]:
    """Every published year, oldest first, as the calendar feed serves it."""
    with db.session() as s:
        return [{"year": r.year, "source": r.source, "holidays": list(r.holidays), "workdays": list(r.workdays),
                 "digest": r.digest, "published_at": wire_time(r.published_at), "published_by": r.published_by}
                for r in s.scalars(select(HubCalendarYear).order_by(HubCalendarYear.year))]


def cmd_calendar(args: argparse.Namespace) -> int:
    from xuhui_desk.hub.database import open_hub_database

    db = open_hub_database(args.database_url)
    try:
        if args.action == "publish":
            result = publish(db, Path(args.file), actor=args.actor or "")
            if args.json:
                print(json.dumps(result, ensure_ascii=False))
            else:
                state = "published" if result["changed"] else "already published unchanged"
                print(f"calendar {result['year']}: {state} ({result['source']}); stations receive it with "
                      "their next sync", file=sys.stderr)
        else:
            rows = published(db)
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                for r in rows:
                    print(f"{r['year']}  {r['published_at']}  {len(r['holidays'])} holidays, "
                          f"{len(r['workdays'])} make-up working days  {r['source']}")
    finally:
        db.close()
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``calendar publish FILE`` and ``calendar list`` to the ``xuhui-hub`` command."""
    p = sub.add_parser("calendar", help="official working-day calendars published to the stations")
    csub = p.add_subparsers(dest="action", required=True)
    a = csub.add_parser("publish", parents=[common],
                        help="publish a year's official calendar (TOML, as resources/calendar/YYYY.toml)")
    a.add_argument("file")
    a.add_argument("--actor", help="who published it")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_calendar)
    a = csub.add_parser("list", parents=[common], help="the published years")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_calendar)
