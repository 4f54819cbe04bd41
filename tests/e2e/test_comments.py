"""Comments by hand in Chromium: a private and a public comment, what another reader sees, a moderator's hide."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill("pw-for-tests-1")
    page.get_by_role("button", name="로그인").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="로그아웃").click()


def test_private_and_public_comments_then_a_moderator_hides_one(live_server, page: Page, section, reporter, settings):
    settings.COMMENT_RATE_PER_MINUTE = 5  # two comments in a row by hand
    article = factories.ArticleFactory(title="푸둥 새 도서관 개관", section=section, reporter=reporter)
    factories.commenter("앨리스", username="alice")
    factories.commenter("밥", username="bob")
    mod = factories.moderator(username="mod")
    url = article.get_absolute_url()
    base = live_server.url

    log_in(page, base, "alice", url)
    expect(page.get_by_role("heading", level=1)).to_have_text("푸둥 새 도서관 개관")
    expect(page.locator(".account-nav")).to_contain_text("앨리스")  # her own form has replaced the public one
    page.get_by_label("댓글 내용").fill("기자님께만 드리는 제보입니다")
    page.get_by_label("비밀로 하기").check()
    page.get_by_role("button", name="등록").click()
    expect(page.locator(".comment-list")).to_contain_text("기자님께만 드리는 제보입니다")
    page.get_by_label("댓글 내용").fill("모두에게 하는 인사입니다")
    page.get_by_role("button", name="등록").click()
    expect(page.locator(".comments-title")).to_contain_text("2")
    log_out(page)

    log_in(page, base, "bob", url)
    comments = page.locator(".comment-list")
    expect(comments).to_contain_text("모두에게 하는 인사입니다")
    expect(comments).to_contain_text("비밀 댓글입니다.")
    expect(comments).not_to_contain_text("기자님께만 드리는 제보입니다")
    assert "기자님께만 드리는 제보입니다" not in page.content()
    log_out(page)

    public = Comment.objects.get(body="모두에게 하는 인사입니다")
    page.goto(f"{base}/admin/login/?next=/admin/comments/comment/")
    page.fill("#id_username", mod.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.locator("input[type=submit]").click()
    page.locator(f'input[name="_selected_action"][value="{public.pk}"]').check()
    page.locator('select[name="action"]').select_option("hide")
    page.locator('button[name="index"], button[type="submit"].button').first.click()
    expect(page.locator(".messagelist")).to_contain_text(re.compile("1건을 숨겼습니다"))

    page.goto(base + url)
    expect(page.locator("#comments")).not_to_contain_text("모두에게 하는 인사입니다")
    expect(page.locator(".comments-title")).to_contain_text("1")


def test_a_signed_out_reader_writes_logs_in_and_posts_what_they_wrote(live_server, page: Page, section, reporter):
    article = factories.ArticleFactory(title="와이탄 산책로 새 단장", section=section, reporter=reporter)
    factories.commenter("앨리스", username="alice")
    url = article.get_absolute_url()

    page.goto(live_server.url + url)  # the public page: the form is there before anyone signs in
    page.get_by_label("댓글 내용").fill("로그인 전에 쓴 비밀 제보")
    page.get_by_label("비밀로 하기").check()
    page.get_by_role("button", name="등록").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".messages")).to_contain_text("작성하던 댓글을 보관했습니다")
    page.get_by_label("아이디").fill("alice")
    page.get_by_label("비밀번호").fill("pw-for-tests-1")
    page.get_by_role("button", name="로그인").click()

    expect(page).to_have_url(f"{live_server.url}{url}#comment-form")
    expect(page.locator(".account-nav")).to_contain_text("앨리스")  # her own form is in place
    expect(page.get_by_label("댓글 내용")).to_have_value("로그인 전에 쓴 비밀 제보")
    expect(page.get_by_label("비밀로 하기")).to_be_checked()
    assert not Comment.objects.exists()  # nothing posted until she posts it
    page.get_by_role("button", name="등록").click()
    expect(page.locator(".comment-list")).to_contain_text("로그인 전에 쓴 비밀 제보")
    comment = Comment.objects.get()
    assert (comment.body, comment.private, comment.author.username) == ("로그인 전에 쓴 비밀 제보", True, "alice")
