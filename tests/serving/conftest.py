"""Fixtures of the serving tests: the prepared model, a real vLLM server on loopback, both backends.

The vLLM server starts once per session (~40 s with --enforce-eager) through the same context
manager `askcric vllm-serve` uses; a second one, with the committed LoRA adapter, only for the
adapter's test (LoRA changes how vLLM batches scoring, see serving/backends/vllm.py).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from serving.backends import Backend
from serving.models import DEFAULT_MODEL, prepare
from serving.vllm_server import VllmServer, running_server

ADAPTER = str(Path(__file__).parents[2] / "serving" / "adapters" / "smollm2-135m-askcric")
"""The LoRA adapter askcric ships (askcric adapt)."""


def free_port() -> int:
    """A loopback port nobody listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The default model's folder, prepared if needed (setup.sh has normally done it)."""
    return prepare(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def local_backend(model_path: Path) -> Iterator[Backend]:
    from serving.backends.local import LocalBackend

    backend = LocalBackend(DEFAULT_MODEL)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def vllm_server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VllmServer]:
    log_path = tmp_path_factory.mktemp("vllm") / "server.log"
    with running_server(DEFAULT_MODEL, port=free_port(), log_path=log_path) as server:
        yield server


@pytest.fixture(scope="session")
def vllm_lora_server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VllmServer]:
    log_path = tmp_path_factory.mktemp("vllm_lora") / "server.log"
    with running_server(DEFAULT_MODEL, port=free_port(), log_path=log_path, adapter=ADAPTER) as server:
        yield server


@pytest.fixture(scope="session")
def vllm_backend(vllm_server: VllmServer) -> Iterator[Backend]:
    from serving.backends.vllm import VllmBackend

    backend = VllmBackend(DEFAULT_MODEL, url=vllm_server.url)
    yield backend
    backend.close()


@pytest.fixture(params=["local", "vllm"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn, for the tests both must pass."""
    return request.getfixturevalue(f"{request.param}_backend")
