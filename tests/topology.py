"""The whole topology on loopback ports, brought up, broken on purpose under load, and torn down (issue #20).

Run: `.venv/bin/python tests/topology.py [--seconds 120] [--connections 32] [--database portal_topology]`
(the PostgreSQL server at $BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/, is the
primary; its pg_hba.conf must allow `host replication all 127.0.0.1/32`, as tests/pgcluster.py says; the
last run's result is in docs/performance.md). tests/portal/test_topology.py runs a short version.

`topology()` starts, each on a free port of 127.0.0.1 and in a folder of its own, and stops on leaving its
block (on an error and Ctrl-C too):

- the primary: a database of ours on that server, migrated and seeded with seed_demo
  (tests/bench/serving.prepare), and one streaming replica of the server (tests/pgcluster.replica_of)
  that the app servers read from (DATABASE_REPLICA_URLS);
- two Redis from the shipped deploy/redis/cache.conf (REDIS_URL) and views.conf (VIEW_BUFFER_URL), with
  only their port and folder changed;
- two app servers, each its own granian with portal.serve's argv (portal.serve.command), DEBUG off, its
  own HEALTH_DRAIN_FILE, purging the edge (EDGE_PURGE_URLS);
- Varnish with deploy/varnish/portal.vcl and a round-robin director over both, each probed on /healthz
  (portal.serve.backend_vcl, varnish_command).

`run_load()` puts tests/bench/bench_mixed.py's load through the edge for --seconds (anonymous readers with
beacons, signed-in commenters with double clicks; a request that fails is sent once more after
--retry-wait s) and breaks three things, each at its own moment and after the last one's retries:

1. one app server is killed (SIGKILL to its granian master and workers at once) and stays dead; aimed,
   if one is seen within 3 s, at the server inside a comment's transaction. The fault lasts until the
   edge's probe has marked it sick (varnishadm backend.list); the retry wait (5 s) outlasts the probe's
   worst case (2 failed probes 2 s apart);
2. the replica is stopped and started; the fault lasts until it has replayed what the primary wrote;
3. the cache Redis is stopped and started (empty: it keeps nothing on disk).

The checks are bench_mixed's (`report`, printed): no 5xx and no broken connection beyond the requests cut
off by a fault, each answered on its retry; every acknowledged comment stored exactly once; the views
added == the distinct (article, visitor) beacons answered 204; nothing left in the view buffer. Two of its
failures are shown but not counted (Outcome.failed_checks says which and why); the app's own 5xx while a
fault lasted count as cut off (`_server_log`). Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess  # nosec B404  # the servers and varnishadm, argv built here
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, redirect_stdout, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from portal.serve import backend_vcl, varnish_command, varnishd  # noqa: E402  # importable once ROOT is on the path
from portal.serve import command as app_command  # noqa: E402
from tests import pgcluster  # noqa: E402
from tests.bench import bench_mixed  # noqa: E402
from tests.bench.bench_mixed import Run, Visitor, anonymous_reader, commenter, shell, sign_in  # noqa: E402
from tests.bench.serving import bench_env, healthy, prepare  # noqa: E402
from tests.varnish import free_port  # noqa: E402

DATABASE = "portal_topology"
REDIS_CONF = ROOT / "deploy" / "redis"
MARGIN = 0.5  # s a fault is taken to last after its end, as bench_mixed does: what it cut off may answer late
SETTLE_SECONDS = 60  # at most this for a server to start, the edge to see a change


# bench_mixed's settings for its load: a dedupe window longer than any run, no comment or new-visitor limit
# hit by design (its office addresses, its posting rate).
LOAD_SETTINGS = {
    "VIEW_DEDUPE_SECONDS": str(bench_mixed.DEDUPE_SECONDS),
    "VIEW_NEW_VISITORS_PER_ADDRESS": "100000",
    "COMMENT_RATE_PER_MINUTE": "1000",
    "COMMENT_RATE_PER_DAY": "1000",
    "COMMENT_RATE_PER_ARTICLE": "1000",
    "TRUSTED_PROXY_COUNT": "1",  # a load balancer in front of Varnish: each simulated visitor's address counts
}


class Unavailable(Exception):
    """A piece of the topology cannot be started here (a binary missing); the message says which."""


def _wait(ready: Callable[[], bool], what: str, process: subprocess.Popen | None = None) -> float:
    """Poll until ready() (with a deadline); the moment it was."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not ready():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: it exited ({process.returncode})")
        if time.monotonic() > deadline:
            raise RuntimeError(what)
        time.sleep(0.05)
    return time.monotonic()


