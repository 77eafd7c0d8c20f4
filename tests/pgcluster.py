"""A private PostgreSQL cluster for the tests: initdb into a temporary folder, a server on a free loopback
port, stopped and deleted at the end. Nothing depends on a system service.

Why ``runuser``: PostgreSQL refuses to run as root, and CI runs as root; then the cluster belongs to the
``postgres`` system user (Debian's package makes it; created here if missing)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

USER = "postgres"


def bin_dir() -> Path | None:
    """The newest installed server's binaries (Debian: /usr/lib/postgresql/VERSION/bin), or initdb on PATH."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", USER], check=True)
    return ["runuser", "-u", USER, "--", *cmd]


@contextlib.contextmanager
def cluster(*, fsync: bool = False) -> Iterator[str]:
    """Start a cluster; yields the URL of its ``postgres`` database (superuser ``harness``, trust auth).

    ``fsync`` off by default: the tests kill collectors, never the server, so a commit that reached the
    server's WAL buffers is what they check; the benchmark turns it on to measure the durable rate."""
    bins = bin_dir()
    if bins is None:
        raise FileNotFoundError("no PostgreSQL server binaries (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="harness-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        _as_owner(["true"])  # makes the user if missing
        os.chmod(root, 0o755)
        shutil.chown(root, USER)
    port = _free_port()
    subprocess.run(
        _as_owner([str(bins / "initdb"), "-D", str(data), "-U", "harness", "-A", "trust", "-E", "UTF8", "--no-sync"]),
        check=True, capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c max_connections=50"
    options += f" -c fsync={'on' if fsync else 'off'}"
    subprocess.run(
        _as_owner([str(bins / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o", options, "start"]),
        check=True, capture_output=True,
    )
    try:
        yield f"postgresql://harness@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def new_database(server_url: str) -> str:
    """A fresh, empty database on the cluster; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"
