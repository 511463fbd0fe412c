"""The district console: the hub's web pages for department handlers, the district coordinator,
admins and viewers (``/console/…``), and the public tracking page the receipt's QR code opens
(``/track/…``). Server-rendered (Jinja2), no script needed, no CDN. See docs/console.md.

:func:`install_console` adds it to the hub's FastAPI app; the sync API is untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from xuhui_desk.hub.console.web import ConsoleConfig

_FONTS = {"NotoSansSC-Regular.otf", "NotoSansSC-Bold.otf"}


def install_console(app: FastAPI, config: ConsoleConfig | None = None) -> None:
    """Mount the console and the tracking page on the hub's ``app`` (which holds ``app.state.db``)."""
    # Imported here, not at the top: ``xuhui-hub user …`` imports this package and must work (and
    # say which extra is missing) without the web stack.
    from fastapi import Request
    from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
    from fastapi.staticfiles import StaticFiles
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import URL

    from xuhui_desk.hub.console import pages, tracking_page
    from xuhui_desk.hub.console.sync_watch import PullRecorder
    from xuhui_desk.hub.console.web import HERE, ConsoleConfig, ConsoleRefusal, LoginRequired, render

    app.state.console_config = config or ConsoleConfig.from_env()
    app.add_middleware(PullRecorder, db=app.state.db)
    app.include_router(pages.router)
    from xuhui_desk.hub.console import policy_pages  # 政策 (docs/console.md "Policies")

    app.include_router(policy_pages.router)
    app.include_router(tracking_page.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.get("/console/fonts/{name}", include_in_schema=False)
    def font(name: str) -> Response:
        # The project's own font, for browsers without a Chinese font (print, kiosks).
        from xuhui_desk.resources import resource_path

        if name not in _FONTS:
            return Response(status_code=404)
        return FileResponse(resource_path("fonts", name), media_type="font/otf",
                            headers={"Cache-Control": "public, max-age=604800"})

    @app.get("/console", include_in_schema=False)
    def console_root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=308)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        params: dict[str, Any] = {"next": target}
        if exc.expired:
            params["expired"] = "1"
        if request.method != "GET":
            params = {"expired": "1"} if exc.expired else {}
        return RedirectResponse(str(URL("/console/login").include_query_params(**params)), status_code=303)

    @app.exception_handler(ConsoleRefusal)
    async def _refusal(request: Request, exc: ConsoleRefusal) -> HTMLResponse:
        who = None
        if exc.status != 404 or request.cookies.get("xuhui_console"):
            try:
                who = await run_in_threadpool(pages.current_user, request)
            except LoginRequired:
                who = None
        return render(request, "error.html", {"status": exc.status, "message_key": exc.message_key,
                                              "params": exc.params}, status=exc.status, principal=who)


__all__ = ["install_console"]
