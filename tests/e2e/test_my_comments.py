"""In Chromium, what a commenting reader does by hand: sort the thread, edit a comment, find a reply on 내 댓글
(counted by their name), delete a comment from there, and leave the site (회원 탈퇴)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from comments import services
from comments.models import Comment, Revision
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "pw-for-tests-1"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()


def test_sort_edit_my_comments_delete_and_leave(live_server, page: Page, section, reporter, settings):
    settings.COMMENT_RATE_PER_MINUTE = 0
    article = factories.ArticleFactory(title="홍차오 공항 새 노선", section=section, reporter=reporter)
    alice = factories.commenter("앨리스", username="alice")
    bob = factories.commenter("밥", username="bob")
    now = timezone.now()
    liked = factories.CommentFactory(
        article=article, author=bob, body="많이 공감받은 의견", created_at=now - timedelta(hours=3)
    )
    Comment.objects.filter(pk=liked.pk).update(up_count=12)
    factories.CommentFactory(article=article, author=bob, body="최근 의견", created_at=now - timedelta(hours=1))
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Sort: 최신순 first, then 공감순 by its link.
    page.goto(base + article.get_absolute_url())
    bodies = page.locator(".comment-list > li > .comment .comment-body")
    expect(bodies.first).to_have_text("최근 의견")
    page.get_by_role("link", name="공감순").click()
    expect(bodies.first).to_have_text("많이 공감받은 의견")
    expect(page.locator(".comment-orders [aria-current]")).to_have_text("공감순")

    # Alice comments, then edits it through 수정 on the article page.
    log_in(page, base, "alice")
    page.goto(base + article.get_absolute_url())
    page.get_by_label("댓글 내용").fill("처음 쓴 의견")
    page.locator("#comment-form").get_by_role("button", name="등록").click()
    mine = Comment.objects.get(author=alice)
    own = page.locator(f"#comment-{mine.pk}")
    own.get_by_role("link", name="수정").click()
    page.get_by_label("댓글 내용").fill("고쳐 쓴 의견")
    page.get_by_role("button", name="저장").click()
    expect(page.locator(f"#comment-{mine.pk} .comment-body")).to_have_text("고쳐 쓴 의견")
    expect(page.locator(f"#comment-{mine.pk} .comment-edited")).to_contain_text("수정됨")
    page.locator(f"#comment-{mine.pk}").screenshot(path=str(SCREENSHOTS / "comment-edited.png"))
    assert Revision.objects.get(comment=mine).body == "처음 쓴 의견"

    # Bob replies; Alice's header counts it; 내 댓글 shows it marked new.
    services.post_comment(article=article, author=bob, body="밥의 답글입니다", parent=mine)
    page.evaluate("sessionStorage.clear()")  # what the script keeps for 5 minutes: a fresh header now
    page.goto(base + article.get_absolute_url())
    expect(page.locator(".account-nav")).to_contain_text("새 답글 1개")
    page.locator(".account-nav").get_by_role("link", name="내 댓글").click()
    expect(page.locator(".my-comment")).to_contain_text("밥의 답글입니다")
    expect(page.locator(".my-comment .badge-new")).to_have_text("새 답글")
    expect(page.locator(".account-nav")).not_to_contain_text("새 답글")
    page.screenshot(path=str(SCREENSHOTS / "my-comments.png"), full_page=True)

    # Delete from 내 댓글: back there, the comment gone from the list.
    page.locator(".my-comment").get_by_role("button", name="삭제").click()
    expect(page.locator(".messages")).to_contain_text("댓글을 삭제했습니다.")
    expect(page.locator(".my-comments .empty")).to_have_text("아직 쓴 댓글이 없습니다.")
    assert Comment.objects.get(pk=mine.pk).status == Comment.Status.DELETED

    # Leave: a wrong password is explained; the right one closes the account.
    page.get_by_role("link", name="회원 탈퇴").click()
    page.get_by_label("비밀번호 확인").fill("not-the-password")
    page.get_by_role("button", name="탈퇴하기").click()
    expect(page.locator(".field-error")).to_have_text("비밀번호가 맞지 않습니다.")
    page.get_by_label("비밀번호 확인").fill(PASSWORD)
    page.get_by_role("button", name="탈퇴하기").click()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "탈퇴했습니다. 그동안 함께해 주셔서 고맙습니다."
    )
    expect(page.locator(".account-nav")).to_contain_text("로그인")
    page.screenshot(path=str(SCREENSHOTS / "left.png"))
    alice.refresh_from_db()
    assert not alice.is_active and alice.email == ""
