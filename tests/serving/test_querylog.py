"""The query log keeps a bounded history: old and surplus records go as new ones come in."""

import sqlite3
from datetime import datetime, timedelta, timezone

from serving import querylog
from serving.answer import Answer


def test_records_beyond_the_age_and_count_limits_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(querylog, "MAX_RECORDS", 30)
    monkeypatch.setattr(querylog, "PRUNE_EVERY", 10)
    log = querylog.QueryLog(tmp_path / "logs", tmp_path / "log.sqlite")
    log.record(Answer(question="first"), source="cli")
    old = (datetime.now(timezone.utc) - timedelta(days=querylog.MAX_AGE_DAYS + 1)).isoformat()
    with sqlite3.connect(tmp_path / "log.sqlite") as db:
        db.execute("UPDATE query_log SET ts = ? WHERE question = 'first'", (old,))
    for i in range(59):
        log.record(Answer(question=f"q{i}"), source="cli")
    log.close()
    with sqlite3.connect(tmp_path / "log.sqlite") as db:
        questions = [q for (q,) in db.execute("SELECT question FROM query_log ORDER BY id")]
    assert "first" not in questions  # too old
    assert len(questions) <= 30 + 10 and questions[-1] == "q58"  # at most the limit, plus what came since pruning


def test_refusals_are_counted_per_day(tmp_path):
    log = querylog.QueryLog(tmp_path / "logs", tmp_path / "log.sqlite")
    for _ in range(5):
        log.count_refusal("overloaded")
    log.close()
    with sqlite3.connect(tmp_path / "log.sqlite") as db:
        assert db.execute("SELECT kind, count FROM refusal_counts").fetchall() == [("overloaded", 5)]
