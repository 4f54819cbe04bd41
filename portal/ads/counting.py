"""Impressions and clicks per ad per day.

Impressions come with every page view, so they are added up in this process and written in one upsert
every AD_STATS_FLUSH_SECONDS, never a write per page on the hot (ad, day) row. A crash of the process can
lose at most that interval's impressions. The bound is in time, not in impressions: a flush every 500, as
before, meant dozens of writes a second on a busy front page (each ad-carrying page hit paid about 10 µs
for them, of about 220 in one process). Clicks are rare and deliberate: one upsert each.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

from news.viewcount import increment_counts, is_reader_request, shanghai_day, visitor
from portal.ads.models import Ad, AdDailyStats

logger = logging.getLogger(__name__)

_pending: Counter = Counter()
_lock = threading.Lock()
_last_flush = time.monotonic()


def count_impression(request, ad_id: int) -> None:
    if not is_reader_request(request):
        return
    key = (ad_id, shanghai_day())
    with _lock:
        _pending[key] += 1
        due = time.monotonic() - _last_flush >= settings.AD_STATS_FLUSH_SECONDS
    if due:
        flush_impressions()


def count_impression_again(request, response, ad_id: int) -> None:
    """The impression of an ad inside a page served from the page cache (see news.pagecache.repeat_on_hit)."""
    count_impression(request, ad_id)


def flush_impressions() -> int:
    """Write the buffered impressions in one statement; on a database error they go back in the buffer."""
    global _last_flush
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not batch:
        return 0
    try:
        with transaction.atomic():
            live = set(Ad.objects.filter(pk__in={ad for ad, _ in batch}).values_list("pk", flat=True))
            increment_counts(AdDailyStats, ["ad_id", "day"], "impressions",
                             [(ad, day, n) for (ad, day), n in batch.items() if ad in live])
    except DatabaseError:
        logger.exception("ad impressions not written; kept for the next flush")
        with _lock:
            _pending.update(batch)
        return 0
    return sum(batch.values())


def count_click(request, ad: Ad) -> None:
    """One click per visitor per ad per VIEW_DEDUPE_SECONDS: reloading the link does not inflate the CTR."""
    if not is_reader_request(request):
        return
    key, _cookie = visitor(request)
    try:
        first_click = cache.add(f"adclick:{ad.pk}:{key}", 1, settings.VIEW_DEDUPE_SECONDS)
    except Exception:  # no shared dedupe marks: a click we cannot dedupe is not billed; the reader still goes on
        logger.warning("ad click dedupe unavailable; click not counted", exc_info=True)
        first_click = False
    if first_click:
        try:
            increment_counts(AdDailyStats, ["ad_id", "day"], "clicks", [(ad.pk, shanghai_day(), 1)])
        except DatabaseError:  # the reader still gets to the advertiser
            logger.exception("ad click not written")


def _flush_at_exit() -> None:
    try:
        flush_impressions()
    except Exception:  # the process is ending: say so, never crash the shutdown
        logger.exception("ad impressions lost at shutdown")


atexit.register(_flush_at_exit)
