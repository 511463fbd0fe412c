"""The console's pages (``/console/…``): login, inbox, request, dashboard, stations, roll-up,
users and audit log. Server-rendered HTML; every form carries the session's CSRF token.

Routes are plain functions of the request: the principal comes from :func:`current_user`
(a session cookie, checked against the database), every refusal is an exception the
handlers installed by :func:`xuhui_desk.hub.console.install_console` turn into a page.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL

from xuhui_desk.hub import attachments as hub_attachments
from xuhui_desk.hub import store
from xuhui_desk.hub.console import accounts, actions, casework, dashboard
from xuhui_desk.hub.console.accounts import ADMIN, COORDINATOR, HANDLER, ROLES, VIEWER, Principal
from xuhui_desk.hub.console.web import (
    LANGUAGE_COOKIE,
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    ConsoleRefusal,
    LoginRequired,
    check_csrf,
    check_pre_csrf,
    client_ip,
    config_of,
    db_of,
    language_of,
    pre_csrf_token,
    read_form,
    redirect,
    render,
    safe_next,
    set_cookie,
    user_agent,
)
from xuhui_desk.hub.models import ConsoleAudit, ConsoleUser, HubStation
from xuhui_desk.models import Status, utcnow

router = APIRouter(prefix="/console", include_in_schema=False)

_DONE = {"accept", "reply", "ask", "transfer"}


def current_user(request: Request) -> Principal:
    """The signed-in user, or :class:`LoginRequired` (redirect to the login page)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise LoginRequired()
    who = accounts.resume(db_of(request), token, policy=config_of(request).policy)
    if who is None:
        raise LoginRequired(expired=True)
    return who


Who = Annotated[Principal, Depends(current_user)]


def _need(who: Principal, *roles: str) -> None:
    if who.role not in roles:
        raise ConsoleRefusal(403, "error.forbidden")


def _client(request: Request) -> actions.Client:
    return actions.Client(client_ip(request), user_agent(request))


def _departments() -> list[Any]:
    from xuhui_desk.services.taxonomy import load_taxonomy

    return list(load_taxonomy().departments)


def _categories() -> list[Any]:
    from xuhui_desk.services.taxonomy import load_taxonomy

    return list(load_taxonomy().categories)


def _station_codes(request: Request) -> list[str]:
    with db_of(request).session() as s:
        return list(s.scalars(select(HubStation.code).order_by(HubStation.code)))


# --- login / logout / language ------------------------------------------------------------------

