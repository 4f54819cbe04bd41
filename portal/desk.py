"""The desk's dashboard: what an editor needs at the start of the day, on the admin's first page.

Every part is one bounded query whatever the archive's size (tests/portal/test_desk.py pins the count,
tests/bench/bench_desk.py times it at 1,000,000 articles): lists are sliced, and counts stop at
COUNT_AT ("50건 이상"). The most viewed come from the rankings' cache (news.rankings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from comments.models import Comment
from news import charts, rankings
from news.models import Article, CorrectionRequest, DailyViews
from portal.ads.models import Ad

LISTED = 8  # rows a list shows
COUNT_AT = 50  # counts stop here
TREND_DAYS = 7


@dataclass
class Bounded:
    """A list of at most LISTED rows and how many there are, up to COUNT_AT."""

    rows: list
    count: int

    @property
    def more(self) -> bool:
        return self.count >= COUNT_AT


def _bounded(queryset) -> Bounded:
    rows = list(queryset[:COUNT_AT])
    return Bounded(rows=rows[:LISTED], count=len(rows))


def for_editors() -> dict:
    """The dashboard's parts (see the module's docstring)."""
    now = timezone.now()
    end_of_today = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time.min))
    listed = Article.objects.select_related("section").only(
        "id", "title", "status", "published_at", "updated_at", "byline", "section__name"
    )
    today, week = rankings.most_viewed(1)[None][:5], rankings.most_viewed(7)[None][:5]
    comments = Comment.objects.filter(
        Q(status=Comment.Status.PENDING) | Q(status=Comment.Status.PUBLISHED, report_count__gt=0)
    ).aggregate(
        pending=Count("pk", filter=Q(status=Comment.Status.PENDING)),
        reported=Count("pk", filter=Q(status=Comment.Status.PUBLISHED)),
    )
    return {
        "waiting": _bounded(listed.filter(status=Article.Status.SUBMITTED).order_by("-updated_at", "-id")),
        "scheduled": _bounded(
            listed.filter(
                status=Article.Status.PUBLISHED, published_at__gt=now, published_at__lt=end_of_today
            ).order_by("published_at", "id")
        ),
        "most_viewed": {"today": today, "week": week},
        "trends": _trends({item.id for item in [*today, *week]}),
        "site_chart": charts.bar_chart(charts.daily_series(TREND_DAYS * 2), "최근 14일 조회수"),
        "comments": comments,
        "correction_requests": _bounded(
            CorrectionRequest.objects.filter(status=CorrectionRequest.Status.NEW)
            .select_related("article")
            .only("id", "kind", "name", "created_at", "article__id", "article__title")
            .order_by("-created_at", "-id")
        ),
        "ads_ending": _bounded(
            Ad.objects.filter(active=True, ends_at__gt=now, ends_at__lte=now + timedelta(days=7))
            .only("id", "advertiser", "title", "ends_at")
            .order_by("ends_at", "id")
        ),
    }


def _trends(article_ids: set[int]) -> dict[int, str]:
    """A small server-drawn line of each listed story's views over the last TREND_DAYS days (one query)."""
    if not article_ids:
        return {}
    first = timezone.localdate() - timedelta(days=TREND_DAYS - 1)
    counts: dict[int, dict] = {}
    for article_id, day, views in DailyViews.objects.filter(article_id__in=article_ids, day__gte=first).values_list(
        "article_id", "day", "views"
    ):
        counts.setdefault(article_id, {})[day] = views
    days = [first + timedelta(days=i) for i in range(TREND_DAYS)]
    return {pk: charts.sparkline([counts.get(pk, {}).get(day, 0) for day in days]) for pk in article_ids}
