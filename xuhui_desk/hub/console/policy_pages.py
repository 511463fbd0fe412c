"""The console's policy pages (政策, issue 15; docs/console.md "Policies"): the catalogue, one
policy (its fields, versions, pushes per station, the follow-up of each push, and for a 免申即享
policy the companies that qualify), the edit form, withdrawal.

Who may do what: everyone signed in reads the catalogue (a viewer limited to a station sees only
that station's pushes and companies); the coordinator and the ``policy_editor`` create, edit and
withdraw; the coordinator and a handler of the policy's department record the follow-up of a
push (applied, granted, declined). Every change is in the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL

from xuhui_desk import policies
from xuhui_desk.hub import policy_catalogue as catalogue
from xuhui_desk.hub.console import accounts
from xuhui_desk.hub.console.accounts import Principal
from xuhui_desk.hub.console.pages import Who, current_user
from xuhui_desk.hub.console.web import (
    ConsoleRefusal,
    check_csrf,
    client_ip,
    db_of,
    language_of,
    read_form,
    redirect,
    render,
    user_agent,
)
from xuhui_desk.services.reports import SHANGHAI

router = APIRouter(prefix="/console/policies", include_in_schema=False)

#: Companies listed per outcome on a 免申即享 policy's page (the rest are counted).
QUALIFYING_SHOWN = 200
#: The edit form's fields, in the order the page shows them (conditions are one JSON text).
FORM_FIELDS = ("id", "title", "department", "summary", "link", "valid_from", "valid_to", "apply", "apply_link",
               "apply_where", "benefit", "conditions")


def today() -> date:
    """The district's day (Shanghai): what "current" and ages are judged on."""
    from xuhui_desk.models import utcnow

    return utcnow().astimezone(SHANGHAI).date()


def _departments() -> list[Any]:
    from xuhui_desk.services.taxonomy import load_taxonomy

    return list(load_taxonomy().departments)


def _recorder(request: Request, who: Principal, action: str, target: str,
              detail: Callable[[dict[str, Any]], dict[str, Any]]) -> catalogue.Recorder:
    """The audit entry of a change, written in the change's own transaction."""
    def record(s: Session, done: dict[str, Any]) -> None:
        accounts.audit(s, who.username, action, target, detail=detail(done), ip=client_ip(request),
                       user_agent=user_agent(request))

    return record


# --- the catalogue ------------------------------------------------------------------------------

@router.get("")
def catalogue_page(request: Request, who: Who) -> HTMLResponse:
    status = request.query_params.get("status", "")
    rows = catalogue.list_policies(db_of(request), status=status if status in (catalogue.PUBLISHED,
                                                                               catalogue.WITHDRAWN) else None)
    day = today()
    for r in rows:
        r["current"] = (r["valid_from"] <= day.isoformat() and (r["valid_to"] is None
                                                                 or day.isoformat() <= r["valid_to"]))
        r["expired"] = r["valid_to"] is not None and r["valid_to"] < day.isoformat()
    return render(request, "policies.html", {
        "rows": rows, "status": status, "version": catalogue.catalogue_version(db_of(request)),
        "done": request.query_params.get("done", "")[:20], "apply_label": policies.apply_label,
    }, principal=who)


# --- one policy ---------------------------------------------------------------------------------

def _policy_page(request: Request, who: Principal, policy_id: str, *, error: str = "",
                 status: int = 200) -> HTMLResponse:
    db = db_of(request)
    try:
        row, policy = catalogue.get_policy(db, policy_id)
    except catalogue.UnknownPolicy as exc:
        raise ConsoleRefusal(404, "error.not_found") from exc
    lang = language_of(request)
    station = who.station_code
    per_station = [p for p in catalogue.pushes_per_station(db, policy_id) if not station or p["station"] == station]
    items = catalogue.pushes_of_policy(db, policy_id, station=station)
    qualifying: catalogue.Qualifying | None = None
    if policy.apply == "no_application":
        qualifying = catalogue.qualifying_companies(db, policy, today=today(), language=lang, station=station,
                                                    limit=QUALIFYING_SHOWN)
    reasons_params = [(key, value) for key, value in policy.conditions.items()]
    return render(request, "policy.html", {
        "p": policy, "row": row, "versions": catalogue.versions(db, policy_id), "per_station": per_station,
        "items": items, "qualifying": qualifying, "conditions": reasons_params,
        "may_follow_up": who.may_follow_up(policy.department), "csrf_token": who.csrf_token, "error": error,
        "done": request.query_params.get("done", "")[:20], "apply_label": policies.apply_label,
        "fact_label": policies.fact_label, "outcome_label": policies.outcome_label,
        "show_value": _show_condition, "today": today(), "when": _when,
    }, principal=who, status=status)


