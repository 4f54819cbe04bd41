"""Posting, deleting, reporting: every bad input gets a clear message, nothing is lost, nothing doubled."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from comments.models import BlockedWord, Comment, Commenter
from news.models import Article
from tests import factories
from tests.beacon import composed, seen_on_article

pytestmark = pytest.mark.django_db


def post(client, target, **data):
    data.setdefault("token", str(uuid.uuid4()))
    return client.post(reverse("comments:post", args=[target.pk]), data, follow=True)


def personal(client, article, cpage=None) -> str:
    """The article page as the reader's browser shows it: the public page made theirs by its fragment."""
    return seen_on_article(client, article, cpage)


def seen(client, response) -> str:
    """What the reader sees where a post or a click sent them. The comments page (no JavaScript) is theirs
    as served; on the article page their messages and their own comment block come from its fragment, for
    the comment page in its address, as the page's script fetches them."""
    place = urlsplit(response.redirect_chain[-1][0]) if response.redirect_chain else None
    if place is None or resolve(place.path).url_name != "article":
        return response.content.decode()
    cpage = parse_qs(place.query).get("cpage", [None])[0]
    params = {"reader": "1", "article": resolve(place.path).kwargs["pk"]} | ({"cpage": cpage} if cpage else {})
    return composed(response.content.decode(), client.get(reverse("fragment"), params).json())


def shown_error(page: str) -> str:
    return (
        page.split('class="form-error" role="alert">')[1].split("</p>")[0]
        if 'class="form-error" role="alert">' in page
        else ""
    )


def test_reader_posts_a_comment_and_lands_on_it(client, article, alice):
    client.force_login(alice)
    response = post(client, article, body="첫 댓글입니다\n두 줄째")

    comment = Comment.objects.get()
    assert (comment.body, comment.author, comment.private, comment.status) == (
        "첫 댓글입니다\n두 줄째",
        alice,
        False,
        "published",
    )
    assert response.redirect_chain[-1][0].endswith(f"{article.get_absolute_url()}#comment-{comment.pk}")
    assert "첫 댓글입니다<br>두 줄째" in response.content.decode()  # on the public page, for everyone
    assert "첫 댓글입니다<br>두 줄째" in seen(client, response)  # and in the author's own block


def test_comment_text_is_plain_text(client, article, alice):
    client.force_login(alice)
    response = post(client, article, body='<script>alert(1)</script><a href="javascript:x">링크</a>')
    for page in (response.content.decode(), seen(client, response)):  # the public page and the author's block
        assert "<script>alert(1)" not in page and '<a href="javascript:x">' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "댓글 내용을 입력해 주세요."),
        ("   \n\t  ", "댓글 내용을 입력해 주세요."),
        ("가" * 1001, "1000자까지"),
    ],
)
def test_bad_text_is_refused_with_a_message_and_kept_in_the_form(client, article, alice, body, message):
    client.force_login(alice)
    page = seen(client, post(client, article, body=body))
    assert message in shown_error(page)
    assert not Comment.objects.exists()
    if body.strip():
        assert body in page  # what the reader typed is not lost


def test_exactly_1000_characters_is_accepted(client, article, alice):
    client.force_login(alice)
    post(client, article, body="가" * 1000)
    assert Comment.objects.count() == 1


def test_posting_to_missing_unpublished_or_closed_articles(client, article, alice, section, reporter):
    client.force_login(alice)
    draft = factories.ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None)
    closed = factories.ArticleFactory(section=section, reporter=reporter, comments_enabled=False)

    assert client.post(reverse("comments:post", args=[999999]), {"body": "x"}).status_code == 404
    assert client.post(reverse("comments:post", args=[draft.pk]), {"body": "x"}).status_code == 404
    assert "댓글을 받지 않습니다" in shown_error(seen(client, post(client, closed, body="닫힌 기사")))
    assert not Comment.objects.exists()


