"""What a new request is given: its category (the router's suggestion unless the
specialist chose), the department that owns it, and its SLA due time."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuhui_desk.models import RoutingCorrection

if TYPE_CHECKING:
    from xuhui_desk.services.routing import Router, RoutingResult
    from xuhui_desk.services.workdays import SlaDue, WorkCalendar


@cache
def _plain_router() -> Router:
    from xuhui_desk.services.routing import Router
    from xuhui_desk.services.taxonomy import load_taxonomy

    return Router(load_taxonomy())


def load_router(session: Session) -> Router:
    """The station's router: the taxonomy's rules blended with this station's corrections."""
    from xuhui_desk.services.routing import Correction, Router
    from xuhui_desk.services.taxonomy import load_taxonomy

    rows = session.execute(select(RoutingCorrection.text, RoutingCorrection.chosen).order_by(RoutingCorrection.id))
    return Router(load_taxonomy(), [Correction(text=t, category=c) for t, c in rows])


def suggest(
    text: str, enterprise_name: str | None = None, *, router: Router | None = None, language: str = "zh_CN"
) -> RoutingResult:
    return (router or _plain_router()).suggest(text, enterprise_name=enterprise_name, language=language)


def learn(text: str, category: str, *, router: Router | None = None) -> None:
    if router is not None:
        router.learn(text, category)


def department_for(category: str, subcategory: str | None = None) -> str | None:
    from xuhui_desk.services.taxonomy import load_taxonomy

    return load_taxonomy().department_for(category, subcategory).code


def calendar(session: Session | None = None) -> WorkCalendar:
    """The working-day calendar: the station's (with its imported and published official years)
    when given a session of its database, else the program's default."""
    if session is not None:
        from xuhui_desk.services.calendar_updates import station_calendar

        return station_calendar(session)
    from xuhui_desk.services.workdays import default_calendar

    return default_calendar()


def due_for(category: str, urgency: str, received_at: datetime, session: Session | None = None, *,
            work_calendar: WorkCalendar | None = None) -> SlaDue | None:
    """Due time: the category's SLA in working days on China's official calendar, flagged
    provisional when a year it crosses has no official calendar yet (see services/workdays.py).

    None only for a year the calendar cannot count at all (before 2025 and unknown).
    ``work_calendar``: the station's calendar already at hand (else read with ``session``).
    """
    from xuhui_desk.services.taxonomy import load_taxonomy
    from xuhui_desk.services.workdays import CalendarYearUnknown

    days = load_taxonomy().sla_days(category, urgency)
    try:
        return (work_calendar or calendar(session)).due(received_at, days)
    except CalendarYearUnknown:
        return None


def sla_due(category: str, urgency: str, received_at: datetime, session: Session | None = None) -> datetime | None:
    """The due time of :func:`due_for` without its provisional flag."""
    due = due_for(category, urgency, received_at, session)
    return due.at if due is not None else None
