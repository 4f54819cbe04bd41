"""Benchmark: article-page throughput with view counting on, against the same page with counting off.

Run: `.venv/bin/python tests/bench/bench_counting.py`. Every request comes from a new visitor (its own
user agent), so with counting on every request is counted: the worst case, one upsert per request.
Alternates off and on (BENCH_ROUNDS pairs) in one session and compares the medians. Target: on >= 80% of off.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.bench.serving import article_paths, bench_env, load, prepare, served, summary  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))


def main() -> None:
    env = bench_env("portal_bench")
    prepare(env)
    paths = article_paths(env)
    rounds: dict[str, list[float]] = {"off": [], "on": []}
    for run, mode in enumerate(["off", "on"] * int(os.environ.get("BENCH_ROUNDS", "3"))):
        with served({**env, "WEB_CONCURRENCY": "2", "WEB_THREADS": "4", "VIEW_COUNTING": "true" if mode == "on" else "false"}):
            load(paths, 40, 2)
            rps, latencies = load(paths, REQUESTS, CONCURRENCY,
                                  headers=lambda i, run=run: {"User-Agent": f"Mozilla/5.0 Chrome/130.0 bench-{run}-{i}"})
        rounds[mode].append(rps)
        print(summary(f"counting {mode} (round {run // 2 + 1})", rps, latencies))
    ratio = statistics.median(rounds["on"]) / statistics.median(rounds["off"])
    print(f"counting on / off: {ratio:.0%} of the throughput ({REQUESTS} article pages a round, "
          f"{CONCURRENCY} connections, every request a new visitor)")


if __name__ == "__main__":
    main()
