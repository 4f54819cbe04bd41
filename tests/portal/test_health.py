"""What a load balancer and readers see when PostgreSQL or Redis is in trouble (a real Redis is stopped here;
tests/portal/test_outage.py stops a real PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from news import rankings
from news.models import DailyViews
from portal.tips.models import Tip
from tests import factories
from tests.beacon import read

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def test_healthz_answers_ok_with_one_query_and_no_cookie(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert len(queries) == 1 and not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_a_draining_server_fails_its_probe_but_still_serves_readers(client, settings, tmp_path, section, reporter):
    """The release's first step on one app server: the probe says 503 "draining" (the edge stops sending it
    readers) while the requests it still gets are answered; the file gone, it is healthy again."""
    settings.HEALTH_DRAIN_FILE = tmp_path / "draining"
    article = factories.ArticleFactory(section=section, reporter=reporter)
    settings.HEALTH_DRAIN_FILE.touch()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "draining"} and response["Retry-After"]
    assert client.get(article.get_absolute_url()).status_code == 200
    settings.HEALTH_DRAIN_FILE.unlink()
    assert client.get("/healthz").status_code == 200


def test_healthz_is_not_redirected_to_https_so_a_plain_http_probe_works(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_a_lost_database_gives_readers_a_korean_503_page_not_a_traceback(client, monkeypatch):
    def database_gone(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    client.get("/")  # load the template tags first: they keep their own reference to most_viewed
    monkeypatch.setattr(rankings, "most_viewed", database_gone)
    client.raise_request_exception = False
    response = client.get(reverse("news:ranking"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "잠시 기사를 불러올 수 없습니다" in page and "Traceback" not in page and "5432" not in page


def test_any_other_error_is_the_500_page(client, monkeypatch):
    client.get("/")
    monkeypatch.setattr(rankings, "most_viewed", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    response = client.get(reverse("news:ranking"))
    assert response.status_code == 500 and "일시적인 오류가 났습니다" in response.content.decode()


@pytest.fixture
def redis_cache(settings, redis_server):
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    return redis_server


def test_with_redis_stopped_pages_still_serve_views_still_count_and_healthz_says_why(
    redis_cache, section, reporter, alice, settings
):
    story = factories.ArticleFactory(section=section, reporter=reporter)
    reader = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.3.0.1")
    read(reader, story.get_absolute_url())
    read(reader, story.get_absolute_url())  # a reload: Redis holds its dedupe mark
    assert Client().get("/healthz").json() == {"status": "ok"}

    redis_cache.stop()
    for url in (reverse("front"), section.get_absolute_url(), story.get_absolute_url()):
        response = read(Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.3.0.2"), url)
        assert response.status_code == 200, url
    health = Client().get("/healthz")
    # Degraded, not down: every app server shares the one Redis, so none is taken out of rotation for it.
    assert health.status_code == 200 and health.json() == {"status": "degraded", "problems": {"redis": "unreachable"}}
    # Views during the outage are counted (without the shared dedupe marks, each beacon counts).
    assert sum(DailyViews.objects.filter(article=story).values_list("views", flat=True)) == 2
    # Posting keeps its limits: they are rows in PostgreSQL, not Redis counters.
    settings.COMMENT_RATE_PER_MINUTE = 1
    poster = Client()
    poster.force_login(alice)
    poster.post(reverse("comments:post", args=[story.pk]), {"body": "레디스가 멈춘 동안의 댓글"})
    poster.post(reverse("comments:post", args=[story.pk]), {"body": "바로 이어 쓴 두 번째 댓글"})
    assert list(Comment.objects.values_list("body", flat=True)) == ["레디스가 멈춘 동안의 댓글"]
    # A 기사제보 goes through: its hourly limit lives in Redis, and an outage of ours turns nobody away.
    tip = Client().post(
        reverse("tips:submit"),
        {"kind": "tip", "name": "제보자", "email": "t@example.com", "body": "레디스 없이 보낸 제보"},
    )
    assert tip.status_code == 302 and Tip.objects.get().body == "레디스 없이 보낸 제보"

    redis_cache.start()
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_a_redis_restart_between_two_requests_is_not_seen_by_the_next_one(redis_cache):
    assert Client().get("/healthz").status_code == 200
    redis_cache.stop()
    redis_cache.start()  # the connection this thread holds is dead now, and no command has found out yet
    assert Client().get("/healthz").status_code == 200  # made again at once, not a false 503
