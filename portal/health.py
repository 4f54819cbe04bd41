"""What a load balancer and a reader see when a backing service is down."""

from __future__ import annotations

import logging
import os
import sys

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from redis import Redis

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this server can serve: 503 when the database does not answer; a Redis or a replica that does not
    answer is named ("degraded") but keeps the 200, since every app server shares them and pages still serve
    without them (the edge's probe and load balancers read the status). One round trip each. 503 "draining"
    while HEALTH_DRAIN_FILE exists: this server is about to stop and should get no new readers."""
    if os.path.exists(settings.HEALTH_DRAIN_FILE):
        return JsonResponse({"status": "draining"}, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    problems = {}
    if database := _database_problem(DEFAULT_DB_ALIAS):
        problems["database"] = database
    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        try:
            Redis.from_url(cache["LOCATION"], **cache.get("OPTIONS", {})).ping()
        except Exception:  # any Redis client error means the cache is not there
            logger.warning("healthz: Redis does not answer", exc_info=True)
            problems["redis"] = "unreachable"
    replicas = {alias: _database_problem(alias) or "ok" for alias in settings.DATABASE_REPLICAS}
    down = "database" in problems
    body = {"status": "unavailable" if down else "degraded" if problems else "ok"}
    body |= ({"problems": problems} if problems else {}) | ({"replicas": replicas} if replicas else {})
    return JsonResponse(
        body, status=503 if down else 200, headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if down else None
    )


def _database_problem(alias: str) -> str | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("healthz: database %s does not answer", alias, exc_info=True)  # the detail stays in the log
        return "unreachable"
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database is a styled 503 that says to come back, anything else the 500 page.

    Neither touches the database, which may be the thing that failed.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return HttpResponse(render_to_string("500.html"), status=500)
