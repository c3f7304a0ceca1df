"""A database that cannot be read: the service says so plainly (no SQL, no file paths), keeps
trying, and answers once the database is there, without a restart. Real server code, the real local
model and the real fixture database (tests/conftest.py)."""

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serving.api import create_app
from serving.models import DEFAULT_MODEL
from serving.pipeline import Pipeline
from serving.querylog import QueryLog
from statsdb.database import open_engine, sqlite_path

pytestmark = pytest.mark.slow


def wait_for(client: TestClient, wanted, seconds: float = 120.0):
    deadline = time.monotonic() + seconds
    while True:
        response = client.post("/v1/ask", json={"question": "Virat Kohli ODI runs"})
        if wanted(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def test_an_unreadable_database_is_retried_until_it_can_be_read(model_path, query_sqlite_url, tmp_path: Path):
    from serving.backends.local import LocalBackend

    backend = LocalBackend(DEFAULT_MODEL)  # the app closes its pipeline's backend when it stops
    broken = tmp_path / "stats.sqlite"
    broken.write_bytes(b"this is not an SQLite file " * 200)
    app = create_app(lambda: Pipeline.open(backend, open_engine(f"sqlite:///{broken}")),
                     query_log=QueryLog(tmp_path / "logs", tmp_path / "query_log.sqlite"))
    with TestClient(app) as client:
        refused = wait_for(client, lambda r: r.status_code == 503 and r.json()["error"]["kind"] == "database_unavailable")
        assert refused.status_code == 503, refused.text
        message = refused.json()["error"]["message"]
        assert str(tmp_path) not in message and "SELECT" not in message and "sqlite3" not in message
        assert refused.headers["Retry-After"].isdecimal()

        shutil.copyfile(sqlite_path(query_sqlite_url), broken)  # the database arrives (a rebuild, a restore)
        answered = wait_for(client, lambda r: r.status_code == 200, seconds=180)
        assert answered.status_code == 200, answered.text
        assert answered.json()["rows"][0][0] == "Virat Kohli"


def test_readiness_follows_the_model_server(model_path, query_sqlite_url, tmp_path: Path):
    """A vLLM client whose server is not there: alive, not ready (nothing listens on port 9)."""
    from serving.backends.vllm import VllmBackend

    app = create_app(lambda: Pipeline.open(VllmBackend(url="http://127.0.0.1:9"), open_engine(query_sqlite_url)),
                     backend="vllm", query_log=QueryLog(tmp_path / "logs", tmp_path / "query_log.sqlite"))
    with TestClient(app) as client:
        assert client.get("/livez").status_code == 200
        deadline = time.monotonic() + 120
        while (ready := client.get("/readyz")).json().get("error", {}).get("kind") == "not_ready" \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ready.status_code == 503
        assert ready.json()["error"]["kind"] == "backend_unavailable"
