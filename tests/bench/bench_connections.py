"""Benchmark: article-page throughput with and without persistent database connections.

Run: `.venv/bin/python tests/bench/bench_connections.py` (PostgreSQL at $BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_bench; the database is created, migrated and seeded with the demo
newsroom). It serves the portal with gunicorn twice, CONN_MAX_AGE=0 then 600, loads the same article pages
from a thread pool on loopback, and prints requests/s, p50 and p95 for each and their ratio. Absolute
figures depend on the machine; the ratio is the result.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
PORT = int(os.environ.get("BENCH_PORT", "8199"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
ENV = {**os.environ, "DATABASE_URL": URL, "SECRET_KEY": "bench-only-secret-key-0123456789abcdef", "DEBUG": "false",
       "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "false", "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "WARNING"}


def prepare() -> list[str]:
    import psycopg

    with psycopg.connect(URL.replace("/portal_bench", "/postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'portal_bench'").fetchone():
            conn.execute("CREATE DATABASE portal_bench")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)
    subprocess.run([PY, "manage.py", "seed_demo"], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=ENV, check=True)
    out = subprocess.run(
        [PY, "manage.py", "shell", "-v", "0", "-c",
         "from news.models import Article; print(' '.join(a.get_absolute_url() for a in Article.objects.published()[:20]))"],
        cwd=ROOT, env=ENV, check=True, capture_output=True, text=True,
    ).stdout
    return out.split()


def load(paths: list[str]) -> tuple[float, list[float]]:
    def worker(n: int) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        times = []
        for i in range(n):
            start = time.perf_counter()
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            times.append(time.perf_counter() - start)
        conn.close()
        return times

    per_worker = REQUESTS // CONCURRENCY
    worker(5)  # warm up
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        latencies = [t for batch in pool.map(worker, [per_worker] * CONCURRENCY) for t in batch]
    return len(latencies) / (time.perf_counter() - started), latencies


def serve_and_measure(conn_max_age: int, paths: list[str]) -> tuple[float, list[float]]:
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "--threads", "4",
         "--log-level", "warning"],
        cwd=ROOT, env={**ENV, "CONN_MAX_AGE": str(conn_max_age)},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        return load(paths)
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    paths = prepare()
    results = {}
    for age in (0, 600):
        rps, latencies = serve_and_measure(age, paths)
        q = statistics.quantiles(latencies, n=100)
        results[age] = rps
        print(f"CONN_MAX_AGE={age:<4} {rps:7.1f} req/s   p50 {q[49] * 1000:6.1f} ms   p95 {q[94] * 1000:6.1f} ms")
    print(f"persistent / per-request connections: {results[600] / results[0]:.2f}x "
          f"({REQUESTS} article-page requests, {CONCURRENCY} connections, gunicorn 2 workers x 4 threads)")


if __name__ == "__main__":
    main()
