"""The portal behind a real Varnish (deploy/varnish/portal.vcl): pages are stored at the edge, purged by
surrogate key when what they show changes, and never hold anything personal."""

from __future__ import annotations

import html
import http.client
import json
import re
import time
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from comments import services
from comments.models import Comment
from news.models import Article, DailyViews
from tests import factories
from tests.beacon import comment_parts
from tests.varnish import edge_factory  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True)]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


class Reader:
    """A browser's requests to the edge: a cookie header of its own, the page's beacon as its script sends it."""

    def __init__(self, edge, session: str | None = None):
        self.address = urlsplit(edge.url).netloc
        self.cookies = {"sessionid": session} if session else {}

    def get(self, path: str, **headers) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, headers=headers)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(self.address, timeout=10)
        sent = {"User-Agent": BROWSER, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        answer = connection.getresponse()
        text = answer.read().decode()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, _rest = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val
        connection.close()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, text

    def beacon(self, page: str) -> int:
        signed = html.unescape(re.search(r'data-beacon="([^"]+)"', page).group(1))
        status, _headers, _text = self.request(
            "POST",
            "/beacon/",
            body=f"b={signed}",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://{self.address}",
                "Sec-Fetch-Site": "same-origin",
            },
        )
        return status


@pytest.fixture
def edge(live_server, edge_factory, settings):  # noqa: F811
    running = edge_factory(int(urlsplit(live_server.url).port))
    settings.EDGE_PURGE_URLS = [running.purge_url]
    settings.ALLOWED_HOSTS = ["*"]
    return running


@pytest.fixture
def story(section, reporter):
    return factories.ArticleFactory(section=section, reporter=reporter, title="엣지에 저장될 기사")


def until(check, seconds: float = 1.0):
    """Poll the edge until check() holds, for at most `seconds`; return how long it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not seen within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_public_page_is_stored_and_junk_in_the_query_does_not_multiply_it(edge, story):
    reader = Reader(edge)
    status, headers, _page = reader.get(story.get_absolute_url())
    assert status == 200 and headers["x-cache"] == "MISS"
    for query in ("", "?utm_source=kakao&utm_medium=share", "?fbclid=abc&junk=1"):
        status, headers, _page = reader.get(story.get_absolute_url() + query)
        assert headers["x-cache"] == "HIT", query
    assert "surrogate-key" not in headers and "set-cookie" not in headers
    assert "s-maxage=" in headers["cache-control"] and "public" in headers["cache-control"]


def test_an_edit_and_a_withdrawal_reach_readers_within_a_second(edge, story, section, reporter):
    reader = Reader(edge)
    other = factories.ArticleFactory(section=section, reporter=reporter, title="관련기사에 걸린 기사")
    reader.get(story.get_absolute_url())
    assert reader.get(story.get_absolute_url())[1]["x-cache"] == "HIT"
    assert "관련기사에 걸린 기사" in reader.get(story.get_absolute_url())[2]

    story.title = "고친 제목"
    story.save()
    until(lambda: "고친 제목" in reader.get(story.get_absolute_url())[2])
    assert "고친 제목" in reader.get("/")[2]

    other.status = Article.Status.DRAFT  # withdrawn: gone from its page and from the lists on other pages
    other.save()
    until(lambda: reader.get(other.get_absolute_url())[0] == 404)
    assert "관련기사에 걸린 기사" not in reader.get(story.get_absolute_url())[2]


def test_a_keyword_page_gets_a_newly_tagged_story_and_a_correction_reaches_the_story(edge, story, section, reporter):
    """#17: keyword pages are stored at the edge and purged by keyword-<id>; a correction purges its story."""
    from news.models import Correction, Keyword

    reader = Reader(edge)
    metro = Keyword.objects.create(name="지하철")
    story.keywords.add(metro)
    url = metro.get_absolute_url()  # already percent-encoded
    first = reader.get(url)
    assert first[0] == 200 and reader.get(url)[1]["x-cache"] == "HIT"
    newer = factories.ArticleFactory(section=section, reporter=reporter, title="새로 태그된 노선 기사")
    newer.keywords.add(metro)  # as the admin does: the save, then the keywords
    until(lambda: "새로 태그된 노선 기사" in reader.get(url)[2])

    reader.get(story.get_absolute_url())
    assert reader.get(story.get_absolute_url())[1]["x-cache"] == "HIT"
    Correction.objects.create(article=story, body="노선 번호를 바로잡습니다.")
    until(lambda: "노선 번호를 바로잡습니다." in reader.get(story.get_absolute_url())[2])
    assert "노선 번호를 바로잡습니다." in reader.get("/corrections/")[2]


def test_a_new_comment_and_a_hidden_comment_reach_readers_within_a_second(edge, story, alice, moderator):
    reader = Reader(edge)
    reader.get(story.get_absolute_url())
    comment = services.post_comment(article=story, author=alice, body="엣지를 지나는 새 댓글")
    until(lambda: "엣지를 지나는 새 댓글" in reader.get(story.get_absolute_url())[2])

    services.moderate(comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.HIDDEN, moderator=moderator)
    until(lambda: "엣지를 지나는 새 댓글" not in reader.get(story.get_absolute_url())[2])


