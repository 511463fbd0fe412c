"""Hub fixtures: every hub test runs on SQLite and, when ``XUHUI_TEST_POSTGRES_URL`` is set,
on PostgreSQL too (a fresh schema per test)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.synckit import POSTGRES_ENV, HubThread, postgres_schema_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set")
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def hub(hub_database_url: str) -> Iterator[HubThread]:
    server = HubThread(hub_database_url, max_body_bytes=256 * 1024, max_batch_records=100,
                       admin_token="district-secret").start()
    try:
        yield server
    finally:
        server.stop()