def _login_page(request: Request, *, error: str = "", status: int = 200, username: str = "",
                notice: str = "") -> HTMLResponse:
    token = pre_csrf_token(request)
    response = render(request, "login.html", {
        "csrf_token": token, "error": error, "notice": notice, "username": username,
        "next": safe_next(request.query_params.get("next"))}, status=status)
    set_cookie(request, response, PRE_CSRF_COOKIE, token)
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    notice = ""
    if request.query_params.get("expired"):
        notice = "login.expired"
    elif request.query_params.get("bye"):
        notice = "login.logged_out"
    return _login_page(request, notice=notice)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    form = await read_form(request)
    check_pre_csrf(request, form)
    username, password = form.get("username", ""), form.get("password", "")
    cfg = config_of(request)
    from xuhui_desk.hub.console.i18n import Translator

    t = Translator(language_of(request))
    try:
        token, _who = await run_in_threadpool(
            accounts.login, db_of(request), username, password, ip=client_ip(request),
            user_agent=user_agent(request), policy=cfg.policy)
    except accounts.LoginRefused as exc:
        minutes = max(1, round(exc.retry_after / 60))
        seconds = max(1, round(exc.retry_after))
        message = {"failed": t("login.failed"), "locked": t("login.locked", minutes=minutes),
                   "backoff": t("login.backoff", seconds=seconds),
                   "ip_locked": t("login.ip_locked", minutes=minutes)}[exc.reason]
        status = 401 if exc.reason == "failed" else 429
        return _login_page(request, error=message, status=status, username=username[:64])
    response = redirect(safe_next(form.get("next")))
    set_cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(PRE_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await read_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    who = await run_in_threadpool(current_user, request)
    check_csrf(who.csrf_token, form)

    def end() -> None:
        accounts.logout(db_of(request), token)
        with db_of(request).write() as s:
            accounts.audit(s, who.username, "logout", ip=client_ip(request), user_agent=user_agent(request))

    await run_in_threadpool(end)
    response = redirect("/console/login?bye=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang")
def switch_language(request: Request) -> Response:
    from xuhui_desk.hub.console.i18n import pick_language

    response = redirect(safe_next(request.query_params.get("next")))
    set_cookie(request, response, LANGUAGE_COOKIE, pick_language(request.query_params.get("to")),
               max_age=365 * 86400, http_only=False)
    return response


# --- inbox ----------------------------------------------------------------------------------------

def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConsoleRefusal(400, "error.bad_input", detail=text[:20]) from exc


def _choice(value: str | None, allowed: set[str]) -> str:
    value = (value or "").strip()
    return value if value in allowed else ""


@router.get("/")
def inbox(request: Request, who: Who) -> Response:
    if who.role == accounts.POLICY_EDITOR:  # sees no requests: the catalogue is their page
        return redirect("/console/policies")
    q = request.query_params
    statuses = {casework.STATUS_OPEN_WORK, casework.STATUS_ALL} | {s.value for s in Status}
    f = casework.InboxFilter(
        status=_choice(q.get("status"), statuses) or casework.STATUS_OPEN_WORK,
        station=(q.get("station") or "").strip().upper()[:16],
        category=_choice(q.get("category"), {str(c.code) for c in _categories()}),
        department=_choice(q.get("department"), {d.code for d in _departments()}),
        date_from=_date(q.get("from")), date_to=_date(q.get("to")),
        overdue=q.get("overdue") == "1", q=(q.get("q") or "").strip()[:200], after=(q.get("after") or "")[:100])
    page = casework.inbox(db_of(request), who, f, limit=config_of(request).page_size)
    params = f.query_params()
    next_url = str(URL("/console/").include_query_params(**params, after=page.next_after)) if page.next_after else ""
    first_url = str(URL("/console/").include_query_params(**params)) if f.after else ""
    return render(request, "inbox.html", {
        "f": f, "page": page, "next_url": next_url, "first_url": first_url,
        "stations": _station_codes(request) if not who.station_code else [who.station_code],
        "categories": _categories(), "departments": _departments(), "statuses": [s.value for s in Status],
        "done_to": q.get("moved", "")[:32] if q.get("done") == "transfer" else "",
    }, principal=who)


# --- one request ----------------------------------------------------------------------------------

def _request_page(request: Request, who: Principal, tracking_no: str, *, error: str = "",
                  form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    try:
        view = casework.load_request(db_of(request), who, tracking_no)
    except casework.NotVisible as exc:
        raise ConsoleRefusal(404, "error.not_found") from exc
    done = request.query_params.get("done", "")
    from xuhui_desk.services.timefmt import iso_local

    can = who.may_act and view.status in casework.OPEN_WORK
    return render(request, "request.html", {
        "r": view, "can_act": can, "can_accept": can and view.status in (Status.NEW, Status.ROUTED),
        "done": done if done in _DONE else "", "done_department": request.query_params.get("moved", ""),
        "error": error, "form": form or {}, "departments": _departments(), "csrf_token": who.csrf_token,
        "iso_local": iso_local,
        "attachments": hub_attachments.attachments_of(db_of(request), view.tracking_no),  # whole files only
    }, principal=who, status=status)


@router.get("/requests/{tracking_no}")
def request_page(request: Request, tracking_no: str, who: Who) -> HTMLResponse:
    return _request_page(request, who, tracking_no)


@router.post("/requests/{tracking_no}/{action}")
async def request_action(request: Request, tracking_no: str, action: str) -> Response:
    form = await read_form(request)
    who = await run_in_threadpool(current_user, request)
    check_csrf(who.csrf_token, form)
    if action not in _DONE:
        raise ConsoleRefusal(404, "error.not_found")
    if not who.may_act:
        raise ConsoleRefusal(403, "error.forbidden")
    try:
        result = await run_in_threadpool(actions.act, db_of(request), who, tracking_no, action, form, _client(request))
    except actions.Gone as exc:
        raise ConsoleRefusal(404, "error.not_found") from exc
    except actions.ActionRefused as exc:
        from xuhui_desk.hub.console.i18n import Translator

        t = Translator(language_of(request))
        params = {k: (t.status(v) if k == "status" else v) for k, v in exc.params.items()}
        message = t(exc.key, **params)
        return await run_in_threadpool(lambda: _request_page(request, who, tracking_no, error=message,
                                                             form=form, status=400))
    target = URL(f"/console/requests/{tracking_no}").include_query_params(done=action)
    if action == "transfer":
        target = target.include_query_params(moved=result["department"] or "")
        # A handler who transferred it away can no longer see it: back to the inbox.
        if not who.sees_all_departments and result["department"] not in who.departments:
            target = URL("/console/").include_query_params(done="transfer", moved=result["department"] or "")
    return redirect(str(target))


# --- dashboard ------------------------------------------------------------------------------------

@router.get("/dashboard")
def dashboard_page(request: Request, who: Who) -> HTMLResponse:
    from xuhui_desk.services.reports import ReportError, last_complete_week, parse_week, week_of
    from xuhui_desk.services.workdays import CalendarYearUnknown

    if not who.may_see_dashboard:
        raise ConsoleRefusal(403, "error.forbidden")
    q = request.query_params
    now = utcnow()
    error = ""
    period: Any
    first, last = _date(q.get("from")), _date(q.get("to"))
    if first or last:
        first = first or last
        last = last or first
        assert first is not None and last is not None
        if last < first or (last - first).days >= dashboard.MAX_RANGE_DAYS:
            raise ConsoleRefusal(400, "dashboard.bad_range")
        period = dashboard.Period(first, last)
    elif q.get("week"):
        try:
            period = parse_week(q["week"].strip())
        except ReportError as exc:
            raise ConsoleRefusal(400, "dashboard.bad_week") from exc
    else:
        period = week_of(now) if now.weekday() >= 1 else last_complete_week(now)
    if period.start >= now:
        raise ConsoleRefusal(400, "dashboard.bad_range")
    try:
        board = dashboard.build_dashboard(db_of(request), period, who, language=language_of(request), now=now)
    except CalendarYearUnknown as exc:
        raise ConsoleRefusal(400, "error.bad_input", detail=str(exc)) from exc
    t_lang = language_of(request)
    from xuhui_desk.hub.console.i18n import Translator

    t = Translator(t_lang)
    report = board.report
    daily = dashboard.bar_chart_svg(
        [f"{d.day.month}/{d.day.day}" for d in report.daily],
        [(t("dashboard.legend_new"), "s1", [d.new for d in report.daily]),
         (t("dashboard.legend_resolved"), "s2", [d.resolved for d in report.daily])],
        title=t("dashboard.daily"))
    levels = dashboard.hbar_svg([(f"{lvl} {t.rating(lvl)}", report.satisfaction.by_level.get(lvl, 0))
                                 for lvl in (5, 4, 3, 2, 1)], css="s3", title=t("dashboard.levels"))
    week_value = q.get("week") or (period.label if not isinstance(period, dashboard.Period) else "")
    return render(request, "dashboard.html", {
        "b": board, "rep": report, "daily_svg": daily, "levels_svg": levels, "error": error,
        "week_value": week_value, "from_value": q.get("from", ""), "to_value": q.get("to", ""),
        "now": now, "timedelta": timedelta,
    }, principal=who)


# --- stations -------------------------------------------------------------------------------------

def _stations_page(request: Request, who: Principal, *, token: str = "", token_code: str = "",
                   error: str = "", notice: str = "", status: int = 200) -> HTMLResponse:
    from xuhui_desk.hub.console.sync_watch import waiting_changes

    now = utcnow()
    with db_of(request).session() as s:
        rows = s.execute(select(HubStation).order_by(HubStation.code)).scalars().all()
    # Bounded counts: "1000+" is as useful as the exact figure and stays cheap.
    sync = waiting_changes(db_of(request))
    return render(request, "stations.html", {
        "stations": rows, "sync": sync, "token": token, "token_code": token_code, "error": error,
        "notice": notice, "csrf_token": who.csrf_token, "now": now, "stale_after": dashboard.STALE_AFTER,
    }, principal=who, status=status)


@router.get("/stations")
def stations(request: Request, who: Who) -> HTMLResponse:
    _need(who, ADMIN, COORDINATOR, VIEWER)
    return _stations_page(request, who)


@router.post("/stations/{action}")
async def station_action(request: Request, action: str) -> Response:
    form = await read_form(request)
    who = await run_in_threadpool(current_user, request)
    check_csrf(who.csrf_token, form)
    _need(who, ADMIN)
    from xuhui_desk.hub.console.i18n import Translator

    t = Translator(language_of(request))
    code = form.get("code", "").strip().upper()[:16]
    db = db_of(request)

    def run() -> HTMLResponse:
        try:
            if action in ("add", "rotate"):
                token = store.add_station(db, code, form.get("name", "")[:100], rotate=action == "rotate")
                with db.write() as s:
                    accounts.audit(s, who.username, f"station_{action}", code, ip=client_ip(request),
                                   user_agent=user_agent(request))
                return _stations_page(request, who, token=token, token_code=code)
            if action == "revoke":
                store.revoke_station(db, code)
                with db.write() as s:
                    accounts.audit(s, who.username, "station_revoke", code, ip=client_ip(request),
                                   user_agent=user_agent(request))
                return _stations_page(request, who, notice=t("stations.revoked_done", code=code))
        except store.StationExists:
            return _stations_page(request, who, error=t("stations.exists"), status=400)
        except store.UnknownStation as exc:
            raise ConsoleRefusal(404, "error.not_found") from exc
        except store.HubError:
            return _stations_page(request, who, error=t("stations.invalid_code"), status=400)
        raise ConsoleRefusal(404, "error.not_found")

    return await run_in_threadpool(run)


# --- roll-up --------------------------------------------------------------------------------------

@router.get("/rollup")
def rollup(request: Request, who: Who) -> HTMLResponse:
    from xuhui_desk.services.reports import last_complete_week

    if not who.may_see_dashboard:
        raise ConsoleRefusal(403, "error.forbidden")
    return render(request, "rollup.html", {
        "week": last_complete_week(utcnow()).label,
        "stations": _station_codes(request) if not who.station_code else [who.station_code],
    }, principal=who)


@router.get("/rollup/download")
def rollup_download(request: Request, who: Who) -> Response:
    """The weekly workbook of ``xuhui-hub report`` (masked), for the district or one station."""
    from xuhui_desk.hub.report_rows import build_hub_report
    from xuhui_desk.services.reports import ReportError, default_filename, parse_week, write_weekly_report
    from xuhui_desk.services.workdays import CalendarYearUnknown

    if not who.may_see_dashboard:
        raise ConsoleRefusal(403, "error.forbidden")
    q = request.query_params
    try:
        week = parse_week((q.get("week") or "").strip())
    except ReportError as exc:
        raise ConsoleRefusal(400, "dashboard.bad_week") from exc
    station = who.station_code or (q.get("station") or "").strip().upper() or None
    try:
        report = build_hub_report(db_of(request), week, station=station, language=language_of(request))
    except (ReportError, CalendarYearUnknown) as exc:
        raise ConsoleRefusal(400, "error.bad_input", detail=str(exc)) from exc
    except store.UnknownStation as exc:
        raise ConsoleRefusal(404, "error.not_found") from exc
    folder = Path(tempfile.mkdtemp(prefix="xuhui-rollup-"))
    name = default_filename(station, week)
    path = folder / name
    write_weekly_report(report, path)
    with db_of(request).write() as s:
        accounts.audit(s, who.username, "rollup_download", week.label, detail={"station": station},
                       ip=client_ip(request), user_agent=user_agent(request))

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, filename=name, background=BackgroundTask(cleanup),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- users and audit (admin) ----------------------------------------------------------------------

def _users_page(request: Request, who: Principal, *, error: str = "", notice: str = "",
                form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    with db_of(request).session() as s:
        users = s.scalars(select(ConsoleUser).order_by(ConsoleUser.username)).all()
    return render(request, "users.html", {
        "users": users, "roles": ROLES, "departments": _departments(), "stations": _station_codes(request),
        "error": error, "notice": notice, "form": form or {}, "csrf_token": who.csrf_token,
    }, principal=who, status=status)


@router.get("/users")
def users(request: Request, who: Who) -> HTMLResponse:
    _need(who, ADMIN)
    return _users_page(request, who)


@router.post("/users/{action}")
async def user_action(request: Request, action: str) -> Response:
    body = await read_form(request)
    who = await run_in_threadpool(current_user, request)
    check_csrf(who.csrf_token, body)
    _need(who, ADMIN)
    from xuhui_desk.hub.console.i18n import Translator

    t = Translator(language_of(request))
    db = db_of(request)
    username = body.get("username", "").strip()[:64]

    def run() -> HTMLResponse:
        try:
            if action == "add":
                role = body.get("role", "")
                depts = [body["department"]] if role == HANDLER and body.get("department") else []
                station = body.get("station") if role == VIEWER else None
                accounts.create_user(db, username, body.get("password", ""), role, departments=depts,
                                     station=station or None, display_name=body.get("display_name", ""))
                message = t("users.created", username=username)
            elif action in ("disable", "enable"):
                accounts.set_disabled(db, username, action == "disable")
                message = t("users.updated", username=username)
            elif action == "password":
                accounts.set_password(db, username, body.get("password", ""))
                message = t("users.password_reset", username=username)
            else:
                raise ConsoleRefusal(404, "error.not_found")
        except accounts.AccountError as exc:
            return _users_page(request, who, error=str(exc), form=body, status=400)
        with db.write() as s:
            accounts.audit(s, who.username, f"user_{action}", username,
                           detail={"role": body.get("role")} if action == "add" else {},
                           ip=client_ip(request), user_agent=user_agent(request))
        return _users_page(request, who, notice=message)

    return await run_in_threadpool(run)


@router.get("/audit")
def audit_log(request: Request, who: Who) -> HTMLResponse:
    _need(who, ADMIN)
    before = request.query_params.get("before", "")
    stmt = select(ConsoleAudit).order_by(ConsoleAudit.id.desc()).limit(101)
    if before.isdigit():
        stmt = stmt.where(ConsoleAudit.id < int(before))
    with db_of(request).session() as s:
        rows = s.scalars(stmt).all()
    more = len(rows) > 100
    rows = rows[:100]
    return render(request, "audit.html", {
        "rows": rows, "older": f"/console/audit?before={rows[-1].id}" if more and rows else "",
    }, principal=who)


__all__ = ["current_user", "router"]
