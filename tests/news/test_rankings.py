"""가장 많이 본 뉴스: order, ties, section tabs, the box's cost, and articles leaving at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from news import rankings
from news.models import Article, DailyViews
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(reporter):
    economy = factories.SectionFactory(name="경제", slug="economy", menu_order=1)
    society = factories.SectionFactory(name="사회", slug="society", menu_order=2)
    now = timezone.now()
    today = timezone.localdate()

    def story(title, section, views_by_day_ago, hours_old):
        article = factories.ArticleFactory(
            title=title, section=section, reporter=reporter, published_at=now - timedelta(hours=hours_old)
        )
        for days_ago, n in views_by_day_ago.items():
            DailyViews.objects.create(article=article, day=today - timedelta(days=days_ago), views=n)
        return article

    return {
        "a": story("경제 1위 기사", economy, {0: 50, 3: 50}, 10),  # 100 this week
        "b": story("사회 1위 기사", society, {1: 80}, 20),
        "c_old": story("동점 옛 기사", economy, {2: 60}, 30),
        "c_new": story("동점 새 기사", economy, {2: 60}, 5),  # tie: the newer ranks first
        "stale": story("지난달에만 읽힌 기사", society, {20: 999}, 24 * 21),
    }


def titles(items) -> list[str]:
    return [item.title for item in items]


def test_ranking_order_ties_and_tabs(newsroom):
    ranked = rankings.most_viewed(7)
    economy, society = newsroom["a"].section_id, newsroom["b"].section_id
    assert titles(ranked[None]) == ["경제 1위 기사", "사회 1위 기사", "동점 새 기사", "동점 옛 기사"]
    assert titles(ranked[economy]) == ["경제 1위 기사", "동점 새 기사", "동점 옛 기사"]
    assert titles(ranked[society]) == ["사회 1위 기사"]
    assert [item.views for item in ranked[None]] == [100, 80, 60, 60]


def test_periods_today_and_month(newsroom):
    assert titles(rankings.most_viewed(1)[None]) == ["경제 1위 기사"]
    assert "지난달에만 읽힌 기사" in titles(rankings.most_viewed(30)[None])


def test_unpublished_article_leaves_the_box_at_once(client, newsroom, django_capture_on_commit_callbacks):
    assert "경제 1위 기사" in client.get(reverse("front")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom["a"]
        article.status = Article.Status.DRAFT
        article.save()
    box = client.get(reverse("front")).content.decode().split('class="box box-rankings"')[1].split("</section>")[0]
    assert "경제 1위 기사" not in box and "사회 1위 기사" in box


def test_box_has_a_tab_per_menu_section_and_works_without_javascript(client, newsroom):
    box = client.get(reverse("front")).content.decode().split('class="box box-rankings"')[1].split("</section>")[0]
    assert box.count("data-tab=") == 3 and box.count("data-tab-panel") == 3
    assert 'data-tab="mv-panel-s-economy"' in box
    assert 'role="tab"' not in box  # roles come with the script that makes them true
    # every panel's list is in the HTML under its heading, so the rankings read without the script
    assert box.index("경제 1위 기사") < box.index('id="mv-panel-s-society"') < box.rindex("사회 1위 기사")


def test_long_titles_are_cut_with_the_whole_title_in_a_tooltip(client, reporter, section):
    long_title = "상하이 한인 상공회의소 연말 정기총회 열려 신임 회장 선출"
    article = factories.ArticleFactory(title=long_title, section=section, reporter=reporter)
    DailyViews.objects.create(article=article, day=timezone.localdate(), views=3)
    box = client.get(reverse("front")).content.decode().split('class="box box-rankings"')[1]
    assert f'title="{long_title}">{long_title[:20].rstrip()}..</a>' in box


def test_warm_box_costs_no_query_and_cold_box_one(client, newsroom):
    rankings.most_viewed()
    with CaptureQueriesContext(connection) as warm:
        rankings.most_viewed()
    from django.core.cache import cache

    cache.delete(rankings._key(7))
    with CaptureQueriesContext(connection) as cold:
        rankings.most_viewed()
    assert len(warm) == 0 and len(cold) == 1


def test_rankings_page_by_period(client, newsroom):
    week = client.get(reverse("news:ranking")).content.decode()
    month = client.get(reverse("news:ranking"), {"period": "month"}).content.decode()
    odd = client.get(reverse("news:ranking"), {"period": "<script>"})
    assert "경제 1위 기사" in week and "지난달에만 읽힌 기사" not in week
    assert "지난달에만 읽힌 기사" in month
    assert odd.status_code == 200


def test_editors_see_views_and_a_chart(client, newsroom, editor):
    client.force_login(editor)
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert "100" in listing
    page = client.get(reverse("admin:news_article_change", args=[newsroom["a"].pk])).content.decode()
    assert page.count('<figure class="views-chart">') == 2 and "이 기사" in page and "사이트 전체" in page
    assert "합계 100" in page
