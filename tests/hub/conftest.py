"""Hub fixtures: every hub test runs on SQLite and, when ``XUHUI_TEST_POSTGRES_URL`` is set,
on PostgreSQL too (a fresh schema per test)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.synckit import POSTGRES_ENV, HubThread, postgres_schema_url

if TYPE_CHECKING:
    from tests.hub.test_api import Station


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


@pytest.fixture
def stations(hub: HubThread) -> Iterator[Callable[[str], Station]]:
    from tests.hub.test_api import Station

    made: list[Station] = []

    def make(code: str) -> Station:
        made.append(Station(hub, code))
        return made[-1]

    yield make
    for st in made:
        st.client.close()


@pytest.fixture
def station(stations: Callable[[str], Station]) -> Station:
    return stations("XH03")
