"""The Redis buffer: views (and ad impressions) wait in Redis and `flush_views` moves them exactly once,
even if run twice or killed between its steps."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from news import viewcount
from news.models import Article, DailyViews, ViewFlush
from tests import factories

# A database of its own; the tests delete only the buffer's keys in it, never the whole database.
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
# Its keys are shared by every process, so under `make test`'s xdist workers these run on one worker, in turn.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("redis_database_15")]


@pytest.fixture
def redis_buffer(settings):
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")

    def clear():
        for key in [*client.scan_iter("views:*"), *client.scan_iter("ads:*")]:
            client.delete(key)

    clear()
    settings.VIEW_BUFFER_URL = REDIS_TEST_URL
    viewcount._redis.cache_clear()
    yield client
    clear()
    viewcount._redis.cache_clear()


@pytest.fixture
def live(section, reporter):
    return factories.ArticleFactory(section=section, reporter=reporter)


@pytest.fixture
def slot_with_ad(db):
    from django.utils import timezone

    from portal.ads.models import Ad

    return Ad.objects.create(
        advertiser="광고주",
        title="광고",
        text="특가",
        target_url="https://example.com/",
        ends_at=timezone.now() + timezone.timedelta(days=1),
    )


def stored(article) -> int:
    return sum(DailyViews.objects.filter(article=article).values_list("views", flat=True))


def a_beacon(ip: str, agent: str = "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0"):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().post("/beacon/", HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    return request


def view(article, n: int = 1, prefix: str = "10.9.0") -> None:
    """n readers' beacons for the article, each from its own address."""
    for i in range(n):
        viewcount.count_beacon(a_beacon(f"{prefix}.{i}"), article.pk)


def test_views_wait_in_redis_then_flush_once(redis_buffer, live):
    view(live, 7)
    assert stored(live) == 0  # no database write per view

    call_command("flush_views")
    call_command("flush_views")  # a second run finds nothing new

    assert stored(live) == 7
    assert not redis_buffer.exists(viewcount.VIEWS.pending)


def test_flush_killed_after_taking_the_batch_applies_it_next_time(redis_buffer, live, monkeypatch):
    view(live, 5)
    monkeypatch.setattr(
        viewcount.Buffer, "_apply_batch", lambda self, client, key: (_ for _ in ()).throw(KeyboardInterrupt)
    )
    with pytest.raises(KeyboardInterrupt):
        viewcount.flush_buffers()  # renamed the hash, then died
    monkeypatch.undo()
    view(live, 1, prefix="10.9.9")  # new views keep arriving meanwhile

    assert viewcount.flush_buffers() == 6
    assert stored(live) == 6


