"""The hub's application as each worker process of ``xuhui-hub serve --workers N`` builds it.

uvicorn starts the workers as fresh processes that import an application *factory* by name, so
the settings reach them through the environment: ``cmd_serve`` migrates the database first, then
puts the resolved database URL and its command-line settings into ``XUHUI_HUB_*`` variables
before starting the workers. Nothing of the hub lives in one process's memory except each
worker's per-station rate quota and its console slots (on PostgreSQL the sync-first gate sees
every worker's pushes; docs/console.md, "Several hub processes" and "Sync first"), so N workers
serve like N ``xuhui-hub serve`` processes behind a proxy, on one port.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from xuhui_desk.hub.app import create_app
from xuhui_desk.hub.database import DATABASE_URL_ENV, open_hub_database
from xuhui_desk.hub.http import HubConfig


def app_from_environment() -> FastAPI:
    """The hub app on ``XUHUI_HUB_DATABASE_URL`` (already migrated by the parent) with the
    configuration of :meth:`HubConfig.from_env`."""
    db = open_hub_database(os.environ[DATABASE_URL_ENV], migrate=False)
    return create_app(db, HubConfig.from_env())
