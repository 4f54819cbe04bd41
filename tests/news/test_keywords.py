"""키워드: the keyword page, keywords on the article, 관련기사 by shared keyword, the admin's autocomplete,
and the edge purges that keep keyword pages fresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Keyword
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def tagged(keyword: Keyword, **fields) -> Article:
    article = ArticleFactory(**fields)
    article.keywords.add(keyword)
    return article


@pytest.fixture
def metro(db):
    return Keyword.objects.create(name="지하철 노선")


def test_keyword_page_lists_live_tagged_stories_newest_first(client, metro, section, reporter):
    now = timezone.now()
    old = tagged(
        metro, title="지난달 개통 예고", section=section, reporter=reporter, published_at=now - timedelta(days=30)
    )
    new = tagged(
        metro, title="오늘 개통한 노선", section=section, reporter=reporter, published_at=now - timedelta(hours=1)
    )
    tagged(metro, title="아직 쓰는 중", section=section, reporter=reporter, status=Article.Status.DRAFT)
    ArticleFactory(title="키워드 없는 기사", section=section, reporter=reporter)

    assert (
        metro.slug == "지하철-노선"
        and metro.get_absolute_url() == "/keyword/%EC%A7%80%ED%95%98%EC%B2%A0-%EB%85%B8%EC%84%A0/"
    )
    page = client.get(metro.get_absolute_url()).content.decode()

    assert "#지하철 노선" in page
    assert page.index(new.title) < page.index(old.title)
    assert "아직 쓰는 중" not in page and "키워드 없는 기사" not in page


def test_keyword_page_is_paginated_and_forgives_a_bad_page(client, metro, section, reporter):
    for i in range(25):
        tagged(
            metro,
            title=f"노선 소식 {i:02d}호",
            section=section,
            reporter=reporter,
            published_at=timezone.now() - timedelta(hours=i + 1),
        )
    first = client.get(metro.get_absolute_url()).content.decode()
    second = client.get(metro.get_absolute_url(), {"page": "2"}).content.decode()
    junk = client.get(metro.get_absolute_url(), {"page": "두번째"})

    assert "노선 소식 00호" in first and "노선 소식 20호" not in first and 'rel="next"' in first
    assert "노선 소식 20호" in second and "노선 소식 00호" not in second
    assert junk.status_code == 200


def test_unknown_keyword_is_a_404(client):
    assert client.get("/keyword/없는-키워드/").status_code == 404
    assert client.get("/keyword/" + "가" * 500 + "/").status_code == 404


def test_keyword_page_is_a_public_document_with_its_keys(metro, section, reporter):
    story = tagged(metro, section=section, reporter=reporter)
    response = Client().get(metro.get_absolute_url())
    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
    assert {"site", f"keyword-{metro.pk}", f"article-{story.pk}"} <= set(response["Surrogate-Key"].split())


def test_article_shows_its_keywords_as_links_and_carries_their_keys(client, metro, section, reporter):
    story = tagged(metro, section=section, reporter=reporter)
    response = client.get(story.get_absolute_url())
    page = response.content.decode()
    assert f'href="{metro.get_absolute_url()}">#지하철 노선</a>' in page
    assert f"keyword-{metro.pk}" in response["Surrogate-Key"].split()


def test_related_stories_prefer_shared_keywords_then_the_section(client, metro, section, reporter):
    elsewhere = SectionFactory(name="사회", slug="society")
    now = timezone.now()
    story = tagged(metro, title="기준 기사", section=section, reporter=reporter)
    sharing = tagged(
        metro,
        title="키워드가 같은 사회 기사",
        section=elsewhere,
        reporter=reporter,
        published_at=now - timedelta(days=20),
    )
    newer_in_section = ArticleFactory(
        title="같은 섹션의 최신 기사", section=section, reporter=reporter, published_at=now - timedelta(minutes=5)
    )
    ArticleFactory(title="다른 섹션 무관한 기사", section=elsewhere, reporter=reporter)

    related = story.related_stories([metro.pk], 5)

    assert related[:2] == [sharing, newer_in_section]  # the older story sharing a keyword comes first
    assert "다른 섹션 무관한 기사" not in [item.title for item in related]
    assert story.related_stories([], 5) == [newer_in_section]


@pytest.mark.parametrize("page", ["keyword", "article"])
def test_query_count_does_not_grow_with_the_archive(client, metro, section, reporter, page, django_assert_num_queries):
    """The keyword page: the keyword, the count, the page (3). The article page with keywords: the story, its
    photos, keywords, corrections and co-reporters, the reporter's other stories, 관련기사 sharing a keyword
    (7), its comment block (2 for an empty thread)."""
    other = Keyword.objects.create(name="환승")
    story = tagged(metro, section=section, reporter=reporter)
    story.keywords.add(other)
    budget = {"keyword": 3, "article": 9}[page]
    url = {"keyword": metro.get_absolute_url(), "article": story.get_absolute_url()}[page]

    def grow(n: int) -> None:
        for i in range(n):
            tagged(
                metro if i % 2 else other,
                section=section,
                reporter=reporter,
                published_at=timezone.now() - timedelta(hours=i + 2),
            )

    grow(30)
    client.get(url)  # warm the site-profile and menu caches, as any running site has
    with django_assert_num_queries(budget):
        assert client.get(url + "?page=2").status_code == 200
    grow(300)
    with django_assert_num_queries(budget):
        assert client.get(url + "?page=2").status_code == 200


# ------------------------------------------------------------------------------------------------ admin


def autocomplete(client, term: str):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "news", "model_name": "article", "field_name": "keywords", "term": term},
    )


def test_reporters_and_editors_find_keywords_by_autocomplete(client, metro, reporter, editor, reader):
    Keyword.objects.create(name="교통카드")
    for user in (reporter, editor):
        client.force_login(user)
        response = autocomplete(client, "지하")
        assert response.status_code == 200, user
        assert [row["text"] for row in response.json()["results"]] == ["지하철 노선"]
    client.force_login(reader)
    assert autocomplete(client, "지하").status_code in (302, 403)
    client.logout()
    assert autocomplete(client, "지하").status_code == 302


def test_the_article_form_offers_keywords_and_series_by_autocomplete(client, reporter):
    client.force_login(reporter)
    form = client.get(reverse("admin:news_article_add")).content.decode()
    assert 'name="keywords" id="id_keywords" class="admin-autocomplete"' in form
    assert 'name="series" id="id_series" class="admin-autocomplete"' in form


def test_a_reporter_tags_their_own_story_and_may_not_rename_a_keyword(client, metro, reporter, section):
    from tests.news.test_roles import article_form

    client.force_login(reporter)
    response = client.post(
        reverse("admin:news_article_add"),
        article_form(None, section=section.pk, title="노선도 바뀐다", keywords=[metro.pk]),
    )
    assert response.status_code == 302
    assert list(Article.objects.get(title="노선도 바뀐다").keywords.all()) == [metro]
    rename = client.post(reverse("admin:news_keyword_change", args=[metro.pk]), {"name": "바꾼 이름"})
    assert rename.status_code == 403
    metro.refresh_from_db()
    assert metro.name == "지하철 노선"


# ------------------------------------------------------------------------------------------------ purges


def test_tagging_a_story_purges_the_keyword_pages_it_enters_and_leaves(metro, section, reporter, purged):
    story = ArticleFactory(section=section, reporter=reporter)
    other = Keyword.objects.create(name="버스")
    with purged() as keys:
        story.keywords.add(metro)
    assert {f"keyword-{metro.pk}", f"article-{story.pk}"} <= keys
    with purged() as keys:
        story.keywords.set([other])
    assert {f"keyword-{metro.pk}", f"keyword-{other.pk}", f"article-{story.pk}"} <= keys
    with purged() as keys:
        story.keywords.clear()
    assert f"keyword-{other.pk}" in keys


def test_saving_a_tagged_story_purges_its_keyword_pages(metro, section, reporter, purged):
    story = tagged(metro, section=section, reporter=reporter)
    with purged() as keys:
        story.title = "고친 제목"
        story.save()
    assert {f"keyword-{metro.pk}", f"article-{story.pk}", "articles"} <= keys


def test_renaming_a_keyword_purges_its_page_and_its_stories(metro, purged):
    with purged() as keys:
        metro.name = "지하철"
        metro.save()
    assert keys == {f"keyword-{metro.pk}"}  # its stories' pages carry this key too
