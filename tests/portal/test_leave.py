"""회원 탈퇴: confirmed with the password; public comments stay as "탈퇴한 회원"'s, private ones and reactions
go, with the nickname, e-mail, newsletter and consents; moderators' records stay; the edge is purged."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Comment, Commenter, Reaction
from news.models import PendingPurge
from portal.newsletter.models import Subscriber
from portal.policies.models import Consent, Policy
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "leave-test-password-1"


@pytest.fixture
def leaving(section, reporter):
    user = factories.commenter("떠날사람", username="leaving", email="leaving@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_wrong_password_changes_nothing(client, leaving):
    client.force_login(leaving)
    response = client.post(reverse("leave"), {"password": "wrong"})
    assert response.status_code == 400 and "비밀번호가 맞지 않습니다." in response.content.decode()
    leaving.refresh_from_db()
    assert leaving.is_active and leaving.email == "leaving@example.com" and Commenter.objects.filter(user=leaving)


def test_leaving_keeps_public_comments_as_a_left_member_and_removes_the_rest(
    client, leaving, section, reporter, bob, moderator, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_RATE_PER_MINUTE = 0
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens: the purges are kept, to be seen here
    story = factories.ArticleFactory(title="송년회 소식", section=section, reporter=reporter)
    public = services.post_comment(article=story, author=leaving, body="공개로 남을 의견")
    secret = services.post_comment(article=story, author=leaving, body="지워질 비밀 의견", private=True)
    answered = services.post_comment(article=story, author=leaving, body="답글 달린 비밀 의견", private=True)
    services.post_comment(article=story, author=bob, body="밥의 답글", parent=answered)
    bobs = services.post_comment(article=story, author=bob, body="밥의 의견")
    services.react(comment=bobs, reader=leaving, kind="up")
    services.moderate(comments=Comment.objects.filter(pk=public.pk), status="published", moderator=moderator)
    Subscriber.objects.create(email="leaving@example.com", confirmed_at=timezone.now())
    policy = Policy.objects.create(kind=Policy.Kind.values[0], effective_on=datetime.date(2026, 1, 1), body="약관")
    Consent.objects.create(user=leaving, policy=policy)
    PendingPurge.objects.all().delete()

    client.force_login(leaving)
    assert "탈퇴한 회원" in client.get(reverse("leave")).content.decode()  # the page says what stays
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("leave"), {"password": PASSWORD})
    assert response.status_code == 200 and "탈퇴했습니다." in response.content.decode()
    assert "로그인" in client.get(reverse("fragment")).json()["account"]  # signed out

    left = get_user_model().objects.get(pk=leaving.pk)
    assert (left.is_active, left.email, left.has_usable_password()) == (False, "", False)
    assert "leaving" not in left.username
    assert not Commenter.objects.filter(user=left).exists() and not Reaction.objects.filter(reader=left).exists()
    assert Comment.objects.get(pk=bobs.pk).up_count == 0
    assert not Subscriber.objects.exists() and not Consent.objects.filter(user=left).exists()
    assert Comment.objects.get(pk=public.pk).body == "공개로 남을 의견"
    assert Comment.objects.get(pk=public.pk).moderated_by == moderator  # the moderator's record stays
    for gone in (secret, answered):
        assert Comment.objects.filter(pk=gone.pk, status=Comment.Status.DELETED, body="").exists()
    assert any(f"comments-{story.pk}" in purge.keys for purge in PendingPurge.objects.all())

    page = Client().get(story.get_absolute_url()).content.decode()
    assert "공개로 남을 의견" in page and "탈퇴한 회원" in page and "떠날사람" not in page
    assert "삭제된 댓글입니다." in page  # the answered one stays a line, for its reply
    bob_client = Client()
    bob_client.force_login(bob)
    assert "밥의 답글" in bob_client.get(reverse("comments:thread", args=[story.pk])).content.decode()
    moderator_client = Client()
    moderator_client.force_login(moderator)
    assert "지워질 비밀 의견" not in moderator_client.get(reverse("comments:thread", args=[story.pk])).content.decode()
    # The nickname is free again, and the old login no longer works.
    login = Client().post(reverse("login"), {"username": "leaving", "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in login.wsgi_request.session
    factories.commenter("떠날사람")


def test_staff_accounts_are_closed_by_the_newsroom_not_here(client, reporter):
    client.force_login(reporter)
    response = client.get(reverse("leave"))
    assert response.status_code == 403 and "편집국 계정" in response.content.decode()
    assert Client().get(reverse("leave")).status_code == 302  # signed out: to the login


def test_five_wrong_passwords_an_hour(client, leaving):
    client.force_login(leaving)
    for _ in range(5):
        client.post(reverse("leave"), {"password": "wrong"})
    response = client.post(reverse("leave"), {"password": PASSWORD})
    assert "한 시간 뒤에 다시" in response.content.decode()
    assert get_user_model().objects.get(pk=leaving.pk).is_active
