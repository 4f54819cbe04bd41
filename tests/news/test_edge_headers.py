"""What the app tells the edge: which pages are public documents, for how long, and what they show."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


def keys(response) -> set[str]:
    return set(response["Surrogate-Key"].split())


def s_maxage(response) -> int:
    return int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])


def test_pages_name_what_they_show(section, reporter, other_reporter):
    story = factories.ArticleFactory(section=section, reporter=reporter)
    other = factories.ArticleFactory(section=section, reporter=other_reporter)
    client = Client()
    article = client.get(story.get_absolute_url())
    assert {
        "site",
        f"article-{story.pk}",
        f"comments-{story.pk}",
        "section-economy",
        f"reporter-{reporter.pk}",
        f"article-{other.pk}",
    } <= keys(article)  # its own keys, and the story listed in its 관련기사
    assert {"site", "articles", "section-economy", f"article-{story.pk}", f"article-{other.pk}"} <= keys(
        client.get("/")
    )
    assert {"site", "section-economy", f"article-{other.pk}"} <= keys(client.get(section.get_absolute_url()))
    assert {"site", f"reporter-{reporter.pk}", f"article-{story.pk}"} <= keys(client.get(f"/reporter/{reporter.pk}/"))
    for response in (article, client.get("/"), client.get(reverse("news:search"), {"q": "상하이"})):
        assert "public" in response["Cache-Control"]
        assert "max-age=0" in response["Cache-Control"] and s_maxage(response) == 300
        assert not response.cookies and "Cookie" not in response.get("Vary", "")


def test_a_preview_a_missing_page_and_personal_pages_are_never_stored(section, reporter, alice):
    draft = factories.ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT)
    newsroom = Client()
    newsroom.force_login(reporter)
    preview = newsroom.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"] and "Surrogate-Key" not in preview
    missing = Client().get("/article/424242/")
    assert missing.status_code == 404 and "s-maxage" not in missing.get("Cache-Control", "")  # the edge stores no 404
    reader = Client()
    reader.force_login(alice)
    live = factories.ArticleFactory(section=section, reporter=reporter)
    for url in (reverse("fragment"), reverse("comments:thread", args=[live.pk])):
        response = reader.get(url)
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"], url
        assert "Surrogate-Key" not in response


def test_no_page_outlives_the_next_scheduled_publication(section, reporter):
    now = timezone.now()
    factories.ArticleFactory(section=section, reporter=reporter, published_at=now + timedelta(seconds=40))
    factories.ArticleFactory(section=section, reporter=reporter, published_at=now + timedelta(seconds=100))
    client = Client()
    assert 39 <= s_maxage(client.get("/")) <= 41
    with time_machine.travel(now + timedelta(seconds=50), tick=False):  # the first went live unsaved
        assert 49 <= s_maxage(client.get("/")) <= 51  # bounded by the second
    with time_machine.travel(now + timedelta(seconds=200), tick=False):
        assert s_maxage(client.get("/")) == 300


def test_a_page_rendered_just_as_what_it_shows_changes_is_served_but_not_stored(
    section, reporter, alice, settings, django_capture_on_commit_callbacks
):
    """Its render may have begun before the change, and its purge may reach the edge before the page does:
    stored, it would stay old until s-maxage (seen in bench_mixed: a comment missing after its 302)."""
    from comments import services

    story = factories.ArticleFactory(section=section, reporter=reporter)
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # no edge answers: the change is noted all the same
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.post_comment(article=story, author=alice, body="방금 올린 댓글")
        response = Client().get(story.get_absolute_url())
        assert "방금 올린 댓글" in response.content.decode() and "no-store" in response["Cache-Control"]
        assert "public" in Client().get(section.get_absolute_url())["Cache-Control"]  # it does not show comments
    with time_machine.travel(now + timedelta(seconds=1), tick=False):  # a render begun after the change
        assert "public" in Client().get(story.get_absolute_url())["Cache-Control"]


def test_an_edge_without_a_shared_cache_is_warned_of(settings):
    from django.core import checks

    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:8002/"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "news.W002" in [message.id for message in checks.run_checks(tags=[checks.Tags.caches])]
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:6379/0"}
    }
    assert "news.W002" not in [message.id for message in checks.run_checks(tags=[checks.Tags.caches])]
