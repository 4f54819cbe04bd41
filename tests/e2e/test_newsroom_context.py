"""#17 in Chromium: a reporter writes a story with keywords (picked by the admin's autocomplete) and places it
in a series; an editor publishes it and later attaches a correction; a reader follows a keyword and the series.
Screenshots in var/screenshots/newsroom-*.png."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from news.models import Article, Keyword, Series
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def admin_login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-for-tests-1")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()


def autocomplete(page: Page, field: str, typed: str, choice: str) -> None:
    """Pick `choice` in the admin's autocomplete (select2) for `field`, after typing `typed`."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=choice).click()


def test_a_story_with_keywords_in_a_series_then_a_correction_then_a_reader(
    live_server, page: Page, section, reporter, editor
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    libraries = Keyword.objects.create(name="도서관")
    Keyword.objects.create(name="도서전")
    book_club = Series.objects.create(name="책읽는 상하이", slug="book-club", description="함께 읽는 책 이야기")
    earlier = factories.ArticleFactory(
        title="첫 모임에서 고른 책",
        section=section,
        reporter=reporter,
        series=book_club,
        published_at=timezone.now() - timedelta(days=7),
    )
    earlier.keywords.add(libraries)

    # The reporter writes the story, tags it and places it in the series, and submits it.
    admin_login(page, base, reporter.username)
    page.goto(f"{base}/admin/news/article/add/")
    page.locator("#id_section").select_option(label=section.name)
    page.locator("#id_kind").select_option(label="자체기사")
    page.locator("#id_title").fill("푸둥 새 도서관, 한국어 책 코너 연다")
    autocomplete(page, "keywords", "도서", "도서관")
    autocomplete(page, "series", "책읽", "책읽는 상하이")
    page.locator("#id_status").select_option(label="출고 요청")
    page.screenshot(path=str(SCREENSHOTS / "newsroom-reporter-form.png"), full_page=True)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    story = Article.objects.get(title="푸둥 새 도서관, 한국어 책 코너 연다")
    assert list(story.keywords.all()) == [libraries]
    assert (story.series, story.series_number, story.status) == (book_club, 2, Article.Status.SUBMITTED)

    # The editor publishes it; later they attach a correction.
    admin_login(page, base, editor.username)
    page.goto(f"{base}/admin/news/article/{story.pk}/change/")
    page.locator("#id_status").select_option(label="발행")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    story.refresh_from_db()
    assert story.is_published()
    expect(page.locator("#corrections-group h2")).to_have_text("정정·반론·추후보도")
    page.locator("#corrections-group .add-row a").click()
    page.locator("#id_corrections-0-kind").select_option(label="정정보도")
    page.locator("#id_corrections-0-body").fill("개관일을 3월 2일에서 3월 9일로 바로잡습니다.")
    page.screenshot(path=str(SCREENSHOTS / "newsroom-editor-correction.png"), full_page=True)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert story.corrections.get().created_by == editor

    # A reader reads it, follows the keyword, then the series.
    page.context.clear_cookies()
    page.goto(base + story.get_absolute_url())
    expect(page.locator(".corrections")).to_contain_text("3월 9일로 바로잡습니다")
    expect(page.locator(".article-series")).to_contain_text("[책읽는 상하이 2]")
    expect(page.locator(".installments a[rel=prev]")).to_contain_text("첫 모임에서 고른 책")
    page.screenshot(path=str(SCREENSHOTS / "newsroom-article.png"), full_page=True)
    page.get_by_role("link", name="#도서관").click()
    expect(page.locator("h1")).to_contain_text("#도서관")
    titles = page.locator(".list .item-title")
    expect(titles).to_have_count(2)
    expect(titles.first).to_contain_text("푸둥 새 도서관")  # newest first
    page.screenshot(path=str(SCREENSHOTS / "newsroom-keyword.png"), full_page=True)
    page.go_back()
    page.locator(".article-series a").click()
    expect(page).to_have_url(re.compile(r"/series/book-club/$"))
    expect(page.locator(".installment-list .item-title").nth(0)).to_contain_text("[책읽는 상하이 1]")
    expect(page.locator(".installment-list .item-title").nth(1)).to_contain_text("[책읽는 상하이 2]")
    page.screenshot(path=str(SCREENSHOTS / "newsroom-series.png"), full_page=True)

    # An advertorial in the same section is labelled 광고 in its list, its link rel="sponsored".
    factories.ArticleFactory(title="겨울방학 글쓰기 교실 모집", section=section, reporter=reporter, kind="sponsored")
    page.goto(base + section.get_absolute_url())
    sponsored = page.locator(".item-sponsored a[rel=sponsored]")
    expect(sponsored.locator(".kind-sponsored")).to_have_text("광고")
    page.screenshot(path=str(SCREENSHOTS / "newsroom-section-advertorial.png"))
