"""An author edits their comment: until it has a reply or the editors' time is up, with the checks of posting,
marked 수정됨 with the time, every earlier text kept for moderators, never a hidden or deleted comment."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import BlockedWord, Comment, Revision, Rules
from news.models import PendingPurge

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(article, alice):
    return services.post_comment(article=article, author=alice, body="처음 쓴 의견")


def edit(client, comment, body, **extra):
    return client.post(reverse("comments:edit", args=[comment.pk]), {"body": body, **extra})


def test_the_author_edits_and_everyone_sees_the_new_text_marked_edited(
    client, article, mine, alice, settings, django_capture_on_commit_callbacks
):
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens: the purge is kept, so it shows here
    PendingPurge.objects.all().delete()  # the post's own purge
    client.force_login(alice)
    form = client.get(reverse("comments:edit", args=[mine.pk])).content.decode()
    assert "처음 쓴 의견</textarea>" in form and "답글이 달리기 전까지 고칠 수 있습니다" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = edit(client, mine, "고쳐 쓴 의견")
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{mine.pk}"
    mine.refresh_from_db()
    assert mine.body == "고쳐 쓴 의견" and mine.edited_at is not None and mine.status == Comment.Status.PUBLISHED
    assert list(Revision.objects.values_list("body", flat=True)) == ["처음 쓴 의견"]
    assert f"comments-{article.pk}" in PendingPurge.objects.get().keys  # the stored page is purged
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "고쳐 쓴 의견" in page and "처음 쓴 의견" not in page
    assert "수정됨 <time" in page


def test_nothing_changed_makes_no_revision(client, mine, alice):
    client.force_login(alice)
    edit(client, mine, "처음 쓴 의견")
    mine.refresh_from_db()
    assert mine.edited_at is None and not Revision.objects.exists()


def test_a_comment_with_a_reply_cannot_be_edited(client, article, mine, alice, bob):
    services.post_comment(article=article, author=bob, body="답글", parent=mine)
    client.force_login(alice)
    response = edit(client, mine, "몰래 바꾼 내용")
    assert "답글이 달린 댓글은 고칠 수 없습니다." in response.content.decode()
    assert Comment.objects.get(pk=mine.pk).body == "처음 쓴 의견"
    # Its own page offers no 수정 on it any more.
    page = client.get(reverse("comments:thread", args=[article.pk])).content.decode()
    assert reverse("comments:edit", args=[mine.pk]) not in page


def test_the_edit_window_is_the_editors_to_set(client, mine, alice):
    client.force_login(alice)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = edit(client, mine, "늦게 고친 내용")
    assert "댓글을 고칠 수 있는 시간이 지났습니다." in response.content.decode()
    Rules.objects.create(pk=1, edit_minutes=120)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        edit(client, mine, "늦게 고친 내용")
    assert Comment.objects.get(pk=mine.pk).body == "늦게 고친 내용"
    Rules.objects.filter(pk=1).update(edit_minutes=0)  # editing switched off
    assert "고칠 수 있는 시간이 지났습니다" in edit(client, mine, "또 고친 내용").content.decode()
    assert Comment.objects.get(pk=mine.pk).body == "늦게 고친 내용"


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "댓글 내용을 입력해 주세요."),
        ("가" * 1001, "댓글은 1000자까지 쓸 수 있습니다."),
        ("\u200b\u3164", "댓글 내용을 입력해 주세요."),  # invisible marks only: nothing written
    ],
)
def test_a_refused_text_is_explained_and_kept_in_the_form(client, mine, alice, body, message):
    client.force_login(alice)
    response = edit(client, mine, body)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert Comment.objects.get(pk=mine.pk).body == "처음 쓴 의견"


def test_blocked_words_and_premoderation_send_an_edit_back_to_review(client, article, mine, alice, settings):
    BlockedWord.objects.create(word="광고문구")
    client.force_login(alice)
    edit(client, mine, "여기 광고문구 있어요")
    mine.refresh_from_db()
    assert mine.status == Comment.Status.PENDING
    assert "광고문구" not in Client().get(article.get_absolute_url()).content.decode()  # not shown until approved


def test_edits_are_rate_limited_like_posts(client, mine, alice, settings):
    settings.COMMENT_RATE_PER_MINUTE = 2
    client.force_login(alice)
    edit(client, mine, "하나")
    edit(client, mine, "둘")
    response = edit(client, mine, "셋")
    assert "1분에 2번까지 고칠 수 있습니다" in response.content.decode()
    assert Comment.objects.get(pk=mine.pk).body == "둘"


def test_hidden_deleted_and_others_comments_cannot_be_edited(client, article, mine, alice, bob, moderator):
    client.force_login(bob)
    assert edit(client, mine, "남의 댓글").status_code == 404
    assert Client().post(reverse("comments:edit", args=[mine.pk]), {"body": "x"}).status_code == 302  # to log in
    services.moderate(comments=Comment.objects.filter(pk=mine.pk), status=Comment.Status.HIDDEN, moderator=moderator)
    client.force_login(alice)
    assert "숨겨지거나 삭제된 댓글은 고칠 수 없습니다." in edit(client, mine, "숨김 뒤 수정").content.decode()
    Comment.objects.filter(pk=mine.pk).update(status=Comment.Status.DELETED)
    assert edit(client, mine, "삭제 뒤 수정").status_code == 404
    assert Comment.objects.get(pk=mine.pk).body == "처음 쓴 의견"


def test_moderators_see_every_earlier_text_in_the_admin(client, mine, alice, moderator, reporter):
    client.force_login(alice)
    edit(client, mine, "두 번째")
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        edit(client, mine, "세 번째")
    client.force_login(moderator)
    page = client.get(reverse("admin:comments_comment_change", args=[mine.pk])).content.decode()
    assert "처음 쓴 의견" in page and "두 번째" in page and "세 번째" in page
    client.force_login(reporter)  # the article's reporter reads comments on the page, not in the admin
    assert client.get(reverse("admin:comments_comment_change", args=[mine.pk])).status_code == 403


def test_a_private_comment_edited_stays_private_to_others(client, article, alice, bob):
    secret = services.post_comment(article=article, author=alice, body="비밀 이야기", private=True)
    client.force_login(alice)
    edit(client, secret, "고친 비밀 이야기")
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "고친 비밀 이야기" not in page and "비밀 이야기" not in page and "수정됨" not in page
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.get(reverse("comments:edit", args=[secret.pk])).status_code == 404


def test_the_edit_link_carries_the_page_the_reader_came_from(client, article, mine, alice):
    client.force_login(alice)
    page = client.get(reverse("comments:thread", args=[article.pk]) + "?order=oldest").content.decode()
    link = reverse("comments:edit", args=[mine.pk]) + "?back=thread&amp;order=oldest"
    assert link in page
    response = edit(client, mine, "고친 의견", back="thread", order="oldest")
    assert response["Location"] == reverse("comments:thread", args=[article.pk]) + f"?order=oldest#comment-{mine.pk}"
