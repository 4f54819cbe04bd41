"""Impressions and clicks per ad per day.

Impressions come with the page's beacon (portal.views.beacon, news.viewcount.count_beacon), once per
page a reader's browser shows. With VIEW_BUFFER_URL they wait in Redis beside the views and move to the
database with them, exactly once (IMPRESSIONS); without it each beacon is one upsert. Clicks are rare and deliberate: one
upsert each, once per visitor per ad per VIEW_DEDUPE_SECONDS.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from news import viewcount
from news.viewcount import admitted_visitor, increment_counts, is_reader_request
from portal.ads.models import Ad, AdDailyStats

logger = logging.getLogger(__name__)


def add_impressions(counts: dict[tuple[int, date], int]) -> None:
    """Add (ad, day) increments of ads that ran that day (Shanghai); deleted ones, and a stored page's ad
    reported on a day it did not run, drop out."""
    ran = set()
    for day in {day for _ad, day in counts}:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        ran |= {
            (ad, day)
            for ad in Ad.objects.filter(
                pk__in={ad for ad, d in counts if d == day}, starts_at__lt=start + timedelta(days=1), ends_at__gt=start
            ).values_list("pk", flat=True)
        }
    increment_counts(
        AdDailyStats,
        ["ad_id", "day"],
        "impressions",
        [(ad, day, n) for (ad, day), n in counts.items() if n and (ad, day) in ran],
    )


IMPRESSIONS = viewcount.Buffer("ads", add_impressions)


def count_click(request, ad: Ad) -> None:
    """One click per visitor per ad per VIEW_DEDUPE_SECONDS: reloading the link does not inflate the CTR."""
    if not is_reader_request(request) or (admitted := admitted_visitor(request)) is None:
        return
    try:
        first_click = cache.add(f"adclick:{ad.pk}:{admitted[0]}", 1, settings.VIEW_DEDUPE_SECONDS)
    except Exception:  # no shared dedupe marks: a click we cannot dedupe is not billed; the reader still goes on
        logger.warning("ad click dedupe unavailable; click not counted", exc_info=True)
        first_click = False
    if first_click:
        try:
            increment_counts(AdDailyStats, ["ad_id", "day"], "clicks", [(ad.pk, timezone.localdate(), 1)])
        except DatabaseError:  # the reader still gets to the advertiser
            logger.exception("ad click not written")
