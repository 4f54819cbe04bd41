"""내 댓글: the reader's comments newest first with their articles, counts and replies; the replies they have not
seen counted next to their name; deleting from there."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Comment
from tests import factories

pytestmark = pytest.mark.django_db


def header(client) -> str:
    return client.get(reverse("fragment"), {"reader": "1"}).json()["account"]


def test_my_comments_newest_first_with_articles_counts_and_replies(
    client, article, section, reporter, alice, bob, settings
):
    settings.COMMENT_RATE_PER_MINUTE = 0
    other = factories.ArticleFactory(title="상하이 지하철 연장", section=section, reporter=reporter)
    first = services.post_comment(article=article, author=alice, body="첫 번째 의견")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        second = services.post_comment(article=other, author=alice, body="두 번째 비밀 의견", private=True)
        services.post_comment(article=article, author=bob, body="밥의 답글", parent=first)
        services.post_comment(article=article, author=bob, body="밥의 남의 글")
        services.react(comment=first, reader=bob, kind="up")
    client.force_login(alice)
    page = client.get(reverse("comments:mine")).content.decode()
    assert page.index("두 번째 비밀 의견") < page.index("첫 번째 의견")
    assert "상하이 지하철 연장" in page and f'href="{article.get_absolute_url()}#comment-{first.pk}"' in page
    assert "공감 1 · 비공감 0 · 답글 1개" in page and "밥의 답글" in page
    assert "밥의 남의 글" not in page  # only their own comments and the replies to them
    assert f'href="{reverse("comments:edit", args=[second.pk])}"' in page
    assert f'href="{reverse("comments:edit", args=[first.pk])}"' not in page  # it has a reply


def test_unseen_replies_are_counted_by_the_name_until_my_comments_is_opened(client, article, alice, bob):
    carol = factories.commenter("캐롤")
    mine = services.post_comment(article=article, author=alice, body="의견")
    client.force_login(alice)
    assert "새 답글" not in header(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        services.post_comment(article=article, author=bob, body="답글 하나", parent=mine)
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        services.post_comment(article=article, author=carol, body="답글 둘", parent=mine)
    assert "새 답글 2개" in header(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):  # later, Alice opens 내 댓글
        page = client.get(reverse("comments:mine")).content.decode()
        assert page.count("badge-new") == 2  # the two replies are marked new this once; the header counts none
        assert "새 답글" not in header(client)
        assert "badge-new" not in client.get(reverse("comments:mine")).content.decode()


def test_a_private_reply_i_may_not_read_is_neither_counted_nor_shown(client, article, alice, bob):
    # Bob's private reply to Alice's comment is Alice's to read (it answers her): counted and shown.
    mine = services.post_comment(article=article, author=alice, body="의견")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        services.post_comment(article=article, author=bob, body="비밀 답글", parent=mine, private=True)
    client.force_login(alice)
    assert "새 답글 1개" in header(client)
    assert "비밀 답글" in client.get(reverse("comments:mine")).content.decode()
    # Someone else's 내 댓글 never shows it.
    other = Client()
    other.force_login(factories.commenter("제삼자"))
    assert "비밀 답글" not in other.get(reverse("comments:mine")).content.decode()


def test_deleting_from_my_comments_comes_back_to_it(client, article, alice):
    mine = services.post_comment(article=article, author=alice, body="지울 의견")
    client.force_login(alice)
    response = client.post(reverse("comments:delete", args=[mine.pk]), {"back": "mine"})
    assert response["Location"] == reverse("comments:mine")
    assert Comment.objects.get(pk=mine.pk).status == Comment.Status.DELETED
    page = client.get(reverse("comments:mine")).content.decode()
    assert "지울 의견" not in page and "댓글을 삭제했습니다." in page


def test_my_comments_needs_a_login_and_costs_the_same_for_5_or_60_comments(client, article, alice, bob):
    assert Client().get(reverse("comments:mine")).status_code == 302
    client.force_login(alice)

    def fill(n):
        for _ in range(n):
            parent = factories.CommentFactory(article=article, author=alice, has_replies=True)
            factories.CommentFactory(article=article, author=bob, parent=parent)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("comments:mine")).status_code == 200
        return len(captured)

    client.get("/")
    fill(5)
    small = count()
    fill(60)
    assert count() == small
