"""A real PostgreSQL outage under the real server: readers get the Korean 503 page, /healthz says why, a
comment sent meanwhile is refused and not half-saved, and the site recovers by itself when the database
returns. The database is a throwaway cluster of our own (tests/pgcluster.py), stopped and started here."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests import pgcluster
from tests.bench.serving import served

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
SETUP = """
from django.contrib.auth import get_user_model
from comments.models import Commenter
from news.models import Article, Section
from django.utils import timezone
section = Section.objects.create(name="경제", slug="economy")
reporter = get_user_model().objects.create_user("reporter", password="x" * 20, is_staff=True)
article = Article.objects.create(title="정전 중에도 읽히는 기사", body="<p>본문</p>", section=section, reporter=reporter,
                                 status="published", published_at=timezone.now())
reader = get_user_model().objects.create_user("reader", password="reader-password-2026")
Commenter.objects.create(user=reader, nickname="독자")
print(article.pk)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A reader's browser: keeps cookies, never follows redirects, never raises on an error status."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + "/"})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)


@pytest.fixture
def site():
    """The portal's app server as `make serve` runs it (without the edge: this is the app's own answer), on a
    database of its own, which the test may stop."""
    try:
        cluster_context = pgcluster.fresh()
        cluster = cluster_context.__enter__()
    except pgcluster.Unavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no throwaway PostgreSQL here: {exc}")
    cluster.query("CREATE DATABASE portal")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.port}/portal",
        "DEBUG": "false",
        "SECRET_KEY": "outage-test-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "EDGE": "none",
        "REDIS_URL": "",
        "VIEW_BUFFER_URL": "",
        "LOG_LEVEL": "CRITICAL",
        "COMMENT_RATE_PER_MINUTE": "10",
        "WEB_CONCURRENCY": "1",
        "PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "STATIC_ROOT": str(ROOT / "var" / "outage-static"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    article_id = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        with served(env):
            yield cluster, f"http://127.0.0.1:{port}", f"/article/{article_id}/", article_id
    finally:
        cluster_context.__exit__(None, None, None)


def comments_in(cluster) -> int:
    return cluster.query("SELECT count(*) FROM comments_comment", dbname="portal")[0]


def test_a_database_outage_is_a_korean_503_then_the_site_recovers_by_itself(site):
    cluster, base, article, article_id = site
    reader = Browser(base)
    assert reader.request(article)[0] == 200
    reader.request("/accounts/login/")
    status, _ = reader.request(
        "/accounts/login/",
        {"username": "reader", "password": "reader-password-2026", "csrfmiddlewaretoken": reader.cookie("csrftoken")},
    )
    assert status == 302
    form = {"body": "정전 전에 쓴 댓글", "csrfmiddlewaretoken": reader.cookie("csrftoken")}
    assert reader.request(f"/comments/article/{article_id}/post/", form)[0] == 302
    assert comments_in(cluster) == 1

    cluster.stop()
    status, page = Browser(base).request(article)
    assert status == 503 and "잠시 기사를 불러올 수 없습니다" in page and "Traceback" not in page
    status, body = Browser(base).request("/healthz")
    assert status == 503 and "database" in json.loads(body)["problems"]
    form = {"body": "정전 중에 쓴 댓글", "csrfmiddlewaretoken": reader.cookie("csrftoken")}
    status, page = reader.request(f"/comments/article/{article_id}/post/", form)
    assert status == 503 and "저장되지 않았을 수 있으니" in page

    cluster.start()
    assert Browser(base).request("/healthz")[0] == 200
    assert Browser(base).request(article)[0] == 200
    assert comments_in(cluster) == 1  # the comment sent during the outage left nothing behind
    form = {"body": "정전 뒤에 다시 쓴 댓글", "csrfmiddlewaretoken": reader.cookie("csrftoken")}
    assert reader.request(f"/comments/article/{article_id}/post/", form)[0] == 302  # still signed in
    assert comments_in(cluster) == 2
