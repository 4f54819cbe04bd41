"""공감 / 비공감 in Chromium: a signed-in reader reacts, switches and takes it back in place; a signed-out
reader sees the counts and is led to log in."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_react_switch_and_take_back(live_server, page: Page, section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    bob = factories.commenter("밥", username="bob")
    comment = factories.CommentFactory(article=article, author=bob, body="밥의 공개 의견")
    factories.commenter("앨리스", username="alice")

    page.goto(live_server.url + article.get_absolute_url())
    up = page.locator(f"#comment-{comment.pk}").get_by_role("button", name="공감", exact=False).first
    expect(up).to_contain_text("0")
    up.click()  # signed out: to the login page, and back to the comment
    page.get_by_label("아이디").fill("alice")
    page.get_by_label("비밀번호").fill("pw-for-tests-1")
    page.get_by_role("button", name="로그인").click()
    expect(page.locator(".account-nav")).to_contain_text("앨리스")

    reactions = page.locator(f"#comment-{comment.pk} .reaction-form")
    up, down = reactions.locator('button[value="up"]'), reactions.locator('button[value="down"]')
    expect(reactions).to_have_attribute("method", "post")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(up.locator("[data-count]")).to_have_text("1")
    down.click()  # switch
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(up.locator("[data-count]")).to_have_text("0")
    expect(down.locator("[data-count]")).to_have_text("1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(f"#comment-{comment.pk}").screenshot(path=str(SCREENSHOTS / "reaction-switched.png"))
    down.click()  # the same again: taken back
    expect(down).to_have_attribute("aria-pressed", "false")
    expect(down.locator("[data-count]")).to_have_text("0")
    assert Comment.objects.filter(pk=comment.pk).values_list("up_count", "down_count").get() == (0, 0)
    page.reload()  # what the session keeps says which is pressed on the next page too
    expect(reactions).to_have_attribute("method", "post")  # the page made the reader's
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(reactions.locator('button[value="up"]')).to_have_attribute("aria-pressed", "true")
