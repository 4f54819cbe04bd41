"""A reader's path in a real Chromium: front page, a section, an article with its byline and timestamp."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.factories import ArticleFactory, SectionFactory, image_upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reader_goes_from_front_page_to_section_to_article(live_server, page: Page, reporter, tmp_path):
    economy = SectionFactory(name="경제", slug="economy", menu_order=1)
    SectionFactory(name="사회", slug="society", menu_order=2)
    ArticleFactory(
        title="상하이 한인 상공회 송년회 열려",
        section=economy,
        reporter=reporter,
        byline="이종실",
        byline_email="js@example.com",
        lead_image=image_upload(size=(1200, 800)),
        published_at=datetime(2026, 1, 10, 9, 53, 22, tzinfo=ZoneInfo("Asia/Shanghai")),
    )

    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("상하이방"))
    page.get_by_role("navigation", name="대메뉴").get_by_role("link", name="경제").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("경제")
    page.get_by_role("link", name=re.compile("송년회")).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("상하이 한인 상공회 송년회 열려")
    expect(page.locator(".byline")).to_contain_text("이종실 기자")
    expect(page.locator(".byline")).to_contain_text("js@example.com")
    expect(page.locator(".article-times")).to_contain_text("[2026-01-10, 09:53:22]")
    expect(page.locator(".copyright")).to_contain_text("무단전재 및 재배포 금지")
    photo = page.locator(".lead-photo img")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "article-phone.png"), full_page=True)


def test_font_size_buttons_are_remembered(live_server, page: Page, reporter):
    article = factories.ArticleFactory(
        title="글자 크기 시험",
        section=SectionFactory(name="사회", slug="society"),
        reporter=reporter,
        body="<p>본문 문단입니다.</p>",
    )
    page.goto(live_server.url + article.get_absolute_url())
    body = page.locator(".article-body")
    before = body.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    page.get_by_role("button", name="글자 크게").click()
    page.get_by_role("button", name="글자 크게").click()
    after = body.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert after > before
    page.reload()
    assert body.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") == after
    expect(page.get_by_role("button", name="인쇄")).to_be_visible()
