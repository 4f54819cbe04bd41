"""Fifty readers pressing 등록 at the same moment make exactly fifty comments (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests import factories

# Fifty connections at once: one at a time with the other tests that hold many (see test_viewcount_concurrency).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("many_pg_connections"),
]


def test_fifty_readers_posting_at_once_make_fifty_comments(section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    readers = [factories.commenter(f"동시{i}", username=f"c{i}") for i in range(50)]
    start = threading.Barrier(len(readers))
    statuses: list[int] = []

    def press_submit(reader):
        client = Client()
        client.force_login(reader)
        start.wait()
        try:
            response = client.post(
                reverse("comments:post", args=[article.pk]),
                {"body": f"{reader.username}의 의견", "token": str(uuid.uuid4())},
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_submit, args=(reader,)) for reader in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert statuses == [302] * 50
    assert Comment.objects.filter(article=article).count() == 50
    assert set(Comment.objects.values_list("author__username", flat=True)) == {f"c{i}" for i in range(50)}


def test_one_reader_double_posting_from_two_tabs_at_once_is_held_to_the_rate_limit(section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    reader = factories.commenter("두탭", username="twotabs")
    start = threading.Barrier(5)

    def press_submit(i):
        client = Client()
        client.force_login(reader)
        start.wait()
        try:
            client.post(reverse("comments:post", args=[article.pk]), {"body": f"탭 {i}", "token": str(uuid.uuid4())})
        finally:
            connection.close()

    threads = [threading.Thread(target=press_submit, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert Comment.objects.filter(author=reader).count() == 1  # one a minute, even when the requests race