def _terminate(process: subprocess.Popen | None, grace: float = 30) -> None:
    """SIGTERM, then SIGKILL to its whole process group if it is still there after `grace` s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---------------------------------------------------------------- the pieces


@dataclass
class RedisServer:
    """redis-server started from a shipped configuration file, with only its port and folder replaced."""

    name: str
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> float:
        binary = shutil.which("redis-server")
        if not binary:
            raise Unavailable("redis-server is not installed (apt-get install redis-server)")
        self.folder.mkdir(parents=True, exist_ok=True)
        argv = [binary, str(REDIS_CONF / f"{self.name}.conf"), "--port", str(self.port), "--dir", str(self.folder)]
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, process_group=0)  # nosec B603
        return _wait(self.answers, f"redis-server with {self.name}.conf did not answer", self.process)

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        _terminate(self.process, grace=10)


@dataclass
class AppServer:
    """One app server: granian with portal.serve's argv, in its own process group (its workers in it too)."""

    name: str
    env: dict
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}.log"

    @property
    def drain_file(self) -> Path:
        return self.folder / f"{self.name}.draining"

    def start(self) -> None:
        env = {**self.env, "HEALTH_DRAIN_FILE": str(self.drain_file)}
        argv = app_command({**env, "BIND": f"127.0.0.1:{self.port}"})
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # nosec B603  # argv built by portal.serve, no shell
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, process_group=0
            )

    def wait_until_healthy(self) -> None:
        _wait(lambda: healthy(self.port), f"{self.name} did not answer /healthz", self.process)

    def workers(self) -> dict[int, int]:
        return bench_mixed.workers_of(self.process.pid) if self.process and self.process.poll() is None else {}

    def kill(self) -> list[int]:
        """SIGKILL the whole server at once: the master and every worker (its process group); their pids."""
        pids = [self.process.pid, *self.workers()]
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for pid in pids[1:]:  # a worker that left the group would keep serving on its own socket
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def stop(self) -> None:
        _terminate(self.process)


