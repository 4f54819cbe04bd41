"""The desk's dashboard on the admin's first page: what editors run the day from, in a fixed number of
queries whatever the archive's size; shown to editors only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from news.models import Article, CorrectionRequest, DailyViews
from portal.ads.models import Ad
from tests import factories

pytestmark = pytest.mark.django_db


def fill(section, reporter, alice, n: int, tag: str = "") -> None:
    """n of each thing the dashboard lists or counts."""
    now = timezone.now()
    for i in range(n):
        factories.ArticleFactory(
            title=f"출고 대기 기사 {tag}{i}",
            section=section,
            reporter=reporter,
            status=Article.Status.SUBMITTED,
            published_at=None,
        )
        live = factories.ArticleFactory(title=f"많이 본 기사 {tag}{i}", section=section, reporter=reporter)
        DailyViews.objects.create(article=live, day=timezone.localdate(), views=100 + i)
        DailyViews.objects.create(article=live, day=timezone.localdate() - timedelta(days=1), views=50)
        factories.CommentFactory(article=live, author=alice, status=Comment.Status.PENDING)
        factories.CommentFactory(article=live, author=alice, report_count=2)
        CorrectionRequest.objects.create(
            article=live, name=f"요청자{tag}{i}", email="reader@example.com", body="사실과 다릅니다"
        )
        Ad.objects.create(
            advertiser=f"광고주{tag}{i}",
            title=f"끝나가는 광고 {tag}{i}",
            text="광고",
            target_url="https://example.com/",
            starts_at=now - timedelta(days=10),
            ends_at=now + timedelta(days=3),
        )


def test_editors_see_the_desk_with_every_part(client, section, reporter, alice):
    fill(section, reporter, alice, 2)
    later = timezone.localtime() + timedelta(minutes=5)
    if later.date() == timezone.localdate():  # not at 23:55 and after: then nothing is left of today
        factories.ArticleFactory(title="저녁 예약 기사", section=section, reporter=reporter, published_at=later)
    factories.ArticleFactory(
        title="내일 예약 기사", section=section, reporter=reporter, published_at=later + timedelta(days=1)
    )
    Ad.objects.create(
        advertiser="먼 광고주",
        title="한 달 남은 광고",
        text="광고",
        target_url="https://example.com/",
        ends_at=timezone.now() + timedelta(days=30),
    )
    client.force_login(factories.editor(username="desk"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "오늘의 데스크" in page
    assert "출고 대기 기사 0" in page and "출고 대기 기사 1" in page
    assert ("저녁 예약 기사" in page) is (later.date() == timezone.localdate())
    assert "내일 예약 기사" not in page
    assert page.index("많이 본 기사 1") < page.index("많이 본 기사 0")  # most viewed first
    assert "최근 7일 조회수: 0, 0, 0, 0, 0, 50, 101" in page  # the trend line's label for screen readers
    assert "승인 대기 2건 · 신고된 댓글 2건" in page
    assert "요청자1" in page and "끝나가는 광고 0" in page and "한 달 남은 광고" not in page
    assert "<svg" in page  # the site's views, server-drawn


@pytest.mark.parametrize("make", [factories.reporter, factories.moderator])
def test_others_get_the_plain_admin_index(client, make):
    client.force_login(make(username="someone"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and "오늘의 데스크" not in response.content.decode()


def test_the_desk_costs_the_same_queries_for_3_or_30_of_everything(client, section, reporter, alice):
    client.force_login(factories.editor(username="desk"))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(captured)

    fill(section, reporter, alice, 3)
    client.get(reverse("admin:index"))  # the rankings' cache warm, as on a running site
    small = count()
    fill(section, reporter, alice, 30, tag="b")
    from django.core.cache import cache

    cache.clear()
    client.get(reverse("admin:index"))
    assert count() == small
    assert small <= 16  # session, user, permissions (2), the desk's six, the admin's own (6)
