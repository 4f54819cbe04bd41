"""`manage.py seed_scale` fills a big archive fast for load tests; pages cost the same queries at any size."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment, Commenter
from news import rankings, search
from news.models import Article, ArticleSearchText, DailyViews
from news.richtext import sanitize_body
from portal.management.commands.seed_scale import PREFIX

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", stdout=out, **{"readers": 40, "batch": 64, **options})
    return out.getvalue()


def seeded_articles():
    return Article.objects.filter(reporter__username__startswith=PREFIX)


@pytest.mark.postgres
def test_seed_scale_makes_the_archive_it_announces():
    out = seed(articles=200)

    articles = seeded_articles()
    comments = Comment.objects.filter(article__in=articles)
    assert articles.count() == Article.objects.published().filter(pk__in=articles).count() == 200
    assert comments.count() == 2000 and comments.filter(private=True).count() == 200
    assert Commenter.objects.filter(user__username__startswith=PREFIX).count() == 40
    assert comments.filter(parent__isnull=False).exists()
    assert not comments.filter(parent__private=True, private=False).exists()  # a reply to a secret stays secret
    assert set(comments.filter(has_replies=True).values_list("pk", flat=True)) == set(
        comments.filter(parent__isnull=False).values_list("parent_id", flat=True)
    )
    assert DailyViews.objects.filter(article__in=articles).exists()
    assert articles.values("section").distinct().count() > 1 and articles.values("reporter").distinct().count() == 5
    assert "기사 200/200" in out and "기사/초" in out


@pytest.mark.postgres
def test_seeded_rows_are_what_saving_an_article_would_make():
    seed(articles=120)

    texts = dict(ArticleSearchText.objects.filter(article__in=seeded_articles()).values_list("article_id", "text"))
    assert len(texts) == 120
    for article in seeded_articles():
        assert texts[article.pk] == search.search_text(article.title, article.subtitle, article.body)
        assert sanitize_body(article.body) == article.body
        assert article.byline and article.byline_email and not article.was_modified()


@pytest.mark.postgres
def test_seeded_archive_is_searchable_and_ranked(client, settings):
    seed(articles=200)

    page = client.get("/search/?q=경제").content.decode()
    assert page.count("<mark>") >= 20  # a common word: a full first page of results, highlighted
    assert rankings.most_viewed()[None]


@pytest.mark.postgres
def test_a_second_run_is_refused_and_reset_replaces_the_archive():
    seed(articles=50)
    with pytest.raises(CommandError, match="--reset"):
        seed(articles=50)
    assert seeded_articles().count() == 50

    seed(articles=80, reset=True)
    assert seeded_articles().count() == 80
    assert Comment.objects.filter(article__in=seeded_articles()).count() == Comment.objects.count() == 800


def count_queries(client, url: str, warm: str) -> int:
    from django.core.cache import cache

    cache.clear()
    assert client.get(warm).status_code == 200  # menu, site profile and rankings cached, as on a running site
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.postgres
def test_page_queries_do_not_grow_with_the_archive(client, settings):
    from django.contrib.auth import get_user_model

    def pages() -> dict[str, int]:
        economy = seeded_articles().first().section
        article = seeded_articles().filter(comments__isnull=False).order_by("-published_at").first()
        urls = {
            "front": "/",
            "section": economy.get_absolute_url(),
            "section page 2": economy.get_absolute_url() + "?page=2",
            "article": article.get_absolute_url(),
            "search common": "/search/?q=경제",
            "search rare": "/search/?q=김치",
        }
        counts = {name: count_queries(client, url, warm="/ranking/") for name, url in urls.items()}
        client.force_login(get_user_model().objects.get(username=f"{PREFIX}reader-00001"))
        counts["article, signed in"] = count_queries(client, urls["article"], warm="/ranking/")
        client.logout()
        return counts

    seed(articles=150, comments=4)
    small = pages()
    seed(articles=600, comments=4, reset=True)
    assert pages() == small


def test_seed_scale_says_it_needs_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("checks the message given on SQLite")
    with pytest.raises(CommandError, match="seed_scale needs PostgreSQL"):
        seed(articles=10)
