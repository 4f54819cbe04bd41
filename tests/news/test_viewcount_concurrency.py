"""Many readers opening one article at the same moment: every view counted, none lost (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from news.models import DailyViews
from tests import factories
from tests.beacon import read

# Under `make test`'s two xdist workers, the tests that hold many connections at once share a group: they run
# one after another on one worker, so 80 here never meet another test's 50 or the topology's servers.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("many_pg_connections"),
]

READERS = 200
# Each thread holds its own PostgreSQL connection and the server allows 100: 80 run at once.
AT_ONCE = 80


def test_two_hundred_simultaneous_readers_are_two_hundred_views(section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    url = article.get_absolute_url()

    def one_reader(i: int) -> int:
        try:
            client = Client(HTTP_USER_AGENT="Mozilla/5.0 Chrome/130.0", REMOTE_ADDR=f"10.1.{i // 250}.{i % 250}")
            return read(client, url).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(AT_ONCE) as pool:
        statuses = list(pool.map(one_reader, range(READERS)))

    assert statuses == [200] * READERS
    assert DailyViews.objects.get(article=article).views == READERS
