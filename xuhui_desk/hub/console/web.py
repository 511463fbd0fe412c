"""What every console page needs from the HTTP request: the configuration, the client's address
and scheme (trusting ``X-Forwarded-*`` only from configured proxies), the language, cookies,
the CSRF check, form parsing and template rendering."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import URL

from xuhui_desk.hub.console.accounts import LoginPolicy, Principal
from xuhui_desk.hub.console.i18n import Translator, pick_language
from xuhui_desk.services.reports import SHANGHAI

SESSION_COOKIE = "xuhui_console"
LANGUAGE_COOKIE = "xuhui_lang"
#: Double-submit cookie of the forms shown before a session exists (login, tracking page rating).
PRE_CSRF_COOKIE = "xuhui_csrf"
MAX_FORM_BYTES = 64 * 1024
HERE = Path(__file__).resolve().parent


class ConsoleRefusal(Exception):
    """A page-level refusal rendered as an HTML error page (404, 403, 400, 429)."""

    def __init__(self, status: int, message_key: str, **params: Any) -> None:
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key
        self.params = params


class LoginRequired(Exception):
    """No valid session: redirect to the login page (``expired`` when a cookie was there)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    out = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            out.append(ipaddress.ip_network(part.strip(), strict=False))
    return tuple(out)


@dataclass(frozen=True)
class ConsoleConfig:
    """Console settings (``XUHUI_CONSOLE_*`` / ``XUHUI_HUB_TRUSTED_PROXIES``; docs/console.md)."""

    policy: LoginPolicy = field(default_factory=LoginPolicy)
    #: Reverse proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: Wrong tracking codes per client address (and per tracking number) before a lock.
    track_failures: int = 10
    track_lock_minutes: int = 15
    page_size: int = 50

    @classmethod
    def from_env(cls) -> ConsoleConfig:
        def num(name: str, default: int) -> int:
            value = os.environ.get(name)
            return int(value) if value else default

        base = LoginPolicy()
        policy = LoginPolicy(
            backoff_after=num("XUHUI_CONSOLE_BACKOFF_AFTER", base.backoff_after),
            lock_after=num("XUHUI_CONSOLE_LOCK_AFTER", base.lock_after),
            lock_minutes=num("XUHUI_CONSOLE_LOCK_MINUTES", base.lock_minutes),
            idle_minutes=num("XUHUI_CONSOLE_IDLE_MINUTES", base.idle_minutes),
            max_hours=num("XUHUI_CONSOLE_MAX_HOURS", base.max_hours),
        )
        return cls(policy=policy, trusted_proxies=_networks(os.environ.get("XUHUI_HUB_TRUSTED_PROXIES", "")),
                   track_failures=num("XUHUI_TRACK_MAX_FAILURES", cls.track_failures))


def config_of(request: Request) -> ConsoleConfig:
    config: ConsoleConfig = request.app.state.console_config
    return config


def db_of(request: Request) -> Any:
    return request.app.state.db


def _trusted(request: Request) -> bool:
    peer = request.client.host if request.client else ""
    nets = config_of(request).trusted_proxies
    if not peer or not nets:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in net for net in nets)


def client_ip(request: Request) -> str:
    """The browser's address: the proxy's ``X-Forwarded-For`` (its last hop) when the peer is a
    trusted proxy, else the peer itself."""
    peer = request.client.host if request.client else ""
    if _trusted(request):
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return peer[:64]


def is_https(request: Request) -> bool:
    if request.url.scheme == "https":
        return True
    return _trusted(request) and request.headers.get("x-forwarded-proto", "").split(",")[0].strip() == "https"


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:200]


def language_of(request: Request) -> str:
    return pick_language(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None = None,
               http_only: bool = True) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=http_only, samesite="lax", secure=is_https(request),
                        path="/")


def safe_next(target: str | None, default: str = "/console/") -> str:
    """Only a path on this site (no scheme, no host, no ``//``): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def read_form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the console's forms) as a dict of str."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise ConsoleRefusal(400, "error.bad_input", detail="form too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConsoleRefusal(400, "error.bad_input", detail="not UTF-8") from exc
    return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=200))


def check_csrf(expected: str, form: dict[str, str]) -> None:
    given = form.get("csrf_token", "")
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ConsoleRefusal(403, "error.csrf")


def pre_csrf_token(request: Request) -> str:
    """The double-submit token of a form shown without a session (kept in a cookie)."""
    return request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)


def check_pre_csrf(request: Request, form: dict[str, str]) -> None:
    check_csrf(request.cookies.get(PRE_CSRF_COOKIE, ""), form)


@cache
def templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["fmt"] = fmt_local
    return env


def fmt_local(moment: datetime | None, with_time: bool = True) -> str:
    """Shanghai wall-clock text of an aware datetime ("" for None)."""
    if moment is None:
        return ""
    local = moment.astimezone(SHANGHAI)
    return local.strftime("%Y-%m-%d %H:%M") if with_time else local.strftime("%Y-%m-%d")


def render(request: Request, name: str, context: dict[str, Any], *, status: int = 200,
           principal: Principal | None = None) -> HTMLResponse:
    lang = language_of(request)
    t = Translator(lang)
    here = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    other = "en" if lang == "zh_CN" else "zh_CN"
    html = templates().get_template(name).render(
        t=t, lang=lang, user=principal, path=request.url.path, here=here,
        switch_url=str(URL("/console/lang").include_query_params(to=other, next=here)),
        html_lang="zh-CN" if lang == "zh_CN" else "en", **context)
    response = HTMLResponse(html, status_code=status)
    # Pages hold personal data: never cached, never framed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                                   "script-src 'self'; form-action 'self'; frame-ancestors 'none'")
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
