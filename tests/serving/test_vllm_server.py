"""Starting and stopping vLLM: `askcric vllm-serve` end to end, and the context manager's errors."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from serving.models import DEFAULT_MODEL, resolve_adapter, served_name
from serving.vllm_server import VllmServerError, group_pids, is_healthy, running_server
from tests.serving.conftest import free_port

pytestmark = pytest.mark.slow


def _first_line_with(stream, text: str, timeout: float) -> str | None:
    """The first line of `stream` containing `text`, read in a thread; None after `timeout`."""
    found: list[str] = []

    def read() -> None:
        for line in stream:
            if text in line:
                found.append(line)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return found[0] if found else None


def test_vllm_serve_starts_answers_and_stops_on_sigterm(model_path: Path, tmp_path: Path) -> None:
    port = free_port()
    askcric = Path(sys.executable).with_name("askcric")
    cli = subprocess.Popen(
        [str(askcric), "vllm-serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=(tmp_path / "stderr.txt").open("wb"), text=True,
        env={**os.environ, "ASKCRIC_HOME": str(model_path.parents[1])},
    )
    try:
        ready = _first_line_with(cli.stdout, f"http://127.0.0.1:{port}", timeout=300)
        assert ready, f"no URL printed; stderr: {(tmp_path / 'stderr.txt').read_text()[-2000:]}"
        url = f"http://127.0.0.1:{port}"
        assert is_healthy(url)
        models = httpx.get(f"{url}/v1/models", timeout=10).json()
        # the base model and, by default, the adapter askcric ships for it
        assert {m["id"] for m in models["data"]} == {DEFAULT_MODEL, served_name(DEFAULT_MODEL, resolve_adapter(DEFAULT_MODEL, None))}
        server_group = _listening_group(port)

        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=90) == 0
        assert not is_healthy(url)
        assert group_pids(server_group) == []  # vLLM's engine process is gone too
    finally:
        if cli.poll() is None:
            cli.kill()


def test_a_busy_port_is_refused_before_starting(model_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(VllmServerError, match="in use"):
            with running_server(DEFAULT_MODEL, port=port):
                pass


def test_connections_left_in_time_wait_do_not_make_the_port_busy() -> None:
    from serving.vllm_server import _port_free

    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server side closes first: its end stays in TIME_WAIT
        time.sleep(0.2)
        client.close()
        assert not _port_free("127.0.0.1", port)  # still listening
    assert _port_free("127.0.0.1", port)  # only the TIME_WAIT connection is left
    with open("/proc/net/tcp") as table:  # and it is there (state 06 = TIME_WAIT)
        assert any(f":{port:04X} " in line and line.split()[3] == "06" for line in table)


def test_a_server_that_is_not_ready_in_time_is_stopped_with_its_log(model_path: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "server.log"
    started = time.monotonic()
    with pytest.raises(VllmServerError, match="/health within 3 s") as error:
        with running_server(DEFAULT_MODEL, port=free_port(), log_path=log_path, startup_timeout=3):
            pass
    assert "End of its log" in str(error.value)
    assert time.monotonic() - started < 60
    assert not any(_is_vllm(pid, log_path) for pid in _all_pids())


def _listening_group(port: int) -> int:
    """The process group of the vLLM server started for `port` (its command line names the port)."""
    for pid in _all_pids():
        command = _command(pid)
        if "vllm.entrypoints.openai.api_server" in command and f"--port\0{port}\0" in command:
            return os.getpgid(pid)
    raise AssertionError(f"no vLLM process for port {port}")


def _is_vllm(pid: int, log_path: Path) -> bool:
    try:
        return os.readlink(f"/proc/{pid}/fd/1") == str(log_path)
    except OSError:
        return False


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""
