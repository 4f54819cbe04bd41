"""Benchmark: article-page throughput with and without persistent database connections.

Run: `.venv/bin/python tests/bench/bench_connections.py` (PostgreSQL at $BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/; it uses the database portal_bench, seeded with the demo newsroom).
The portal is served twice (as `make serve` does), CONN_MAX_AGE=0 then 600, and the same article pages are loaded from 8
keep-alive connections on loopback. Prints req/s, p50 and p95 for each, and their ratio.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.bench.serving import article_paths, bench_env, load, prepare, served, summary

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))


def main() -> None:
    env = bench_env("portal_bench")
    prepare(env)
    paths = article_paths(env)
    results = {}
    for age in (0, 600):
        # The app server alone (EDGE=none): through the edge every article would be a stored page.
        with served(
            {
                **env,
                "EDGE": "none",
                "WEB_CONCURRENCY": "2",
                "WEB_THREADS": "4",
                "CONN_MAX_AGE": str(age),
                "VIEW_COUNTING": "false",
            }
        ):
            load(paths, 40, 2)  # warm up
            rps, latencies = load(paths, REQUESTS, CONCURRENCY)
        results[age] = rps
        print(summary(f"CONN_MAX_AGE={age}", rps, latencies))
    print(
        f"persistent / per-request connections: {results[600] / results[0]:.2f}x "
        f"({REQUESTS} article pages, {CONCURRENCY} connections, 2 workers x 4 threads)"
    )


if __name__ == "__main__":
    main()