def test_anonymous_reader_is_sent_to_login_and_back(client, article, alice):
    """Signed out, the form is there (see test_signed_out_form.py); its 로그인 link leads to the comments
    page, whose form the reader then uses, with or without JavaScript."""
    comments_page = reverse("comments:thread", args=[article.pk])
    page = client.get(article.get_absolute_url()).content.decode()
    assert "댓글을 쓰려면 로그인해 주세요." in page and 'name="body"' in page
    assert f'href="/accounts/login/?next={comments_page}"' in page  # back to the comments page, with its form
    assert f'href="{comments_page}"' in page
    response = client.post(reverse("comments:post", args=[article.pk]), {"body": "몰래"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()

    back = client.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-1", "next": comments_page})
    assert back.status_code == 302 and back["Location"] == comments_page
    form = client.get(comments_page).content.decode().split('id="comment-form"')[1]
    assert 'name="body"' in form and 'name="back" value="thread"' in form
    assert f'action="{reverse("comments:post", args=[article.pk])}"' in form


def test_without_javascript_the_comments_page_posts_and_comes_back_to_itself(client, article, alice, bob):
    comments_page = reverse("comments:thread", args=[article.pk])
    client.force_login(alice)
    response = post(client, article, body="댓글 페이지에서 쓴 의견", back="thread")  # its forms carry back=thread
    comment = Comment.objects.get()
    assert response.redirect_chain[-1][0] == f"{comments_page}#comment-{comment.pk}"
    assert "댓글 페이지에서 쓴 의견" in response.content.decode()

    refused = seen(client, post(client, article, body="너무 이른 두 번째", back="thread"))
    assert "1분에 1개까지" in shown_error(refused) and "너무 이른 두 번째" in refused  # the draft comes back here

    theirs = factories.CommentFactory(article=article, author=bob, body="밥의 의견")
    reported = client.post(reverse("comments:report", args=[theirs.pk]), {"back": "thread"}, follow=True)
    assert reported.redirect_chain[-1][0] == f"{comments_page}#comment-{theirs.pk}"
    assert "신고가 접수되었습니다." in reported.content.decode()
    deleted = client.post(reverse("comments:delete", args=[comment.pk]), {"back": "thread"}, follow=True)
    assert deleted.redirect_chain[-1][0] == f"{comments_page}#comments"
    assert (
        "댓글을 삭제했습니다." in deleted.content.decode() and "댓글 페이지에서 쓴 의견" not in deleted.content.decode()
    )


def test_a_double_click_makes_one_comment(client, article, alice):
    client.force_login(alice)
    token = str(uuid.uuid4())
    first = post(client, article, body="한 번만", token=token)
    second = post(client, article, body="한 번만", token=token)
    assert Comment.objects.count() == 1
    assert shown_error(seen(client, second)) == ""  # the second click lands on the same comment, no error
    assert first.redirect_chain[-1][0] == second.redirect_chain[-1][0]


def test_one_comment_a_minute(client, article, alice):
    client.force_login(alice)
    post(client, article, body="첫째")
    error = shown_error(seen(client, post(client, article, body="둘째")))
    assert "1분에 1개까지" in error and "이후에 다시 등록해 주세요" in error
    assert Comment.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        post(client, article, body="셋째")
    assert Comment.objects.count() == 2


def test_limits_per_article_and_per_day(client, article, alice, section, reporter, settings):
    settings.COMMENT_RATE_PER_ARTICLE = 2
    settings.COMMENT_RATE_PER_DAY = 3
    client.force_login(alice)
    start = timezone.now()
    for minute in range(3):
        with time_machine.travel(start + timedelta(minutes=2 * minute)):
            post(client, article, body=f"{minute}번째")
    assert Comment.objects.filter(article=article).count() == 2
    other = factories.ArticleFactory(section=section, reporter=reporter)
    with time_machine.travel(start + timedelta(minutes=10)):
        post(client, other, body="다른 기사")
    with time_machine.travel(start + timedelta(minutes=12)):
        page = seen(client, post(client, other, body="하루 한도 넘김"))
    assert "하루에 3개까지" in shown_error(page)
    assert Comment.objects.count() == 3


def test_a_blocked_author_cannot_post(client, article, alice):
    Commenter.objects.filter(user=alice).update(blocked_at=timezone.now())
    client.force_login(alice)
    assert "제한된 계정" in personal(client, article)
    assert "제한된 계정" in shown_error(seen(client, post(client, article, body="차단 중")))
    assert not Comment.objects.exists()


def test_the_server_ignores_fields_the_form_does_not_offer(client, article, alice, bob, section, reporter):
    other = factories.ArticleFactory(section=section, reporter=reporter)
    client.force_login(alice)
    post(client, article, body="정상", status="hidden", author=bob.pk, article=other.pk, report_count=99)
    comment = Comment.objects.get()
    assert (comment.status, comment.author, comment.article, comment.report_count) == ("published", alice, article, 0)


def test_reply_goes_under_its_comment_one_level_deep(client, article, alice, bob):
    first = factories.CommentFactory(article=article, author=alice, body="원 댓글")
    client.force_login(bob)
    post(client, article, body="답글입니다", parent=first.pk)
    reply = Comment.objects.get(parent=first)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        refused = post(client, article, body="답글의 답글", parent=reply.pk)
    assert "답글을 달 댓글을 찾을 수 없습니다" in seen(client, refused)  # one level only
    assert not Comment.objects.filter(body="답글의 답글").exists()
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.index("원 댓글") < page.index('class="reply-list"') < page.index("답글입니다")


def test_reply_to_a_comment_of_another_article_is_refused(client, article, alice, section, reporter):
    elsewhere = factories.CommentFactory(article=factories.ArticleFactory(section=section, reporter=reporter))
    client.force_login(alice)
    assert (
        client.post(reverse("comments:post", args=[article.pk]), {"body": "x", "parent": elsewhere.pk}).status_code
        == 404
    )
    assert client.post(reverse("comments:post", args=[article.pk]), {"body": "x", "parent": "abc"}).status_code == 404


def test_author_deletes_own_comment_and_replies_keep_their_thread(client, article, alice, bob):
    first = factories.CommentFactory(article=article, author=alice, body="지울 댓글", has_replies=True)
    factories.CommentFactory(article=article, author=bob, body="남는 답글", parent=first)
    client.force_login(alice)

    client.post(reverse("comments:delete", args=[first.pk]))

    first.refresh_from_db()
    assert first.status == "deleted" and first.body == "지울 댓글"  # soft: kept for audit
    page = client.get(article.get_absolute_url()).content.decode()
    assert "삭제된 댓글입니다." in page and "지울 댓글" not in page and "남는 답글" in page


def test_deleted_comment_without_replies_disappears(client, article, alice):
    lone = factories.CommentFactory(article=article, author=alice, body="혼자 있는 댓글")
    client.force_login(alice)
    client.post(reverse("comments:delete", args=[lone.pk]))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "혼자 있는 댓글" not in page and "삭제된 댓글입니다." not in page
    assert "전체의견 수 <strong>0</strong>" in page


def test_nobody_deletes_someone_elses_comment(client, article, alice, bob):
    theirs = factories.CommentFactory(article=article, author=alice)
    client.force_login(bob)
    assert client.post(reverse("comments:delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("comments:delete", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "published"


def test_reports_count_once_per_reader_and_hide_at_the_threshold(client, article, alice, settings):
    settings.COMMENT_AUTOHIDE_REPORTS = 3
    target = factories.CommentFactory(article=article, author=alice, body="문제의 댓글")
    readers = [factories.commenter(f"신고자{i}", username=f"r{i}") for i in range(3)]

    client.force_login(readers[0])
    client.post(reverse("comments:report", args=[target.pk]))
    response = client.post(reverse("comments:report", args=[target.pk]), follow=True)
    assert "이미 신고한 댓글입니다." in seen(client, response)
    target.refresh_from_db()
    assert (target.report_count, target.status) == (1, "published")

    for reader in readers[1:]:
        client.force_login(reader)
        client.post(reverse("comments:report", args=[target.pk]))
    target.refresh_from_db()
    assert (target.report_count, target.status) == (3, "hidden")
    assert "문제의 댓글" not in Client().get(article.get_absolute_url()).content.decode()
    assert "문제의 댓글" not in personal(client, article)  # nor in a reader's own block


def test_own_and_unreadable_comments_cannot_be_reported(client, article, alice, bob):
    mine = factories.CommentFactory(article=article, author=alice)
    secret = factories.CommentFactory(article=article, author=bob, private=True)
    client.force_login(alice)
    refused = client.post(reverse("comments:report", args=[mine.pk]), follow=True)
    assert "자신의 댓글은 신고할 수 없습니다." in seen(client, refused)
    assert client.post(reverse("comments:report", args=[secret.pk])).status_code == 404
    assert not mine.reports.exists() and not secret.reports.exists()


def test_premoderation_holds_comments_and_the_author_sees_theirs_pending(client, article, alice, bob, settings):
    settings.COMMENT_PREMODERATION = True
    client.force_login(alice)
    response = post(client, article, body="검토 받을 댓글")
    page = seen(client, response)
    assert "검토 뒤에 공개됩니다" in page
    assert "검토 대기" in page and "검토 받을 댓글" in page
    assert "검토 받을 댓글" not in response.content.decode()  # not on the public page, even the author's copy
    client.force_login(bob)
    assert "검토 받을 댓글" not in client.get(article.get_absolute_url()).content.decode()
    assert "검토 받을 댓글" not in personal(client, article)


def test_blocked_words_send_a_comment_to_the_queue(client, article, alice):
    BlockedWord.objects.create(word="바보")
    client.force_login(alice)
    post(client, article, body="이런 바보 같은")
    assert Comment.objects.get().status == "pending"


def test_every_comment_form_post_needs_csrf(article, alice):
    comment = factories.CommentFactory(article=article, author=alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for url in (
        reverse("comments:post", args=[article.pk]),
        reverse("comments:delete", args=[comment.pk]),
        reverse("comments:report", args=[comment.pk]),
    ):
        assert client.post(url, {"body": "x"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == "published" and Comment.objects.count() == 1


def test_new_reader_without_nickname_is_asked_for_one(client, article, reporter):
    client.force_login(reporter)
    assert "닉네임을 먼저 정해 주세요" in personal(client, article)
    assert "닉네임을 먼저 정해 주세요" in shown_error(seen(client, post(client, article, body="x")))


def test_a_refused_private_comment_comes_back_still_private(client, article, alice):
    client.force_login(alice)
    post(client, article, body="첫째")
    page = seen(client, post(client, article, body="두 번째는 비밀", private="on"))
    form = page.split('id="comment-form"')[1]
    assert "두 번째는 비밀" in form and re.search(r'<input type="checkbox" name="private"[^>]* checked', form)


def test_a_refused_reply_comes_back_in_its_reply_form(client, article, alice, bob):
    first = factories.CommentFactory(article=article, author=bob, body="원 댓글")
    client.force_login(alice)
    post(client, article, body="먼저 쓴 댓글")
    post(client, article, body="거절될 답글", parent=first.pk, private="on")
    # On the article page the script puts it back in the reply form (static/js/page.js, putBackReply).
    draft = client.get(reverse("fragment"), {"reader": "1", "article": article.pk}).json()["comments"]["draft"]
    assert (draft["parent"], draft["body"], draft["private"]) == (first.pk, "거절될 답글", True)
    assert "1분에 1개까지" in draft["error"]
    # Without JavaScript, the comments page shows it in place, open.
    page = seen(client, post(client, article, body="거절될 답글", parent=first.pk, private="on", back="thread"))
    box = page.split(f'id="comment-{first.pk}"')[1].split("</details>")[0]
    assert "<details" in box and " open" in box.split(">")[0] + box.split("<details")[1].split(">")[0]
    assert "거절될 답글" in box and "1분에 1개까지" in box and 'name="private" checked' in box


def test_nobody_can_answer_a_private_comment_they_cannot_read(client, article, alice, bob):
    secret = factories.CommentFactory(article=article, author=alice, private=True)
    client.force_login(bob)
    assert (
        client.post(reverse("comments:post", args=[article.pk]), {"body": "엿보기", "parent": secret.pk}).status_code
        == 404
    )
    assert not Comment.objects.filter(body="엿보기").exists()


@pytest.mark.parametrize("body", ["널\x00문자", "\u200b\u200b", "\u3164\u3164"])
def test_nul_bytes_and_invisible_text_are_refused_without_an_error_page(client, article, alice, body):
    client.force_login(alice)
    response = post(client, article, body=body)
    assert response.status_code == 200 and shown_error(seen(client, response))
    assert not Comment.objects.exists()


@pytest.mark.parametrize("parent", ["²", "abc", "-1", "9" * 30])
def test_odd_parent_ids_are_404_not_500(client, article, alice, parent):
    client.force_login(alice)
    assert client.post(reverse("comments:post", args=[article.pk]), {"body": "x", "parent": parent}).status_code == 404


def test_a_stale_token_on_another_comment_is_an_ordinary_new_comment(client, article, alice):
    client.force_login(alice)
    token = str(uuid.uuid4())
    post(client, article, body="처음 글", token=token)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        post(client, article, body="뒤로 가기 후 새 글", token=token)
    assert set(Comment.objects.values_list("body", flat=True)) == {"처음 글", "뒤로 가기 후 새 글"}


def test_an_author_cannot_undo_a_moderators_decision(client, article, alice):
    hidden = factories.CommentFactory(article=article, author=alice, status="hidden", moderation_note="운영자 숨김")
    client.force_login(alice)
    assert client.post(reverse("comments:delete", args=[hidden.pk])).status_code == 404
    hidden.refresh_from_db()
    assert (hidden.status, hidden.moderation_note) == ("hidden", "운영자 숨김")


@pytest.mark.parametrize(
    ("back", "form_page"),
    [("", lambda article: article.get_absolute_url()), ("thread", lambda article: f"/comments/article/{article.pk}/")],
)
def test_a_post_after_the_session_expired_goes_to_login_and_back_to_the_form(client, article, alice, back, form_page):
    response = client.post(reverse("comments:post", args=[article.pk]), {"body": "세션 만료", "back": back})
    # Back to the form it came from (the article's, with JavaScript; the comments page's, without), the text in it.
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={form_page(article)}%23comment-form"
    assert not Comment.objects.exists()
    client.force_login(alice)
    page = (
        client.get(reverse("comments:thread", args=[article.pk])).content.decode()
        if back
        else personal(client, article)
    )
    assert "세션 만료" in page.split('id="comment-form"')[1]


def test_a_zero_limit_switches_that_rule_off(client, article, alice, settings):
    settings.COMMENT_RATE_PER_MINUTE = 0
    client.force_login(alice)
    post(client, article, body="하나")
    post(client, article, body="둘")
    assert Comment.objects.count() == 2


def test_a_restored_comment_is_not_hidden_again_by_one_more_report(client, article, alice, moderator, settings):
    settings.COMMENT_AUTOHIDE_REPORTS = 2
    target = factories.CommentFactory(article=article, author=alice)
    for i in range(2):
        client.force_login(factories.commenter(f"신고{i}", username=f"rep{i}"))
        client.post(reverse("comments:report", args=[target.pk]))
    target.refresh_from_db()
    assert target.status == "hidden"
    client.force_login(moderator)
    client.post(reverse("admin:comments_comment_changelist"), {"action": "restore", "_selected_action": [target.pk]})
    client.force_login(factories.commenter("한명더", username="one-more"))
    client.post(reverse("comments:report", args=[target.pk]))
    target.refresh_from_db()
    assert (target.status, target.report_count) == ("published", 1)
