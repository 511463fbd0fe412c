"""Fixtures of the sync tests: a real hub on 127.0.0.1, a fault-injecting proxy in front of it,
and a station database configured to sync through the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.synckit import FaultProxy, HubThread, open_station
from xuhui_desk.db import Database


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    server = HubThread(f"sqlite:///{tmp_path / 'hub.db'}").start()
    yield server
    server.stop()


@pytest.fixture
def proxy(hub: HubThread) -> Iterator[FaultProxy]:
    p = FaultProxy(hub.url).start()
    yield p
    p.stop()


@pytest.fixture
def station(tmp_path: Path, hub: HubThread, proxy: FaultProxy) -> Iterator[Database]:
    db = open_station(tmp_path / "station", "XH03", proxy.url, hub.add_station("XH03"))
    yield db
    db.close()
