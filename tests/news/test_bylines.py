"""Co-bylines (#17): an article's reporters are its reporter and its co-reporters. Each appears in the byline,
on their reporter page and in the JSON-LD, and works on the story as its reporter; only editors change who
is in the byline. Reading their private comments is in the visibility matrix (tests/comments)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from news.models import Article
from tests.factories import ArticleFactory
from tests.news.test_roles import article_form, change_url

pytestmark = pytest.mark.django_db


def json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_every_reporter_is_in_the_byline_the_json_ld_and_their_page(client, section, reporter, other_reporter):
    story = ArticleFactory(title="둘이 쓴 기사", section=section, reporter=reporter)
    story.co_reporters.add(other_reporter)

    page = client.get(story.get_absolute_url()).content.decode()
    byline = page.split('class="byline"')[1].split("</p>")[0]
    assert byline.index("이종실 기자") < byline.index("박지현 기자")
    for who in (reporter, other_reporter):
        assert f'href="{reverse("news:reporter", args=[who.pk])}"' in byline
    authors = json_ld(page)["author"]
    assert [a["name"] for a in authors] == ["이종실", "박지현"]
    assert authors[1]["url"].endswith(reverse("news:reporter", args=[other_reporter.pk]))

    for who in (reporter, other_reporter):
        assert "둘이 쓴 기사" in client.get(reverse("news:reporter", args=[who.pk])).content.decode()


def test_a_co_reporter_works_on_the_draft_as_its_reporter(client, section, reporter, other_reporter):
    draft = ArticleFactory(
        title="공동 초안", section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None
    )
    draft.co_reporters.add(other_reporter)
    client.force_login(other_reporter)

    assert "공동 초안" in client.get(reverse("admin:news_article_changelist")).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200  # the preview of a story not yet live
    response = client.post(change_url(draft), article_form(draft, title="함께 고친 초안"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "함께 고친 초안"
    assert draft.reporter == reporter  # still the first in the byline


def test_only_editors_change_the_byline(client, section, reporter, other_reporter, editor):
    draft = ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None)

    client.force_login(reporter)
    response = client.post(change_url(draft), article_form(draft, co_reporters=[other_reporter.pk]))
    assert response.status_code == 302  # saved, but the field is read only to a reporter: ignored
    assert list(draft.co_reporters.all()) == []

    client.force_login(editor)
    response = client.post(change_url(draft), article_form(draft, co_reporters=[other_reporter.pk]))
    assert response.status_code == 302
    assert list(draft.co_reporters.all()) == [other_reporter]


def test_a_reporter_outside_the_byline_still_gets_404(client, section, reporter, other_reporter):
    draft = ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None)
    client.force_login(other_reporter)

    assert client.get(change_url(draft)).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_changing_the_byline_purges_the_story_and_both_reporter_pages(section, reporter, other_reporter, purged):
    story = ArticleFactory(section=section, reporter=reporter)
    with purged() as keys:
        story.co_reporters.add(other_reporter)
    assert {f"article-{story.pk}", f"reporter-{other_reporter.pk}"} <= keys
    with purged() as keys:
        story.title = "고친 제목"
        story.save()
    assert {f"reporter-{reporter.pk}", f"reporter-{other_reporter.pk}"} <= keys
    with purged() as keys:
        story.co_reporters.clear()
    assert f"reporter-{other_reporter.pk}" in keys
