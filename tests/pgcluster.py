"""Throwaway PostgreSQL servers for tests: a streaming replica of a running server, a standalone copy of
one, or a fresh empty cluster. Each lives in a temporary folder on a free port of 127.0.0.1 and is stopped
and removed on leaving the `with` block; `stop()` and `start()` in between simulate an outage.

    with pgcluster.replica_of(host="127.0.0.1", port=5432) as replica:
        replica.query("SELECT pg_is_in_recovery()")   # (True,)

The server binaries must match the source server's major version (Debian: /usr/lib/postgresql/<major>/bin,
or PG_BINDIR). Copies are taken over the replication protocol, so the source's pg_hba.conf must allow
`host replication all 127.0.0.1/32`. When something is missing, entering the block raises Unavailable
saying what; a test decides whether that means skip or fail.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

READY_SECONDS = 60
# A standby refuses to start with fewer of these than its primary has.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class Unavailable(Exception):
    """A throwaway server cannot be made here; the message says what is missing."""


class Cluster:
    """One throwaway server: its folder, port and binaries; start(), stop(), connect(), query()."""

    def __init__(self, datadir: Path, port: int, bindir: Path, user: str = "postgres"):
        self.datadir, self.port, self.bindir, self.user = datadir, port, bindir, user

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname, autocommit=True, connect_timeout=5, **kwargs
        )

    def query(self, sql: str, params=None, dbname: str = "postgres") -> tuple | None:
        """Run one statement in autocommit and return its first row."""
        with self.connect(dbname) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchone() if cursor.description else None

    def start(self) -> None:
        _run(
            [
                self.bindir / "pg_ctl",
                "-D",
                self.datadir,
                "-l",
                self.datadir / "server.log",
                "-w",
                "-t",
                str(READY_SECONDS),
                "start",
            ],
            what="start the server",
            log=self.datadir / "server.log",
        )
        self.wait_until_ready()

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            _run([self.bindir / "pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop"], what="stop the server")

    def wait_until_ready(self, seconds: float = READY_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.query("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # polling with a deadline: a server starts in well under a second


def _as_server_user(command: list) -> list[str]:
    # PostgreSQL refuses to run as root; as root, run it (and own its files) as the postgres account.
    command = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list, *, what: str, log: Path | None = None) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=180, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        if log and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise Unavailable(f"could not {what}: {detail}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bindir(major: int | None) -> Path:
    """The server binaries: PG_BINDIR, else Debian's folder for that major version (the newest if None)."""
    if configured := os.environ.get("PG_BINDIR"):
        candidates = [Path(configured)]
    elif major is not None:
        candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    else:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for path in candidates:
        if (path / "pg_ctl").exists():
            return path
    wanted = f"PostgreSQL {major}" if major else "PostgreSQL"
    raise Unavailable(f"{wanted} server binaries not found (apt-get install postgresql, or set PG_BINDIR)")


def _make_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="pgcluster-"))
    folder.chmod(0o700)
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
    return folder


def _write_config(datadir: Path, port: int, extra: dict[str, str | int]) -> None:
    """Our own postgresql.conf and pg_hba.conf (Debian keeps the source's in /etc, so a copy has none)."""
    settings = {
        "port": port,
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{datadir}'",
        "shared_buffers": "'16MB'",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "ssl": "off",
        "logging_collector": "off",
        "hot_standby": "on",
        **extra,
    }
    files = {
        "postgresql.conf": "".join(f"{key} = {value}\n" for key, value in settings.items()),
        "pg_hba.conf": (
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
        ),
        "pg_ident.conf": "",
    }
    for name, text in files.items():
        path = datadir / name
        path.write_text(text)
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(path, account.pw_uid, account.pw_gid)
        path.chmod(0o600)


def _source_facts(host: str, port: int, user: str) -> tuple[int, dict[str, str]]:
    try:
        with psycopg.connect(
            host=host, port=port, user=user, dbname="postgres", autocommit=True, connect_timeout=5
        ) as conn:
            major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
            values = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in STANDBY_MINIMUMS}
    except psycopg.OperationalError as exc:
        raise Unavailable(f"the source server at {host}:{port} does not answer: {exc}") from exc
    return major, values


@contextmanager
def _running(cluster: Cluster) -> Iterator[Cluster]:
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(cluster.datadir, ignore_errors=True)


def _copy(host: str, port: int, user: str, *, standby: bool) -> Cluster:
    major, minimums = _source_facts(host, port, user)
    bindir = _bindir(major)
    datadir = _make_folder()
    command = [
        bindir / "pg_basebackup",
        "-h",
        host,
        "-p",
        str(port),
        "-U",
        user,
        "-D",
        datadir,
        "-X",
        "stream",
        "-c",
        "fast",
        "--no-sync",
        "-w",
    ]
    try:
        try:
            _run(command + (["-R"] if standby else []), what=f"copy the server at {host}:{port}")
        except Unavailable as exc:
            # A checkpoint forced by a database being created or dropped elsewhere can end the copy's
            # stream ("terminating process ... to release replication slot"): one more try (pg_basebackup has
            # emptied the folder it was given).
            if "unexpected termination of replication stream" not in str(exc):
                raise
            _run(command + (["-R"] if standby else []), what=f"copy the server at {host}:{port}")
    except Unavailable as exc:
        shutil.rmtree(datadir, ignore_errors=True)
        if "pg_hba.conf" in str(exc):
            raise Unavailable(
                f"the server at {host}:{port} refuses replication connections: its pg_hba.conf needs the line "
                "`host replication all 127.0.0.1/32 trust` (then SELECT pg_reload_conf())"
            ) from exc
        raise
    new_port = _free_port()
    _write_config(datadir, new_port, minimums if standby else {})
    return Cluster(datadir, new_port, bindir, user)


@contextmanager
def replica_of(*, host: str = "127.0.0.1", port: int = 5432, user: str = "postgres") -> Iterator[Cluster]:
    """A hot standby streaming from the server at host:port, read-only, ready for queries."""
    with _running(_copy(host, port, user, standby=True)) as cluster:
        yield cluster


@contextmanager
def copy_of(*, host: str = "127.0.0.1", port: int = 5432, user: str = "postgres") -> Iterator[Cluster]:
    """A standalone, writable copy of the server at host:port as it is now (its databases included)."""
    with _running(_copy(host, port, user, standby=False)) as cluster:
        yield cluster


@contextmanager
def fresh(*, user: str = "postgres", major: int | None = None) -> Iterator[Cluster]:
    """A new empty cluster (UTF-8, C.UTF-8 locale); needs no other server."""
    bindir = _bindir(major)
    datadir = _make_folder()
    try:
        _run(
            [
                bindir / "initdb",
                "-D",
                datadir,
                "-U",
                user,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            what="create a cluster",
        )
    except Unavailable:
        shutil.rmtree(datadir, ignore_errors=True)
        raise
    port = _free_port()
    _write_config(datadir, port, {})
    with _running(Cluster(datadir, port, bindir, user)) as cluster:
        yield cluster
