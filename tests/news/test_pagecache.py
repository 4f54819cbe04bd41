"""Whole pages cached for anonymous readers: served without the database, dropped when what they show
changes, never holding one reader's content, and never losing a view or an ad impression."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Comment
from news import pagecache
from news.models import Article, DailyViews
from portal.ads import counting
from portal.ads.models import Ad, AdDailyStats, AdSlot
from tests import factories

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def reader(ip: str = "10.1.0.1") -> Client:
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip)


def fetch(client: Client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    response.queries = len(queries)
    return response


@pytest.fixture
def story(section, reporter):
    return factories.ArticleFactory(title="푸동 신교통 개통", section=section, reporter=reporter)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks, as a real request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def reading_pages(story) -> list[str]:
    return [reverse("front"), story.section.get_absolute_url(), story.get_absolute_url(),
            reverse("news:search") + "?q=신교통", reverse("news:ranking"), reverse("news:reporter", args=[story.reporter_id])]


def test_an_anonymous_reader_gets_the_second_view_of_every_reading_page_without_a_query(story):
    for url in reading_pages(story):
        first, second = fetch(reader(), url), fetch(reader(), url)
        assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT"), url
        assert second.queries == 0, url
        assert second.content == first.content


def test_cached_pages_say_who_may_keep_them_and_name_what_they_show(story):
    response = reader().get(story.get_absolute_url())
    assert response["Surrogate-Key"] == f"article-{story.pk}"
    assert reader().get(story.section.get_absolute_url())["Surrogate-Key"] == f"site section-{story.section.slug}"
    # Nobody between us and the reader may answer in our place: every view must reach the counter.
    assert "max-age=0" in response["Cache-Control"] and "must-revalidate" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_query_parameters_are_part_of_the_page(story):
    assert "X-Cache" in reader().get(reverse("news:search") + "?q=신교통")
    other = reader().get(reverse("news:search") + "?q=없는단어")
    assert other["X-Cache"] == "MISS" and "푸동 신교통 개통" not in other.content.decode()


def test_an_edit_a_withdrawal_and_a_new_story_reach_readers_at_once(story, section, reporter, commit):
    for url in reading_pages(story)[:3]:
        reader().get(url)
    with commit():
        story.title = "푸동 신교통 개통 연기"
        story.save()
    assert "개통 연기" in reader().get(story.get_absolute_url()).content.decode()
    assert "개통 연기" in reader().get(reverse("front")).content.decode()
    with commit():
        fresh = factories.ArticleFactory(title="새로 나온 기사", section=section, reporter=reporter)
    assert "새로 나온 기사" in reader().get(section.get_absolute_url()).content.decode()
    with commit():
        story.status = Article.Status.DRAFT
        story.save()
    assert reader().get(story.get_absolute_url()).status_code == 404
    assert "개통 연기" not in reader().get(reverse("front")).content.decode()
    assert fresh.title in reader().get(reverse("front")).content.decode()


def test_an_edit_of_one_story_leaves_the_other_article_pages_cached_for_at_most_page_cache_seconds(
        story, section, reporter, commit):
    other = factories.ArticleFactory(title="다른 기사", section=section, reporter=reporter)
    assert reader().get(story.get_absolute_url())["X-Cache"] == "MISS"
    with commit():
        other.title = "다른 기사 수정"
        other.save()
    assert reader().get(story.get_absolute_url())["X-Cache"] == "HIT"  # not rendered again for a neighbour's typo
    assert "다른 기사 수정" in reader().get(reverse("front")).content.decode()  # every listing at once
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        page = reader().get(story.get_absolute_url())
    assert page["X-Cache"] == "MISS" and "다른 기사 수정" in page.content.decode()  # its box within the lifetime


def test_nothing_changes_for_readers_until_the_edit_commits(story):
    reader().get(story.get_absolute_url())
    story.title = "아직 저장되지 않은 제목"
    story.save()  # inside the test's transaction: no commit, so no invalidation yet
    assert reader().get(story.get_absolute_url())["X-Cache"] == "HIT"


def test_a_scheduled_story_appears_on_time_without_anyone_saving_it(section, reporter, commit):
    factories.ArticleFactory(title="지금 기사", section=section, reporter=reporter)
    with commit():
        factories.ArticleFactory(title="예약된 기사", section=section, reporter=reporter,
                                 published_at=timezone.now() + timedelta(seconds=20))
    assert "예약된 기사" not in reader().get(reverse("front")).content.decode()
    assert reader().get(reverse("front"))["X-Cache"] == "HIT"
    with time_machine.travel(timezone.now() + timedelta(seconds=21)):
        assert "예약된 기사" in reader().get(reverse("front")).content.decode()


def test_moderation_and_new_comments_reach_anonymous_readers_at_once(story, alice, bob, moderator, commit):
    with commit():
        rude = services.post_comment(article=story, author=bob, body="무례한 댓글")
    assert "무례한 댓글" in reader().get(story.get_absolute_url()).content.decode()
    with commit():
        services.moderate(comments=Comment.objects.filter(pk=rude.pk), status=Comment.Status.HIDDEN, moderator=moderator)
    assert "무례한 댓글" not in reader().get(story.get_absolute_url()).content.decode()
    signed_in = Client()
    signed_in.force_login(alice)
    with commit():
        signed_in.post(reverse("comments:post", args=[story.pk]), {"body": "반가운 소식이네요"})
    assert "반가운 소식이네요" in reader().get(story.get_absolute_url()).content.decode()


def test_no_cached_page_ever_holds_what_belongs_to_one_reader(story, alice, bob, commit):
    anonymous_before = reader().get(story.get_absolute_url()).content.decode()
    as_alice, as_bob = Client(HTTP_USER_AGENT=BROWSER), Client(HTTP_USER_AGENT=BROWSER)
    as_alice.force_login(alice)
    as_bob.force_login(bob)
    with commit():
        as_alice.post(reverse("comments:post", args=[story.pk]), {"body": "앨리스만 아는 비밀 이야기", "private": "on"})
    pages = {who: client.get(story.get_absolute_url()) for who, client in
             [("alice", as_alice), ("bob", as_bob), ("anonymous", reader()), ("anonymous again", reader("10.1.0.2"))]}
    assert "앨리스만 아는 비밀 이야기" in pages["alice"].content.decode()
    for who in ("bob", "anonymous", "anonymous again"):
        assert "앨리스만 아는 비밀 이야기" not in pages[who].content.decode(), who
    assert "X-Cache" not in pages["alice"] and "private" in pages["alice"]["Cache-Control"]
    assert pages["anonymous again"]["X-Cache"] == "HIT"
    assert pages["anonymous"].content != anonymous_before.encode()  # the thread changed: re-rendered
    # Whatever the cache holds, none of it is a signed-in reader's: no private text, no nickname in the
    # masthead, no CSRF token, no logout form.
    assert [key for key in cache._cache if "pagecache:page" in key]
    held = b"".join(cache._cache.values())  # local memory keeps each value pickled: text as UTF-8
    assert "앨리스만 아는 비밀 이야기".encode() not in held and "앨리스".encode() not in held
    assert b"csrfmiddlewaretoken" not in held and "로그아웃".encode() not in held


def test_signed_in_readers_are_served_fresh_and_leave_nothing_behind(story, alice):
    signed_in = Client()
    signed_in.force_login(alice)
    signed_in.get(story.get_absolute_url())
    signed_in.get(story.get_absolute_url())
    assert not [key for key in cache._cache if "pagecache:page" in key]
    assert reader().get(story.get_absolute_url())["X-Cache"] == "MISS"


def test_every_reader_of_a_cached_page_is_counted_once(story):
    reader().get(story.get_absolute_url())  # fills the cache and counts this visitor
    for n in range(2, 7):
        visitor = reader(f"10.1.0.{n}")
        response = fetch(visitor, story.get_absolute_url())
        assert response["X-Cache"] == "HIT"
        assert response.queries == 1  # the view's one upsert, nothing else
        assert "vid" in response.cookies  # a new visitor gets their visitor cookie from a cached page too
        assert fetch(visitor, story.get_absolute_url()).queries == 0  # the same visitor again: not counted
    assert sum(DailyViews.objects.filter(article=story).values_list("views", flat=True)) == 6


def test_a_page_stored_by_an_earlier_release_whose_counting_moved_is_rendered_anew(story):
    reader("10.1.1.1").get(story.get_absolute_url())
    key = pagecache._page_key(RequestFactory().get(story.get_absolute_url()))  # the same host as the Client's
    entry = cache.get(key)
    entry["replays"] = [("news.viewcount.count_view_of_an_earlier_release", args) for _path, args in entry["replays"]]
    cache.set(key, entry)
    pagecache.forget_local_pages()
    response = reader("10.1.1.2").get(story.get_absolute_url())
    assert response["X-Cache"] == "MISS"  # not served without its view counted
    assert reader("10.1.1.3").get(story.get_absolute_url())["X-Cache"] == "HIT"  # stored again, as this release counts
    assert sum(DailyViews.objects.filter(article=story).values_list("views", flat=True)) == 3


def test_ad_impressions_in_cached_pages_are_counted(story):
    slot = AdSlot.objects.create(code="sidebar-premium", name="프리미엄광고", width=300, height=250)
    ad = Ad.objects.create(advertiser="광고주", title="광고", text="텍스트 광고", target_url="https://example.com/",
                           starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() + timedelta(days=1))
    ad.slots.add(slot)
    cache.clear()  # the ad was added after nothing was cached; start cold
    for n in range(4):
        reader(f"10.2.0.{n}").get(story.get_absolute_url())
    counting.flush_impressions()
    assert sum(AdDailyStats.objects.filter(ad=ad).values_list("impressions", flat=True)) == 4


def test_the_page_cache_can_be_switched_off(story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    reader().get(story.get_absolute_url())
    assert fetch(reader(), story.get_absolute_url()).queries > 0


def test_a_change_committed_while_a_page_renders_does_not_stay_cached(story, monkeypatch):
    from news import pagecache, views

    real_render_body = views.render_body

    def render_body_while_an_editor_commits(*args, **kwargs):
        cache.set("pagecache:tag:" + pagecache.article_tag(story.pk), "committed-meanwhile", None)
        return real_render_body(*args, **kwargs)

    monkeypatch.setattr(views, "render_body", render_body_while_an_editor_commits)
    reader().get(story.get_absolute_url())
    monkeypatch.setattr(views, "render_body", real_render_body)
    assert reader().get(story.get_absolute_url())["X-Cache"] == "MISS"  # stored under the old token: stale
    assert reader().get(story.get_absolute_url())["X-Cache"] == "HIT"


def test_a_page_lives_three_quarters_to_all_of_page_cache_seconds(story, settings, monkeypatch):
    from news import pagecache

    settings.PAGE_CACHE_SECONDS = 60  # each page's own share at random, so pages stored together expire apart
    url = story.get_absolute_url()
    for share, still_there, gone in [(1.0, 59, 61), (0.75, 44, 46)]:
        monkeypatch.setattr(pagecache.random, "uniform", lambda low, high, share=share: share)
        cache.clear()
        reader().get(url)
        with time_machine.travel(timezone.now() + timedelta(seconds=still_there)):
            assert reader().get(url)["X-Cache"] == "HIT", share
        with time_machine.travel(timezone.now() + timedelta(seconds=gone)):
            assert reader().get(url)["X-Cache"] == "MISS", share


@pytest.fixture
def memory_clock(settings, monkeypatch):
    """The memory copies' clock, moved by hand: no sleeping, whatever else the machine is doing."""
    from news import pagecache

    now = [1000.0]
    monkeypatch.setattr(pagecache, "_seconds", lambda: now[0])
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    return now


