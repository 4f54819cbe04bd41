"""A signed-in reader in Chromium, through a real Varnish: the stored page with their own parts swapped in."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from news.models import DailyViews
from tests import factories
from tests.varnish import edge_factory  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def edge(live_server, edge_factory, settings):  # noqa: F811
    running = edge_factory(int(urlsplit(live_server.url).port))
    settings.EDGE_PURGE_URLS = [running.purge_url]
    settings.ALLOWED_HOSTS = ["*"]
    settings.COMMENT_RATE_PER_MINUTE = 5
    return running


def reader(browser: Browser, base: str, name: str):
    # A browser's own agent: the headless one is a tool, whose views are not counted.
    agent = f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36 ({name})"
    return browser.new_context(base_url=base, user_agent=agent).new_page()


def signed_in(browser: Browser, base: str, username: str, next_url: str):
    page = reader(browser, base, username)
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill("pw-for-tests-1")
    page.get_by_role("button", name="로그인").click()
    return page


def test_a_signed_in_reader_comments_on_the_stored_page(edge, browser: Browser, section, reporter):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    story = factories.ArticleFactory(title="와이탄 야경 축제 개막", section=section, reporter=reporter)
    factories.commenter("앨리스", username="alice")
    factories.commenter("밥", username="bob")
    url = story.get_absolute_url()
    anonymous = reader(browser, edge.url, "anonymous")
    anonymous.goto(url)  # the page is stored at the edge before anyone signs in
    expect(anonymous.locator("#comments")).to_contain_text("댓글을 쓰려면 로그인해 주세요.")

    alice = signed_in(browser, edge.url, "alice", url)
    expect(alice.locator(".account-nav")).to_contain_text("앨리스")  # swapped in from her fragment
    alice.get_by_label("댓글 내용").fill("기자님께만 드리는 야경 제보")
    alice.get_by_label("비밀로 하기").check()
    alice.get_by_role("button", name="등록").click()
    expect(alice.locator(".comment-list")).to_contain_text("기자님께만 드리는 야경 제보")
    alice.screenshot(path=str(SCREENSHOTS / "edge-signed-in.png"), full_page=True)

    bob = signed_in(browser, edge.url, "bob", url)
    expect(bob.locator(".account-nav")).to_contain_text("밥")
    expect(bob.locator(".comment-list")).to_contain_text("비밀 댓글입니다.")
    assert "기자님께만 드리는 야경 제보" not in bob.content()
    anonymous.reload()
    expect(anonymous.locator(".comments-title")).to_contain_text("1")
    assert "기자님께만 드리는 야경 제보" not in anonymous.content()
    # Three browsers read the story, each more than once: three views, counted by their beacons.
    deadline = time.monotonic() + 5
    while views(story) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert views(story) == 3


def views(story) -> int:
    return sum(DailyViews.objects.filter(article=story).values_list("views", flat=True))
