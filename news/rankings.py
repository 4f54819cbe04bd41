"""가장 많이 본 뉴스: the most-viewed live articles over the last N Shanghai days, overall and per section.

One grouped query over the window's day-rows (indexed by day) answers every tab at once; the result is
cached and dropped whenever an article is saved or deleted, so an unpublished story leaves at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from news.models import Article

PER_TAB = 10
PERIODS = {"day": 1, "week": 7, "month": 30}


@dataclass(frozen=True)
class Ranked:
    id: int
    title: str
    section_id: int
    views: int
    url: str = ""

    @property
    def pk(self) -> int:
        return self.id

    def get_absolute_url(self) -> str:
        return self.url


def _key(days: int) -> str:
    # The day is in the key: at midnight (Shanghai) "today" and "this week" start afresh, not 5 minutes late.
    # v2: the entries carry their URL.
    return f"rankings:v2:{days}:{timezone.localdate().isoformat()}"


def ranked_articles(days: int):
    """Live articles with views in the last `days` days, most viewed first, ties to the newer article.
    광고·협찬 never ranks: paid placement is not readers' choice."""
    today = timezone.localdate()
    return (
        Article.objects.published()
        .exclude(kind=Article.Kind.SPONSORED)
        .filter(daily_views__day__gte=today - timedelta(days=days - 1), daily_views__day__lte=today)
        .annotate(recent=Sum("daily_views__views"))
        .order_by("-recent", "-published_at", "-id")
        .values_list("id", "title", "section_id", "recent")
    )


def most_viewed(days: int | None = None) -> dict[int | None, list[Ranked]]:
    """{None: overall top ten, section_id: that section's top ten}, by views in the last `days` days,
    ties going to the newer article."""
    days = days or settings.RANKING_DAYS
    ranking = cache.get(_key(days))
    if ranking is None:
        ranking = {None: []}
        for row in ranked_articles(days):
            overall, tab = ranking[None], ranking.setdefault(row[2], [])
            if len(overall) >= PER_TAB and len(tab) >= PER_TAB:
                continue
            # The URL once, when the ranking is made, not on every page that lists it (up to 70 links).
            item = Ranked(*row, url=Article(pk=row[0]).get_absolute_url())
            if len(overall) < PER_TAB:
                overall.append(item)
            if len(tab) < PER_TAB:
                tab.append(item)
        cache.set(_key(days), ranking, settings.RANKING_CACHE_SECONDS)
    return ranking


def forget() -> None:
    """Drop cached rankings once the current transaction commits (an article changed)."""
    keys = [_key(days) for days in {*PERIODS.values(), settings.RANKING_DAYS}]
    transaction.on_commit(lambda: cache.delete_many(keys))
