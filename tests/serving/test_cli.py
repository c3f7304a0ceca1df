"""`askcric ask` from a shell: questions it can refuse without the model are refused before the
model is loaded (the model folder here is empty, so loading it would fail)."""

import json
import os
import subprocess
import sys

import pytest

from statsdb.database import default_url


def ask(question: str | bytes, tmp_path, full_db) -> tuple[int, dict]:
    env = {**os.environ, "ASKCRIC_HOME": str(tmp_path), "ASKCRIC_DB": default_url()}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from serving.cli import main; sys.exit(main())", "ask", question, "--json"],
        capture_output=True, env=env, timeout=120,
    )
    return done.returncode, json.loads(done.stdout.decode().strip().splitlines()[-1])


@pytest.mark.parametrize("question, kind", [
    ("", "empty_question"),
    ("Kohly ipl runs", "unknown_name"),
    ("what is the capital of France", "out_of_domain"),
    (b"Kohli \xff runs", "invalid_question"),  # bytes that are not UTF-8 on the command line
])
def test_refused_before_the_model_loads(question, kind, tmp_path, full_db):
    assert not any(tmp_path.iterdir())  # no prepared model: a load would fail or take minutes
    code, answer = ask(question, tmp_path, full_db)
    assert code == 1
    assert answer["error"]["kind"] == kind
    assert not (tmp_path / "models").exists()


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from serving.cli import main; sys.exit(main())", *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


@pytest.mark.parametrize("args, said", [
    (("serve", "--port", "99999"), "is not a port"),
    (("serve", "--port", "-1"), "is not a port"),
    (("serve", "--queue", "-1"), "is not a whole number"),
    (("serve", "--queue-wait", "0"), "is not a number of seconds"),
    (("serve", "--backend-timeout", "soon"), "is not a number of seconds"),
    (("serve", "--log-convergence", "2"), "is not a share"),
])
def test_bad_start_up_arguments_are_clear_errors(args, said):
    done = run_cli(*args)
    assert done.returncode == 2 and said in " ".join(done.stderr.split()) and "Traceback" not in done.stderr


def test_an_askcric_home_that_is_a_file_is_a_clear_error(tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    done = run_cli("ask", "Kohli runs", env={"ASKCRIC_HOME": str(a_file), "ASKCRIC_DB": ""})
    assert done.returncode == 2
    said = " ".join(done.stderr.split())  # the console wraps long lines
    assert "Set ASKCRIC_HOME to a writable folder" in said and "Traceback" not in said


def test_serve_exits_0_after_a_clean_shutdown_on_sigterm(tmp_path, full_db):
    import signal
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ASKCRIC_DB": default_url(), "ASKCRIC_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from serving.cli import main; sys.exit(main())", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/livez", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0, server.stdout.read().decode()[-2000:]
    finally:
        server.kill()


def test_teach_and_review_from_the_shell(tmp_path, full_db):
    env = {"ASKCRIC_HOME": str(tmp_path), "ASKCRIC_DB": default_url(),
           "ASKCRIC_TAUGHT_URL": f"sqlite:///{tmp_path / 'taught.sqlite'}", "COLUMNS": "200"}  # tables unwrapped
    live = run_cli("teach", "Joe Root runs in whites", 'batting player "Joe Root" test runs', env=env)
    assert live.returncode == 0 and "Taught pair 1, live now" in " ".join(live.stdout.split())
    refused = run_cli("teach", "Joe Root runs in whites", 'batting player "Joe Root" runs in whites', env=env)
    assert refused.returncode == 1 and "syntax_error" in refused.stderr and "Traceback" not in refused.stderr
    queued = run_cli("teach", "Joe Root runs in whites", 'batting player "Joe Root" runs', "--pending", env=env)
    assert queued.returncode == 0 and "waiting for review" in queued.stdout

    listed = run_cli("review", env=env)
    assert listed.returncode == 0 and "Joe Root runs in whites" in listed.stdout and "pending" in listed.stdout
    assert run_cli("review", "accept", "2", env=env).stdout.strip() == "2: accepted"
    everything = " ".join(run_cli("review", "--all", env=env).stdout.split())
    assert "superseded" in everything and "accepted" in everything  # one live reading per question
    missing = run_cli("review", "reject", "99", env=env)
    assert missing.returncode == 1 and "no_such_pair" in missing.stderr
    assert run_cli("review", "12", env=env).returncode == 2


def test_chat_reads_three_follow_ups_in_a_row_through_a_terminal(tmp_path, full_db):
    import pty
    import re
    import select
    import time

    from statsdb.database import data_dir
    from tests.conftest import require_model

    require_model()
    (tmp_path / "models").symlink_to(data_dir() / "models")  # the prepared model; history stays in tmp_path
    env = {**os.environ, "ASKCRIC_HOME": str(tmp_path), "ASKCRIC_DB": default_url(), "COLUMNS": "200",
           "ASKCRIC_TAUGHT_URL": f"sqlite:///{tmp_path / 'taught.sqlite'}"}
    leader, follower = pty.openpty()
    chat = subprocess.Popen([sys.executable, "-c", "import sys; from serving.cli import main; sys.exit(main())", "chat"],
                            stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)

    def until_prompt(timeout: float = 180) -> str:
        seen, deadline = b"", time.monotonic() + timeout
        while b"askcric> " not in seen:
            assert time.monotonic() < deadline, f"no prompt; the terminal shows: {seen.decode(errors='replace')[-2000:]}"
            if select.select([leader], [], [], 1)[0]:
                seen += os.read(leader, 65536)
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode(errors="replace"))

    try:
        until_prompt()
        queries = []
        for line in ["Virat Kohli ODI average against Australia since 2015", "and in Tests?", "what about Joe Root?",
                     "since 2020?"]:
            os.write(leader, line.encode() + b"\n")
            shown = until_prompt()
            queries.append(next(text.strip() for text in shown.splitlines() if text.strip().startswith("batting ")))
        os.write(leader, b"quit\n")
        assert chat.wait(timeout=60) == 0
    finally:
        chat.kill()
        os.close(leader)
    assert queries == [
        'batting player "Virat Kohli" odi vs "Australia" since 2015 average',
        'batting player "Virat Kohli" test vs "Australia" since 2015 average',
        'batting player "Joe Root" test vs "Australia" since 2015 average',
        'batting player "Joe Root" test vs "Australia" since 2020 average',
    ]


@pytest.mark.slow
def test_ask_serves_the_shipped_adapter_unless_told_none(tmp_path, full_db):
    from serving.models import DEFAULT_MODEL, SHIPPED_ADAPTERS
    from statsdb.database import data_dir
    from tests.conftest import require_model

    require_model()
    (tmp_path / "models").symlink_to(data_dir() / "models")
    env = {"ASKCRIC_HOME": str(tmp_path), "ASKCRIC_DB": default_url()}
    question = "Virat Kohli ODI runs against Australia"
    answers = {adapter: json.loads(run_cli("ask", question, "--json", *adapter, env=env).stdout)
               for adapter in ((), ("--adapter", "none"))}
    adapted, base = answers[()], answers[("--adapter", "none")]
    assert adapted["model"] == f"{DEFAULT_MODEL}+{SHIPPED_ADAPTERS[DEFAULT_MODEL].name}"
    assert base["model"] == DEFAULT_MODEL
    assert adapted["dsl"] == base["dsl"] == 'batting player "Virat Kohli" odi vs "Australia" runs'
