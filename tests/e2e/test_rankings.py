"""The 가장 많이 본 뉴스 tabs in Chromium: a click and the arrow keys switch panels (ARIA tab pattern)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from news.models import DailyViews
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_tabs_switch_by_click_and_keyboard(live_server, page: Page, reporter):
    economy = factories.SectionFactory(name="경제", slug="economy", menu_order=1)
    society = factories.SectionFactory(name="사회", slug="society", menu_order=2)
    for title, section, views in [("환율 소식", economy, 9), ("지하철 개통", society, 5)]:
        article = factories.ArticleFactory(title=title, section=section, reporter=reporter)
        DailyViews.objects.create(article=article, day=timezone.localdate(), views=views)

    page.goto(live_server.url + "/")
    box = page.locator(".box-rankings")
    expect(box.get_by_role("tab", name="종합")).to_have_attribute("aria-selected", "true")
    expect(box.get_by_role("tabpanel")).to_have_count(1)  # only the chosen panel is shown (others hidden)
    expect(box.locator("#mv-panel-all")).to_be_visible()
    expect(box.locator("#mv-panel-s-society")).to_be_hidden()

    box.get_by_role("tab", name="사회").click()
    expect(box.locator("#mv-panel-s-society")).to_be_visible()
    expect(box.locator("#mv-panel-s-society")).to_contain_text("지하철 개통")
    expect(box.locator("#mv-panel-all")).to_be_hidden()

    box.get_by_role("tab", name="사회").press("ArrowLeft")
    expect(box.get_by_role("tab", name="경제")).to_be_focused()
    expect(box.locator("#mv-panel-s-economy")).to_contain_text("환율 소식")
    box.get_by_role("tab", name="경제").press("Home")
    expect(box.get_by_role("tab", name="종합")).to_have_attribute("aria-selected", "true")
