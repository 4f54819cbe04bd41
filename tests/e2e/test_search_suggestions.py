"""Suggestions while typing in Chromium (ARIA combobox): typed, arrowed down, picked with Enter; a screen
reader's attributes follow the keys; nothing is asked or changed when JavaScript is off."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from news.models import Keyword
from tests import factories
from tests.e2e.test_csp import RECORD_REFUSALS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def stories(section, reporter):
    now = timezone.now()
    made = {
        title: factories.ArticleFactory(
            title=title, section=section, reporter=reporter, published_at=now - timedelta(hours=hours)
        )
        for hours, title in enumerate(["상하이 지하철 새 노선 개통", "상하이 한인 축제 열려", "푸둥 창업 지원 센터"], 1)
    }
    Keyword.objects.create(name="상하이 생활")
    return made


def test_a_reader_types_arrows_down_and_picks_a_suggestion(live_server, page: Page, stories):
    page.add_init_script(RECORD_REFUSALS)
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="기사 검색")
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("상하", delay=40)
    listbox = page.get_by_role("listbox", name="검색어 제안").first
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(3)  # the keyword, then the two stories, newest first
    expect(options.nth(0)).to_contain_text("상하이 생활")
    expect(options.nth(1)).to_contain_text("상하이 지하철 새 노선 개통")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="제안 3개")).to_have_count(1)

    box.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    expect(box).to_be_focused()  # the focus stays in the box; the option is active by aria-activedescendant
    page.screenshot(
        path=str(SCREENSHOTS / "search-suggestions.png"), clip={"x": 600, "y": 0, "width": 680, "height": 330}
    )

    box.press("Enter")
    expect(page).to_have_url(live_server.url + stories["상하이 지하철 새 노선 개통"].get_absolute_url())
    assert page.evaluate("window.cspRefusals") == []


def test_escape_closes_and_up_from_the_first_returns_to_the_box(live_server, page: Page, stories):
    page.goto(live_server.url + "/search/?q=상하이")
    box = page.locator("#search-q")  # the results page's own box is a combobox too
    box.fill("")
    box.press_sequentially("푸둥", delay=40)
    listbox = page.locator("#suggest-1-list")
    expect(listbox.get_by_role("option")).to_have_count(1)
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(box).not_to_have_attribute("aria-activedescendant", "suggest-1-option-0")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")  # no suggestion chosen: the form searches what was typed
    expect(page).to_have_url(live_server.url + "/search/?q=%ED%91%B8%EB%91%A5&section=&order=newest")


def test_without_javascript_the_box_is_a_plain_search_field(live_server, browser: Browser, stories):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server.url + "/")
    box = page.locator("#site-search")
    assert box.get_attribute("role") is None and box.get_attribute("aria-expanded") is None
    box.fill("상하이")
    box.press("Enter")
    expect(page.locator(".search-results")).to_contain_text("상하이 지하철 새 노선 개통")
    assert not [url for url in asked if "/search/suggest/" in url or url.endswith(".js")], asked
    context.close()
