"""The Redis buffer: views wait in Redis and `flush_views` moves them exactly once, even if run twice or
killed between its steps."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from news import viewcount
from news.models import DailyViews, ViewFlush
from tests import factories

# A database of its own; the tests delete only the buffer's keys in it, never the whole database.
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_buffer(settings):
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    def clear():
        for key in client.scan_iter("views:*"):
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


def stored(article) -> int:
    return sum(DailyViews.objects.filter(article=article).values_list("views", flat=True))


def test_views_wait_in_redis_then_flush_once(redis_buffer, live):
    for _ in range(7):
        viewcount.add_view(live.pk)
    assert stored(live) == 0  # no database write per view

    call_command("flush_views")
    call_command("flush_views")  # a second run finds nothing new

    assert stored(live) == 7
    assert not redis_buffer.exists(viewcount.PENDING_KEY)


def test_flush_killed_after_taking_the_batch_applies_it_next_time(redis_buffer, live, monkeypatch):
    for _ in range(5):
        viewcount.add_view(live.pk)
    monkeypatch.setattr(viewcount, "_apply_batch", lambda client, key: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        viewcount.flush_buffered_views()  # renamed the hash, then died
    monkeypatch.undo()
    viewcount.add_view(live.pk)  # new views keep arriving meanwhile

    assert viewcount.flush_buffered_views() == 6
    assert stored(live) == 6


def test_flush_killed_after_writing_does_not_count_twice(redis_buffer, live, monkeypatch):
    for _ in range(4):
        viewcount.add_view(live.pk)
    real_delete = redis_buffer.__class__.delete
    monkeypatch.setattr(redis_buffer.__class__, "delete", lambda self, *keys: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        viewcount.flush_buffered_views()  # committed to the database, died before deleting the batch
    monkeypatch.setattr(redis_buffer.__class__, "delete", real_delete)

    assert stored(live) == 4
    assert viewcount.flush_buffered_views() == 0  # the recorded batch id says it is done
    assert stored(live) == 4
    assert ViewFlush.objects.count() == 1


def test_views_of_an_article_deleted_before_the_flush_are_dropped(redis_buffer, live, section, reporter):
    other = factories.ArticleFactory(section=section, reporter=reporter)
    viewcount.add_view(live.pk)
    viewcount.add_view(other.pk)
    other.delete()
    viewcount.flush_buffered_views()
    assert stored(live) == 1 and DailyViews.objects.count() == 1


def test_flush_views_without_redis_says_so(settings):
    from django.core.management.base import CommandError

    settings.VIEW_BUFFER_URL = ""
    with pytest.raises(CommandError, match="VIEW_BUFFER_URL"):
        call_command("flush_views")


def test_redis_down_falls_back_to_the_database(settings, live):
    settings.VIEW_BUFFER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    viewcount._redis.cache_clear()
    try:
        viewcount.add_view(live.pk)
    finally:
        viewcount._redis.cache_clear()
    assert stored(live) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_move_each_view_once(redis_buffer, section, reporter):
    import threading

    from django.db import connection

    article = factories.ArticleFactory(section=section, reporter=reporter)
    for _ in range(30):
        viewcount.add_view(article.pk)
    start = threading.Barrier(2)

    def flush():
        start.wait()
        try:
            viewcount.flush_buffered_views()
        finally:
            connection.close()

    threads = [threading.Thread(target=flush) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert stored(article) == 30


def a_read(ip: str, agent: str = "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0"):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/article/1/", HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    return request


def test_with_the_buffer_a_view_is_marked_and_counted_in_one_step(redis_buffer, live, settings):
    for _ in range(3):  # the same reader reloading
        viewcount.record_view(a_read("10.9.0.1"), live.pk)
    viewcount.record_view(a_read("10.9.0.2"), live.pk)
    viewcount.send_waiting_views()  # handed to the process's sender, which sends every few milliseconds
    day = viewcount.shanghai_day().isoformat()
    assert redis_buffer.hgetall(viewcount.PENDING_KEY) == {f"{live.pk}:{day}".encode(): b"2"}
    marks = list(redis_buffer.scan_iter(f"views:seen:{live.pk}:*"))
    assert len(marks) == 2 and 0 < redis_buffer.ttl(marks[0]) <= settings.VIEW_DEDUPE_SECONDS
    assert stored(live) == 0


@pytest.mark.django_db(transaction=True)  # the sender counts on its own thread and connection
def test_redis_gone_while_counting_a_read_falls_back_to_the_cache_and_the_database(settings, live):
    settings.VIEW_BUFFER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    viewcount._redis.cache_clear()
    try:
        viewcount.record_view(a_read("10.9.0.3"), live.pk)
        viewcount.send_waiting_views()  # the sender tried again for a moment, then counted it without Redis
        failed_at = viewcount._buffer_down_until
        viewcount.record_view(a_read("10.9.0.3"), live.pk)  # deduped by the cache's mark
        viewcount.send_waiting_views()
        assert viewcount._buffer_down_until == failed_at  # not asked again while it is known to be down
    finally:
        viewcount._redis.cache_clear()
    assert stored(live) == 1 and failed_at > 0


@pytest.mark.django_db(transaction=True)  # the flush runs on its own thread and connection
def test_the_site_flushes_its_buffer_by_itself_once_an_interval(redis_buffer, section, reporter, settings):
    settings.VIEW_FLUSH_SECONDS = 60
    viewcount._next_flush_look = 0.0
    article = factories.ArticleFactory(section=section, reporter=reporter)
    viewcount.record_view(a_read("10.9.1.1"), article.pk)  # the first view of the interval starts a flush
    viewcount.send_waiting_views()  # the sender (not the reader's request) looks whether it is due
    first_flush = viewcount.flush_thread
    first_flush.join(10)
    assert stored(article) == 1
    viewcount._next_flush_look = 0.0  # even a process that looks again finds the site's mark: no second flush
    viewcount.record_view(a_read("10.9.1.2"), article.pk)
    viewcount.send_waiting_views()
    assert viewcount.flush_thread is first_flush  # no new flush was started
    assert stored(article) == 1
    assert redis_buffer.hgetall(viewcount.PENDING_KEY) == {f"{article.pk}:{viewcount.shanghai_day().isoformat()}".encode(): b"1"}
    assert 0 < redis_buffer.ttl(viewcount.FLUSH_DUE_KEY) <= 60


def test_views_sent_back_to_back_are_each_counted_once(redis_buffer, live):
    # The views go to the buffer in batches from the process's sender; the flush waits for them all first.
    for n in range(300):
        viewcount.record_view(a_read(f"10.9.2.{n % 150}"), live.pk)  # 150 readers, each reading twice
    assert viewcount.flush_buffered_views() == 150
    assert stored(live) == 150


@pytest.fixture
def own_buffer(settings, redis_server):
    settings.VIEW_BUFFER_URL = redis_server.url
    viewcount._redis.cache_clear()
    yield redis_server
    viewcount._redis.cache_clear()


@pytest.mark.django_db(transaction=True)  # the sender counts on its own thread and connection
def test_a_view_the_buffer_refuses_is_counted_in_the_database(own_buffer, live):
    import redis

    redis.Redis.from_url(own_buffer.url).config_set("maxmemory", 1)  # full: it refuses every write (OOM)
    viewcount.record_view(a_read("10.9.3.1"), live.pk)
    viewcount.record_view(a_read("10.9.3.1"), live.pk)  # a reload: deduped in the cache instead
    viewcount.send_waiting_views()  # the refusals are in the answers
    assert stored(live) == 1


def test_after_a_restart_of_the_buffer_views_reach_it_on_a_new_connection(own_buffer, live):
    viewcount.record_view(a_read("10.9.4.1"), live.pk)
    viewcount.send_waiting_views()
    own_buffer.stop()  # a restart without persistence: the first view goes with it, as all its data
    own_buffer.start()
    viewcount.record_view(a_read("10.9.4.2"), live.pk)  # the sender's connection is closed: sent on a new one
    assert viewcount.flush_buffered_views() == 1
    assert stored(live) == 1


def sent_and_unanswered() -> None:
    """Wait until the sender has sent what waits and is waiting for Redis's answer."""
    deadline = time.monotonic() + 5
    while not viewcount._view_sender[1].sending:
        assert time.monotonic() < deadline, "the sender never sent"
        time.sleep(0.001)


