"""The comment form for everyone: a signed-out reader writes, logs in, and finds what they wrote in their own
form; and the form that checks a comment, whose limit and messages are the model's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment
from tests import factories
from tests.beacon import seen_on_article

pytestmark = pytest.mark.django_db

OUR_PAGE = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}  # what a browser sends


def keep(client: Client, article, **data):
    """Press 등록 on the public form, as a browser does from our page (no CSRF token: the page has none)."""
    return client.post(reverse("comments:draft", args=[article.pk]), data, **OUR_PAGE)


def log_in(client: Client, next_url: str):
    return client.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-1", "next": next_url})


def form_box(page: str) -> str:
    return page.split('id="comment-form"')[1].split("</form>")[0]


def is_checked(form: str) -> bool:
    return bool(re.search(r'<input type="checkbox" name="private"[^>]* checked', form))


def test_the_public_page_shows_the_comment_form_without_a_token_or_a_name(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    box = page.split('id="comment-form"')[1].split("</section>")[0]
    assert f'action="{reverse("comments:draft", args=[article.pk])}"' in box
    assert re.search(r'<textarea name="body"[^>]* maxlength="1000"', box)  # the model's limit
    assert "비밀로 하기" in box and ">등록</button>" in box
    assert "csrfmiddlewaretoken" not in page and 'name="token"' not in box
    assert ">로그인</a>" in box  # the link is still there, for screen readers and anyone who looks for it


def test_a_signed_out_reader_logs_in_and_finds_their_comment_in_the_form(client, article, alice):
    response = keep(client, article, body="로그인 전에 쓴 비밀 의견", private="on")
    # To log in, then back to the article's form, whose script fetches the reader's own form.
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={article.get_absolute_url()}%23comment-form"
    assert not Comment.objects.exists()
    assert "로그인하면 이어서 등록할 수 있습니다" in client.get(response["Location"]).content.decode()

    back = log_in(client, f"{article.get_absolute_url()}#comment-form")
    assert back["Location"] == f"{article.get_absolute_url()}#comment-form"
    form = form_box(seen_on_article(client, article))
    assert "로그인 전에 쓴 비밀 의견" in form and is_checked(form)
    assert 'name="csrfmiddlewaretoken"' in form  # their own form now, which posts it
    assert "로그인 전에 쓴 비밀 의견" not in form_box(seen_on_article(client, article))  # shown once

    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    client.post(
        reverse("comments:post", args=[article.pk]),
        {"body": "로그인 전에 쓴 비밀 의견", "private": "on", "token": token},
    )
    assert Comment.objects.get().private


def test_without_javascript_the_comment_comes_back_on_the_comments_page(client, article, alice):
    comments_page = reverse("comments:thread", args=[article.pk])
    response = keep(client, article, body="스크립트 없이 쓴 의견", private="on", back="thread")
    assert response["Location"] == f"/accounts/login/?next={comments_page}%23comment-form"
    log_in(client, f"{comments_page}#comment-form")
    form = form_box(client.get(comments_page).content.decode())
    assert "스크립트 없이 쓴 의견" in form and is_checked(form) and 'name="back" value="thread"' in form


def test_the_comments_page_offers_the_same_form_signed_out(client, article):
    form = form_box(client.get(reverse("comments:thread", args=[article.pk])).content.decode())
    assert f'action="{reverse("comments:draft", args=[article.pk])}"' in form
    assert 'name="back" value="thread"' in form and 'name="body"' in form


def test_a_signed_in_reader_on_the_public_form_goes_straight_to_their_own(client, article, alice):
    client.force_login(alice)
    response = keep(client, article, body="공개 폼으로 쓴 의견", back="thread")
    comments_page = reverse("comments:thread", args=[article.pk])
    assert response["Location"] == f"{comments_page}#comment-form"
    assert "공개 폼으로 쓴 의견" in form_box(client.get(comments_page).content.decode())
    assert not Comment.objects.exists()  # posted only from their own form, with its CSRF token


def test_the_public_form_needs_no_csrf_token(article):
    browser = Client(enforce_csrf_checks=True)
    response = keep(browser, article, body="토큰 없이")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert browser.session["comment_draft"]["body"] == "토큰 없이"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {},  # a browser names where a form was sent from; nothing named is not taken for our page
    ],
)
def test_another_site_cannot_fill_a_readers_form(client, article, alice, headers):
    client.force_login(alice)
    response = client.post(reverse("comments:draft", args=[article.pk]), {"body": "남이 심은 글"}, **headers)
    assert response.status_code == 403
    assert "comment_draft" not in client.session
    assert "남이 심은 글" not in client.get(reverse("comments:thread", args=[article.pk])).content.decode()


def test_a_draft_waits_for_its_own_article(client, article, alice, section, reporter):
    other = factories.ArticleFactory(section=section, reporter=reporter)
    keep(client, article, body="이 기사에 쓴 의견")
    client.force_login(alice)
    assert "이 기사에 쓴 의견" not in seen_on_article(client, other)
    assert "이 기사에 쓴 의견" in form_box(seen_on_article(client, article))


def test_a_signed_out_text_that_breaks_the_rules_comes_back_with_the_reason(client, article, alice):
    keep(client, article, body="가" * 1001)
    client.force_login(alice)
    page = seen_on_article(client, article)
    assert "1000자까지" in page and "가" * 1001 in page
    assert not Comment.objects.exists()


def test_a_reply_typed_before_the_session_ran_out_comes_back_in_its_reply_form(client, article, alice, bob):
    first = factories.CommentFactory(article=article, author=bob, body="원 댓글")
    response = client.post(reverse("comments:post", args=[article.pk]), {"body": "늦은 답글", "parent": first.pk})
    assert response["Location"] == f"/accounts/login/?next={article.get_absolute_url()}%23comment-{first.pk}"
    client.force_login(alice)
    draft = client.get(reverse("fragment"), {"reader": "1", "article": article.pk}).json()["comments"]["draft"]
    assert (draft["parent"], draft["body"], draft["error"]) == (first.pk, "늦은 답글", "")


def test_a_reply_to_a_private_comment_comes_back_private(client, article, alice):
    secret = factories.CommentFactory(article=article, author=alice, body="비밀 원 댓글", private=True)
    # Signed out, the private comment is not theirs to answer: the text comes back in the comment form, private.
    client.post(reverse("comments:post", args=[article.pk]), {"body": "비밀 글에 단 답", "parent": secret.pk})
    client.force_login(alice)
    form = form_box(seen_on_article(client, article))
    assert "비밀 글에 단 답" in form and is_checked(form)


def test_the_form_takes_the_limit_and_the_messages_from_the_model():
    limit = Comment._meta.get_field("body").max_length
    form = CommentForm(data={"body": "가" * (limit + 1)})
    assert not form.is_valid()
    assert form.errors["body"] == [f"댓글은 {limit}자까지 쓸 수 있습니다. (지금 {limit + 1}자)"]
    assert f'maxlength="{limit}"' in str(form["body"]) and f"({limit:,}자 이내)" in str(form["body"])
    for body, message in [
        ("  ", "댓글 내용을 입력해 주세요."),
        ("\u3164", "댓글 내용을 입력해 주세요."),
        ("a\x00", "쓸 수 없는 문자"),
    ]:
        form = CommentForm(data={"body": body})
        assert not form.is_valid() and message in form.errors["body"][0], body


def test_the_form_can_edit_an_existing_comment(article, alice):
    """Editing (not offered yet) binds the same form to the comment: the same rules, then a save."""
    comment = factories.CommentFactory(article=article, author=alice, body="처음 쓴 글")
    assert not CommentForm(data={"body": ""}, instance=comment).is_valid()
    form = CommentForm(data={"body": "고친 글", "private": "on"}, instance=comment)
    assert form.is_valid()
    form.save()
    comment.refresh_from_db()
    assert (comment.body, comment.private, comment.author) == ("고친 글", True, alice)
