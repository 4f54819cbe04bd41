"""Benchmark: what one cached page costs the process, without a network or a second process in the way.

Run: `.venv/bin/python tests/bench/bench_hit.py [--requests 2000] [--rounds 5]` after `bench_load.py` has made
its database (portal_bench_scale; $BENCH_DATABASE_URL as there). Redis databases 9 (cache) and 10 (view
buffer) are emptied first, as bench_load does.

The WSGI application is called directly in this process, with the settings bench_load's server runs with,
for the framework floor (/bench/floor/), the front page and the article pages, each request a new reader
(so each article request is a counted view that sets a visitor cookie). Rounds alternate between the
three; each figure is the median of the rounds' wall time per request, and each page is also given as
the floor's share of it (the same ratio bench_load reports under load). Quieter than bench_load: one
thread, no load generator on the cores, no access log line; what it leaves out is what only load shows
(the GIL between a worker's threads, Redis and the kernel's share of the cores).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.serving import bench_env  # noqa: E402

AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per page and round (2000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; medians are reported (5)")
    parser.add_argument("--database", default="portal_bench_scale", help="PostgreSQL database (portal_bench_scale)")
    args = parser.parse_args()

    os.environ.update({
        **bench_env(args.database), "DJANGO_SETTINGS_MODULE": "tests.bench.settings", "LOG_LEVEL": "WARNING",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "VIEW_BUFFER_URL": os.environ.get("BENCH_VIEW_BUFFER_URL", "redis://127.0.0.1:6379/10"),
        "PAGE_CACHE_SECONDS": "3600", "ACCESS_LOG": "false",  # the server's log line, the same on every page
    })
    import redis

    for url in (os.environ["REDIS_URL"], os.environ["VIEW_BUFFER_URL"]):
        redis.Redis.from_url(url).flushdb()
    from portal.wsgi import application
    from news.models import Article

    readers = iter(range(1, 10**9))

    def get(path: str) -> str:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8199", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_USER_AGENT": f"{AGENT} reader/{next(readers)}", "HTTP_ACCEPT": "text/html",
            "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        }
        statuses = []
        body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(body)
        body.close()
        return statuses[0]

    articles = [a.get_absolute_url() for a in Article.objects.published().order_by("-published_at")[:20]]
    if not articles:
        raise SystemExit(f"no articles in {args.database}: run tests/bench/bench_load.py first")
    pages = {"floor: Django view": ["/bench/floor/"], "front page": ["/"], "article (a counted view)": articles}
    for paths in pages.values():
        for path in paths * 2:  # rendered once, then served from the cache
            if not get(path).startswith("200"):
                raise SystemExit(f"{path} did not answer 200")
    took: dict[str, list[float]] = {label: [] for label in pages}
    for _ in range(args.rounds):
        for label, paths in pages.items():
            started = time.perf_counter()
            for n in range(args.requests):
                get(paths[n % len(paths)])
            took[label].append((time.perf_counter() - started) / args.requests * 1e6)
    floor = statistics.median(took["floor: Django view"])
    print(f"bench_hit: {args.requests:,} requests a page and round, {args.rounds} rounds, one thread, in process")
    for label, rounds in took.items():
        median = statistics.median(rounds)
        print(f"{label:<26} {median:7.0f} µs a request (rounds {', '.join(f'{r:.0f}' for r in rounds)})"
              f"  floor / page {floor / median:5.0%}")


if __name__ == "__main__":
    main()
