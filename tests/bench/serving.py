"""What the benchmarks share: a seeded PostgreSQL database, the portal served as `make serve` does, a load.

Every figure is a comparison made in one run on one machine; absolute numbers move with the machine.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8199"))
FLOOR_FILE = "bench-floor.html"  # the framework floor's page, saved in STATIC_ROOT by bench_load.py


def bench_env(database: str) -> dict:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/").rstrip("/") + "/" + database
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
        stdout=None if capture else subprocess.DEVNULL,
    )
    return result.stdout if capture else ""


def prepare(env: dict) -> None:
    """Create the benchmark database if needed, migrate, seed the demo newsroom, collect static files."""
    import psycopg

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(
        url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v0")


def article_paths(env: dict, n: int = 20) -> list[str]:
    code = f"from news.models import Article; print(' '.join(a.get_absolute_url() for a in Article.objects.published()[:{n}]))"
    return manage(env, "shell", "-v", "0", "-c", code, capture=True).split()


@contextmanager
def served(env: dict, *, log: Path | None = None, timeout: float = 60):
    """The portal served as `make serve` serves it (`python -m portal.serve`) on env's PORT until the block
    ends; yields the server process once /healthz answers 200. Output goes to `log`, else nowhere. The
    one place the benchmarks and the suite's real-server tests start a server."""
    port = int(env.get("PORT", PORT))
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115  # closed below
    server = subprocess.Popen(
        [PY, "-m", "portal.serve"], cwd=ROOT, env={**env, "PORT": str(port)}, stdout=out, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + timeout
        while not healthy(port):
            if server.poll() is not None:
                raise RuntimeError(f"the server stopped at start (exit {server.returncode}); see {log or 'its output'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s")
            time.sleep(0.1)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log:
            out.close()


def healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def load(paths: list[str], requests: int, concurrency: int, headers=lambda i: {}) -> tuple[float, list[float]]:
    """GET the paths round-robin from `concurrency` keep-alive connections; return (req/s, latencies)."""

    def worker(offset: int) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        times = []
        for i in range(offset, requests, concurrency):
            start = time.perf_counter()
            conn.request("GET", paths[i % len(paths)], headers=headers(i))
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            times.append(time.perf_counter() - start)
        conn.close()
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = [t for batch in pool.map(worker, range(concurrency)) for t in batch]
    return len(latencies) / (time.perf_counter() - started), latencies


def summary(label: str, rps: float, latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return f"{label:<28} {rps:7.1f} req/s   p50 {q[49] * 1000:6.1f} ms   p95 {q[94] * 1000:6.1f} ms"