def test_views_redis_never_answered_are_sent_again_after_a_restart_and_counted_once(own_buffer, live):
    own_buffer.stop()
    own_buffer.start("--appendonly", "yes", "--appendfsync", "always")  # what the README asks of the buffer
    viewcount.record_view(a_read("10.9.5.1"), live.pk)
    viewcount.send_waiting_views()  # counted, and its mark kept on disk
    own_buffer.freeze()
    viewcount.record_view(a_read("10.9.5.1"), live.pk)  # the same reader again: unread by Redis
    viewcount.record_view(a_read("10.9.5.2"), live.pk)  # a new reader: unread
    sent_and_unanswered()
    own_buffer.kill()  # both lost in Redis's socket, never answered
    own_buffer.start("--appendonly", "yes", "--appendfsync", "always")  # within the sender's retries
    viewcount.record_view(a_read("10.9.5.3"), live.pk)
    assert viewcount.flush_buffered_views() == 3  # the reload is not counted twice: its mark came back
    assert stored(live) == 3


@pytest.mark.django_db(transaction=True)  # the sender counts on its own thread and connection
def test_with_the_buffer_gone_unanswered_views_are_counted_in_the_database(own_buffer, live):
    viewcount.record_view(a_read("10.9.6.1"), live.pk)
    viewcount.send_waiting_views()
    own_buffer.freeze()
    viewcount.record_view(a_read("10.9.6.2"), live.pk)  # never read by Redis
    sent_and_unanswered()
    own_buffer.kill()  # and no Redis to send it again to
    viewcount.send_waiting_views()
    assert viewcount._buffer_down_until > 0
    viewcount.record_view(a_read("10.9.6.3"), live.pk)  # while it is down: the cache and the database
    assert stored(live) == 2  # the unanswered view and this one; the first went with Redis's memory


