"""gunicorn settings for `make serve` and production: `gunicorn -c portal/gunicorn.conf.py portal.wsgi`.

Each value can be overridden from the environment (WEB_CONCURRENCY, PORT, BIND ...).
"""

import json
import multiprocessing
import os

from gunicorn.glogging import Logger

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Rendering a page is CPU work: a couple of processes per core keep the cores busy while others wait on
# PostgreSQL or Redis. Threads let a worker hold keep-alive connections and overlap those waits.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
keepalive = 5
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = 20
# A worker that has served this many requests is replaced, so a slow leak can never take a server down.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


class JsonLineLogger(Logger):
    """One JSON object per request on stdout: any log shipper can parse it without a regex."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        line = {
            "time": self.now().strip("[]"),
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING", ""),
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 1),
            "cache": next((value for name, value in resp.headers if name.lower() == "x-cache"), ""),
            "agent": environ.get("HTTP_USER_AGENT", ""),
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))


logger_class = JsonLineLogger
