"""A reader sends a tip with a photo from the footer's link, in Chromium, and an editor opens it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portal.tips.models import Tip
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_a_reader_sends_a_tip_with_a_photo(live_server, page: Page, tmp_path):
    photo = tmp_path / "market.jpg"
    photo.write_bytes(factories.image_upload("market.jpg").read())
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="기사제보·독자투고").click()
    page.get_by_label("이름 또는 별명").fill("푸둥 주민")
    page.get_by_label("전화번호").fill("138-0000-1234")
    page.get_by_label("내용").fill("시장 앞 도로 공사가 다음 주에 끝난다고 합니다.")
    page.get_by_label("사진 (5장까지)").set_input_files(str(photo))
    page.get_by_role("button", name="보내기").click()
    tip = Tip.objects.get()
    expect(page.locator(".receipt")).to_have_text(tip.receipt)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tip-received.png"))
    assert tip.phone == "138-0000-1234" and tip.photos.count() == 1
