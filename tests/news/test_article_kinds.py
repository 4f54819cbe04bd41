"""Article types (자체기사, 보도자료, 기고, 칼럼, 사설, 광고·협찬): shown on the article, in lists and in the feed;
a 광고·협찬 story is labelled "광고" wherever it is listed, linked rel="sponsored", and never ranked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from news import rankings
from news.models import Article, DailyViews
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def advertorial(section, reporter):
    return ArticleFactory(
        title="새 학기 학원 설명회 안내", section=section, reporter=reporter, kind=Article.Kind.SPONSORED
    )


def test_article_shows_its_type(client, section, reporter):
    for kind in Article.Kind:
        story = ArticleFactory(section=section, reporter=reporter, kind=kind)
        page = client.get(story.get_absolute_url()).content.decode()
        assert str(kind.label) in page.split('class="article-section"')[1].split("</p>")[0]


def test_lists_show_types_other_than_own_reporting(client, section, reporter):
    ArticleFactory(title="우리 기자가 쓴 기사", section=section, reporter=reporter)
    ArticleFactory(title="구청이 보낸 자료", section=section, reporter=reporter, kind=Article.Kind.PRESS_RELEASE)
    page = client.get(section.get_absolute_url()).content.decode()
    assert '<span class="kind-label">보도자료</span> 구청이 보낸 자료' in page
    assert "자체기사" not in page


def test_an_advertorial_is_labelled_and_sponsored_everywhere_it_is_listed(client, advertorial, section, reporter):
    story = ArticleFactory(section=section, reporter=reporter)
    link = f'href="{advertorial.get_absolute_url()}" rel="sponsored"'
    for url in (
        reverse("front"),
        section.get_absolute_url(),
        reverse("news:reporter", args=[reporter.pk]),
        story.get_absolute_url(),
    ):
        page = client.get(url).content.decode()
        assert link in page, url
        assert '<span class="kind-label kind-sponsored">광고</span>' in page, url
    page = client.get(advertorial.get_absolute_url()).content.decode()
    assert "광고 · 광고·협찬" in page


def test_an_advertorial_never_ranks_in_most_viewed(client, advertorial, section, reporter):
    story = ArticleFactory(section=section, reporter=reporter, title="많이 읽힌 기사")
    today = timezone.localdate()
    DailyViews.objects.create(article=advertorial, day=today, views=10_000)
    DailyViews.objects.create(article=story, day=today, views=3)

    ranking = rankings.most_viewed(7)

    assert [item.id for item in ranking[None]] == [story.pk]
    assert [item.id for item in ranking[section.pk]] == [story.pk]
    assert advertorial.title not in client.get(reverse("news:ranking")).content.decode()


def test_the_feed_carries_the_type_and_labels_an_advertorial(client, advertorial, section, reporter):
    ArticleFactory(
        title="오늘의 사설",
        section=section,
        reporter=reporter,
        kind=Article.Kind.EDITORIAL,
        published_at=timezone.now() - timedelta(hours=2),
    )
    items = ET.fromstring(client.get(reverse("feed")).content).findall("./channel/item")
    by_title = {item.findtext("title"): [c.text for c in item.findall("category")] for item in items}
    assert by_title["[광고] 새 학기 학원 설명회 안내"] == ["경제", "광고·협찬"]
    assert by_title["오늘의 사설"] == ["경제", "사설"]


def test_a_reporter_may_choose_the_type_of_their_story(client, reporter, section):
    from tests.news.test_roles import article_form

    client.force_login(reporter)
    response = client.post(
        reverse("admin:news_article_add"),
        article_form(None, section=section.pk, title="독자의 기고", kind=Article.Kind.CONTRIBUTION),
    )
    assert response.status_code == 302
    assert Article.objects.get(title="독자의 기고").get_kind_display() == "기고"
    bad = client.post(reverse("admin:news_article_add"), article_form(None, section=section.pk, title="x", kind="spam"))
    assert bad.status_code == 200 and "올바르게 선택해 주세요" in bad.content.decode()