def test_a_scheduled_article_appears_on_time_without_a_save(edge, section, reporter):
    reader = Reader(edge)
    publication = timezone.now() + timedelta(seconds=3)
    factories.ArticleFactory(section=section, reporter=reporter, title="예약된 속보", published_at=publication)
    status, headers, page = reader.get("/")
    assert "예약된 속보" not in page
    assert int(re.search(r"s-maxage=(\d+)", headers["cache-control"]).group(1)) <= 4
    assert reader.get("/")[1]["x-cache"] == "HIT"
    waited = until(lambda: "예약된 속보" in reader.get("/")[2], seconds=8)
    assert timezone.now() >= publication
    assert waited < 6


def test_no_private_text_token_nickname_or_logout_form_is_ever_stored_at_the_edge(edge, story, alice, bob, reporter):
    services.post_comment(article=story, author=alice, body="앨리스만 읽을 비밀 이야기", private=True)
    services.post_comment(article=story, author=bob, body="모두가 읽는 공개 댓글")
    sessions = {}
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        sessions[user.username] = client.cookies["sessionid"].value
    pages = [
        "/",
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        "/ranking/",
        "/search/?q=" + quote("엣지"),
        f"/reporter/{reporter.pk}/",
        "/businesses/",
    ]
    # The pages as alice (who may read her private comment), as bob, and anonymously: every one is stored.
    for reader in (Reader(edge, sessions["alice"]), Reader(edge, sessions["bob"]), Reader(edge)):
        for path in pages:
            assert reader.get(path)[0] == 200, path
    stored = [Reader(edge).get(path) for path in pages]
    assert all(headers["x-cache"] == "HIT" for _status, headers, _page in stored)
    for _status, _headers, page in stored:
        for personal in ("앨리스만 읽을 비밀 이야기", "csrfmiddlewaretoken", "로그아웃", 'action="/accounts/logout/'):
            assert personal not in page
    assert "모두가 읽는 공개 댓글" in stored[1][2] and "비밀 댓글입니다." in stored[1][2]

    # Alice's own parts come from her fragment, which the edge passes and never stores.
    status, headers, fragment = Reader(edge, sessions["alice"]).get(f"/fragment/?article={story.pk}")
    assert (
        status == 200
        and headers["x-cache"] != "HIT"
        and "앨리스만 읽을 비밀 이야기" in comment_parts(json.loads(fragment))
    )
    status, headers, fragment = Reader(edge, sessions["bob"]).get(f"/fragment/?article={story.pk}")
    assert headers["x-cache"] != "HIT" and "앨리스만 읽을 비밀 이야기" not in fragment
    assert "앨리스만 읽을 비밀 이야기" not in Reader(edge).get(f"/fragment/?article={story.pk}")[2]


def test_views_are_counted_by_the_beacon_through_the_edge(edge, story):
    first, second = Reader(edge), Reader(edge)
    page = first.get(story.get_absolute_url())[2]
    assert second.get(story.get_absolute_url())[1]["x-cache"] == "HIT"  # the stored page counts nothing itself
    assert not DailyViews.objects.exists()
    assert first.beacon(page) == 204 and first.beacon(page) == 204  # a reload counts once
    assert "vid" in first.cookies
    assert sum(DailyViews.objects.values_list("views", flat=True)) == 1


def test_pages_come_back_after_the_edge_restarts(edge, story):
    reader = Reader(edge)
    reader.get(story.get_absolute_url())
    edge.restart()
    status, headers, _page = reader.get(story.get_absolute_url())
    assert status == 200 and headers["x-cache"] == "MISS"
    assert reader.get(story.get_absolute_url())[1]["x-cache"] == "HIT"


def test_a_failed_purge_is_logged_kept_and_sent_again(edge, story, settings, caplog):
    from django.core.management import call_command

    from news.models import PendingPurge

    reader = Reader(edge)
    reader.get(story.get_absolute_url())
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens there: the purge fails
    story.title = "엣지에 못 알린 새 제목"
    story.save()
    assert [r for r in caplog.records if r.levelname == "ERROR" and "edge purge" in r.getMessage()]
    assert PendingPurge.objects.count() == 1
    assert "엣지에 못 알린 새 제목" not in reader.get(story.get_absolute_url())[2]  # stale until the retry

    settings.EDGE_PURGE_URLS = [edge.purge_url]
    call_command("purge_edge")  # also what the next purge of any change does first
    assert "엣지에 못 알린 새 제목" in reader.get(story.get_absolute_url())[2]
    assert not PendingPurge.objects.exists()


def test_the_newsroom_previews_a_story_not_yet_live_through_the_edge(edge, section, reporter):
    draft = factories.ArticleFactory(
        section=section, reporter=reporter, title="아직 나가지 않은 기사", status=Article.Status.DRAFT
    )
    newsroom = Client()
    newsroom.force_login(reporter)
    reporter_browser = Reader(edge, newsroom.cookies["sessionid"].value)
    status, headers, page = reporter_browser.get(draft.get_preview_url())
    assert status == 200 and "아직 나가지 않은 기사" in page and headers["x-cache"] == "PASS"
    assert reporter_browser.get(draft.get_absolute_url())[0] == 404  # the stored-page address knows no session
    assert Reader(edge).get(draft.get_preview_url())[0] == 404  # a reader's preview is nothing