def _when(text: str | None) -> str:
    """A stored wire time as the console shows times (Shanghai wall clock)."""
    from xuhui_desk.hub.console.web import fmt_local

    return fmt_local(datetime.fromisoformat(text)) if text else ""


def _show_condition(key: str, value: Any, lang: str) -> str:
    """A condition's required value for the page (sizes by name, lists joined, yes/no)."""
    from xuhui_desk.hub.console.i18n import Translator

    sep = "、" if lang == "zh_CN" else ", "
    if key == "size":
        return sep.join(policies.size_label(s, lang) for s in value)
    if isinstance(value, bool):
        return Translator(lang)("policies.yes" if value else "policies.no")
    if isinstance(value, list | tuple):
        return sep.join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _require_editor(who: Principal) -> None:
    """Only the coordinator and a ``policy_editor`` create, edit and withdraw policies."""
    if not who.may_edit_policies:
        raise ConsoleRefusal(403, "error.forbidden")


async def _editor_form(request: Request) -> tuple[dict[str, str], Principal]:
    """A policy editor's posted form, its CSRF token checked (or the refusal)."""
    form = await read_form(request)
    who = await run_in_threadpool(current_user, request)
    check_csrf(who.csrf_token, form)
    _require_editor(who)
    return form, who


@router.get("/new")
def new_policy_form(request: Request, who: Who) -> HTMLResponse:
    _require_editor(who)
    return _edit_page(request, who, None, {"apply": "online", "conditions": "{}",
                                           "valid_from": today().isoformat()})


@router.get("/{policy_id}")
def policy_page(request: Request, policy_id: str, who: Who) -> HTMLResponse:
    return _policy_page(request, who, policy_id)


# --- edit / create --------------------------------------------------------------------------------

def _form_of(policy: policies.Policy) -> dict[str, str]:
    body = policy.to_json()
    out = {k: ("" if body.get(k) is None else str(body.get(k))) for k in FORM_FIELDS if k != "conditions"}
    out["conditions"] = json.dumps(body["conditions"], ensure_ascii=False, indent=1)
    out["sample"] = "1" if policy.sample else ""
    return out


def _edit_page(request: Request, who: Principal, policy_id: str | None, form: dict[str, str], *,
               problems: list[str] | None = None, status: int = 200) -> HTMLResponse:
    return render(request, "policy_edit.html", {
        "policy_id": policy_id, "form": form, "problems": problems or [], "departments": _departments(),
        "apply_modes": policies.APPLY_MODES, "apply_label": policies.apply_label, "csrf_token": who.csrf_token,
        "condition_keys": policies.CONDITION_KEYS, "sizes": policies.SIZES,
        "qualifications": policies.QUALIFICATIONS,
    }, principal=who, status=status)


@router.get("/{policy_id}/edit")
def edit_form(request: Request, policy_id: str, who: Who) -> HTMLResponse:
    _require_editor(who)
    try:
        _row, policy = catalogue.get_policy(db_of(request), policy_id)
    except catalogue.UnknownPolicy as exc:
        raise ConsoleRefusal(404, "error.not_found") from exc
    return _edit_page(request, who, policy_id, _form_of(policy))


def _parse_form(form: dict[str, str], policy_id: str | None,
                language: str) -> tuple[policies.Policy | None, list[str]]:
    """The form as a policy, or the problems in the reader's language (each named by its field)."""
    obj: dict[str, Any] = {k: form.get(k, "").strip() for k in FORM_FIELDS if k != "conditions"}
    if policy_id is not None:
        obj["id"] = policy_id  # the id of an existing policy is not editable
    obj["valid_to"] = obj["valid_to"] or None
    obj["sample"] = form.get("sample") == "1"
    problems: list[str] = []
    text = form.get("conditions", "").strip() or "{}"
    try:
        obj["conditions"] = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(policies.Problem("conditions", "file_json", {
            "line": exc.lineno, "column": exc.colno, "reason": exc.msg}).text(language))
        obj["conditions"] = {}
    try:
        checked = catalogue.check_catalogue({"policies": [obj]})
    except catalogue.CatalogueRefused as exc:
        problems += [p.removeprefix("policies[0].") for p in exc.texts(language)]
        return None, problems
    return (checked[0], []) if not problems else (None, problems)


