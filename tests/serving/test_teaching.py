"""Learning from users, end to end: real servers, the local model, the full database, real stores.

- a question askcric misreads is reported, taught with the operator's token, and then answered
  rightly, together with the same question about another player and a paraphrase;
- a `kill -9` of a server in the middle of a stream of teach requests loses no acknowledged pair;
- two servers sharing a PostgreSQL store: a pair the first accepts is used by the second.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from dsl.execute import run_dsl
from retrieval.taught import TaughtStore
from serving.models import DEFAULT_MODEL
from statsdb.database import data_dir, default_url
from tests.conftest import require_model, serving
from tests.serving.conftest import free_port

pytestmark = pytest.mark.slow

TOKEN = "a-token-for-the-tests"
MISREAD = "Virat Kohli runs in the five-day game"  # "the five-day game" (Tests) is not in askcric's vocabulary
TAUGHT = 'batting player "Virat Kohli" test runs'
TIMEOUT = 300


def teaching_app(engine, taught_url: str, log_dir: Path, admin_token: str | None = TOKEN):
    """The API app as `askcric serve` builds it, on a given taught-pairs store; its own model."""
    from serving.api import create_app
    from serving.backends import get_backend
    from serving.pipeline import Pipeline
    from serving.querylog import QueryLog
    from serving.teaching import following_teacher

    return create_app(lambda: Pipeline.open(get_backend("local", model=DEFAULT_MODEL), engine),
                      model=DEFAULT_MODEL, admin_token=admin_token,
                      open_teacher=lambda pipeline: following_teacher(pipeline, taught_url, sync_seconds=0.5),
                      query_log=QueryLog(log_dir, log_dir / "query_log.sqlite"))


@pytest.fixture(scope="module")
def teaching_server(full_db, tmp_path_factory) -> str:
    require_model()
    folder = tmp_path_factory.mktemp("taught")
    with serving(teaching_app(full_db, f"sqlite:///{folder / 'taught.sqlite'}", folder)) as server_url:
        yield server_url


def ask(base: str, question: str) -> dict:
    response = httpx.post(f"{base}/v1/ask", json={"question": question}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def feedback(base: str, token: str | None = None, **body) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{base}/v1/feedback", json=body, headers=headers, timeout=TIMEOUT)


def test_a_misread_question_is_taught_and_then_answered_rightly_with_its_paraphrases(teaching_server, full_db):
    before = ask(teaching_server, MISREAD)
    assert " test " not in f" {before['dsl']} ", "askcric now reads this word itself: pick another misread one"

    reported = feedback(teaching_server, question=MISREAD, dsl=TAUGHT, verdict="wrong")
    assert reported.status_code == 200, reported.text
    assert reported.json()["status"] == "pending"  # anyone's feedback waits for review
    assert ask(teaching_server, MISREAD)["dsl"] == before["dsl"]

    taught = feedback(teaching_server, TOKEN, question=MISREAD, dsl=TAUGHT, verdict="wrong")
    assert taught.status_code == 200, taught.text
    assert taught.json() | {"id": 0} == {"id": 0, "status": "accepted", "dsl": TAUGHT, "confirmations": 2, "new": False}

    after = ask(teaching_server, MISREAD)
    assert after["dsl"] == TAUGHT and after["rows"] == run_dsl(TAUGHT, full_db).rows
    assert any(note["kind"] == "taught" for note in after["notes"])
    # The same question about another batter, and the question in other words.
    assert ask(teaching_server, "Joe Root runs in the five-day game")["dsl"] == 'batting player "Joe Root" test runs'
    assert ask(teaching_server, "How many runs has Virat Kohli scored in the five-day game?")["dsl"] == TAUGHT


def test_feedback_is_checked_before_it_is_stored(teaching_server):
    wrong_token = feedback(teaching_server, "not-the-token", question=MISREAD, dsl=TAUGHT, verdict="wrong")
    assert wrong_token.status_code == 403 and wrong_token.json()["error"]["kind"] == "forbidden"
    for body, kind in [
        ({"question": MISREAD, "dsl": "batting player runs runs", "verdict": "wrong"}, "syntax_error"),
        ({"question": MISREAD, "dsl": 'batting player "Virat Kohli" test year 1990 runs', "verdict": "wrong"}, "no_data"),
        ({"question": MISREAD, "verdict": "right"}, "invalid_request"),
        ({"question": "What is the capital of France?", "dsl": TAUGHT, "verdict": "wrong"}, "out_of_domain"),
        ({"question": MISREAD, "dsl": TAUGHT, "verdict": "maybe"}, "invalid_request"),
    ]:
        response = feedback(teaching_server, **body)
        assert response.status_code == 422 and response.json()["error"]["kind"] == kind, response.text
    report = feedback(teaching_server, question="Joe Root runs in whites", verdict="wrong")
    assert report.status_code == 200 and report.json()["dsl"] == ""


def test_without_an_admin_token_teaching_over_http_is_off(full_db, tmp_path):
    with serving(teaching_app(full_db, f"sqlite:///{tmp_path / 'taught.sqlite'}", tmp_path, admin_token=None)) as base:
        refused = feedback(base, TOKEN, question=MISREAD, dsl=TAUGHT, verdict="wrong")
        assert refused.status_code == 403 and refused.json()["error"]["kind"] == "teaching_off"
        assert feedback(base, question=MISREAD, dsl=TAUGHT, verdict="wrong").json()["status"] == "pending"


# --- durability -----------------------------------------------------------------------------------

def test_a_kill_9_during_a_stream_of_teach_requests_loses_no_acknowledged_pair(tmp_path, full_db):
    require_model()
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(data_dir() / "models")  # the prepared model; logs stay in tmp_path
    store_url = f"sqlite:///{tmp_path / 'taught.sqlite'}"
    port = free_port()
    env = {**os.environ, "ASKCRIC_DB": default_url(), "ASKCRIC_HOME": str(home), "ASKCRIC_ADMIN_TOKEN": TOKEN}
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from serving.cli import main; sys.exit(main())", "serve",
         "--port", str(port), "--taught-store", store_url], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    players = [row[0] for row in run_dsl("batting odi top 60 runs", full_db).rows]
    acknowledged: list[int] = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("askcric serve did not get ready")

        def stream() -> None:
            with httpx.Client(timeout=30) as client:
                for player in players:
                    try:
                        response = client.post(f"{base}/v1/feedback", headers={"Authorization": f"Bearer {TOKEN}"},
                                               json={"question": f"{player} one-day runs in all",
                                                     "dsl": f'batting player "{player}" odi runs', "verdict": "wrong"})
                    except httpx.HTTPError:
                        return  # the server is gone: this request was never acknowledged
                    if response.status_code == 200:
                        acknowledged.append(response.json()["id"])

        sender = threading.Thread(target=stream)
        sender.start()
        while len(acknowledged) < 10 and sender.is_alive():
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        sender.join(timeout=60)
    finally:
        server.kill()
        server.wait(timeout=30)
    assert 10 <= len(acknowledged) < len(players), "the kill came before or after the stream"
    store = TaughtStore(store_url)
    accepted = {pair.id for pair in store.pairs(("accepted",))}
    store.close()
    assert set(acknowledged) <= accepted


def test_a_second_server_on_a_shared_postgresql_store_uses_the_pairs_the_first_accepted(full_db, taught_pg_url,
                                                                                         tmp_path):
    store = TaughtStore(taught_pg_url)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM taught_pairs"))
    store.close()
    # Two servers, each with its own model, pipeline, taught index and store connection.
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with serving(teaching_app(full_db, taught_pg_url, tmp_path / "first")) as first, \
            serving(teaching_app(full_db, taught_pg_url, tmp_path / "second")) as second:
        question = "Kane Williamson runs in the five-day game"
        taught_dsl = 'batting player "Kane Williamson" test runs'
        assert ask(second, question)["dsl"] != taught_dsl
        assert feedback(first, TOKEN, question=question, dsl=taught_dsl, verdict="wrong").json()["status"] == "accepted"
        deadline = time.monotonic() + 10
        while ask(second, question)["dsl"] != taught_dsl:
            assert time.monotonic() < deadline, "the second server did not pick up the pair within 10 s"
            time.sleep(0.5)
