"""Every answering query has a time limit, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from statsdb import schema
from statsdb.database import QueryTimeout, run_select


def test_a_query_past_its_limit_is_stopped(fixture_db):
    a, b, c = (schema.deliveries.alias(name) for name in "abc")
    endless = select(func.count()).select_from(a.join(b, a.c.over >= 0).join(c, c.c.over >= 0))
    with pytest.raises(QueryTimeout):
        run_select(fixture_db, endless, timeout_s=0.3)


def test_the_connection_works_after_a_timeout(fixture_db):
    columns, rows = run_select(fixture_db, select(func.count()).select_from(schema.matches), timeout_s=5)
    assert rows[0][0] > 0
