"""A reader whose browser runs no script: the public page shows nothing they cannot use."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_comment_buttons_meant_for_the_script_stay_hidden(live_server, browser: Browser, section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    factories.CommentFactory(article=article, author=factories.commenter("밥", username="bob"), body="밥의 공개 의견")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("밥의 공개 의견")).to_be_visible()
    for name in ("신고", "삭제"):  # shown by the script to whom they concern; without it, to nobody
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.locator("[data-comment-actions]")).to_be_hidden()
    context.close()
