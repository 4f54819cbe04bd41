"""Read replicas: reads go to a real streaming replica, writes to the primary, and a reader who has just
written reads the primary, so their new comment is on the page they are sent back to.

The replica is a hot standby of the test server (tests/pgcluster.py), taken after pytest-django has made
the test database. Lag is made certain by pausing the standby's replay (pg_wal_replay_pause)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from comments.models import Comment
from news.models import Article
from portal import replicas
from tests import factories, pgcluster

ROOT = Path(__file__).resolve().parents[2]
REPLICA = "replica1"
REPLAY_SECONDS = 30


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup) -> Iterator[pgcluster.Cluster]:
    """A hot standby of the test server, configured as the database alias `replica1` (a test mirror of
    default, so pytest-django neither creates nor flushes a database there)."""
    primary = connections["default"].settings_dict
    stack = ExitStack()
    try:
        cluster = stack.enter_context(
            pgcluster.replica_of(
                host=primary["HOST"] or "127.0.0.1",
                port=int(primary["PORT"] or 5432),
                user=primary["USER"] or "postgres",
            )
        )
    except pgcluster.Unavailable as why:
        stack.close()
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a streaming replica for these tests: {why}")
        pytest.skip(f"no streaming replica can be made here: {why}")
    with stack:
        replica = copy.deepcopy(primary)
        replica |= {
            "HOST": cluster.host,
            "PORT": cluster.port,
            "CONN_MAX_AGE": 0,
            "TEST": {**replica["TEST"], "MIRROR": "default"},
        }
        connections.settings[REPLICA] = replica
        try:
            yield cluster
        finally:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]


@pytest.fixture
def routed(streaming_replica, settings) -> Iterator[pgcluster.Cluster]:
    """The settings DATABASE_REPLICA_URLS would give: the router, the middleware, one replica."""
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.DATABASE_ROUTERS = ["portal.replicas.PrimaryReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "portal.replicas.PinToPrimaryMiddleware",
    )
    settings.MIDDLEWARE = middleware
    with replicas.reads_from(None):  # a write in one test must not pin the next
        yield streaming_replica
    connections[REPLICA].close()


def wait_for_replay(cluster: pgcluster.Cluster) -> None:
    """Poll until the replica has applied everything the primary has committed so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")  # not _lsn(): an async commit may not be written yet
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + REPLAY_SECONDS
    while not cluster.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0]:
        assert time.monotonic() < deadline, f"the replica did not replay up to {target} in {REPLAY_SECONDS}s"
        time.sleep(0.02)


