"""The district console's attachment downloads: ``GET /console/requests/{tracking_no}/attachments/{sha256}``.

The same access rule as the request page (casework.load_request): a user who may not see the
request — a handler of another department, say — gets the same 404 as for a request that does
not exist. Only a file the hub has whole is served (hub/attachments.py); it is always sent as
a download (``Content-Disposition: attachment``), never shown inside the console's pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from xuhui_desk.hub import attachments
from xuhui_desk.hub.console import casework
from xuhui_desk.hub.console.pages import Who
from xuhui_desk.hub.console.web import ConsoleRefusal, db_of
from xuhui_desk.hub.models import HubRequest

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/requests/{tracking_no}/attachments/{sha256}")
async def download(request: Request, tracking_no: str, sha256: str, who: Who) -> StreamingResponse:
    db = db_of(request)

    def find() -> tuple[dict[str, Any], Iterator[bytes]] | None:
        try:
            casework.load_request(db, who, tracking_no)  # NotVisible: not there, or not this user's to see
        except casework.NotVisible:
            return None
        with db.session() as s:
            req = s.scalars(select(HubRequest).where(HubRequest.tracking_no == tracking_no)).first()
        return attachments.read_file(db, req, sha256) if req is not None else None

    found = await run_in_threadpool(find)
    if found is None:
        raise ConsoleRefusal(404, "error.not_found")
    entry, body = found
    name = str(entry["name"]) or sha256
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
               "Content-Length": str(entry["size"]), "X-Content-Type-Options": "nosniff",
               "Cache-Control": "private, no-store"}
    return StreamingResponse(body, media_type=str(entry["media_type"]), headers=headers)
