"""Serve the portal as production does: `python -m portal.serve` (what `make serve` runs after migrating).

Granian (a Rust HTTP server) runs the WSGI application: measured on 2 cores against gunicorn with 5 gthread
workers of 2 threads, it served the floor page and a cached page about twice as fast (gunicorn 0.49x and
0.54x) with a p99 about a quarter as long (tests/bench/bench_servers.py); it parses HTTP and holds the
keep-alive connections in Rust. Each setting comes from the environment:

WEB_CONCURRENCY  worker processes (default: one per core; a cached page is pure CPU work)
WEB_THREADS      threads per worker running Django (default 2: one renders while another waits on SQL)
BIND / PORT      where to listen (default 127.0.0.1:$PORT, PORT 8000)
WEB_MAX_RSS_MB   a worker above this resident size is replaced (default 512), so a leak never takes a
                 server down
LOG_LEVEL        the server's own messages; requests are logged by the portal (portal.middleware.access_log)
DATABASE_STATEMENT_TIMEOUT  seconds one SQL statement of a request may run (default here 30; granian has
                 no request timeout, so this is what ends a request stuck on a lock)
"""

from __future__ import annotations

import os
import shutil
import sys


def command(environ: os._Environ | dict = os.environ) -> list[str]:
    host, _, port = environ.get("BIND", f"127.0.0.1:{environ.get('PORT', '8000')}").rpartition(":")
    granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or "granian"
    return [
        granian, "--interface", "wsgi", "--http", "1", "--no-ws",
        "--host", host or "127.0.0.1", "--port", port,
        "--workers", environ.get("WEB_CONCURRENCY") or str(os.cpu_count() or 1),
        "--blocking-threads", environ.get("WEB_THREADS") or "2",
        # A worker that dies (killed, out of memory) is started again; one grown past the limit is replaced.
        "--respawn-failed-workers", "--workers-max-rss", environ.get("WEB_MAX_RSS_MB") or "512",
        "--workers-kill-timeout", "20",  # seconds a stopping worker gets to finish its requests
        "--no-access-log", "--log-level", (environ.get("LOG_LEVEL") or "info").lower(),
        "portal.wsgi:application",
    ]


if __name__ == "__main__":
    argv = command()
    # Granian cannot stop a request that hangs; PostgreSQL can stop its statement (see portal/settings.py).
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "30")
    # The server takes this process's place, so signals reach it directly; the argv is ours, no shell.
    os.execv(argv[0], argv)  # nosec B606
