"""A signed-in reader moving from story to story in Chromium: their own parts come from what the page script
kept for the session, and the server is asked again only for a story that holds something for them alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_fragments_are_asked_for_only_where_the_reader_has_something(
    live_server, page: Page, section, reporter, settings
):
    settings.COMMENT_RATE_PER_MINUTE = 5
    first, plain, secret = (
        factories.ArticleFactory(title=f"기사 {n}", section=section, reporter=reporter) for n in "가나다"
    )
    alice = factories.commenter("앨리스", username="alice")
    bob = factories.commenter("밥", username="bob")
    factories.CommentFactory(article=plain, author=bob, body="밥의 공개 의견")
    factories.CommentFactory(article=secret, author=alice, body="앨리스의 비밀 의견", private=True)
    factories.CommentFactory(article=secret, author=bob, body="밥의 비밀 의견", private=True)
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/fragment/" in request.url else None)

    page.goto(f"{live_server.url}/accounts/login/?next={first.get_absolute_url()}")
    page.get_by_label("아이디").fill("alice")
    page.get_by_label("비밀번호").fill("pw-for-tests-1")
    page.get_by_role("button", name="로그인").click()
    expect(page.locator(".account-nav")).to_contain_text("앨리스")
    assert len(asked) == 1  # the first page of the session: what is kept comes with it

    page.goto(live_server.url + plain.get_absolute_url())  # nothing here for alice alone
    expect(page.locator(".account-nav")).to_contain_text("앨리스")
    expect(page.get_by_label("댓글 내용")).to_be_visible()
    expect(page.locator("[data-comment-actions] [data-others] button")).to_have_text("신고")  # bob's comment
    assert len(asked) == 1
    page.get_by_label("댓글 내용").fill("저장된 폼으로 쓴 의견")
    page.get_by_role("button", name="등록").click()  # the kept form: its address, CSRF token and a new token
    expect(page.locator(".comment-list")).to_contain_text("저장된 폼으로 쓴 의견")
    [new] = Comment.objects.filter(article=plain, body="저장된 폼으로 쓴 의견")
    expect(page.locator(f"#comment-{new.pk} [data-own] button")).to_be_visible()  # 삭제: hers, from the fresh fragment
    expect(page.locator(f"#comment-{new.pk} [data-others]")).to_have_count(0)

    asked.clear()
    page.goto(live_server.url + secret.get_absolute_url())  # her private comment is here: asked
    expect(page.locator(".comment-list")).to_contain_text("앨리스의 비밀 의견")
    expect(page.locator(".comment-list")).not_to_contain_text("밥의 비밀 의견")
    assert len(asked) == 1 and "reader=" not in asked[0]  # only what differs here: menu and form box are kept
    expect(page.locator(".account-nav")).to_contain_text("앨리스")
    page.get_by_label("댓글 내용").fill("비밀 의견이 있는 기사에 쓴 의견")
    page.get_by_role("button", name="등록").click()  # the kept form box, its address set for this story
    expect(page.locator(".comment-list")).to_contain_text("비밀 의견이 있는 기사에 쓴 의견")
    assert (
        Comment.objects.filter(article=secret, author__username="alice", body="비밀 의견이 있는 기사에 쓴 의견").count()
        == 1
    )