@dataclass
class Topology:
    """What `topology()` started: the edge's port, the app servers, the replica, the two Redis."""

    folder: Path
    port: int
    purge_port: int
    apps: list[AppServer]
    replica: pgcluster.Cluster
    cache: RedisServer
    views: RedisServer
    app_env: dict  # the app servers' environment, less HEALTH_DRAIN_FILE
    tools_env: dict  # for manage.py beside them: the primary only, no edge to purge
    varnish: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def primary_wal(self) -> str:
        """Where the primary's WAL is now (an LSN)."""
        import psycopg

        url = self.app_env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as primary:
            return str(primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0])

    def edge_health(self) -> dict[str, str]:
        """The edge's verdict on each app server by its probe: {"app1": "healthy" | "sick", ...}."""
        said = subprocess.run(  # nosec B603
            [shutil.which("varnishadm", path=f"{os.environ.get('PATH', '')}:/usr/bin:/usr/sbin") or "varnishadm",
             "-n", str(self.folder / "varnish" / "n"), "backend.list"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
        verdicts = {}
        for line in said.stdout.splitlines():
            name, *rest = line.split() or [""]
            for app in self.apps:
                if name.endswith(f".{app.name}"):
                    verdicts[app.name] = "sick" if "sick" in [word.lower() for word in rest] else "healthy"
        return verdicts


def _server(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5432, parts.username or "postgres"


@contextmanager
def topology(
    database: str = DATABASE,
    *,
    server_url: str = "postgres://postgres@127.0.0.1:5432/",
    folder: Path | None = None,
    workers: int = 1,
    threads: int = 2,
    probe_interval: float = 2.0,
    varnish_params: tuple[str, ...] = (),
    settings: dict[str, str] | None = None,
) -> Iterator[Topology]:
    """Bring the whole topology up (see the module's docstring), yield it, take it all down.

    `settings` are added to the app servers' environment (and manage.py's). Raises Unavailable, or
    pgcluster.Unavailable, when a binary or the replica cannot be had; nothing is left running then."""
    if not varnishd():
        raise Unavailable("varnishd is not installed (apt-get install varnish varnish-modules)")
    with ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="topology-")))
        folder.mkdir(parents=True, exist_ok=True)
        port, purge_port = free_port(), free_port()
        cache = RedisServer("cache", folder / "redis-cache")
        views = RedisServer("views", folder / "redis-views")
        url = server_url.rstrip("/") + "/" + database
        host, db_port, user = _server(url)
        # The outer environment's own replicas and edges (a test run's, a developer's) are not ours.
        outer = {k: v for k, v in bench_env(database).items() if k not in ("DATABASE_REPLICA_URLS", "EDGE_PURGE_URLS")}
        env = outer | {
            "DJANGO_SETTINGS_MODULE": "portal.settings",  # the production settings, also under pytest
            "DATABASE_URL": url,
            "REDIS_URL": cache.url,
            "VIEW_BUFFER_URL": views.url,
            "STATIC_ROOT": str(folder / "static"),
            "DATABASE_STATEMENT_TIMEOUT": "30",  # as python -m portal.serve sets it
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": str(threads),
            **(settings or {}),
        }
        tools_env = env | {"LOG_LEVEL": "WARNING"}
        # The database is seeded while the replica is copied (it streams what the seeding writes meanwhile).
        with ThreadPoolExecutor(1) as pool:
            seeded = pool.submit(prepare, tools_env)  # create, migrate, seed_demo, collectstatic
            try:
                replica = stack.enter_context(pgcluster.replica_of(host=host, port=db_port, user=user))
                for redis_server in (cache, views):
                    stack.callback(redis_server.stop)
                    redis_server.start()
            finally:
                seeded.result()

        app_env = env | {
            "DATABASE_REPLICA_URLS": f"postgres://{user}@{replica.host}:{replica.port}/{database}",
            "EDGE_PURGE_URLS": f"http://127.0.0.1:{purge_port}/",
            # As portal.serve gives its granian: one more trusted proxy than in front of the edge.
            "TRUSTED_PROXY_COUNT": str(int(env.get("TRUSTED_PROXY_COUNT") or 0) + 1),
        }
        apps = [AppServer(f"app{n}", app_env, folder) for n in (1, 2)]
        for app in apps:
            stack.callback(app.stop)
            app.start()
        for app in apps:
            app.wait_until_healthy()

        top = Topology(folder, port, purge_port, apps, replica, cache, views, app_env, tools_env)
        (folder / "varnish").mkdir(exist_ok=True)
        (folder / "varnish" / "backend.vcl").write_text(
            backend_vcl(*(app.port for app in apps), host_header="127.0.0.1", probe_interval=probe_interval)
        )
        argv = varnish_command(
            f"127.0.0.1:{port}", folder / "varnish", "256m", *varnish_params, purge_listen=f"127.0.0.1:{purge_port}"
        )
        with open(folder / "varnish.log", "ab") as log:
            top.varnish = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, process_group=0)  # nosec B603
        stack.callback(_terminate, top.varnish)
        _wait(lambda: healthy(port), "varnishd did not answer /healthz", top.varnish)
        _wait(
            lambda: set(top.edge_health().values()) == {"healthy"} and len(top.edge_health()) == len(apps),
            "the edge's probe did not find both app servers healthy",
        )
        yield top


