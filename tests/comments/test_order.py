"""The thread read 최신순 (the default), 공감순 or 과거순: chosen by a link anyone can follow, replies under
their comment, and every action coming back to the order and page the reader was on."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.threads import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db


def order_on(page: str) -> list[str]:
    """The bodies of the first-level comments, top to bottom, as the page lists them."""
    thread = page.split('class="comment-list"')[1]
    return re.findall(
        r'<li>\s*<article class="comment" id="comment-\d+"[^>]*>.*?<p class="comment-body">(.*?)</p>', thread, re.S
    )


@pytest.fixture
def thread(article, alice, bob):
    now = timezone.now()
    old = factories.CommentFactory(article=article, author=alice, body="오래된", created_at=now - timedelta(hours=3))
    liked = factories.CommentFactory(article=article, author=bob, body="공감 많은", created_at=now - timedelta(hours=2))
    new = factories.CommentFactory(article=article, author=alice, body="새로운", created_at=now - timedelta(hours=1))
    Comment.objects.filter(pk=liked.pk).update(up_count=7)
    Comment.objects.filter(pk=old.pk).update(up_count=2, has_replies=True)
    factories.CommentFactory(article=article, author=bob, parent=old, body="답글", created_at=now)
    return old, liked, new


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["새로운", "공감 많은", "오래된"]),  # 최신순, the default
        ("?order=newest", ["새로운", "공감 많은", "오래된"]),
        ("?order=likes", ["공감 많은", "오래된", "새로운"]),
        ("?order=oldest", ["오래된", "공감 많은", "새로운"]),
        ("?order=%27%3Bdrop", ["새로운", "공감 많은", "오래된"]),  # anything else: the default, never an error
    ],
)
def test_each_order_lists_the_thread_and_keeps_replies_under_their_comment(client, article, thread, query, expected):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert order_on(page) == expected
    old = thread[0]
    assert re.search(rf'id="comment-{old.pk}".*?class="reply-list">\s*<li>.*?답글', page, re.S)


def test_the_order_links_are_plain_links_with_the_current_one_marked(client, article, thread):
    page = client.get(article.get_absolute_url() + "?order=likes").content.decode()
    nav = page.split('class="comment-orders"')[1].split("</nav>")[0]
    assert '<a href="?#comments" rel="nofollow">최신순</a>' in nav
    assert '<span aria-current="true">공감순</span>' in nav
    assert '<a href="?order=oldest#comments" rel="nofollow">과거순</a>' in nav
    # The comments page (signed in without JavaScript) has the same links and orders.
    page = client.get(reverse("comments:thread", args=[article.pk]) + "?order=oldest").content.decode()
    assert order_on(page) == ["오래된", "공감 많은", "새로운"]


def test_pages_keep_the_order_and_a_new_comment_lands_where_that_order_puts_it(client, article, alice, bob, settings):
    settings.COMMENT_RATE_PER_MINUTE = 0  # two comments in a row
    for i in range(PAGE_SIZE + 5):
        factories.CommentFactory(
            article=article, author=bob, created_at=timezone.now() - timedelta(hours=10, minutes=i)
        )
    page = client.get(article.get_absolute_url() + "?order=oldest").content.decode()
    assert 'href="?order=oldest&amp;cpage=2#comments"' in page
    client.force_login(alice)
    url = reverse("comments:post", args=[article.pk])
    # 최신순: the new comment is on top of the first page; 과거순: on the last.
    response = client.post(url, {"body": "방금 쓴 의견", "token": str(uuid.uuid4())})
    newest = Comment.objects.get(body="방금 쓴 의견")
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{newest.pk}"
    response = client.post(url, {"body": "과거순에서 쓴 의견", "token": str(uuid.uuid4()), "order": "oldest"})
    latest = Comment.objects.get(body="과거순에서 쓴 의견")
    assert response["Location"] == f"{article.get_absolute_url()}?order=oldest&cpage=2#comment-{latest.pk}"
    assert (
        f'id="comment-{latest.pk}"' in client.get(article.get_absolute_url() + "?order=oldest&cpage=2").content.decode()
    )


def test_a_reaction_without_script_comes_back_to_the_same_order_and_page(client, article, thread, alice):
    old, liked, new = thread
    client.force_login(alice)
    response = client.post(reverse("comments:react", args=[liked.pk]), {"kind": "up", "order": "likes"})
    assert response["Location"] == f"{article.get_absolute_url()}?order=likes#comment-{liked.pk}"
    # A reader's own buttons carry the order of the page they are on.
    page = client.get(reverse("comments:thread", args=[article.pk]) + "?order=likes").content.decode()
    assert page.count('<input type="hidden" name="order" value="likes">') >= 3


@pytest.mark.parametrize("order", ["newest", "likes", "oldest"])
def test_every_order_costs_the_same_queries_whatever_the_thread_size(client, article, alice, bob, order):
    def fill(n):
        for i in range(n):
            parent = factories.CommentFactory(article=article, author=alice, has_replies=True, private=i % 3 == 0)
            factories.CommentFactory(article=article, author=bob, parent=parent)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(article.get_absolute_url() + f"?order={order}").status_code == 200
        return len(captured)

    client.get("/")  # the site-profile and menu caches warm, as on a running site
    fill(3)
    small = count()
    fill(80)
    assert count() == small
