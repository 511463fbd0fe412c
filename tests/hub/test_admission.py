"""Sync first (xuhui_desk/hub/admission.py): console pages and the tracking page wait while a
station's push is in flight (up to a bound), at most N of them work at once, and health checks
are never held back — the real hub over real HTTP, on SQLite and PostgreSQL.

A push is held "in flight" by wrapping the hub's ``store.apply_push`` (the hub runs in this
process): it blocks until the test lets it go, exactly as a large batch would keep the hub busy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.hub.test_api import Station, enterprise
from tests.synckit import HubThread, wait_for
from xuhui_desk.hub import admission, store
from xuhui_desk.hub.console import pages

PAGES = ("/console/login", "/track")


class HeldPush:
    """Makes the hub's next pushes block inside ``apply_push`` until :meth:`release`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()
        self.released_at = 0.0
        original = store.apply_push

        def held(*args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            assert self.released.wait(30), "the test never released the push"
            return original(*args, **kwargs)

        monkeypatch.setattr(store, "apply_push", held)

    def release(self) -> None:
        self.released_at = time.monotonic()
        self.released.set()


class Fetch(threading.Thread):
    """One GET in a thread of its own; ``done_at`` is when its answer arrived."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(daemon=True)
        self.url, self.kwargs = url, kwargs
        self.response: httpx.Response | None = None
        self.done_at = 0.0
        self.start()

    def run(self) -> None:
        self.response = httpx.get(self.url, timeout=30, **self.kwargs)
        self.done_at = time.monotonic()


@pytest.fixture
def gated_hub(hub_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., HubThread]]:
    started: list[HubThread] = []

    def start(wait: float, concurrency: int) -> HubThread:
        # The hub reads its admission settings from the environment, as `xuhui-hub serve` does.
        monkeypatch.setenv(admission.WAIT_ENV, str(wait))
        monkeypatch.setenv(admission.CONCURRENCY_ENV, str(concurrency))
        started.append(HubThread(hub_database_url).start())
        return started[-1]

    yield start
    for hub in started:
        hub.stop()


class Pusher(threading.Thread):
    """A station pushing one batch, in a thread of its own."""

    def __init__(self, hub: HubThread) -> None:
        super().__init__(daemon=True)
        self.station = Station(hub, "XH03")
        self.answers: list[httpx.Response] = []
        self.start()

    def run(self) -> None:
        try:
            self.answers.append(self.station.push([enterprise()], timeout=30))
        finally:
            self.station.client.close()


def _push_in_flight(hub: HubThread, held: HeldPush) -> Pusher:
    pusher = Pusher(hub)
    assert held.entered.wait(10), "the push never reached the hub's store"
    return pusher


def _health_answers(hub: HubThread) -> None:
    t0 = time.monotonic()
    resp = httpx.get(f"{hub.url}/api/v1/health", timeout=5)
    assert resp.status_code == 200 and resp.json()["status"] == "ok"
    assert time.monotonic() - t0 < 2.0


def test_pages_wait_until_the_push_in_flight_ends(gated_hub: Callable[..., HubThread],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    hub = gated_hub(wait=20, concurrency=4)
    # Without sync activity a page is not held back (far below the 20 s bound).
    for path in PAGES:
        t0 = time.monotonic()
        assert httpx.get(hub.url + path, timeout=30).status_code == 200
        assert time.monotonic() - t0 < 5.0
    held = HeldPush(monkeypatch)
    pusher = _push_in_flight(hub, held)
    fetches = [Fetch(hub.url + path) for path in PAGES]
    time.sleep(1.5)
    assert all(f.is_alive() for f in fetches), "a page was served while a push was in flight"
    _health_answers(hub)  # health is never gated
    held.release()
    pusher.join(30)
    assert pusher.answers and pusher.answers[0].status_code == 200, pusher.answers
    for f in fetches:
        f.join(30)
        assert f.response is not None and f.response.status_code == 200
        assert f.done_at >= held.released_at


def test_a_page_waits_no_longer_than_the_bound(gated_hub: Callable[..., HubThread],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    hub = gated_hub(wait=0.5, concurrency=4)
    held = HeldPush(monkeypatch)
    pusher = _push_in_flight(hub, held)
    try:
        t0 = time.monotonic()
        page = Fetch(hub.url + "/console/login")
        page.join(20)
        # Served while the push is still held: pages are delayed, never starved.
        assert page.response is not None and page.response.status_code == 200
        assert not held.released.is_set() and pusher.is_alive()
        assert page.done_at - t0 >= 0.45
    finally:
        held.release()
        pusher.join(30)


def test_at_most_n_console_requests_work_at_once(gated_hub: Callable[..., HubThread],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    hub = gated_hub(wait=1.5, concurrency=2)
    lock = threading.Lock()
    working = [0, 0]  # now, most at once
    go = threading.Event()
    original = pages._login_page

    def slow_login_page(*args: Any, **kwargs: Any) -> Any:
        with lock:
            working[0] += 1
            working[1] = max(working[1], working[0])
        try:
            assert go.wait(30)
            return original(*args, **kwargs)
        finally:
            with lock:
                working[0] -= 1

    monkeypatch.setattr(pages, "_login_page", slow_login_page)
    fetches = [Fetch(f"{hub.url}/console/login") for _ in range(5)]
    try:
        wait_for(lambda: working[0] == 2, timeout=10)
        time.sleep(1.0)  # time enough for the other three to start, were they let in
        assert working == [2, 2]
        _health_answers(hub)  # health is never gated
    finally:
        go.set()
    for f in fetches:
        f.join(30)
        assert f.response is not None and f.response.status_code == 200
    assert working == [0, 2]


def test_what_is_gated() -> None:
    kind = admission.request_kind
    assert kind("/api/v1/sync/push") == kind("/api/v1/sync/pull") == "sync"
    assert kind("/api/v1/attachments/status") == kind("/api/v1/attachments/" + "a" * 64) == "sync"
    assert kind("/console/") == kind("/console") == kind("/console/requests/XH03-1") == "console"
    assert kind("/track") == kind("/track/XH03-20260101-0001") == "console"
    assert kind("/api/v1/health") == kind("/") == kind("/api/v1/requests/X/update") == "other"
    assert kind("/console/static/console.css") == kind("/console/fonts/NotoSansSC-Regular.otf") == "other"
    assert kind("/tracker") == kind("/consoles") == "other"


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(admission.WAIT_ENV, raising=False)
    monkeypatch.delenv(admission.CONCURRENCY_ENV, raising=False)
    monkeypatch.delenv(admission.LINGER_ENV, raising=False)
    monkeypatch.delenv(admission.ACROSS_ENV, raising=False)
    assert admission.AdmissionSettings.from_env() == admission.AdmissionSettings(1.5, 2, 0.05, True)
    monkeypatch.setenv(admission.WAIT_ENV, "0.25")
    monkeypatch.setenv(admission.CONCURRENCY_ENV, "0")
    monkeypatch.setenv(admission.LINGER_ENV, "0")
    monkeypatch.setenv(admission.ACROSS_ENV, "0")
    assert admission.AdmissionSettings.from_env() == admission.AdmissionSettings(0.25, 0, 0.0, False)
    with pytest.raises(ValueError):
        admission.AdmissionSettings(console_wait_seconds=-1)
