"""The station's connection to the district hub for one round: keep-alive, the protocol
headers, the token only where needed, timeouts, and retries with back-off for transient
failures (connection errors, 5xx, 429); 401/403/409 are never retried."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from xuhui_desk import __version__
from xuhui_desk.codes import SyncErrorKind
from xuhui_desk.services.sync.errors import HubTimeout, SyncFailure, TooLarge, UpgradeRequired
from xuhui_desk.services.sync.options import SyncOptions
from xuhui_desk.sync_protocol import (
    CLIENT_HEADER,
    ERR_UPGRADE_REQUIRED,
    HEALTH_PATH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
)

if TYPE_CHECKING:
    import httpx


def _message_of(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])
    except ValueError:
        pass
    text = resp.text.strip().replace("\n", " ")
    return text[:200] or resp.reason_phrase


class HubClient:
    """One round's connection to the hub (keep-alive), with retries and back-off."""

    def __init__(self, url: str, token: str, options: SyncOptions, transport: httpx.BaseTransport | None,
                 sleep: Callable[[float], None], cancel: Callable[[], bool]) -> None:
        import httpx

        self.httpx = httpx
        self.options = options
        self.sleep = sleep
        self.cancel = cancel
        self.rng = random.Random()
        self.url = url.rstrip("/")
        # The token goes only with the calls that need it (push, pull), never to /health.
        self.auth = {"Authorization": f"Bearer {token}"}
        self.client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(connect=options.connect_timeout, read=options.read_timeout,
                                  write=options.read_timeout, pool=options.connect_timeout),
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION), CLIENT_HEADER: f"xuhui-desk/{__version__}",
                     "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.client.close()

    def _backoff(self, attempt: int, retry_after: str | None = None) -> None:
        cap = min(self.options.backoff_max, self.options.backoff_base * (2 ** attempt))
        delay = cap / 2 + self.rng.uniform(0, cap / 2)  # "equal jitter": spread out, never zero
        if retry_after and retry_after.isdigit():
            delay = max(delay, min(float(retry_after), self.options.backoff_max))
        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            if self.cancel():
                raise SyncFailure(SyncErrorKind.CANCELLED, "sync was cancelled")
            self.sleep(min(left, 0.2))

    def call(self, method: str, path: str, *, content: bytes | None = None, headers: dict[str, str] | None = None,
             params: dict[str, Any] | None = None, timeout: float | None = None,
             split_on_timeout: bool = False, auth: bool = False) -> httpx.Response:
        """A 2xx response, after retrying transient failures; raises SyncFailure otherwise.
        ``auth``: send the station's token (only push and pull need it)."""
        httpx = self.httpx
        if auth:
            headers = {**(headers or {}), **self.auth}
        last = ""
        last_kind = SyncErrorKind.UNREACHABLE
        for attempt in range(max(1, self.options.attempts)):
            if self.cancel():
                raise SyncFailure(SyncErrorKind.CANCELLED, "sync was cancelled")
            retry_after = None
            try:
                kwargs: dict[str, Any] = {"content": content, "headers": headers, "params": params}
                if timeout is not None:
                    kwargs["timeout"] = httpx.Timeout(timeout, connect=min(timeout, self.options.connect_timeout))
                resp = self.client.request(method, path, **kwargs)
            except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
                if split_on_timeout:
                    raise HubTimeout(str(exc) or type(exc).__name__) from exc
                waited = timeout if timeout is not None else self.options.read_timeout
                last, last_kind = f"the hub did not answer within {waited:g} s", SyncErrorKind.TIMEOUT
            except httpx.TimeoutException:
                last, last_kind = f"cannot connect to the hub at {self.url} (timed out)", SyncErrorKind.UNREACHABLE
            except httpx.TransportError as exc:
                # Refused, reset, or the connection dropped before the answer (the hub may have
                # committed: a retry of the same batch id gets the answer it stored).
                last = f"cannot reach the hub at {self.url}: {exc or type(exc).__name__}"
                last_kind = SyncErrorKind.UNREACHABLE
            else:
                status = resp.status_code
                if 200 <= status < 300:
                    return resp
                message = _message_of(resp)
                if status in (401, 403):
                    raise SyncFailure(SyncErrorKind.AUTH, f"the hub refused this station (HTTP {status}: {message}). "
                                              "Ask the district for a new token and set it in the settings "
                                              "(xuhui-desk settings set hub_token TOKEN); nothing was lost")
                if status == 409:
                    raise SyncFailure(SyncErrorKind.CONFLICT,
                                      f"the hub refused the batch as a conflict (HTTP 409: {message})")
                if status == 413:
                    raise TooLarge(message)
                if status == 426:
                    min_protocol = None
                    try:
                        body = resp.json()
                        if isinstance(body, dict) and body.get("error") == ERR_UPGRADE_REQUIRED:
                            min_protocol = int(body.get("min_protocol") or 0) or None
                    except (ValueError, TypeError):
                        pass
                    raise UpgradeRequired(message, min_protocol)
                if status in (429, 500, 502, 503, 504):
                    last, last_kind = f"the hub answered HTTP {status}: {message}", SyncErrorKind.SERVER
                    retry_after = resp.headers.get("retry-after")
                else:
                    raise SyncFailure(SyncErrorKind.PROTOCOL, f"the hub refused the call {method} {path} "
                                                  f"(HTTP {status}: {message})")
            if attempt + 1 < self.options.attempts:
                self._backoff(attempt, retry_after)
        raise SyncFailure(last_kind, last + f" (tried {self.options.attempts} times)")

    def json(self, resp: httpx.Response) -> Any:
        try:
            return resp.json()
        except ValueError as exc:
            raise SyncFailure(SyncErrorKind.PROTOCOL,
                              "the hub's answer is not valid JSON (is the hub URL right, or is a proxy "
                              f"answering instead?): {resp.text[:80]!r}") from exc

    def healthy(self) -> bool:
        """A quick probe: does the hub answer at all right now?"""
        try:
            resp = self.client.get(HEALTH_PATH, timeout=self.options.health_timeout)
        except self.httpx.HTTPError:
            return False
        return resp.status_code == 200
