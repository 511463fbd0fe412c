"""The public tracking page the receipt's QR code opens: ``/track/{tracking_no}?code=…``.

Without the receipt's verification code (:mod:`xuhui_desk.tracking`) it shows only a form and
looks nothing up, so a tracking number alone reveals nothing, not even whether it exists. A
wrong code counts against the client's address and against the tracking number (database
throttle, shared by every hub process); past the limit both are refused for a while. With the
right code: status, category, department and dates — no names, phones or text. Once replied,
the company can rate the service (1–5 and a comment); see :func:`actions.rate`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL

from xuhui_desk.hub.console import accounts, actions
from xuhui_desk.hub.console.i18n import Translator
from xuhui_desk.hub.console.web import (
    LANGUAGE_COOKIE,
    PRE_CSRF_COOKIE,
    ConsoleRefusal,
    check_pre_csrf,
    client_ip,
    config_of,
    db_of,
    language_of,
    pre_csrf_token,
    read_form,
    redirect,
    render,
    set_cookie,
    user_agent,
)
from xuhui_desk.hub.models import HubEvent, HubRequest
from xuhui_desk.models import Status, utcnow
from xuhui_desk.tracking import code_matches, normalize_code

router = APIRouter(include_in_schema=False)

_STEP_STATUSES = {s.value for s in Status}


class _Locked(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _keys(request: Request, tracking_no: str) -> tuple[str, str]:
    return f"track-ip:{client_ip(request)}"[:120], f"track-no:{tracking_no}"[:120]


def _verify(request: Request, tracking_no: str, code: str) -> HubRequest | None:
    """The request when ``code`` is its code; None (and one failure counted) otherwise.
    Raises :class:`_Locked` while the address or the tracking number is locked."""
    cfg = config_of(request)
    db = db_of(request)
    ip_key, no_key = _keys(request, tracking_no)
    now = utcnow()
    with db.session() as s:
        wait = max(accounts.throttle_wait(s, ip_key, now), accounts.throttle_wait(s, no_key, now))
        if wait:
            raise _Locked(wait)
        req = None
        if "\x00" not in tracking_no and len(tracking_no) <= 32:
            req = s.scalars(select(HubRequest).where(HubRequest.tracking_no == tracking_no)).first()
    if req is not None and code_matches(req.uuid, code):
        return req
    window = lock_for = timedelta(minutes=cfg.track_lock_minutes)
    with db.write() as s:
        accounts.throttle_failure(s, ip_key, now, window=window, lock_after=cfg.track_failures, lock_for=lock_for)
        accounts.throttle_failure(s, no_key, now, window=timedelta(hours=1), lock_after=3 * cfg.track_failures,
                                  lock_for=lock_for)
    return None


def _facts(request: Request, req: HubRequest) -> dict[str, Any]:
    """What the page may show: codes and dates only."""
    with db_of(request).session() as s:
        events = s.execute(select(HubEvent.kind, HubEvent.occurred_at, HubEvent.data)
                           .where(HubEvent.request_id == req.id).order_by(HubEvent.id)).all()
    steps: list[tuple[datetime, str]] = [(req.created_at, "new")]
    replied_at: datetime | None = None
    for kind, occurred, data in events:
        status = data.get("status") if isinstance(data, dict) else None
        if kind != "created" and isinstance(status, str) and status in _STEP_STATUSES:
            if not steps or steps[-1][1] != status:
                steps.append((occurred, status))
            if status == Status.REPLIED:
                replied_at = occurred
    return {"status": req.status, "category": req.category, "department": req.department,
            "created_at": req.created_at, "due_at": req.sla_due_at, "replied_at": replied_at, "steps": steps,
            "can_rate": req.status == Status.REPLIED}


def _page(request: Request, tracking_no: str, *, code: str = "", error: str = "", facts: dict[str, Any] | None = None,
          notice: str = "", status: int = 200) -> HTMLResponse:
    token = pre_csrf_token(request)
    response = render(request, "track.html", {
        "tracking_no": tracking_no, "code": code, "error": error, "facts": facts, "notice": notice,
        "csrf_token": token}, status=status)
    set_cookie(request, response, PRE_CSRF_COOKIE, token)
    response.headers["Referrer-Policy"] = "no-referrer"  # the code is in the URL
    if request.query_params.get("lang"):
        set_cookie(request, response, LANGUAGE_COOKIE, language_of(request), max_age=365 * 86400, http_only=False)
    return response


def _locked_page(request: Request, tracking_no: str, seconds: float) -> HTMLResponse:
    t = Translator(language_of(request))
    return _page(request, tracking_no, error=t("track.rate_limited", minutes=max(1, round(seconds / 60))),
                 status=429)


@router.get("/track")
def track_start(request: Request) -> Response:
    number = (request.query_params.get("tracking_no") or "").strip()[:40]
    if number:
        return redirect(str(URL(f"/track/{number}").include_query_params(
            code=normalize_code(request.query_params.get("code", ""))[:12])))
    return _page(request, "")


@router.get("/track/{tracking_no}")
def track(request: Request, tracking_no: str) -> HTMLResponse:
    tracking_no = tracking_no.strip()[:40]
    code = (request.query_params.get("code") or "").strip()[:20]
    if not code:
        return _page(request, tracking_no)
    try:
        req = _verify(request, tracking_no, code)
    except _Locked as exc:
        return _locked_page(request, tracking_no, exc.seconds)
    if req is None:
        t = Translator(language_of(request))
        return _page(request, tracking_no, code=code, error=t("track.not_found"), status=404)
    notice = request.query_params.get("rated", "")
    t = Translator(language_of(request))
    text = ""
    if notice == "1":
        text = t("track.rated")
    elif notice.startswith("low:"):
        text = t("track.rated_low", due=notice[4:14])
    return _page(request, tracking_no, code=normalize_code(code), facts=_facts(request, req), notice=text)


@router.post("/track/{tracking_no}/rate")
async def rate(request: Request, tracking_no: str) -> Response:
    form = await read_form(request)
    tracking_no = tracking_no.strip()[:40]
    code = form.get("code", "")[:20]
    try:
        check_pre_csrf(request, form)
    except ConsoleRefusal:
        t = Translator(language_of(request))
        return _page(request, tracking_no, code=code, error=t("error.csrf"), status=403)
    try:
        req = await run_in_threadpool(_verify, request, tracking_no, code)
    except _Locked as exc:
        return _locked_page(request, tracking_no, exc.seconds)
    t = Translator(language_of(request))
    if req is None:
        return _page(request, tracking_no, code=code, error=t("track.not_found"), status=404)
    rating = int(form["rating"]) if form.get("rating", "").isdigit() else 0
    try:
        result = await run_in_threadpool(actions.rate, db_of(request), tracking_no, rating, form.get("comment", ""),
                                         t("track.rate_actor"), actions.Client(client_ip(request), user_agent(request)))
    except actions.ActionRefused as exc:
        facts = await run_in_threadpool(_facts, request, req)
        return _page(request, tracking_no, code=normalize_code(code), facts=facts, error=t(exc.key, **exc.params),
                     status=400)
    from xuhui_desk.services.reports import SHANGHAI

    due = result["due"]
    rated = f"low:{due.astimezone(SHANGHAI).date().isoformat()}" if due is not None else "1"
    return redirect(str(URL(f"/track/{tracking_no}").include_query_params(code=normalize_code(code), rated=rated)))