def reached_redis(client, article, visitors: int, within: float) -> None:
    deadline = time.monotonic() + within
    field = f"{article.pk}:{viewcount.shanghai_day().isoformat()}"
    while int(client.hget(viewcount.PENDING_KEY, field) or 0) < visitors:
        assert time.monotonic() < deadline, f"{visitors} views had not reached Redis within {within} s"
        time.sleep(0.001)


def test_views_reach_the_buffer_by_themselves_within_moments(redis_buffer, live):
    viewcount.record_view(a_read("10.9.7.1"), live.pk)
    reached_redis(redis_buffer, live, 1, within=2)
    viewcount.record_view(a_read("10.9.7.2"), live.pk)  # the next batch: a few milliseconds later
    reached_redis(redis_buffer, live, 2, within=0.5)


def test_waiting_for_earlier_views_ends_while_readers_keep_coming(redis_buffer, live):
    """A flush waits for the views handed over before it, not for a quiet moment that may never come."""
    viewcount.record_view(a_read("10.9.9.1"), live.pk)
    reading = threading.Event()

    def readers():
        n = 0
        while not reading.is_set():
            n += 1
            viewcount.record_view(a_read(f"10.8.{n // 250 % 250}.{n % 250}"), live.pk)
            time.sleep(0.0002)

    stream = threading.Thread(target=readers)
    stream.start()
    try:
        time.sleep(0.05)
        started = time.monotonic()
        assert viewcount.send_waiting_views(timeout=5)
        assert time.monotonic() - started < 1
    finally:
        reading.set()
        stream.join()
    marks = {key.decode() for key in redis_buffer.scan_iter(f"views:seen:{live.pk}:*")}
    assert any(mark.endswith(viewcount.visitor(a_read("10.9.9.1"))[0]) for mark in marks)


@pytest.mark.django_db(transaction=True)  # the sender counts on its own thread and connection
def test_a_refused_batch_is_counted_even_with_a_view_of_a_deleted_article_in_it(own_buffer, live, section, reporter):
    import redis

    gone = factories.ArticleFactory(section=section, reporter=reporter)
    redis.Redis.from_url(own_buffer.url).config_set("maxmemory", 1)  # it refuses every write
    sender = viewcount._sender()
    for n, article_id in enumerate([live.pk, gone.pk, live.pk, live.pk]):
        sender.waiting.append((article_id, f"h-reader-{n}", viewcount.shanghai_day()))  # one batch
    gone.delete()  # deleted after its view was handed over
    viewcount.send_waiting_views()
    assert stored(live) == 3
    assert viewcount._buffer_down_until > 0  # and readers count in the database themselves for a while


@pytest.mark.django_db(transaction=True)  # counted on this thread's connection, the test's own
def test_a_process_exiting_while_redis_does_not_answer_counts_what_it_never_sent(own_buffer, live, monkeypatch):
    monkeypatch.setattr(viewcount._ViewSender, "EXIT_WAIT", 0.3)
    viewcount.record_view(a_read("10.9.10.1"), live.pk)
    viewcount.send_waiting_views()
    own_buffer.freeze()
    viewcount.record_view(a_read("10.9.10.2"), live.pk)  # sent: the sender waits for Redis's answer
    sent_and_unanswered()
    for n in range(3, 6):
        viewcount.record_view(a_read(f"10.9.10.{n}"), live.pk)  # never sent
    viewcount._view_sender[1]._at_exit()
    assert stored(live) == 3  # the unsent ones; the one in flight is still the sender's to settle
    own_buffer.kill()


def test_a_process_that_exits_sends_its_last_views_first(redis_buffer, live):
    """A worker stopped (not killed) loses none of the views it was about to send."""
    code = (
        "import django; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from django.contrib.auth.models import AnonymousUser\n"
        "from news import viewcount\n"
        "for n in range(20):\n"
        f"    request = RequestFactory().get('/', REMOTE_ADDR=f'10.9.8.{{n}}', HTTP_USER_AGENT='Mozilla/5.0')\n"
        "    request.user = AnonymousUser()\n"
        f"    viewcount.record_view(request, {live.pk})\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "VIEW_BUFFER_URL": REDIS_TEST_URL,
           "VIEW_FLUSH_SECONDS": "0", "DEBUG": "true"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert redis_buffer.hget(viewcount.PENDING_KEY, f"{live.pk}:{viewcount.shanghai_day().isoformat()}") == b"20"
