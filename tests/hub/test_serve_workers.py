"""``xuhui-hub serve --workers N``: the parent migrates, N worker processes serve one port."""

from __future__ import annotations

import os
import subprocess

import httpx

from tests.synckit import VENV_BIN, free_port, wait_for


def test_serve_with_two_workers_answers_from_both(hub_database_url: str) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "xuhui-hub"), "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--workers", "2"],
        env={**os.environ, "XUHUI_HUB_DATABASE_URL": hub_database_url}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        def up() -> bool:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                return httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=0.5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=60, interval=0.1)
        # The health check reads the database (the hub's id): a worker answers from the migrated
        # database, without migrating it itself; each new connection may reach another worker.
        for _ in range(6):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                assert client.get("/api/v1/health").status_code == 200
                assert client.get("/console/login").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()