def invalidated_elsewhere(monkeypatch, *tags: str) -> None:
    """What another process's invalidation does to the shared cache; this process's memory is not told."""
    from news import pagecache

    with monkeypatch.context() as other_process:
        other_process.setattr(pagecache, "forget_local_pages", lambda: None)
        pagecache._bump(tags)


def test_a_process_serves_a_checked_page_from_its_memory_for_at_most_the_local_window(story, memory_clock, monkeypatch):
    from news import pagecache

    url = story.get_absolute_url()
    assert [reader().get(url)["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]  # the HIT was checked in the cache
    # Another process invalidates the article: this process goes on serving its copy within the window ...
    invalidated_elsewhere(monkeypatch, pagecache.article_tag(story.pk))
    memory_clock[0] += 0.9
    assert reader().get(url)["X-Cache"] == "HIT"
    memory_clock[0] += 0.2
    assert reader().get(url)["X-Cache"] == "MISS"  # ... and no longer after it


def test_after_the_window_a_memory_copy_is_kept_while_its_tags_stand_and_its_lifetime_lasts(story, memory_clock):
    url = story.get_absolute_url()
    assert [reader().get(url)["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]
    for stored in [k.split(":", 2)[2] for k in list(cache._cache) if "pagecache:page:" in k]:
        cache.delete(stored)  # only the tags' versions are asked for again, not the page
    memory_clock[0] += 5
    assert reader().get(url)["X-Cache"] == "HIT"
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):  # past PAGE_CACHE_SECONDS
        assert reader().get(url)["X-Cache"] == "MISS"


def test_past_the_window_one_request_a_window_tells_a_process_which_copies_still_stand(
        story, section, reporter, memory_clock, monkeypatch):
    from news import pagecache

    stories = [story, *(factories.ArticleFactory(section=section, reporter=reporter) for _ in range(5))]
    urls = [s.get_absolute_url() for s in stories]
    for url in urls:
        assert [reader().get(url)["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]
    asked = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: asked.append(list(keys)) or real_get_many(keys, *a, **k))
    memory_clock[0] += 30
    assert [reader().get(url)["X-Cache"] for url in urls] == ["HIT"] * 6
    assert len(asked) == 1 and all(key.startswith("pagecache:bucket:") for key in asked[0])  # not one a page

    invalidated_elsewhere(monkeypatch, pagecache.article_tag(story.pk))  # a comment on the first story
    memory_clock[0] += 30
    asked.clear()
    assert [reader().get(url)["X-Cache"] for url in urls] == ["MISS"] + ["HIT"] * 5
    # The buckets; the first story's tag (moved) and its page; the others' tags only if they share its
    # bucket (one of 64).
    moved = pagecache._bucket_key(pagecache.article_tag(story.pk))
    sharing = [s for s in stories[1:] if pagecache._bucket_key(pagecache.article_tag(s.pk)) == moved]
    assert len(asked) == 3 + len(sharing)


def test_an_invalidation_in_this_process_drops_its_memory_copies_at_once(story, settings, commit):
    settings.PAGE_CACHE_LOCAL_SECONDS = 3600
    url = story.get_absolute_url()
    assert [reader().get(url)["X-Cache"] for _ in range(3)] == ["MISS", "HIT", "HIT"]
    with commit():
        story.title = "푸동 신교통 개통 연기"
        story.save()
    page = reader().get(url)
    assert page["X-Cache"] == "MISS" and "개통 연기" in page.content.decode()


def test_with_replicas_a_page_is_not_stored_until_they_have_caught_up_with_a_change(story, settings, commit):
    settings.DATABASE_REPLICAS = ["replica1"]  # only the page cache's rule is under test here
    settings.REPLICA_PIN_SECONDS = 10
    with commit():
        story.save()
    assert reader().get(story.get_absolute_url())["X-Cache"] == "MISS"
    assert reader().get(story.get_absolute_url())["X-Cache"] == "MISS"  # served, not stored: a replica may lag
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        reader().get(story.get_absolute_url())
        assert reader().get(story.get_absolute_url())["X-Cache"] == "HIT"


def test_a_reader_with_a_pending_message_is_served_fresh(story):
    reader().get(story.get_absolute_url())
    with_message = reader()
    with_message.cookies["messages"] = "anything"
    assert "X-Cache" not in with_message.get(story.get_absolute_url())


def test_every_scheduled_story_appears_on_time_not_only_the_first(section, reporter, commit):
    now = timezone.now()
    with commit():
        factories.ArticleFactory(title="아홉 시 기사", section=section, reporter=reporter,
                                 published_at=now + timedelta(seconds=20))
        factories.ArticleFactory(title="아홉 시 반 기사", section=section, reporter=reporter,
                                 published_at=now + timedelta(seconds=40))
    with time_machine.travel(now + timedelta(seconds=21)):
        assert "아홉 시 기사" in reader().get(reverse("front")).content.decode()  # stored now, until the next one
    with time_machine.travel(now + timedelta(seconds=41)):
        assert "아홉 시 반 기사" in reader().get(reverse("front")).content.decode()
