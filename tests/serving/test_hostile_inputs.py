"""A corpus of hostile inputs through the API (every one) and the CLI (a sample): no 5xx, one error
shape, and the stats database byte-identical afterwards.

The inputs are built from families (odd text, injection attempts, absurd numbers, wrong JSON
types, oversize parts) crossed with a few carriers, so each family is tried in several positions.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import httpx
import pytest

from serving.answer import Answer
from statsdb.database import default_url, sqlite_path

pytestmark = pytest.mark.slow

ODD_TEXT = [
    "", " ", "\t\n", "\u200b", "\u202eKohli runs", "Kohli\x00runs", "Kohli \x07 runs", "🏏🏏🏏", "ｋｏｈｌｉ　ｒｕｎｓ",
    "Kohli runs" + "\u0301" * 50, "كوهلي", "科利的得分", "Kohli's runs\r\n\r\nGET / HTTP/1.1", "\\", "\"", "'",
    "%s%s%s", "{0}{1}", "${jndi:ldap://x}", "<script>alert(1)</script>", "../../../../etc/passwd",
]
INJECTIONS = [
    "Kohli'; DROP TABLE players; --", "Kohli\" OR 1=1 --", "runs UNION SELECT * FROM sqlite_master",
    "'; ATTACH DATABASE '/tmp/x.db' AS x; --", "Kohli runs; PRAGMA writable_schema=1", "batting player \"Virat Kohli\" runs",
    "team \"India\" odi wins'); DELETE FROM matches; --", "Kohli /* comment */ runs", "Kohli runs -- since 2015",
]
NUMBERS = [
    "Kohli runs in 99999", "Kohli runs since -1", "Kohli runs in year 0", "top 0 run scorers", "top -5 run scorers",
    "top 100000000000000000000 run scorers", "batters with min 10000000000000000000 runs", "Kohli runs from 2030 to 2001",
    "Kohli 1e309 runs", "Kohli runs in 2015.5", "Kohli runs in ２０１５", "top 1,0,0 run scorers", "Kohli's last 0 innings",
    "Kohli's last 99999 innings", "fastest to 0 runs", "longest 0 streak with 50+ scores",
]
CARRIERS = ["{}", "{} in ODIs", "who has the most {}", "{}?!", "{} for India since 2015", "how many {} in Tests"]
QUESTIONS = sorted({carrier.format(text) for text in ODD_TEXT + INJECTIONS + NUMBERS for carrier in CARRIERS})
BODIES = [
    b"", b"null", b"[]", b"\"just a string\"", b"42", b"{}", b'{"question": null}', b'{"question": 42}',
    b'{"question": ["Kohli"]}', b'{"question": {"text": "Kohli"}}', b'{"question": true}',
    b'{"question": "Kohli runs", "converge": 1}', b'{"question": "Kohli runs", "converge": "true"}',
    b'{"question": "Kohli runs", "dsl": 7}', b'{"question": "Kohli runs", "dsl": "DROP TABLE players"}',
    b'{"question": "Kohli runs", "dsl": "batting player \\"Nobody At All\\" runs"}',
    b'{"question": "Kohli runs", "extra": "' + b"x" * 10_000 + b'"}', b'{"question": "' + b"x" * 20_000 + b'"}',
    b"\xef\xbb\xbf{\"question\": \"Kohli runs\"}", b'{"question": "Kohli runs"', b"{'question': 'Kohli runs'}",
    b'{"question": "\\ud83c"}', b'{"question": "\\u0000"}', b"\x00" * 100, b"[" * 3000 + b"]" * 3000,
    b'{"question": "Kohli runs", "question": "Smith runs"}', b'{"question": 1' + b"0" * 4000 + b"}",
]


def database_fingerprint() -> str:
    digest = hashlib.sha256()
    with open(sqlite_path(default_url()), "rb") as database:
        for block in iter(lambda: database.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def fingerprint_before(full_db) -> str:
    return database_fingerprint()


def one_error_shape(body: dict) -> bool:
    """An Answer (with an `error` or rows), or {"error": {"kind", "message"}} alone (a name that
    matches nobody also says which words, and the nearest names)."""
    error = body.get("error")
    if error is not None and not {"kind", "message"} <= set(error) <= {"kind", "message", "name", "suggestions"}:
        return False
    return set(body) == set(Answer.model_fields) or set(body) == {"error"}


def test_the_corpus_is_large_enough():
    assert len(QUESTIONS) + len(BODIES) >= 250


def test_hostile_questions_and_bodies_through_the_api(api_server, fingerprint_before):
    failures = []
    with httpx.Client(base_url=api_server.url, timeout=300) as client:
        sent = [("question", json.dumps({"question": question}).encode()) for question in QUESTIONS]
        sent += [("body", body) for body in BODIES]
        for what, body in sent:
            response = client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
            if response.status_code == 503 and response.json().get("error", {}).get("kind") == "overloaded":
                response = client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
            try:
                shaped = one_error_shape(response.json())
            except ValueError:
                shaped = False
            if response.status_code >= 500 or not shaped:
                failures.append((what, body[:80], response.status_code, response.text[:200]))
    assert failures == []
    assert database_fingerprint() == fingerprint_before


def test_hostile_feedback_links_and_example_searches(api_server, fingerprint_before):
    """The other endpoints that take text: every hostile question as a question and as a query
    sent as feedback, searched for examples and linked; the bodies as feedback."""
    stored = {"id", "status", "dsl", "confirmations", "new"}
    failures = []
    with httpx.Client(base_url=api_server.url, timeout=300) as client:
        for text in QUESTIONS:
            for verdict in ("wrong", "right"):
                body = {"question": text, "dsl": text, "verdict": verdict}
                response = client.post("/v1/feedback", json=body)
                shape = set(response.json()) if response.headers.get("content-type", "").startswith("application/json") else set()
                if response.status_code >= 500 or not (shape == stored or shape == {"error"}):
                    failures.append(("feedback", text[:60], response.status_code, response.text[:200]))
            for path in ("/v1/link", "/v1/examples"):
                response = client.get(path, params={"q": text})
                if response.status_code >= 500 or (response.status_code != 200 and set(response.json()) != {"error"}):
                    failures.append((path, text[:60], response.status_code, response.text[:200]))
        for body in BODIES:
            response = client.post("/v1/feedback", content=body, headers={"content-type": "application/json"})
            if response.status_code >= 500 or set(response.json()) != {"error"}:
                failures.append(("feedback body", body[:60], response.status_code, response.text[:200]))
    assert failures == []
    assert database_fingerprint() == fingerprint_before


@pytest.mark.parametrize("question", [q for q in QUESTIONS if "{}" not in q][::24])
def test_hostile_questions_through_the_cli(question, full_db, fingerprint_before, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from serving.cli import main; sys.exit(main())", "ask", question, "--json"],
        capture_output=True, env={**os.environ, "ASKCRIC_DB": default_url()}, timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr.decode()[-1500:]
    answer = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert one_error_shape(answer)
    assert database_fingerprint() == fingerprint_before