@contextmanager
def replay_paused(cluster: pgcluster.Cluster) -> Iterator[None]:
    """The replica keeps answering but applies nothing new: it lags for certain."""
    wait_for_replay(cluster)
    cluster.query("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        cluster.query("SELECT pg_wal_replay_resume()")


def queries_on_each_alias(run) -> tuple[list[str], list[str]]:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        run()
    return [q["sql"] for q in primary.captured_queries], [q["sql"] for q in replica.captured_queries]


db_with_replica = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
# One worker runs every test that copies the server (and those that drop databases, which cut a copy short).
pytestmark = pytest.mark.xdist_group("many_pg_connections")


@pytest.mark.postgres
@db_with_replica
def test_reads_are_answered_by_the_replica(routed):
    with replicas.reads_from(None):
        article = factories.ArticleFactory(title="원래 제목")
    wait_for_replay(routed)
    with replay_paused(routed):
        Article.objects.using("default").filter(pk=article.pk).update(title="고친 제목")
        with replicas.reads_from(None):  # a new request
            on_primary, on_replica = queries_on_each_alias(lambda: Article.objects.get(pk=article.pk))
            seen = Article.objects.get(pk=article.pk).title
            with connections[replicas.PrimaryReplicaRouter().db_for_read(Article)].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                in_recovery = cursor.fetchone()[0]

    assert seen == "원래 제목"  # the lagging copy answered, not the primary
    assert (len(on_primary), len(on_replica)) == (0, 1)
    assert in_recovery is True


@pytest.mark.postgres
@db_with_replica
def test_writes_go_to_the_primary(routed):
    with replicas.reads_from(None):
        on_primary, on_replica = queries_on_each_alias(lambda: factories.ArticleFactory(title="새 기사"))

    assert any(sql.startswith("INSERT") for sql in on_primary)
    assert on_replica == []
    assert Article.objects.using("default").filter(title="새 기사").exists()


@pytest.mark.postgres
@db_with_replica
def test_after_a_write_the_same_request_reads_the_primary(routed):
    article = factories.ArticleFactory(title="원래 제목")
    with replay_paused(routed), replicas.reads_from(None):
        article.title = "고친 제목"
        article.save()
        assert Article.objects.get(pk=article.pk).title == "고친 제목"


@pytest.mark.postgres
@db_with_replica
def test_reads_inside_a_transaction_use_the_primary(routed):
    article = factories.ArticleFactory(title="원래 제목")
    with replay_paused(routed):
        Article.objects.using("default").filter(pk=article.pk).update(title="고친 제목")
        with replicas.reads_from(None), transaction.atomic():
            assert Article.objects.get(pk=article.pk).title == "고친 제목"


@pytest.mark.postgres
@db_with_replica
def test_objects_read_from_a_replica_can_be_linked_to_objects_on_the_primary(routed):
    with replicas.reads_from(None):
        article = factories.ArticleFactory(title="댓글 받을 기사")
        alice = factories.commenter("앨리스", username="alice")
    wait_for_replay(routed)
    with replicas.reads_from(None):
        from_replica = Article.objects.get(pk=article.pk)
        comment = services.post_comment(article=from_replica, author=alice, body="복제본에서 읽은 기사에 댓글")

    assert from_replica._state.db == REPLICA
    assert Comment.objects.using("default").get(pk=comment.pk).article_id == article.pk


@pytest.mark.postgres
@db_with_replica
def test_a_readers_new_comment_shows_on_the_page_they_return_to_though_the_replica_lags(routed, client, settings):
    with replicas.reads_from(None):
        article = factories.ArticleFactory(title="지연 시험 기사")
        reader = factories.commenter("독자", username="reader")
        client.force_login(reader)
    body = "복제가 늦어도 바로 보이는 댓글"

    with replay_paused(routed):
        posted = client.post(reverse("comments:post", args=[article.pk]), {"body": body, "token": str(uuid.uuid4())})
        returned = client.get(posted["Location"])
        on_replica = Comment.objects.using(REPLICA).filter(body=body).exists()
        client.cookies.pop(replicas.PIN_COOKIE)  # the same reader once the pin has run out
        unpinned = client.get(article.get_absolute_url())

    assert posted.status_code == 302
    assert posted.cookies[replicas.PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    assert body in returned.content.decode()
    assert on_replica is False  # the replica really lagged: the page above came from the primary
    assert unpinned.status_code == 200 and "지연 시험 기사" in unpinned.content.decode()
    assert body not in unpinned.content.decode()  # without the pin the reader would have missed it
    wait_for_replay(routed)
    assert body in Client().get(article.get_absolute_url()).content.decode()


@pytest.mark.postgres
@db_with_replica
def test_reading_an_article_does_not_pin_the_reader(routed, client):
    with replicas.reads_from(None):
        article = factories.ArticleFactory(title="읽기만 하는 기사")
    wait_for_replay(routed)

    response = client.get(article.get_absolute_url())  # counts a view (a write), still only a read for the reader

    assert response.status_code == 200
    assert replicas.PIN_COOKIE not in response.cookies


def test_migrations_run_only_on_the_primary():
    router = replicas.PrimaryReplicaRouter()
    assert router.allow_migrate("default", "comments") is True
    assert router.allow_migrate(REPLICA, "comments") is False


def load_database_settings(**env) -> list[str]:
    code = (
        "import portal.settings as s; d = s.DATABASES\n"
        "print(sorted(d), s.DATABASE_ROUTERS if hasattr(s, 'DATABASE_ROUTERS') else [])\n"
        "print([(a, d[a]['HOST'], d[a]['CONN_MAX_AGE'], d[a]['CONN_HEALTH_CHECKS'], d[a]['TEST'])\n"
        "       for a in s.DATABASE_REPLICAS])\n"
        "print(s.MIDDLEWARE[s.MIDDLEWARE.index('django.contrib.auth.middleware.AuthenticationMiddleware') + 1])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URLS"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **clean,
            "DEBUG": "false",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "news.example.com",
            "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
            "CONN_MAX_AGE": "300",
            **env,
        },
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_replica_urls_become_routed_aliases_with_the_primarys_connection_settings():
    lines = load_database_settings(
        DATABASE_REPLICA_URLS="postgres://portal@r1.internal/portal,postgres://portal@r2.internal/portal"
    )
    assert lines[0] == "['default', 'replica1', 'replica2'] ['portal.replicas.PrimaryReplicaRouter']"
    assert lines[1] == (
        "[('replica1', 'r1.internal', 300, True, {'MIRROR': 'default'}), "
        "('replica2', 'r2.internal', 300, True, {'MIRROR': 'default'})]"
    )
    assert lines[2] == "portal.replicas.PinToPrimaryMiddleware"


def test_without_replicas_there_is_no_router_and_no_middleware():
    lines = load_database_settings()
    assert lines[0] == "['default'] []"
    assert lines[2] == "portal.middleware.signed_in_marker"