# ---------------------------------------------------------------- the faults


@dataclass
class Faults:
    """The controller's plan: the three faults at fractions of the run, each after the last one's retries."""

    top: Topology
    retry_wait: float
    flush_every: float | None
    aim_seconds: float = 3.0
    killed: AppServer | None = None

    def kill_an_app_server(self, run: Run) -> float:
        servers = SimpleNamespace(workers=lambda: {pid: t for app in self.top.apps for pid, t in app.workers().items()})
        aimed = bench_mixed.worker_in_a_transaction(servers, self.top.app_env["DATABASE_URL"], self.aim_seconds)
        victim = next((app for app in self.top.apps if aimed and aimed[0] in app.workers()), self.top.apps[0])
        why = (
            f"inside a comment's transaction: {aimed[1]}"
            if aimed
            else f"no comment transaction in {self.aim_seconds:g} s"
        )
        at = time.monotonic()
        pids = victim.kill()
        self.killed = victim
        out = _wait(lambda: self.top.edge_health().get(victim.name) == "sick", "the edge's probe kept the dead server")
        run.windows.append(("app server kill", at, out + MARGIN))
        run.events.append(
            f"t={at - run.started:5.1f}s SIGKILL {victim.name} (granian master and {len(pids) - 1} workers; {why}); "
            f"t={out - run.started:5.1f}s the edge's probe marks it sick"
        )
        return out + MARGIN

    def restart_the_replica(self, run: Run) -> float:
        """Stop and start it; the fault lasts until it has replayed what the primary wrote meanwhile (until
        then it serves reads of the past)."""
        at = time.monotonic()
        self.top.replica.stop()
        stopped = time.monotonic()
        self.top.replica.start()  # returns once it answers a query
        ready = time.monotonic()
        target = self.top.primary_wal()
        caught_up = _wait(
            lambda: self.top.replica.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0],
            "the replica did not catch up with the primary",
        )
        run.windows.append(("replica restart", at, caught_up + MARGIN))
        run.events.append(
            f"t={at - run.started:5.1f}s replica stopped (in {stopped - at:.1f} s); "
            f"t={ready - run.started:5.1f}s it answers again; t={caught_up - run.started:5.1f}s it has caught up"
        )
        return caught_up + MARGIN

    def restart_the_cache_redis(self, run: Run) -> float:
        at = time.monotonic()
        self.top.cache.stop()
        stopped = time.monotonic()
        ready = self.top.cache.start()
        run.windows.append(("cache Redis restart", at, ready + MARGIN))
        run.events.append(
            f"t={at - run.started:5.1f}s cache Redis stopped (in {stopped - at:.1f} s); "
            f"t={ready - run.started:5.1f}s it answers again, empty"
        )
        return ready + MARGIN

    def control(self, run: Run) -> None:
        """The faults in turn, each at its moment and never before the last one's cut-off requests had their
        retry; flush_views every flush_every s meanwhile (besides the app servers' own flushes)."""
        seconds = run.deadline - run.started
        next_flush = run.started + (self.flush_every or float("inf"))
        plan = [(0.25, self.kill_an_app_server), (0.5, self.restart_the_replica), (0.75, self.restart_the_cache_redis)]
        not_before = run.started
        while plan or time.monotonic() < run.deadline:
            now = time.monotonic()
            if plan and now >= max(run.started + plan[0][0] * seconds, not_before):
                _, fault = plan.pop(0)
                try:
                    not_before = fault(run) + self.retry_wait + 1
                except Exception as error:  # the run goes on; the report names what could not be done
                    run.problems.append(f"{fault.__name__}: {error!r}")
            elif now >= next_flush and now < run.deadline:
                next_flush += self.flush_every
                said = bench_mixed.flush_views(run, self.top.tools_env)
                run.events.append(f"t={time.monotonic() - run.started:5.1f}s flush_views: {said}")
            else:
                time.sleep(0.05)


