"""The hub's HTTP API (FastAPI): the app is its routers (``xuhui_desk/hub/routes/``) plus the
error handlers and state they share (``xuhui_desk/hub/http.py``).

``GET  /api/v1/health``                     server version, protocol, time, hub id, limits
``POST /api/v1/sync/push``                  a station's batch → one result per record
``GET  /api/v1/sync/pull?cursor=N&limit=M`` the calling station's change feed, paged
``POST /api/v1/requests/{tracking_no}/update``  district staff (admin token) change a request
``POST /api/v1/attachments/…``              a station's attachment files, in chunks (docs/attachments.md)
``GET  /api/v1/calendar``                   the official calendar years the district published
``GET  /api/v1/policies?since=N``           the district's policy catalogue (docs/policies.md)

Stations authenticate with ``Authorization: Bearer TOKEN``; sync calls must carry the
``X-Xuhui-Protocol`` header (too old or missing → 426). Errors are JSON
``{"error": code, "message": text}``: 400 malformed, 401 bad token, 403 wrong station,
409 batch id reused for other records (never retry), 413 body or batch too large (split),
415 unknown content encoding, 426 upgrade required, 429 over the station's quota (retry after
``Retry-After``), 503 busy (retry later).

Console pages yield to the sync API (``xuhui_desk/hub/admission.py``, docs/console.md "Sync
first"): the whole app is wrapped in a per-process gate that holds console requests back while a
station's sync request is in flight, for a bounded time.

The OpenAPI document is at ``/openapi.json``; there is no browsable ``/docs`` page (it would
load Swagger UI from a CDN). More routers (a district console, say) are added with
``app.include_router(...)`` and reuse the dependencies in ``routes/deps.py``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from xuhui_desk import __version__
from xuhui_desk.hub import calendar_api, policies_api
from xuhui_desk.hub.admission import AdmissionSettings, SyncFirstGate
from xuhui_desk.hub.database import HubDatabase
from xuhui_desk.hub.http import (
    MAX_JSON_DEPTH,
    ApiError,
    HubConfig,
    StationQuota,
    check_decoded_json,
    install_error_handlers,
)
from xuhui_desk.hub.routes import admin, attachments, health, sync


def create_app(db: HubDatabase, config: HubConfig | None = None,
               admission: AdmissionSettings | None = None) -> FastAPI:
    """The hub's ASGI application serving ``db`` (the caller opens, migrates and closes it).

    ``admission`` (default: :meth:`AdmissionSettings.from_env`) says how console pages yield to
    the sync API."""
    cfg = config or HubConfig()
    app = FastAPI(title="xuhui-hub", version=__version__, docs_url=None, redoc_url=None,
                  description="District hub of the Xuhui enterprise service stations (sync peer). "
                              "See docs/sync.md.")
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.state.db = db
    app.state.config = cfg
    app.state.quota = StationQuota(cfg)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(sync.router)
    app.include_router(admin.router)
    app.include_router(calendar_api.router)
    app.include_router(policies_api.router)  # the policy catalogue for stations (docs/policies.md)
    app.include_router(attachments.router)  # stations' file uploads (docs/attachments.md)
    from xuhui_desk.hub.console import install_console  # the district console's pages (docs/console.md)

    install_console(app)
    from xuhui_desk.hub.console import attachments as console_attachments  # downloads (docs/attachments.md)

    app.include_router(console_attachments.router)
    # Added last, so outermost: a sync request counts as in flight from its first byte to its last.
    app.add_middleware(SyncFirstGate, settings=admission or AdmissionSettings.from_env())
    return app


__all__ = ["MAX_JSON_DEPTH", "AdmissionSettings", "ApiError", "HubConfig", "check_decoded_json", "create_app"]
