"""Counts per key and window in the shared cache: the hourly limits on 기사제보, newsletter confirmations
and password resets. While the cache is away nothing is counted and nothing refused: the limits guard
against floods, and an outage of ours must not turn readers away."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def count(key: str, window: int = 3600) -> int:
    """One more under `key` for `window` seconds; the count now (0 while the cache does not answer)."""
    try:
        cache.add(key, 0, window)
        return cache.incr(key)
    except Exception:  # the shared cache is down (or the key expired between the two calls)
        logger.warning("limit count unavailable for %s; not counted", key.split(":")[0], exc_info=True)
        return 0


def counted(key: str) -> int:
    """The count under `key` so far (0 when none, or while the cache is away)."""
    return cache.get(key) or 0