# ---------------------------------------------------------------- the run and its report


# bench_mixed.report's words for two of its failures (see Outcome.failed_checks).
NOT_SHOWN = "acknowledged comments missing from the page their 302 led to"
RETRIED = "requests cut off by a fault failed again on their one retry"


@dataclass
class Outcome:
    """bench_mixed.report's verdict and failures, and the headline numbers of its checks."""

    ok: bool  # every one of bench_mixed's checks passed
    failures: list[str]
    requests: int
    fives: int
    fives_beyond_faults: int
    acknowledged: int
    stored_once: int
    views_expected: int
    views_stored: int
    views_unsure: int
    retries_failed_beyond_faults: int  # retries of cut-off requests that failed after every fault had ended
    not_shown: int  # acknowledged comments missing from the page their 302 led to
    faults: list[str]
    report: str

    @property
    def failed_checks(self) -> list[str]:
        """bench_mixed's failures, less two that the report shows but that are not this run's checks:

        - a retry that failed while the fault that cut off its request still lasted (a replica slow to come
          back: the app has no fallback to the primary for reads), since that too is a 5xx cut off by a
          fault; one that failed after every fault had ended still counts;
        - comments missing from the page their 302 led to: with a replica, that page comes through the edge,
          which strips the pin cookie from public pages, so the app renders it from the replica, which may not
          have replayed the comment yet (a few ms; more while it catches up after a restart)."""
        excused = [NOT_SHOWN] + ([RETRIED] if not self.retries_failed_beyond_faults else [])
        return [failure for failure in self.failures if not any(words in failure for words in excused)]


def _server_log(top: Topology, run: Run, wall_offset: float) -> tuple[Path, int]:
    """Both app servers' output as one server.log for bench_mixed.report, less the app's 5xx answered while a
    fault lasted (a read on the replica while it was down: the client side counts them as cut off, and
    their retry must succeed); how many were left out. The access log's time has whole seconds."""
    kept, left_out = [], 0
    for app in top.apps:
        for line in app.log.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict) and entry.get("status", 0) >= 500 and "time" in entry:
                second = datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() - wall_offset
                if run.fault(second, second + 1):
                    left_out += 1
                    continue
            kept.append(line)
    (top.folder / "report").mkdir(exist_ok=True)
    (top.folder / "report" / "server.log").write_text("\n".join(kept) + "\n")
    return top.folder / "report", left_out


