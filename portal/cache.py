"""The Redis cache, made to degrade into cache misses when Redis is away instead of failing pages."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)
_WARN_EVERY_SECONDS = 10


class _OneClientPerPool(RedisCacheClient):
    """Django builds a new redis.Redis for every cache call, and redis-py fills its table of ~80 response
    callbacks in each: a third of what serving a cached page cost. Each thread has its own cache object
    (django.core.cache.caches), so each keeps one client per server on one connection of its own: a
    pooled client would also check every connection it hands out for stray data, three more system calls
    per command."""

    def __init__(self, servers, **options):
        from redis.backoff import NoBackoff
        from redis.exceptions import ConnectionError as Disconnected
        from redis.retry import Retry

        # A connection Redis dropped (a restart, an idle timeout) is made again once, instead of failing the
        # first command of every thread after it.
        options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(Disconnected,)))
        super().__init__(servers, **options)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        if index not in clients:
            clients[index] = self._client(connection_pool=self._get_connection_pool(write),
                                          single_connection_client=True)
        return clients[index]


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose reads miss and whose plain writes are dropped while Redis is unreachable.

    `add` and `incr` still raise: their callers decide (a view is counted rather than lost, a rate
    limit refuses). Reads and writes of cached pages and fragments need no decision: a miss renders.
    """

    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool

    def _degrade(self, operation: str, default=None):
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning > _WARN_EVERY_SECONDS:
            ResilientRedisCache._last_warning = now
            logger.warning("Redis cache unavailable (%s); serving without it", operation, exc_info=True)
        return default

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception:
            return self._degrade("get", default)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except Exception:
            return self._degrade("get_many", {})

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except Exception:
            self._degrade("set")

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except Exception:
            return self._degrade("set_many", [])

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except Exception:
            return self._degrade("delete", False)

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except Exception:
            self._degrade("delete_many")

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except Exception:
            return self._degrade("touch", False)

    def clear(self):
        try:
            return super().clear()
        except Exception:
            return self._degrade("clear", False)

    def set_many_strict(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """set_many that raises, for writes whose loss must be known (page-cache invalidation)."""
        return super().set_many(data, timeout, version)

    def ping(self) -> bool:
        """Ask Redis directly (for /healthz); raises when it does not answer."""
        return self._cache.get_client(write=True).ping()
