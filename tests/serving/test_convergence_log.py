"""Convergence records of live answers, logged in the background (serving/convergence_log.py):
real model, full database, a real query log."""

from __future__ import annotations

import sqlite3
import threading
import time

import httpx
import pytest

from serving.convergence_log import ConvergenceLogger
from serving.pipeline import CONVERGE_KMAX, Pipeline
from serving.querylog import QueryLog
from tests.conftest import require_model, serving

pytestmark = pytest.mark.slow

QUESTION = "Virat Kohli's ODI runs in 2018"


def logged(db_path, question: str) -> list[tuple]:
    if not db_path.exists():
        return []
    with sqlite3.connect(db_path) as db:
        try:
            return db.execute("SELECT k, mean_prob, dsl FROM convergence_log WHERE question = ? ORDER BY k",
                              (question,)).fetchall()
        except sqlite3.OperationalError:  # no table yet
            return []


def wait_for_rows(db_path, question: str, timeout: float = 120) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while not (rows := logged(db_path, question)):
        assert time.monotonic() < deadline, "no convergence record was logged"
        time.sleep(0.2)
    return rows


def test_the_record_waits_while_questions_wait_then_matches_the_on_request_one(local_backend, full_db, tmp_path):
    pipeline = Pipeline.open(local_backend, full_db)
    query_log = QueryLog(tmp_path, tmp_path / "query_log.sqlite")
    questions_waiting = threading.Event()
    questions_waiting.set()
    logger = ConvergenceLogger(pipeline, query_log, rate=1.0, idle=lambda: not questions_waiting.is_set())
    try:
        answer = pipeline.ask(QUESTION)
        assert logger.offer(answer)
        time.sleep(2)
        assert logged(tmp_path / "query_log.sqlite", QUESTION) == []  # it yields to the waiting questions
        questions_waiting.clear()
        rows = wait_for_rows(tmp_path / "query_log.sqlite", QUESTION)
    finally:
        logger.close()
        query_log.close()
    with sqlite3.connect(tmp_path / "query_log.sqlite") as db:
        assert db.execute("SELECT DISTINCT model FROM convergence_log").fetchall() == [(local_backend.model,)]
    on_request = pipeline.ask(QUESTION, converge=True).convergence
    assert [k for k, _, _ in rows] == [record["k"] for record in on_request] == list(range(len(on_request)))
    assert len(rows) == CONVERGE_KMAX + 1
    assert [mean for _, mean, _ in rows] == pytest.approx([record["mean_prob"] for record in on_request], abs=1e-3)
    assert {dsl for _, _, dsl in rows} == {answer.dsl}


def test_a_server_started_with_log_convergence_logs_its_answers(full_db, tmp_path):
    from serving.api import create_app
    from serving.backends import get_backend
    from serving.models import DEFAULT_MODEL

    require_model()
    app = create_app(lambda: Pipeline.open(get_backend("local", model=DEFAULT_MODEL), full_db), model=DEFAULT_MODEL,
                     query_log=QueryLog(tmp_path, tmp_path / "query_log.sqlite"), log_convergence=1.0)
    with serving(app) as url:
        answer = httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, timeout=300).json()
        assert answer["error"] is None and answer["convergence"] is None  # not computed for the answer
        rows = wait_for_rows(tmp_path / "query_log.sqlite", QUESTION)
    assert rows[0][0] == 0 and len(rows) >= 2 and rows[0][2] == answer["dsl"]