def run_load(
    top: Topology,
    *,
    seconds: float,
    connections: int = 32,
    commenters: int | None = None,
    visitors: int = 3000,
    retry_wait: float = 2.0,
    flush_every: float | None = 20,
    aim_seconds: float = 3.0,
    out=None,
) -> Outcome:
    """bench_mixed's readers and commenters through the edge for `seconds`, the three faults meanwhile; then
    its checks. The report is printed to `out` (stdout by default) and kept in the Outcome."""
    commenters = commenters if commenters is not None else max(1, connections // 4)
    readers = connections - commenters
    run_id = uuid.uuid4().hex[:8]
    prefix = f"[mixed-{run_id}]"  # bench_mixed's SETUP removes comments of earlier runs by "[mixed-"
    site = shell(top.tools_env, bench_mixed.SETUP, ACCOUNTS=commenters, PASSWORD=bench_mixed.DEMO_PASSWORD)
    baseline = {int(k): v for k, v in site["views"].items()}
    run = Run(port=top.port, retry_wait=retry_wait)
    faults = Faults(top, retry_wait, flush_every, aim_seconds)
    accounts = _signed_in(run, site, run_id)
    # Browsers of their own address, but one in ten behind a shared office address (NAT), as bench_mixed's.
    anonymous = [
        Visitor(f"{run_id}-v{i:05d}", f"10.250.0.{i % 7 + 1}" if i % 10 == 0 else f"10.{1 + i // 62500}.{i // 250 % 250}.{i % 250 + 1}")
        for i in range(visitors)
    ]  # fmt: skip
    run.visitors = anonymous + [visitor for _, visitor in accounts]
    threads = [
        threading.Thread(target=anonymous_reader, args=(run, site, anonymous[i::readers], i), daemon=True)
        for i in range(readers)
    ] + [
        threading.Thread(target=commenter, args=(run, site, username, visitor, 1000 + i, prefix), daemon=True)
        for i, (username, visitor) in enumerate(accounts)
    ]
    threads.append(threading.Thread(target=faults.control, args=(run,), daemon=True))
    wall_offset = time.time() - time.monotonic()  # the access log has wall-clock times, the run monotonic ones
    run.started = time.monotonic()
    run.deadline = run.started + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - run.started

    run.events.append(f"end: flush_views: {bench_mixed.flush_views(run, top.tools_env)}")
    final = shell(top.tools_env, bench_mixed.FINAL, PREFIX=prefix)
    final["views"] = {int(k): v for k, v in final["views"].items()}
    if len(run.windows) < 3:
        run.problems.append(f"only {len(run.windows)} of the 3 faults happened (too short a run?)")
    if faults.killed and faults.killed.process.poll() is None:
        run.problems.append(f"{faults.killed.name} was killed but is running")

    log_dir, app_fives_in_faults = _server_log(top, run, wall_offset)
    text = _Tee(out or sys.stdout)
    with redirect_stdout(text):
        print(f"topology: Varnish :{top.port} -> " + ", ".join(f"{a.name} :{a.port}" for a in top.apps)
              + f"; replica :{top.replica.port}; Redis cache :{top.cache.port}, views :{top.views.port}; "
              f"{readers} readers over {visitors} browsers, {commenters} commenters; run {run_id}")  # fmt: skip
        print(f"the app's own 5xx while a fault lasted (left to the client-side check): {app_fives_in_faults}")
        ok = bench_mixed.report(run, final, baseline, elapsed, log_dir, _buffer_left(top))
    return _outcome(ok, run, final, baseline, text.getvalue())


def _signed_in(run: Run, site: dict, run_id: str) -> list[tuple[str, Visitor]]:
    """bench_mixed's commenter accounts, each signed in through the edge by its own browser."""
    accounts = []
    for i, username in enumerate(site["accounts"]):
        visitor = Visitor(f"{run_id}-{username}", f"10.200.{i // 250}.{i % 250 + 1}")
        if not sign_in(run, site["login"], username, visitor):
            raise RuntimeError(f"could not sign in as {username} through the edge")
        accounts.append((username, visitor))
    return accounts


def _buffer_left(top: Topology) -> dict[str, int]:
    """What the view buffer still holds: counts not flushed, batches not finished."""
    import redis

    buffer = redis.Redis(port=top.views.port)
    return {
        "pending": sum(int(v) for v in buffer.hvals("views:pending")),
        "batches": len(list(buffer.scan_iter("views:flushing:*"))),
    }


def _outcome(ok: bool, run: Run, final: dict, baseline: dict, report: str) -> Outcome:
    # The headline numbers of bench_mixed.report's checks, and the failures it listed under "== result".
    records = [r for r in run.records if r.kind != "login"]
    fives = [r for r in records if (r.status or 0) >= 500]
    acknowledged = {p["body"]: p["id"] for p in run.posts if "id" in p}
    stored: dict[str, list[int]] = {}
    for pk, body, *_ in final["comments"]:
        stored.setdefault(body, []).append(pk)
    cut = [r for r in records if r.failed and not r.is_retry and run.fault(r.started, r.ended)]
    return Outcome(
        ok=ok,
        failures=[line[4:] for line in report.partition("== result:")[2].splitlines() if line.startswith("  - ")],
        requests=sum(not r.is_retry for r in records),
        fives=len(fives),
        fives_beyond_faults=sum(not run.fault(r.started, r.ended) for r in fives),
        acknowledged=len(acknowledged),
        stored_once=sum(stored.get(body) == [pk] for body, pk in acknowledged.items()),
        views_expected=len(run.counted),
        views_stored=sum(final["views"].get(a, 0) - baseline.get(a, 0) for a in set(final["views"]) | set(baseline)),
        views_unsure=len(run.unsure - run.counted_by),
        retries_failed_beyond_faults=sum(
            r.retry is None or (r.retry.failed and not run.fault(r.retry.started, r.retry.ended)) for r in cut
        ),
        not_shown=sum(p.get("on_page") is False for p in run.posts),
        faults=[name for name, _, _ in run.windows],
        report=report,
    )


class _Tee:
    """Writes to a stream and keeps a copy."""

    def __init__(self, stream):
        self.stream, self.parts = stream, []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def getvalue(self) -> str:
        return "".join(self.parts)


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--commenters", type=int, help="connections that sign in and post (default: a quarter)")
    parser.add_argument("--visitors", type=int, default=3000, help="distinct anonymous browsers")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes per app server")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    parser.add_argument("--probe-interval", type=float, default=2.0, help="s between the edge's probes (2)")
    parser.add_argument("--retry-wait", type=float, default=5.0, help="s before a failed request's one retry")
    parser.add_argument("--flush-every", type=float, default=20)
    parser.add_argument("--database", default=DATABASE, help="the primary's database, created and seeded if needed")
    parser.add_argument("--keep", action="store_true", help="keep the folder (logs) instead of removing it")
    args = parser.parse_args()
    if "topology" not in args.database:  # seed_demo rewrites the demo newsroom: never a real site's database
        parser.error("--database must name a database of its own, with `topology` in its name")
    server_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    # A clean stop on SIGTERM too: the block below takes everything down.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    folder = Path(tempfile.mkdtemp(prefix="topology-")) if args.keep else None
    started = time.monotonic()
    try:
        with topology(
            args.database,
            server_url=server_url,
            folder=folder,
            workers=args.workers,
            threads=args.threads,
            probe_interval=args.probe_interval,
            settings=dict(LOAD_SETTINGS),
        ) as top:
            print(
                f"the topology is up in {time.monotonic() - started:.0f} s" + (f"; logs in {folder}" if folder else "")
            )
            outcome = run_load(
                top,
                seconds=args.seconds,
                connections=args.connections,
                commenters=args.commenters,
                visitors=args.visitors,
                retry_wait=args.retry_wait,
                flush_every=args.flush_every,
            )
    except (Unavailable, pgcluster.Unavailable) as why:
        sys.exit(f"topology: {why}")
    except KeyboardInterrupt:
        print("topology: interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    print(
        "\n== the topology's checks: " + ("OK" if not outcome.failed_checks else "FAILED"),
        f"  5xx beyond the requests cut off by a fault: {outcome.fives_beyond_faults} (of {outcome.fives})",
        f"  acknowledged comments stored exactly once: {outcome.stored_once} / {outcome.acknowledged}",
        f"  views stored / distinct (article, visitor) beacons: {outcome.views_stored} / {outcome.views_expected}"
        + (f" (+ up to {outcome.views_unsure} unsure)" if outcome.views_unsure else ""),
        *(f"  - {failure}" for failure in outcome.failed_checks),
        sep="\n",
    )
    for failure in outcome.failures:
        if failure not in outcome.failed_checks:
            print(f"  (reported above, not one of these checks: {failure}; see Outcome.failed_checks)")
    print(f"(total {time.monotonic() - started:.0f} s, everything stopped)")
    return 0 if not outcome.failed_checks else 1


if __name__ == "__main__":
    sys.exit(main())
