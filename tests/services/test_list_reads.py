"""The queue's and the directory's read use cases: plain data back (ids as an array, rows as slots
dataclasses), one session each, and a database error as ReadFailed (never SQLAlchemy's own)."""

from __future__ import annotations

from array import array
from datetime import UTC, datetime, timedelta

import pytest

from tests.bulk_data import add_request
from xuhui_desk.db import Database
from xuhui_desk.services.directory import directory_rows, enterprise_details, read_directory
from xuhui_desk.services.read_errors import ReadFailed
from xuhui_desk.services.search import (
    ATTENTION,
    QueueRow,
    RequestFilter,
    queue_rows,
    read_queue,
    read_queue_ids,
    request_id_of,
)

NOW = datetime.now(UTC)


def _three(db: Database) -> list[str]:
    return [add_request(db, f"第{i}个诉求", name=f"上海第{i}号科技有限公司", created_at=NOW - timedelta(days=3 - i),
                        sla_due_at=NOW + timedelta(days=i - 1)) for i in range(3)]


def test_read_queue_whole_and_first_page_first(station_db: Database) -> None:
    _three(station_db)
    flt = RequestFilter(sort=ATTENTION)
    whole = read_queue(station_db, flt, NOW, page_size=2)
    assert isinstance(whole.ids, array) and len(whole.ids) == whole.total == 3 and whole.overdue == 1
    assert not whole.partial and set(whole.rows) == set(whole.ids[:2])
    assert all(isinstance(r, QueueRow) for r in whole.rows.values())
    assert not hasattr(next(iter(whole.rows.values())), "__dict__")  # slots: no per-row dict
    head = read_queue(station_db, flt, NOW, page_size=2, first_page_above=2)
    assert head.partial and list(head.ids) == list(whole.ids[:2]) and (head.total, head.overdue) == (3, 1)
    rest = read_queue_ids(station_db, flt, NOW)
    assert rest.ids == whole.ids and rest.rows == {}
    # rows_for: rows the caller shows already are read again with the ids.
    again = read_queue(station_db, flt, NOW, page_size=1, rows_for=[whole.ids[2]])
    assert set(again.rows) == {whole.ids[0], whole.ids[2]}
    assert queue_rows(station_db, list(whole.ids)) == read_queue(station_db, flt, NOW, page_size=3).rows
    row = whole.rows[whole.ids[0]]
    assert request_id_of(station_db, row.uuid) == row.id and request_id_of(station_db, "no-such-uuid") is None


def test_read_directory_and_details(station_db: Database) -> None:
    _three(station_db)
    found = read_directory(station_db, "号科技", page_size=2)
    assert isinstance(found.ids, array) and len(found.ids) == 3 and set(found.rows) == set(found.ids[:2])
    rows = directory_rows(station_db, list(found.ids))
    assert [rows[i].request_count for i in found.ids] == [1, 1, 1]
    details = enterprise_details(station_db, found.ids[0])
    assert details.name == rows[found.ids[0]].name and details.uscc == rows[found.ids[0]].uscc
    with pytest.raises(LookupError):
        enterprise_details(station_db, 10**9)


def test_a_broken_database_is_read_failed(station_db: Database) -> None:
    _three(station_db)
    with station_db.write() as s:
        from sqlalchemy import text

        s.execute(text("ALTER TABLE requests RENAME TO requests_gone"))
    with pytest.raises(ReadFailed, match="requests"):
        queue_rows(station_db, [1, 2])
    with pytest.raises(ReadFailed):
        read_queue(station_db, RequestFilter(), NOW, page_size=10)
    with pytest.raises(ReadFailed):
        request_id_of(station_db, "x")
