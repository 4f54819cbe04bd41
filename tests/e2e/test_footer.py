"""The footer's 법정 고지 at phone width, in Chromium: every particular readable without scrolling sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from portal.models import SiteProfile
from tests.portal.test_legal_notice import PARTICULARS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_the_particulars_fit_a_phone(live_server, browser: Browser):
    SiteProfile(name="상하이방", **PARTICULARS).save()
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    page.goto(live_server.url + "/")
    legal = page.get_by_role("region", name="인터넷신문 등록 정보")
    expect(legal).to_contain_text("서울 아00000")
    expect(legal).to_contain_text("청소년보호책임자")
    legal.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    legal.screenshot(path=str(SCREENSHOTS / "footer-particulars-phone.png"))
    context.close()
