"""The admin article list stays usable on a large archive: fixed queries, no unbounded COUNT(*)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from news.admin import BoundedCountPaginator
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def changelist_queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:news_article_changelist"), params)
        assert response.status_code == 200
    return [q["sql"] for q in captured]


@pytest.mark.parametrize("params", [{}, {"status__exact": "published"}, {"q": "소식"}])
def test_changelist_query_count_is_fixed_and_counts_are_bounded(client, editor, section, reporter, params):
    client.force_login(editor)
    for i in range(5):
        ArticleFactory(section=section, reporter=reporter, published_at=timezone.now() - timedelta(hours=i))
    few = changelist_queries(client, **params)
    for i in range(40):
        ArticleFactory(section=section, reporter=reporter, published_at=timezone.now() - timedelta(days=i))
    many = changelist_queries(client, **params)

    assert len(few) == len(many)
    counts = [sql for sql in many if "COUNT(" in sql.upper() and "news_article" in sql]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_bounded_paginator_stops_counting_at_its_limit(section, reporter, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "COUNT_LIMIT", 10)
    for _ in range(15):
        ArticleFactory(section=section, reporter=reporter)
    from news.models import Article

    assert BoundedCountPaginator(Article.objects.all(), 5).count == 10
    assert BoundedCountPaginator(Article.objects.all(), 5).num_pages == 2
