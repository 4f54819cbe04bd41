"""Benchmark: which HTTP server runs the portal, measured on the same pages in one run.

Run: `.venv/bin/python tests/bench/bench_servers.py [--rounds 3] [--duration 12]` after
`tests/bench/bench_load.py` has made its database (portal_bench_scale) and its floor page. gunicorn is not
a dependency any more: `.venv/bin/pip install gunicorn` first to include it (else it is left out).

Each server in turn serves the portal (tests.bench.settings, Redis database 9, DEBUG off) and wrk
(tests/bench/load.lua, 32 connections) loads three pages: the framework floor (a Django view returning
the saved 32 KB article page), the front page rendered each time (EDGE=none), and the same bytes as a static file.
The servers:
- granian as `make serve` runs it (`python -m portal.serve`: one worker per core, 2 threads each);
- gunicorn as the portal ran it until 2026-11-27: gthread, 2 x cores + 1 workers of 2 threads, keep-alive 5 s;
- gunicorn with sync workers (2 x cores + 1; no keep-alive, so every request is a new connection).
Rounds alternate the servers, and the medians are printed with each server's throughput as a ratio to
granian's on the same page.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.serving import FLOOR_FILE, PORT, PY, bench_env, healthy  # noqa: E402

LUA = ROOT / "tests" / "bench" / "load.lua"
WORKERS = 2 * (os.cpu_count() or 1) + 1
GUNICORN = [
    PY,
    "-m",
    "gunicorn",
    "portal.wsgi",
    "--bind",
    f"127.0.0.1:{PORT}",
    "--workers",
    str(WORKERS),
    "--access-logfile",
    "/dev/null",
    "--log-level",
    "warning",
]
SERVERS = {
    "granian (make serve)": [PY, "-m", "portal.serve"],
    "gunicorn gthread": [*GUNICORN, "--worker-class", "gthread", "--threads", "2", "--keep-alive", "5"],
    "gunicorn sync": [*GUNICORN, "--worker-class", "sync"],
}


def wrk(path: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write(f"GET\t{path}\t\t\n")
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{PORT}",
                "--",
                f.name,
                "same-visitor",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    result = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    result["rps"] = result["requests"] / result["duration_us"] * 1e6
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=12, help="seconds measured per page (12)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all servers; medians reported (3)")
    parser.add_argument("--database", default="portal_bench_scale")
    args = parser.parse_args()
    servers = {
        name: argv for name, argv in SERVERS.items() if "gunicorn" not in name or importlib.util.find_spec("gunicorn")
    }
    env = {
        **bench_env(args.database),
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "PORT": str(PORT),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "ACCESS_LOG": "false",
        "EDGE": "none",
    }  # the app servers compared, without the edge in front
    if not (ROOT / "staticfiles" / FLOOR_FILE).exists() and not os.environ.get("STATIC_ROOT"):
        raise SystemExit("run tests/bench/bench_load.py once first: it makes the database and the floor page")
    pages = {
        "floor: Django view": "/bench/floor/",
        "front page (rendered)": "/",
        "static file": f"/static/{FLOOR_FILE}",
    }
    results: dict[tuple[str, str], list[dict]] = {}
    for round_number in range(1, args.rounds + 1):
        for name, argv in servers.items():
            server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 60
                while not healthy(PORT):
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"{name} did not start")
                    time.sleep(0.1)
                for label, path in pages.items():
                    wrk(path, 3, args.connections)  # warm-up: connections, the workers' imports
                    result = wrk(path, args.duration, args.connections)
                    results.setdefault((name, label), []).append(result)
                    print(
                        f"round {round_number} {name:<22} {label:<25} {result['rps']:8.1f} req/s "
                        f"p99 {result['p99'] / 1000:6.1f} ms",
                        flush=True,
                    )
            finally:
                server.terminate()
                server.wait(30)

    print(
        f"\nbench_servers: {args.connections} connections, {args.duration} s a page x {args.rounds} round(s), "
        f"{os.cpu_count()} cores shared with wrk; medians"
    )
    print(f"{'server':<22} {'page':<25} {'req/s':>8} {'x granian':>9} {'p50 ms':>7} {'p99 ms':>7}")
    for (name, label), runs in results.items():
        rps = statistics.median(r["rps"] for r in runs)
        base = statistics.median(r["rps"] for r in results[(next(iter(servers)), label)])
        print(
            f"{name:<22} {label:<25} {rps:8.1f} {rps / base:9.2f} {statistics.median(r['p50'] for r in runs) / 1000:7.1f} "
            f"{statistics.median(r['p99'] for r in runs) / 1000:7.1f}"
        )


if __name__ == "__main__":
    main()
