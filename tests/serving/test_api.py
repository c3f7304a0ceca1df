"""The REST API against a real uvicorn server on loopback: the local model, the full database, no mocks.

The server (the `api_server` fixture in tests/conftest.py) loads the model once per session and
lets one question wait for the model, so that a handful of concurrent requests overload it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import httpx
import pytest

from dsl.execute import run_dsl
from serving.answer import Answer
from serving.models import DEFAULT_MODEL

pytestmark = pytest.mark.slow

CLEAR = "Virat Kohli's ODI runs in 2018"
ANSWER_KEYS = set(Answer.model_fields)
CONTRACT_KEYS = {"question", "dsl", "sql", "columns", "rows", "examples", "dsl_token_probs", "timings_ms",
                 "backend", "model", "error"}  # DESIGN.md's list; the Answer model adds description, convergence
TIMEOUT = 300  # seconds: far beyond any answer here, so a hang fails instead of blocking the suite


@pytest.fixture(scope="module")
def client(api_server) -> httpx.Client:
    with httpx.Client(base_url=api_server.url, timeout=TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def clear_answer(client: httpx.Client) -> httpx.Response:
    """One clear question, asked once for the tests that look at its answer."""
    return client.post("/v1/ask", json={"question": CLEAR})


def query_log_rows(api_server, question: str) -> list[dict]:
    with sqlite3.connect(api_server.log_dir / "query_log.sqlite") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM query_log WHERE question = ? ORDER BY id", (question,))]


# --- answers ------------------------------------------------------------------------------------

def test_a_clear_question_gets_rows_and_the_dsl_that_produced_them(clear_answer, full_db):
    assert clear_answer.status_code == 200, clear_answer.text
    body = clear_answer.json()
    assert set(body) == ANSWER_KEYS and CONTRACT_KEYS <= set(body)
    assert body["error"] is None
    assert body["question"] == CLEAR
    assert 'player "Virat Kohli"' in body["dsl"] and body["description"]
    assert body["rows"] and body["rows"][0][0] == "Virat Kohli"
    assert "runs" in body["columns"]
    # The rows are exactly what the DSL gives when run on its own (the JSON does not alter them).
    on_its_own = run_dsl(body["dsl"], full_db)
    assert body["columns"] == on_its_own.columns
    assert body["rows"] == json.loads(json.dumps(on_its_own.rows))
    assert body["sql"].startswith("SELECT")
    assert body["backend"] == "local" and body["model"] == DEFAULT_MODEL
    assert body["examples"] and all(set(e) == {"question", "dsl", "score"} for e in body["examples"])
    assert body["convergence"] is None  # only asked for with converge=true
    assert {"link", "retrieve", "execute", "total", "queue"} <= set(body["timings_ms"])


def test_the_answer_carries_each_dsl_tokens_probability_and_alternatives(clear_answer):
    tokens = clear_answer.json()["dsl_token_probs"]
    assert len(tokens) >= 5
    for token in tokens:
        assert set(token) == {"token", "prob", "entropy", "top"}
        assert 0.0 < token["prob"] <= 1.0 and token["entropy"] >= 0.0
        assert token["top"] and all(len(pair) == 2 for pair in token["top"])
        assert token["top"][0][1] >= token["top"][-1][1]  # best first
    assert "Kohli" in "".join(token["token"] for token in tokens)


PICKED_QUESTION = "Virat Kohli's ODI wickets"  # its own question: the query-log test counts CLEAR's records


def test_a_reading_picked_by_the_fan_is_answered_as_given(client, full_db):
    picked = 'bowling player "Virat Kohli" odi wickets'  # e.g. one of an answer's alternatives
    response = client.post("/v1/ask", json={"question": PICKED_QUESTION, "dsl": picked})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dsl"] == picked and body["examples"] == [] and body["alternatives"] == []
    assert body["rows"] == json.loads(json.dumps(run_dsl(picked, full_db).rows))


def test_a_picked_reading_that_does_not_parse_gets_a_syntax_error(client):
    response = client.post("/v1/ask", json={"question": PICKED_QUESTION, "dsl": "batting runs please"})
    assert response.status_code == 422
    assert response.json()["error"]["kind"] == "syntax_error"


@pytest.mark.parametrize("question, kind", [
    ("what is the capital of France", "out_of_domain"),
    ("Kohly odi runs", "unknown_name"),
    ("   ", "empty_question"),
])
def test_a_question_the_pipeline_refuses_gets_422_with_the_answer_object(client, question, kind):
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == ANSWER_KEYS
    assert body["error"]["kind"] == kind and body["error"]["message"]
    assert body["rows"] == [] and body["dsl"] is None
    if kind == "unknown_name":
        assert "Virat Kohli" in body["error"]["message"]  # the nearest name is suggested


def test_a_question_over_300_characters_gets_422_with_a_clear_message(client):
    response = client.post("/v1/ask", json={"question": "x" * 301})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == ANSWER_KEYS
    assert body["error"]["kind"] == "question_too_long"
    assert "300 characters" in body["error"]["message"] and "301" in body["error"]["message"]
    # 300 characters pass the limit (and are then judged as a question).
    at_limit = client.post("/v1/ask", json={"question": "x" * 300}).json()
    assert at_limit["error"]["kind"] == "out_of_domain"


@pytest.mark.parametrize("body", [
    b'{"question": "\\ud800 runs"}',  # a lone surrogate: valid JSON, not storable text
    b"\xff\xfe{}",  # not UTF-8
    b"[" * 5000,  # nesting deeper than any parser should follow
    b'{"question": 1' + b"0" * 5000 + b"}",  # a 5,000-digit integer
    b'{"question": "Kohli ODI runs", "converge": "yes"}',  # flags are JSON booleans, nothing else
])
def test_hostile_bodies_get_422_with_the_answer_object(client, api_server, body):
    response = client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    answer = response.json()
    assert set(answer) == ANSWER_KEYS and answer["error"]["kind"] == "invalid_request"
    assert len(response.text) < 2000  # the input is not echoed back at length


def test_a_lone_surrogate_is_logged_as_printable_text(client, api_server):
    client.post("/v1/ask", content=b'{"question": "\\udfff Kohli"}', headers={"content-type": "application/json"})
    assert query_log_rows(api_server, "\\udfff Kohli")  # the record is kept, the character escaped


def test_bodies_over_the_limit_get_413_before_they_are_read(client):
    response = client.post("/v1/ask", content=b'{"question": "x"}' + b" " * 20_000,
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["kind"] == "request_too_large"


def test_too_many_headers_get_431(client):
    response = client.get("/livez", headers={f"x-h{i}": "v" for i in range(300)})
    assert response.status_code == 431
    assert response.json()["error"]["kind"] == "headers_too_large"


@pytest.mark.parametrize("path, params", [
    ("/v1/link", {"q": "x" * 5000}), ("/v1/examples", {"q": "Kohli", "k": "many"}), ("/v1/examples", {}),
])
def test_other_endpoints_answer_bad_input_in_the_one_error_shape(client, path, params):
    response = client.get(path, params=params)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"error"} and body["error"]["kind"] == "invalid_request"
    assert "x" * 100 not in response.text


def test_a_request_without_a_question_gets_422_with_the_answer_object(client):
    response = client.post("/v1/ask", json={"query": CLEAR})
    assert response.status_code == 422
    assert response.json()["error"]["kind"] == "invalid_request"
    assert "question" in response.json()["error"]["message"]


# --- the other endpoints ------------------------------------------------------------------------

def test_livez_and_readyz_say_alive_and_ready(client):
    assert client.get("/livez").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "backend": "local", "model": DEFAULT_MODEL}


def test_healthz_says_ready_with_the_backend_and_model(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "backend": "local", "model": DEFAULT_MODEL, "ready": True,
                               "error": None}


def test_examples_are_the_nearest_stored_pairs_best_first(client):
    response = client.get("/v1/examples", params={"q": CLEAR, "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["question"] == CLEAR and "<player>" in body["masked"]
    assert len(body["examples"]) == 3
    scores = [example["score"] for example in body["examples"]]
    assert scores == sorted(scores, reverse=True) and all(0.0 < score <= 1.0001 for score in scores)
    assert all(example["question"] and example["dsl"] for example in body["examples"])
    assert client.get("/v1/examples", params={"q": CLEAR, "k": 0}).status_code == 422


def test_link_finds_the_questions_player_and_format(client):
    body = client.get("/v1/link", params={"q": CLEAR}).json()
    best = {(m["type"], m["candidates"][0]["value"]) for m in body["mentions"]}
    assert {("player", "Virat Kohli"), ("competition", "odi")} <= best


def test_openapi_docs_describe_the_endpoints(client):
    assert "swagger" in client.get("/docs").text.lower()
    schema = client.get("/openapi.json").json()
    assert {"/v1/ask", "/healthz", "/livez", "/readyz", "/v1/examples", "/v1/link"} <= set(schema["paths"])
    assert {"200", "422", "503"} <= set(schema["paths"]["/v1/ask"]["post"]["responses"])


# --- overload -----------------------------------------------------------------------------------

def test_more_questions_than_the_queue_holds_get_503_with_retry_after_at_once(api_server):
    n = api_server.max_waiting + 4  # one runs, max_waiting wait, the rest must be refused
    start = threading.Barrier(n)
    results: list[tuple[float, httpx.Response]] = []
    lock = threading.Lock()

    def ask(i: int) -> None:
        start.wait()
        response = httpx.post(f"{api_server.url}/v1/ask", json={"question": f"Rohit Sharma ODI sixes in {2013 + i}"},
                              timeout=TIMEOUT)
        with lock:
            results.append((time.monotonic(), response))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert len(results) == n, "a request did not come back"
    statuses = [response.status_code for _, response in results]
    assert set(statuses) <= {200, 503}, statuses
    refused = [(done, response) for done, response in results if response.status_code == 503]
    answered = [done for done, response in results if response.status_code == 200]
    assert refused and answered, statuses
    for _, response in refused:
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["error"]["kind"] == "overloaded"
    # Refused at once: every 503 came back while the first question was still being answered.
    assert max(done for done, _ in refused) < min(answered)
    # Overload refusals are counted per day, not recorded one by one.
    with sqlite3.connect(api_server.log_dir / "query_log.sqlite") as db:
        assert db.execute("SELECT sum(count) FROM refusal_counts WHERE kind = 'overloaded'").fetchone()[0] >= len(refused)
        assert db.execute("SELECT count(*) FROM query_log WHERE error_kind = 'overloaded'").fetchone()[0] == 0


# --- the query log ------------------------------------------------------------------------------

def test_each_question_writes_one_record_to_the_query_log(api_server, client):
    # A question no other test asks: the API server is shared by the whole session.
    question = "Rohit Sharma's ODI runs in 2019"
    body = client.post("/v1/ask", json={"question": question}).json()
    [answered] = query_log_rows(api_server, question)
    assert answered["dsl"] == body["dsl"] and answered["error_kind"] is None and answered["status"] == 200
    assert answered["backend"] == "local" and answered["model"] == DEFAULT_MODEL
    assert answered["row_count"] == len(body["rows"])
    assert json.loads(answered["timings_ms"]) == body["timings_ms"]

    question = "Kohly Test hundreds at Lord's"
    assert client.post("/v1/ask", json={"question": question}).status_code == 422
    [refused] = query_log_rows(api_server, question)
    assert refused["error_kind"] == "unknown_name" and refused["status"] == 422 and refused["dsl"] is None

    lines = [json.loads(line) for line in (api_server.log_dir / "queries.jsonl").read_text().splitlines()]
    assert [line["error_kind"] for line in lines if line["question"] == question] == ["unknown_name"]
    assert {"ts", "question", "dsl", "error_kind", "timings_ms", "backend"} <= set(lines[-1])


# --- conversations ------------------------------------------------------------------------------

def test_a_follow_up_in_the_same_conversation_is_read_against_the_previous_answer(client):
    first = client.post("/v1/ask", json={"question": "Virat Kohli's ODI average against Australia since 2015"}).json()
    conversation = first["conversation_id"]
    assert first["error"] is None and conversation
    second = client.post("/v1/ask", json={"question": "and in Tests?", "conversation_id": conversation}).json()
    assert second["dsl"] == 'batting player "Virat Kohli" test vs "Australia" since 2015 average'
    assert second["conversation_id"] == conversation
    assert any(note["kind"] == "interpreted" and "follow-up" in note["message"] for note in second["notes"])
    third = client.post("/v1/ask", json={"question": "what about Joe Root?", "conversation_id": conversation}).json()
    assert third["dsl"] == 'batting player "Joe Root" test vs "Australia" since 2015 average'
    # In a conversation of its own the same words are not a follow-up of anything.
    alone = client.post("/v1/ask", json={"question": "what about Joe Root?"}).json()
    assert alone["conversation_id"] != conversation and alone["dsl"] != third["dsl"]


def test_a_malformed_conversation_id_is_refused(client):
    response = client.post("/v1/ask", json={"question": CLEAR, "conversation_id": "../../etc/passwd"})
    assert response.status_code == 422 and response.json()["error"]["kind"] == "invalid_request"
