"""The desk's dashboard as an editor opens the admin in Chromium: every part on one screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.portal.test_desk import fill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_an_editor_runs_the_day_from_the_admins_first_page(live_server, page: Page, section, reporter):
    fill(section, reporter, factories.commenter("앨리스", username="alice"), 3)
    factories.editor(username="desk")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "pw-for-tests-1")
    page.locator("input[type=submit]").click()
    desk = page.locator(".desk")
    expect(desk.get_by_role("heading", name="출고 대기")).to_contain_text("3")
    expect(desk).to_contain_text("승인 대기 3건 · 신고된 댓글 3건")
    expect(desk.locator(".sparkline").first).to_be_visible()
    page.get_by_role("link", name="출고 대기 기사 2").click()
    expect(page.locator("#id_title")).to_have_value("출고 대기 기사 2")
    page.go_back()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk.png"), full_page=True)
