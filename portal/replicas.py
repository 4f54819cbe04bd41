"""Read replicas: reads go to a replica, writes to the primary, and a writer reads their own writes.

Installed only when DATABASE_REPLICA_URLS names replicas (settings add the aliases replica1, replica2 …,
DATABASE_REPLICAS, this router and the middleware); with one database none of this runs.

Why a pin: a replica lags the primary by a little, so a reader who has just posted a comment and is
redirected to the article would not see it there. So a request reads from the primary when it is itself a
write (POST …), when it carries the short-lived pin cookie that such a request sets (REPLICA_PIN_SECONDS),
when it has already written, or inside a transaction. Every other request reads one replica, chosen at
random per request so that a page's queries see one consistent copy. A client may send the cookie
itself: it only costs the primary a read, never exposes anything.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

PIN_COOKIE = "pin_primary"
# random.choice below only spreads reads over replicas; nothing secret depends on it.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The alias this request (or task) reads from; None: any replica, chosen per query.
_reads_from: ContextVar[str | None] = ContextVar("reads_from", default=None)


@contextmanager
def reads_from(alias: str | None) -> Iterator[None]:
    """Read from `alias` (None: any replica) within the block; writes inside it pin it to the primary."""
    token = _reads_from.set(alias)
    try:
        yield
    finally:
        _reads_from.reset(token)


def _replicas() -> list[str]:
    return settings.DATABASE_REPLICAS


class PrimaryReplicaRouter:
    """Reads to a replica (or the primary when pinned), writes and migrations to the primary."""

    def db_for_read(self, model, **hints) -> str:
        alias = _reads_from.get()
        if alias is None:
            replicas = _replicas()
            alias = random.choice(replicas) if replicas else DEFAULT_DB_ALIAS  # nosec B311
        if alias != DEFAULT_DB_ALIAS and connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a transaction reads its own snapshot, not a lagging copy
        return alias

    def db_for_write(self, model, **hints) -> str:
        _reads_from.set(DEFAULT_DB_ALIAS)  # what follows in this request reads what it wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


class PinToPrimaryMiddleware:
    """Choose where this request reads; after a write request, pin the client to the primary for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        pinned = writes or PIN_COOKIE in request.COOKIES
        replicas = _replicas()
        alias = DEFAULT_DB_ALIAS if pinned or not replicas else random.choice(replicas)  # nosec B311
        with reads_from(alias):
            response = self.get_response(request)
        if writes:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