async def _save(request: Request, policy_id: str | None) -> Response:
    form, who = await _editor_form(request)
    db = db_of(request)

    def run() -> Response:
        if policy_id is not None:
            try:
                catalogue.get_policy(db, policy_id)
            except catalogue.UnknownPolicy as exc:
                raise ConsoleRefusal(404, "error.not_found") from exc
        policy, problems = _parse_form(form, policy_id, language_of(request))
        if policy is not None and policy_id is None:
            try:
                catalogue.get_policy(db, policy.id)
                problems = [f"id: {policy.id} exists already; edit it instead"]
            except catalogue.UnknownPolicy:
                pass
        if policy is None or problems:
            return _edit_page(request, who, policy_id, form, problems=problems, status=400)
        action = "policy_create" if policy_id is None else "policy_edit"
        record = _recorder(request, who, action, policy.id, lambda done: {
            "version": done["versions"][policy.id], "catalogue_version": done["catalogue_version"]})
        summary = catalogue.publish(db, [policy], by=who.name, record=record)
        state = "created" if summary.created else "updated" if summary.updated else "unchanged"
        return redirect(str(URL(f"/console/policies/{policy.id}").include_query_params(done=state)))

    return await run_in_threadpool(run)


@router.post("/new")
async def create_policy(request: Request) -> Response:
    return await _save(request, None)


@router.post("/{policy_id}/edit")
async def edit_policy(request: Request, policy_id: str) -> Response:
    return await _save(request, policy_id)


@router.post("/{policy_id}/withdraw")
async def withdraw_policy(request: Request, policy_id: str) -> Response:
    form, who = await _editor_form(request)
    db = db_of(request)

    def run() -> Response:
        reason = form.get("reason", "")[:2000]
        record = _recorder(request, who, "policy_withdraw", policy_id, lambda done: {
            "reason": done["reason"][:200], "catalogue_version": done["catalogue_version"]})
        try:
            catalogue.withdraw(db, policy_id, by=who.name, reason=reason, record=record)
        except catalogue.UnknownPolicy as exc:
            raise ConsoleRefusal(404, "error.not_found") from exc
        return redirect(f"/console/policies/{policy_id}?done=withdrawn")

    return await run_in_threadpool(run)


@router.post("/{policy_id}/follow-up")
async def follow_up(request: Request, policy_id: str) -> Response:
    form = await read_form(request)
    who = await run_in_threadpool(current_user, request)
    check_csrf(who.csrf_token, form)
    db = db_of(request)
    item = form.get("item", "")
    state = form.get("state", "")

    def run() -> Response:
        try:
            row, _policy = catalogue.get_policy(db, policy_id)
        except catalogue.UnknownPolicy as exc:
            raise ConsoleRefusal(404, "error.not_found") from exc
        if not who.may_follow_up(row["department"]):
            raise ConsoleRefusal(403, "error.forbidden")
        if not item.isdigit() or catalogue.item_policy(db, int(item)) != policy_id:
            raise ConsoleRefusal(404, "error.not_found")
        record = _recorder(request, who, "policy_follow_up", policy_id, lambda done: {
            "item": done["item"], "from": done["from"], "state": done["state"], "station": done["station"],
            "enterprise": done["enterprise"][:60]})
        try:
            catalogue.set_follow_up(db, int(item), state, by=who.name, note=form.get("note", ""), record=record)
        except catalogue.FollowUpRefused:
            from xuhui_desk.hub.console.i18n import Translator

            message = Translator(language_of(request))("policies.follow_up_refused")
            return _policy_page(request, who, policy_id, error=message, status=400)
        return redirect(f"/console/policies/{policy_id}?done={state}#pushes")

    return await run_in_threadpool(run)


__all__ = ["router"]
