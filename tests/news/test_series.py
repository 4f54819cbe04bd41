"""연재: a named series, its page of installments in order, the installment number and the previous and next
links on each article, the numbering rules, and the purges that keep them fresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Series
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book_club(db):
    return Series.objects.create(name="책읽는 상하이", slug="book-club", description="한 달에 한 권, 함께 읽는 책")


def installment(series: Series, **fields) -> Article:
    return ArticleFactory(series=series, **fields)


def test_installments_are_numbered_in_turn_unless_a_number_is_given(book_club, section, reporter):
    first = installment(book_club, section=section, reporter=reporter)
    second = installment(book_club, section=section, reporter=reporter)
    imported = installment(book_club, section=section, reporter=reporter, series_number=259)
    after = installment(book_club, section=section, reporter=reporter)
    assert [first.series_number, second.series_number, imported.series_number, after.series_number] == [1, 2, 259, 260]
    assert imported.series_label == "[책읽는 상하이 259]"
    loose = ArticleFactory(section=section, reporter=reporter, series_number=7)
    assert loose.series_number is None and loose.series_label == ""


def test_series_page_lists_live_installments_in_order(client, book_club, section, reporter):
    now = timezone.now()
    installment(book_club, title="첫 책", section=section, reporter=reporter, published_at=now - timedelta(days=9))
    installment(book_club, title="두 번째 책", section=section, reporter=reporter, published_at=now - timedelta(days=2))
    installment(book_club, title="준비 중인 책", section=section, reporter=reporter, status=Article.Status.DRAFT)

    page = client.get(book_club.get_absolute_url()).content.decode()

    assert "책읽는 상하이" in page and "한 달에 한 권, 함께 읽는 책" in page
    assert page.index("[책읽는 상하이 1]") < page.index("[책읽는 상하이 2]")
    assert "준비 중인 책" not in page
    assert client.get("/series/없는-연재/").status_code == 404


def test_article_shows_series_number_and_its_live_neighbours(client, book_club, section, reporter):
    first = installment(book_club, title="첫 책", section=section, reporter=reporter)
    middle = installment(book_club, title="가운데 책", section=section, reporter=reporter)
    installment(book_club, title="아직 안 나간 책", section=section, reporter=reporter, status=Article.Status.DRAFT)
    last = installment(book_club, title="마지막 책", section=section, reporter=reporter)

    page = client.get(middle.get_absolute_url()).content.decode()

    assert f'href="{book_club.get_absolute_url()}">[책읽는 상하이 2]</a>' in page
    assert f'rel="prev" href="{first.get_absolute_url()}"' in page
    assert f'rel="next" href="{last.get_absolute_url()}"' in page  # the draft between is skipped
    assert "아직 안 나간 책" not in page
    first_page = client.get(first.get_absolute_url()).content.decode()
    assert 'rel="prev"' not in first_page.split('class="installments"')[1].split("</nav>")[0]


def test_a_column_is_a_series_with_its_writer(client, section, reporter):
    column = Series.objects.create(name="푸둥 산책", slug="pudong-walk", writer="김상해")
    story = installment(column, section=section, reporter=reporter, kind=Article.Kind.COLUMN)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "김상해의 연재" in page and "칼럼" in page
    assert "글: 김상해" in client.get(column.get_absolute_url()).content.decode()


def test_lists_show_the_installment_before_the_title(client, book_club, section, reporter):
    installment(book_club, title="사건", section=section, reporter=reporter)
    page = client.get(section.get_absolute_url()).content.decode()
    assert '<span class="series-label">[책읽는 상하이 1]</span> 사건' in page


def test_series_page_is_public_with_its_keys_and_a_fixed_query_count(
    book_club, section, reporter, django_assert_num_queries
):
    stories = [installment(book_club, section=section, reporter=reporter) for _ in range(3)]
    client = Client()
    response = client.get(book_club.get_absolute_url())
    assert {"site", f"series-{book_club.pk}", *(f"article-{s.pk}" for s in stories)} <= set(
        response["Surrogate-Key"].split()
    )
    for _ in range(40):
        installment(book_club, section=section, reporter=reporter)
    with django_assert_num_queries(3):  # the series, the count, the page
        client.get(book_club.get_absolute_url() + "?page=2")
    article = client.get(stories[1].get_absolute_url())
    assert f"series-{book_club.pk}" in article["Surrogate-Key"].split()


def test_a_new_installment_purges_the_series_and_its_neighbours(book_club, section, reporter, purged):
    first = installment(book_club, section=section, reporter=reporter)
    with purged() as keys:
        second = installment(book_club, section=section, reporter=reporter)
    assert {f"series-{book_club.pk}", f"article-{second.pk}"} <= keys  # first's page carries series-<id>
    with purged() as keys:
        book_club.name = "책 읽는 상하이"
        book_club.save()
    assert {f"series-{book_club.pk}", f"article-{first.pk}", f"article-{second.pk}"} <= keys


# ------------------------------------------------------------------------------------------------ admin


def test_a_reporter_places_their_story_in_a_series(client, book_club, reporter, section):
    from tests.news.test_roles import article_form

    installment(book_club, section=section, reporter=reporter)
    client.force_login(reporter)
    response = client.post(
        reverse("admin:news_article_add"),
        article_form(None, section=section.pk, title="두 번째 책", series=book_club.pk),
    )
    assert response.status_code == 302
    story = Article.objects.get(title="두 번째 책")
    assert (story.series, story.series_number) == (book_club, 2)


def test_a_taken_installment_number_is_refused_in_korean(client, book_club, editor, section):
    from tests.news.test_roles import article_form

    installment(book_club, section=section, reporter=editor, series_number=5)
    client.force_login(editor)
    response = client.post(
        reverse("admin:news_article_add"),
        article_form(
            None, section=section.pk, title="겹친 회차", series=book_club.pk, series_number="5", reporter=editor.pk
        ),
    )
    assert response.status_code == 200
    assert "이 연재에 같은 회차 번호의 기사가 이미 있습니다." in response.content.decode()
    assert not Article.objects.filter(title="겹친 회차").exists()


def test_only_editors_create_series(client, reporter, editor):
    data = {"name": "새 연재", "slug": "new-series", "writer": "", "description": ""}
    client.force_login(reporter)
    assert client.post(reverse("admin:news_series_add"), data).status_code == 403
    client.force_login(editor)
    assert client.post(reverse("admin:news_series_add"), data).status_code == 302
    assert Series.objects.filter(slug="new-series").exists()


def test_series_list_shows_series_with_live_installments_and_the_footer_links_it(client, book_club, section, reporter):
    Series.objects.create(name="빈 연재", slug="empty")
    installment(book_club, section=section, reporter=reporter)
    installment(book_club, section=section, reporter=reporter)
    installment(book_club, section=section, reporter=reporter, status=Article.Status.DRAFT)
    response = client.get(reverse("news:series-list"))
    page = response.content.decode()
    assert "책읽는 상하이" in page and "2회" in page and "빈 연재" not in page
    assert f"series-{book_club.pk}" in response["Surrogate-Key"].split()
    assert f'href="{reverse("news:series-list")}"' in page and f'href="{reverse("news:corrections")}"' in page
