"""Readers' accounts in Korean: sign up with a nickname, log in and back to the article, reset a password."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from comments.models import Commenter
from tests import factories

pytestmark = pytest.mark.django_db


CONSENTS = {"agree_terms": "on", "agree_privacy": "on", "over_14": "on"}  # what sign-up requires


def test_sign_up_with_a_nickname_and_return_to_the_article(client, section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    response = client.post(
        reverse("signup") + f"?next={article.get_absolute_url()}",
        {
            "username": "newreader",
            "nickname": "새독자",
            "email": "new@example.com",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            **CONSENTS,
            "next": article.get_absolute_url(),
        },
    )
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    user = get_user_model().objects.get(username="newreader")
    assert Commenter.objects.get(user=user).nickname == "새독자"
    # Back on the article (the same page for everyone), its script swaps in the reader's own parts from the
    # fragment: their nickname in the account menu and above the comment form.
    parts = client.get(reverse("fragment"), {"reader": "1", "article": article.pk}).json()
    assert "새독자" in parts["account"] and "새독자님의 의견을 남겨 주세요" in parts["comments"]["form"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "different-pass-phrase-42"}, "비밀번호"),
        ({"password1": "1234", "password2": "1234"}, "비밀번호"),
        ({"nickname": "앨리스"}, "이미 쓰이는 닉네임"),
        ({"nickname": "가"}, "2"),
        ({"email": "not-an-email"}, "이메일"),
    ],
)
def test_sign_up_errors_are_clear_and_in_korean(client, alice, changes, message):
    data = {
        "username": "someone",
        "nickname": "새이름",
        "email": "s@example.com",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
        **CONSENTS,
        **changes,
    }
    response = client.post(reverse("signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="someone").exists()


def test_wrong_password_gets_a_korean_message(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert "아이디 또는 비밀번호가 맞지 않습니다" in response.content.decode()


def test_login_returns_to_the_article(client, alice, section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "pw-for-tests-1", "next": article.get_absolute_url() + "#comment-form"},
    )
    assert response["Location"] == article.get_absolute_url() + "#comment-form"


def test_login_refuses_to_send_readers_to_another_site(client, alice):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "pw-for-tests-1", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    response = client.get(reverse("signup"), {"next": "//evil.example/"})
    assert "evil.example" not in response.content.decode()


def test_logout_is_a_post_and_comes_home(client, alice):
    client.force_login(alice)
    assert client.post(reverse("logout"))["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_the_page_script_is_told_only_whether_a_reader_is_signed_in(client, alice):
    """The session cookie is out of a script's reach: a readable yes/no marker tells the page to fetch the
    reader's fragment, set by the login itself (which sends the reader on to a public page) and gone at logout."""
    client.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-1", "next": "/"})
    marker = client.cookies["signed_in"]
    assert len(marker.value) == 16 and not marker["httponly"]  # says nothing but "signed in, this login"
    assert client.cookies["sessionid"]["httponly"]
    assert "로그아웃" in client.get(reverse("fragment")).json()["account"]
    client.post(reverse("logout"))
    assert client.cookies["signed_in"].value == "" and client.cookies["signed_in"]["max-age"] == 0
    assert "로그아웃" not in client.get(reverse("fragment")).json()["account"]


def test_password_reset_sends_a_korean_mail_with_a_link(client, alice):
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    [sent] = factories.mail_sent()
    assert "비밀번호 재설정" in sent.body and "/accounts/reset/" in sent.body


def test_password_change_is_styled_and_requires_login(client, alice):
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(alice)
    page = client.get(reverse("password_change")).content.decode()
    assert "비밀번호 변경" in page and "상하이방" in page


def test_staff_choose_a_nickname_before_commenting(client, reporter):
    client.force_login(reporter)
    response = client.post(reverse("nickname"), {"nickname": "이기자", "next": "/"})
    assert response.status_code == 302
    assert Commenter.objects.get(user=reporter).nickname == "이기자"


def test_password_pages_have_korean_titles_and_an_expired_link_says_so(client, alice):
    client.force_login(alice)
    assert '<h1 class="page-title">비밀번호 변경</h1>' in client.get(reverse("password_change")).content.decode()
    client.logout()
    assert '<h1 class="page-title">비밀번호 초기화</h1>' in client.get(reverse("password_reset")).content.decode()
    expired = client.get(reverse("password_reset_confirm", args=["MQ", "set-password"])).content.decode()
    assert "재설정 링크가 만료되었거나" in expired
