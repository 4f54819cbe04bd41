"""The desk at the top of the site, in Chromium (#17): an editor places a story first on the front page and
marks another 속보 in the admin, a reader sees both; the editor then corrects a live story, compares the
two revisions and restores the first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.locator("input[type=submit]").click()


def test_an_editor_places_a_top_story_marks_breaking_news_and_restores_a_revision(
    live_server, page: Page, section, reporter
):
    now = timezone.now()
    feature = factories.ArticleFactory(
        title="지난주 심층 기획: 교민 3세대", section=section, reporter=reporter, published_at=now - timedelta(days=6)
    )
    storm = factories.ArticleFactory(title="태풍 상륙…푸둥 공항 결항", section=section, reporter=reporter)
    factories.ArticleFactory(title="오늘 아침 새 기사", section=section, reporter=reporter)
    factories.editor(username="desk")
    log_in(page, live_server.url, "desk")

    # 톱기사 배치: place 1 is a week-old feature, picked by autocomplete.
    page.goto(live_server.url + "/admin/news/editorpick/add/")
    page.fill("#id_position", "1")
    page.locator(".field-article .select2-selection").click()
    page.locator(".select2-search__field").fill("심층")
    page.get_by_role("option", name="지난주 심층 기획: 교민 3세대").click()
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("추가되었습니다")

    # 속보 until three hours from now.
    page.goto(live_server.url + f"/admin/news/article/{storm.pk}/change/")
    until = timezone.localtime() + timedelta(hours=3)
    page.fill("#id_breaking_until_0", until.strftime("%Y-%m-%d"))
    page.fill("#id_breaking_until_1", until.strftime("%H:%M:%S"))
    page.get_by_role("button", name="저장", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("변경되었습니다")

    reader = page.context.browser.new_page()
    reader.goto(live_server.url + "/")
    expect(reader.get_by_role("region", name="속보")).to_contain_text("태풍 상륙…푸둥 공항 결항")
    expect(reader.locator(".top-title")).to_contain_text("지난주 심층 기획: 교민 3세대")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=str(SCREENSHOTS / "front-desk.png"))
    reader.get_by_role("region", name="속보").get_by_role("link").click()
    expect(reader.locator("h1")).to_contain_text("태풍 상륙")

    # Two saves of the live feature, then the first is restored from its history.
    for title in ("지난주 심층 기획: 교민 3세대 이야기", "잘못 고친 제목"):
        page.goto(live_server.url + f"/admin/news/article/{feature.pk}/change/")
        page.fill("#id_title", title)
        page.get_by_role("button", name="저장", exact=True).click()
    page.goto(live_server.url + f"/admin/news/article/{feature.pk}/change/")
    page.get_by_role("link", name="저장된 판 2개 비교·되살리기").click()
    diff = page.locator(".revision-diff")
    expect(diff.locator("del")).to_contain_text(["지난주 심층 기획: 교민 3세대 이야기"])
    expect(diff.locator("ins")).to_contain_text(["잘못 고친 제목"])
    page.screenshot(path=str(SCREENSHOTS / "revisions.png"), full_page=True)
    page.get_by_role("button", name="판으로 되살리기").click()
    expect(page.locator(".messagelist")).to_contain_text("되살렸습니다")
    reader.goto(live_server.url + feature.get_absolute_url())
    expect(reader.locator("h1")).to_contain_text("지난주 심층 기획: 교민 3세대 이야기")
