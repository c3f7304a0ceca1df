"""A throwaway PostgreSQL server on loopback, for the test suite and the benchmarks.

It runs Debian's server binaries (`apt-get install postgresql`; the package starts nothing by
itself), keeps its data in a temporary folder and deletes it when stopped. The server tools refuse
to run as root, so as root every command runs as the `postgres` user through `runuser`.

    with throwaway_cluster() as url:   # postgresql+psycopg://askcric@127.0.0.1:PORT/askcric
        build_database(url)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
# A throwaway server loses nothing if the machine crashes: skip the disk flushes.
NO_DURABILITY = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start (message says why)."""


def server_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL bin folder that has initdb, e.g. /usr/lib/postgresql/15/bin."""
    found = [p.parent for p in DEBIAN_PG_ROOT.glob("*/bin/initdb")]
    numbered = [p for p in found if p.parent.name.isdigit()]
    return max(numbered, key=lambda p: int(p.parent.name)) if numbered else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ThrowawayCluster:
    url: str  # SQLAlchemy URL of the database made for the caller
    root: Path  # temporary folder: data/, the socket and server.log
    bin_dir: Path

    def stop(self) -> None:
        """Stop the server and delete its folder. Safe to call twice."""
        if (self.root / "data" / "postmaster.pid").exists():
            _run_as_postgres(
                [self.bin_dir / "pg_ctl", "-D", self.root / "data", "-m", "fast", "-w", "stop"]
            )
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(*, database: str = "askcric", user: str = "askcric") -> ThrowawayCluster:
    """initdb + start on 127.0.0.1 (free port, trust auth), then create `user` and `database`."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            f"No PostgreSQL server binaries under {DEBIAN_PG_ROOT} (apt-get install -y postgresql)"
        )
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        raise PostgresUnavailable("Running as root, and runuser (to become postgres) is missing")

    root = Path(tempfile.mkdtemp(prefix="askcric-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = ThrowawayCluster(url="", root=root, bin_dir=bin_dir)
    try:
        _run_as_postgres([
            bin_dir / "initdb", "-D", root / "data", "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
        ])
        port = _start_server(cluster)
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE ROLE "{user}" LOGIN')
            conn.execute(f'CREATE DATABASE "{database}" OWNER "{user}"')
        cluster.url = f"postgresql+psycopg://{user}@127.0.0.1:{port}/{database}"
        return cluster
    except BaseException:
        cluster.stop()
        raise


@contextmanager
def throwaway_cluster(*, database: str = "askcric", user: str = "askcric") -> Iterator[str]:
    """A fresh server for the duration of the block; yields the database URL."""
    cluster = start_cluster(database=database, user=user)
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _start_server(cluster: ThrowawayCluster, attempts: int = 3) -> int:
    """Start on a free port; another process may grab the port first, so try a few."""
    for _ in range(attempts):
        port = free_port()
        options = " ".join([f"-h 127.0.0.1 -p {port} -k {cluster.root}", *NO_DURABILITY])
        try:
            _run_as_postgres([
                cluster.bin_dir / "pg_ctl", "-D", cluster.root / "data", "-o", options,
                "-l", cluster.root / "server.log", "-w", "-t", "30", "start",
            ])
            return port
        except PostgresUnavailable:
            log = cluster.root / "server.log"
            if "could not bind" not in (log.read_text() if log.exists() else ""):
                raise
    raise PostgresUnavailable(f"PostgreSQL found no free port after {attempts} attempts")


def _run_as_postgres(command: list) -> None:
    command = [str(part) for part in command]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise PostgresUnavailable(
            f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
