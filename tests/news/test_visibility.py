"""Only live articles reach readers: drafts, submitted and scheduled ones are invisible everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_articles(reporter, section):
    future = timezone.now() + timedelta(days=2)
    return [
        ArticleFactory(
            title="초안 기사 제목", status=Article.Status.DRAFT, published_at=None, reporter=reporter, section=section
        ),
        ArticleFactory(
            title="출고요청 기사 제목",
            status=Article.Status.SUBMITTED,
            published_at=None,
            reporter=reporter,
            section=section,
        ),
        ArticleFactory(
            title="예약 기사 제목",
            status=Article.Status.PUBLISHED,
            published_at=future,
            reporter=reporter,
            section=section,
        ),
    ]


def reader_pages(reporter, section) -> list[str]:
    return [
        reverse("front"),
        reverse("news:section", args=[section.slug]),
        reverse("news:section", args=[section.slug]) + "?page=2",
        reverse("news:reporter", args=[reporter.pk]),
    ]


def test_unpublished_articles_are_in_no_list(client, hidden_articles, reporter, section):
    live = ArticleFactory(title="공개 기사 제목", reporter=reporter, section=section)
    for url in reader_pages(reporter, section) + [live.get_absolute_url()]:
        page = client.get(url).content.decode()
        for hidden in hidden_articles:
            assert hidden.title not in page, url
    assert "공개 기사 제목" in client.get(reverse("front")).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "reader", "other_reporter"])
def test_unpublished_article_pages_are_404_to_readers(client, hidden_articles, who, other_reporter):
    if who == "reader":
        client.force_login(UserFactory(username="plainreader"))
    elif who == "other_reporter":
        client.force_login(other_reporter)
    for hidden in hidden_articles:
        response = client.get(hidden.get_absolute_url())
        assert response.status_code == 404
        assert hidden.title not in response.content.decode()


def test_missing_article_is_a_korean_404(client, db):
    response = client.get(reverse("news:article", args=[999999]))
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()


def test_reporter_and_editor_can_preview_an_unpublished_article(client, hidden_articles, reporter, editor):
    draft = hidden_articles[0]
    for user in (reporter, editor):
        client.force_login(user)
        page = client.get(draft.get_absolute_url()).content.decode()
        assert draft.title in page
        assert "미리보기" in page


def test_scheduled_article_goes_live_at_its_time_without_any_job(client, reporter, section):
    at = timezone.now() + timedelta(hours=3)
    scheduled = ArticleFactory(
        title="세 시간 뒤 공개", status=Article.Status.PUBLISHED, published_at=at, reporter=reporter, section=section
    )

    assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        assert client.get(scheduled.get_absolute_url()).status_code == 200
        assert "세 시간 뒤 공개" in client.get(reverse("front")).content.decode()


def test_section_and_reporter_pages_of_unknown_names_are_404(client, db):
    assert client.get(reverse("news:section", args=["nope"])).status_code == 404
    assert client.get(reverse("news:reporter", args=[999999])).status_code == 404


def test_server_error_page_is_korean_and_self_contained():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "일시적인 오류" in html and "/static/" not in html
