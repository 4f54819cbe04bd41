"""Sign-up with its consents, in Chromium: the required boxes, the optional newsletter, and back home."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portal.policies.models import Consent, Policy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_sign_up_asks_for_each_consent(live_server, page: Page):
    for kind in Policy.Kind.values:
        Policy.objects.create(kind=kind, effective_on=datetime.date(2015, 4, 1), body=f"{kind} 본문")
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("사용자 이름").fill("newreader")
    page.get_by_label("닉네임").fill("새독자")
    page.get_by_label("이메일").fill("new@example.com")
    page.get_by_label("비밀번호", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("비밀번호 확인").fill("a-long-pass-phrase-42")
    page.get_by_label("이용약관에 동의합니다 (필수)").check()
    page.get_by_label("만 14세 이상입니다 (필수)").check()
    expect(page.get_by_label("뉴스레터를 받겠습니다 (선택)")).not_to_be_checked()
    page.get_by_role("button", name="가입하기").click()
    expect(page.locator(".field-error")).to_contain_text("개인정보 수집·이용에 동의해야 가입할 수 있습니다.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "signup-consent-missing.png"), full_page=True)
    page.get_by_label("비밀번호", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("비밀번호 확인").fill("a-long-pass-phrase-42")
    page.get_by_label("개인정보 수집·이용에 동의합니다 (필수)").check()
    page.get_by_role("button", name="가입하기").click()
    expect(page.locator(".account-nav")).to_contain_text("새독자")
    assert sorted(Consent.objects.values_list("policy__kind", flat=True)) == ["privacy", "terms"]