def test_flush_killed_after_writing_does_not_count_twice(redis_buffer, live, monkeypatch):
    view(live, 4)
    real_delete = redis_buffer.__class__.delete
    monkeypatch.setattr(redis_buffer.__class__, "delete", lambda self, *keys: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        viewcount.flush_buffers()  # committed to the database, died before deleting the batch
    monkeypatch.setattr(redis_buffer.__class__, "delete", real_delete)

    assert stored(live) == 4
    assert viewcount.flush_buffers() == 0  # the recorded batch id says it is done
    assert stored(live) == 4
    assert ViewFlush.objects.count() == 1


def test_views_of_an_article_deleted_or_withdrawn_before_the_flush_are_dropped(redis_buffer, live, section, reporter):
    deleted, withdrawn = (factories.ArticleFactory(section=section, reporter=reporter) for _ in range(2))
    for article in (live, deleted, withdrawn):
        view(article)
    deleted.delete()
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    viewcount.flush_buffers()
    assert stored(live) == 1 and DailyViews.objects.count() == 1


def test_flush_views_without_redis_says_so(settings):
    from django.core.management.base import CommandError

    settings.VIEW_BUFFER_URL = ""
    with pytest.raises(CommandError, match="VIEW_BUFFER_URL"):
        call_command("flush_views")


def test_redis_down_falls_back_to_the_cache_and_the_database(settings, live):
    settings.VIEW_BUFFER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    viewcount._redis.cache_clear()
    try:
        viewcount.count_beacon(a_beacon("10.9.0.3"), live.pk)
        viewcount.count_beacon(a_beacon("10.9.0.3"), live.pk)  # a reload: deduped by the cache's mark
    finally:
        viewcount._redis.cache_clear()
    assert stored(live) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_move_each_view_once(redis_buffer, section, reporter):
    import threading

    from django.db import connection

    article = factories.ArticleFactory(section=section, reporter=reporter)
    view(article, 30)
    start = threading.Barrier(2)

    def flush():
        start.wait()
        try:
            viewcount.flush_buffers()
        finally:
            connection.close()

    threads = [threading.Thread(target=flush) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert stored(article) == 30


def test_with_the_buffer_a_view_is_marked_and_counted_in_one_step(redis_buffer, live, settings):
    for _ in range(3):  # the same reader reloading
        viewcount.count_beacon(a_beacon("10.9.0.1"), live.pk)
    viewcount.count_beacon(a_beacon("10.9.0.2"), live.pk)
    day = timezone.localdate().isoformat()
    assert redis_buffer.hgetall(viewcount.VIEWS.pending) == {f"{live.pk}:{day}".encode(): b"2"}
    marks = list(redis_buffer.scan_iter(f"views:seen:{live.pk}:*"))
    assert len(marks) == 2 and 0 < redis_buffer.ttl(marks[0]) <= settings.VIEW_DEDUPE_SECONDS
    assert stored(live) == 0


def test_every_key_the_counters_leave_in_redis_expires(redis_buffer, live, slot_with_ad):
    from portal.ads import counting

    view(live, 3)
    viewcount.count_beacon(a_beacon("10.9.0.1"), None, counting.IMPRESSIONS, [slot_with_ad.pk])
    keys = [*redis_buffer.scan_iter("views:*"), *redis_buffer.scan_iter("ads:*")]
    assert len(keys) >= 5  # three marks, the views' and the impressions' pending counts
    assert all(redis_buffer.ttl(key) > 0 for key in keys), {key: redis_buffer.ttl(key) for key in keys}


def test_ad_impressions_wait_with_the_views_and_move_with_them(redis_buffer, live, slot_with_ad):
    from portal.ads import counting
    from portal.ads.models import AdDailyStats

    for i in range(4):
        viewcount.count_beacon(a_beacon(f"10.9.5.{i}"), None, counting.IMPRESSIONS, [slot_with_ad.pk])
    view(live, 2)
    assert not AdDailyStats.objects.exists()
    assert viewcount.flush_buffers() == 6
    assert AdDailyStats.objects.get(ad=slot_with_ad).impressions == 4 and stored(live) == 2


def test_the_site_flushes_its_buffer_by_itself_once_an_interval(redis_buffer, section, reporter, settings):
    settings.VIEW_FLUSH_SECONDS = 60
    viewcount._next_flush_look = 0.0
    article = factories.ArticleFactory(section=section, reporter=reporter)
    view(article, 1, prefix="10.9.1")
    viewcount.flush_if_due()  # what a beacon does after counting: the first of the interval flushes
    assert stored(article) == 1
    viewcount._next_flush_look = 0.0  # even a process that looks again finds the site's mark: no second flush
    view(article, 1, prefix="10.9.2")
    viewcount.flush_if_due()
    assert stored(article) == 1
    assert redis_buffer.hgetall(viewcount.VIEWS.pending) == {
        f"{article.pk}:{timezone.localdate().isoformat()}".encode(): b"1"
    }
    assert 0 < redis_buffer.ttl("views:flush-due") <= 60


@pytest.fixture
def own_buffer(settings, redis_server):
    settings.VIEW_BUFFER_URL = redis_server.url
    viewcount._redis.cache_clear()
    yield redis_server
    viewcount._redis.cache_clear()


def test_a_view_the_buffer_refuses_is_counted_in_the_database(own_buffer, live):
    import redis

    redis.Redis.from_url(own_buffer.url).config_set("maxmemory", 1)  # full: it refuses every write (OOM)
    viewcount.count_beacon(a_beacon("10.9.3.1"), live.pk)
    viewcount.count_beacon(a_beacon("10.9.3.1"), live.pk)  # a reload: deduped in the cache instead
    assert stored(live) == 1


def test_after_a_restart_of_the_buffer_views_reach_it_on_a_new_connection(own_buffer, live):
    view(live, 1, prefix="10.9.4")
    own_buffer.stop()  # a restart without persistence: what it held goes with it
    own_buffer.start()
    view(live, 1, prefix="10.9.5")
    assert viewcount.flush_buffers() == 1
    assert stored(live) == 1
