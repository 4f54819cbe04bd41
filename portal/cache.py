"""The Redis cache, made to degrade into cache misses when Redis is away instead of failing pages."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_WARN_EVERY_SECONDS = 10


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose reads miss and whose plain writes are dropped while Redis is unreachable.

    `add` and `incr` still raise: their callers decide (a view is counted rather than lost, a rate
    limit refuses). Reads and writes of cached values need no decision: a miss is computed again.
    """

    _last_warning = 0.0

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

    def clear(self):
        try:
            return super().clear()
        except Exception:
            return self._degrade("clear", False)
