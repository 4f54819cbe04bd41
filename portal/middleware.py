"""Request checks that hold for every URL."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from urllib.parse import unquote

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

access_logger = logging.getLogger("portal.access")


def access_log(get_response: Callable[[HttpRequest], HttpResponse]):
    """One JSON object per request on stdout (logger `portal.access`), so any log shipper can read it
    without a pattern: the server's own access log is off (portal/serve.py). First in MIDDLEWARE, so it
    times and sees every response Django gives, static files and error pages included."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        if access_logger.isEnabledFor(logging.INFO):
            access_logger.info(json.dumps({
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "remote": request.META.get("REMOTE_ADDR", ""),
                "method": request.method,
                "path": request.path,
                "query": request.META.get("QUERY_STRING", ""),
                "status": response.status_code,
                "bytes": None if response.streaming else len(response.content),
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "cache": response.get("X-Cache", ""),
                "agent": request.headers.get("User-Agent", ""),
            }, ensure_ascii=False))
        return response

    return middleware


def refuse_nul_in_query(get_response: Callable[[HttpRequest], HttpResponse]):
    """A NUL byte in the query string is a 400 page: PostgreSQL refuses NUL in text, so any filter that passed
    it on (the admin's choice filters do) would be a server error. Comment text handles NUL itself."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            raise BadRequest("NUL byte in the query string")
        return get_response(request)

    return middleware
