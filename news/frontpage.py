"""What the desk puts above everything else: the front page's top stories (editors' order, then the
automatic one) and the 속보 banner shown on every page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from news.models import Article

TOP_COUNT = 5  # the lead story and four headlines under it
# Without a pick, a story marked 톱기사 leads while it is this fresh; after that the newest story does.
TOP_STORY_WINDOW = timedelta(days=2)
BREAKING_KEY = "news:breaking"


def top_stories() -> list[Article]:
    """The front page's top stories: editors' picks in their order (those live), then, for the places
    left, the automatic order: a fresh 톱기사 first, then the newest. Two small queries (a third only
    when fewer than TOP_COUNT stories came out in the last TOP_STORY_WINDOW)."""
    live = Article.objects.published().for_listing()
    picked = list(live.filter(pick__isnull=False).order_by("pick__position", "-pick__picked_at")[:TOP_COUNT])
    if len(picked) == TOP_COUNT:
        return picked
    want = TOP_COUNT - len(picked)
    others = live.exclude(pk__in=[story.pk for story in picked])
    recent = others.filter(published_at__gte=timezone.now() - TOP_STORY_WINDOW)
    automatic = list(recent.order_by("-featured", "-published_at", "-id")[:want])
    if len(automatic) < want:
        automatic += others.exclude(pk__in=[story.pk for story in automatic])[: want - len(automatic)]
    return picked + automatic


def breaking_story() -> dict | None:
    """The 속보 on every page now: the newest live story whose breaking_until is still ahead, as
    {"pk", "title", "url"} (None without one). Which stories are breaking is cached (dropped on any article
    change); which one shows is decided by the clock here, and `upcoming_changes` bounds how long the edge
    may keep a page, so the banner comes and goes on time without a save."""
    now = timezone.now()
    live = [story for story in breaking_stories() if story["published_at"] <= now < story["until"]]
    if not live:
        return None
    story = max(live, key=lambda story: (story["published_at"], story["pk"]))
    return {"pk": story["pk"], "title": story["title"], "url": story["url"]}


def upcoming_changes(now: float) -> list[float]:
    """When a 속보 appears (its story goes live) or ends: the pages change then, unsaved (news.edge)."""
    return [moment.timestamp() for story in breaking_stories() for moment in (story["published_at"], story["until"])]


def breaking_stories() -> list[dict]:
    """Published stories whose breaking_until is still ahead, live or scheduled (one query through a
    partial index, then cached until any article changes)."""
    stories = cache.get(BREAKING_KEY)
    if stories is None:
        rows = Article.objects.filter(status=Article.Status.PUBLISHED, breaking_until__gt=timezone.now())
        stories = [
            {
                "pk": pk,
                "title": title,
                "published_at": published_at,
                "until": until,
                "url": Article(pk=pk).get_absolute_url(),
            }
            for pk, title, published_at, until in rows.values_list("pk", "title", "published_at", "breaking_until")[:20]
        ]
        cache.set(BREAKING_KEY, stories, settings.EDGE_MAX_AGE)
    return stories
