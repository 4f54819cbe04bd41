"""The newsletter in Chromium: subscribe, confirm from the mail's link, receive an edition, unsubscribe."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from portal.newsletter.models import Subscriber

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def path_in(text: str, pattern: str) -> str:
    return urlsplit(re.search(pattern, text).group(0)).path


def test_subscribe_confirm_receive_and_unsubscribe(live_server, page: Page, settings):
    settings.SITE_URL = "https://news.example.kr"
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="뉴스레터").click()
    page.get_by_label("이메일").fill("reader@example.com")
    page.get_by_role("button", name="구독 신청").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("확인 메일을 보냈습니다")
    [confirmation] = mail.outbox
    page.goto(live_server.url + path_in(confirmation.body, r"https://news\.example\.kr/newsletter/confirm/\S+/"))
    page.get_by_role("button", name="구독하기").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("reader@example.com")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "newsletter-confirmed.png"))
    assert Subscriber.objects.get().confirmed_at is not None

    call_command("send_newsletter")
    edition = mail.outbox[-1]
    assert edition.to == ["reader@example.com"] and edition.extra_headers["List-Unsubscribe-Post"]
    page.goto(live_server.url + path_in(edition.body, r"https://news\.example\.kr/newsletter/unsubscribe/\S+/"))
    page.get_by_role("button", name="수신 거부").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("더 이상 뉴스레터를 보내지 않습니다")
    assert Subscriber.objects.get().unsubscribed_at is not None
