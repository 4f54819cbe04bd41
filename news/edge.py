"""Pages as public documents for the HTTP edge (Varnish, or a CDN with surrogate keys), and their purge.

A public page is the same bytes for every reader: it is rendered as for an anonymous reader, carries
`Cache-Control: public, max-age=0, s-maxage=EDGE_MAX_AGE` and a `Surrogate-Key` header naming what it
shows. What is personal comes from the reader's fragment (portal.views.fragment). Keys:

- `site`: on every page (the menu, the site profile, ads, 플러스업체);
- `articles`: pages that list the newest stories of the whole site (front, search, rankings);
- `section-<slug>`: pages that list that section's newest stories (its page, its articles' 관련기사);
- `reporter-<id>`: pages that list that reporter's stories (their page, their articles' 다른기사);
- `article-<id>`: every page that shows the story: its own page and each list it appears in;
- `comments-<id>`: the story's page, which carries its public comment thread;
- `keyword-<id>`: the keyword's page and the pages of the stories tagged with it (their 관련기사);
- `series-<id>`: the series' page and its installments' pages (their previous and next links);
- `corrections`: /corrections/, the list of 정정·반론·추후보도;
- `photo-stories`: /photo/, the list of 포토뉴스 (a story that becomes one, or gets its first photo, enters it).

A change purges its keys once its transaction commits, at every edge in EDGE_PURGE_URLS. A purge that
fails is logged as an error and kept (PendingPurge) to be sent again by the next purge or by
`manage.py purge_edge`; pages also expire by s-maxage. A scheduled story goes live without a save, so no
page is stored past the next scheduled publication.
"""

from __future__ import annotations

import functools
import logging
import time
import urllib.request
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
SITE = "site"
ARTICLES = "articles"
NEXT_PUBLICATION_KEY = "edge:next-publication"
CHANGED_PREFIX = "edge:changed:"  # when each key last changed (kept EDGE_MAX_AGE): see _changed_since


def article_key(article_id: int) -> str:
    return f"article-{article_id}"


def section_key(slug: str) -> str:
    return f"section-{slug}"


def reporter_key(user_id: int) -> str:
    return f"reporter-{user_id}"


def comments_key(article_id: int) -> str:
    return f"comments-{article_id}"


def keyword_key(keyword_id: int) -> str:
    return f"keyword-{keyword_id}"


def series_key(series_id: int) -> str:
    return f"series-{series_id}"


CORRECTIONS = "corrections"
PHOTO_STORIES = "photo-stories"


# ------------------------------------------------------------------------------------------ public pages


def public_page(keys: Callable[..., Iterable[str]]):
    """Serve this view's pages as public documents; `keys(**view_kwargs)` names what the page shows
    besides `site` and the stories it lists (those are added with `shows`)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # The signed-in reader is kept aside for the one thing a public view may ask (a preview); the
            # page itself is rendered as for anyone, without the session, messages or a CSRF token.
            request.reader = request.user
            request.user = AnonymousUser()
            request.public_page = True
            request.edge_keys = {SITE, *keys(**kwargs)}
            started = time.time()
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.cookies
                and getattr(response, "public", True)
                and not _changed_since(request.edge_keys, started)
            ):
                patch_cache_control(response, public=True, max_age=0, s_maxage=max_age())
                response["Surrogate-Key"] = " ".join(sorted(request.edge_keys))
            else:
                patch_cache_control(response, private=True, no_store=True)
            return response

        return wrapper

    return decorator


def _changed_since(keys: set[str], started: float) -> bool:
    """Whether something this page shows changed while it was rendered (or so shortly before that a read
    replica may not have it yet). Such a page is served but not stored: its purge may already have reached
    the edge before the page does, and the edge would then keep the old page until s-maxage."""
    settle = settings.REPLICA_PIN_SECONDS if settings.DATABASE_REPLICAS else 0  # app servers' clocks in sync (NTP)
    changed = cache.get_many([CHANGED_PREFIX + key for key in keys])
    return any(moment >= started - settle for moment in changed.values())


def shows(request: HttpRequest, articles: Iterable) -> None:
    """Record that this page lists these stories: an edit or withdrawal of one of them purges it."""
    if (keys := getattr(request, "edge_keys", None)) is not None:
        keys.update(article_key(article.pk) for article in articles)


# Sources of other changes that happen with nobody saving anything (portal.ads: an ad starting or ending).
# Each is called with the current time and returns the timestamps of the changes it knows are coming.
_upcoming_changes: list[Callable[[float], Iterable[float]]] = []


def changes_at(source: Callable[[float], Iterable[float]]) -> None:
    """Register a source of upcoming unsaved changes: no page is stored past the next of them."""
    _upcoming_changes.append(source)


def max_age() -> int:
    """EDGE_MAX_AGE, or less when a scheduled story goes live sooner, or an ad starts or ends (no save will
    purge for them)."""
    seconds, now = settings.EDGE_MAX_AGE, time.time()
    moments = [moment for source in _upcoming_changes for moment in source(now) if moment > now]
    if publication := _next_publication():
        moments.append(publication)
    if moments:
        seconds = max(1, min(seconds, int(min(moments) - now) + 1))
    return seconds


def _next_publication() -> float | None:
    """When the next scheduled story goes live, or a correction dated ahead appears (a timestamp), if within
    2 × EDGE_MAX_AGE. The moments are asked of the database, in one query, at most once per EDGE_MAX_AGE
    (and after any article or correction change), so the answer always covers a page stored until then."""
    from news.models import Article, Correction

    moments = cache.get(NEXT_PUBLICATION_KEY)
    if moments is None:
        now = timezone.now()
        window = {"published_at__gt": now, "published_at__lte": now + timedelta(seconds=2 * settings.EDGE_MAX_AGE)}
        upcoming = (
            Article.objects.filter(status=Article.Status.PUBLISHED, **window)
            .order_by()  # no model ordering inside a UNION's parts (SQLite refuses it)
            .values_list("published_at", flat=True)
            .union(Correction.objects.filter(**window).order_by().values_list("published_at", flat=True))
        )
        moments = sorted(moment.timestamp() for moment in upcoming.order_by("published_at")[:1000])
        cache.set(NEXT_PUBLICATION_KEY, moments, settings.EDGE_MAX_AGE)
    now = time.time()
    return next((moment for moment in moments if moment > now), None)


# ------------------------------------------------------------------------------------------------ purge


def purge(*keys: str) -> None:
    """Purge every page carrying one of these keys at every edge, once the current transaction commits."""
    if settings.EDGE_PURGE_URLS and keys:
        transaction.on_commit(lambda: send_purge(set(keys)))


def send_purge(keys: set[str]) -> bool:
    """Send the purge now (with any that failed before); a failure is logged and kept for a retry."""
    from news.models import PendingPurge

    # First, so that a page whose render began before this change is not stored after the purge lands.
    cache.set_many({CHANGED_PREFIX + key: time.time() for key in keys}, settings.EDGE_MAX_AGE)

    try:
        pending = list(PendingPurge.objects.all()[:100])
    except DatabaseError:
        pending = []
    expired = timezone.now() - timedelta(seconds=settings.EDGE_MAX_AGE)
    retry = {key for row in pending if row.created_at > expired for key in row.keys.split()}
    if not keys | retry:
        return True
    try:
        _backend().purge(sorted(keys | retry))
    except Exception:  # any transport error: the pages would stay stale until s-maxage
        logger.error("edge purge of %s failed; kept for a retry", sorted(keys | retry), exc_info=True)
        try:
            if keys:
                PendingPurge.objects.create(keys=" ".join(sorted(keys)))
        except DatabaseError:
            logger.exception("edge purge of %s could not be kept for a retry", sorted(keys))
        return False
    if pending:
        PendingPurge.objects.filter(pk__in=[row.pk for row in pending]).delete()
    return True


@functools.cache
def _backend_class(path: str):
    return import_string(path)


def _backend():
    return _backend_class(settings.EDGE_PURGE_BACKEND)(settings.EDGE_PURGE_URLS)


class VarnishXkeyPurge:
    """Varnish with xkey (deploy/varnish/portal.vcl): one `PURGE` request per edge, keys in `xkey-purge`.

    Another edge plugs in as a class with the same two methods named in EDGE_PURGE_BACKEND: a CDN with
    surrogate keys (Fastly's purge by key, Cloudflare's purge by tag) takes the same key list.
    """

    TIMEOUT = 2

    def __init__(self, urls: list[str]):
        self.urls = urls

    def purge(self, keys: list[str]) -> None:
        """Purge at every edge; raise after trying them all if any failed."""
        failed = []
        for url in self.urls:
            request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(keys)})
            try:
                with urllib.request.urlopen(request, timeout=self.TIMEOUT) as answer:  # nosec B310  # our own edges
                    answer.read()
            except OSError as error:
                failed.append(f"{url}: {error}")
        if failed:
            raise OSError("; ".join(failed))


# ------------------------------------------------------------------------ what each change purges


def article_changed(instance, **kwargs) -> None:
    """Saved or deleted: its page, every list that shows it, and the lists it may now enter (its section,
    reporters, series and keywords; a deleted story's keywords are gone, but their pages list it by its key).
    A story that is or was 속보 is in the banner of every page: all of them (`site`)."""
    from news import frontpage

    was_breaking = any(story["pk"] == instance.pk for story in frontpage.breaking_stories())
    transaction.on_commit(lambda: cache.delete_many([NEXT_PUBLICATION_KEY, frontpage.BREAKING_KEY]))
    keys = [article_key(instance.pk), ARTICLES, section_key(instance.section.slug), reporter_key(instance.reporter_id)]
    if was_breaking or (instance.breaking_until and instance.breaking_until > timezone.now()):
        keys.append(SITE)
    if instance.series_id:
        keys.append(series_key(instance.series_id))
    if instance.is_photo_story:  # it may enter /photo/ (one that stops being one is there by its article key)
        keys.append(PHOTO_STORIES)
    if settings.EDGE_PURGE_URLS and kwargs.get("signal") is not post_delete:
        keys += [keyword_key(pk) for pk in instance.keywords.values_list("pk", flat=True)]
        keys += [reporter_key(pk) for pk in instance.co_reporters.values_list("pk", flat=True)]
    purge(*keys)


def pick_changed(instance, **kwargs) -> None:
    """An editor's top-story place set, moved or cleared: the front page (it lists the newest: `articles`)."""
    purge(ARTICLES, article_key(instance.article_id))


def article_bylines_changed(instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Co-reporters added to or taken from a story: its page (the byline) and their reporter pages."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # user.co_reported_articles.add(...): instance is the reporter
        purge(reporter_key(instance.pk), *(article_key(pk) for pk in pk_set or ()))
        return
    if action == "pre_clear":
        pk_set = set(instance.co_reporters.values_list("pk", flat=True))
    purge(article_key(instance.pk), *(reporter_key(pk) for pk in pk_set or ()))


def article_keywords_changed(instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Keywords added to or taken from a story (after its save, in the admin): the keyword pages it enters
    or leaves, and its own page."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # keyword.articles.add(...): instance is the keyword
        purge(keyword_key(instance.pk), *(article_key(pk) for pk in pk_set or ()))
        return
    if action == "pre_clear":
        pk_set = set(instance.keywords.values_list("pk", flat=True))
    purge(article_key(instance.pk), *(keyword_key(pk) for pk in pk_set or ()))


def keyword_changed(instance, **kwargs) -> None:
    """Renamed or deleted: its page and the pages of the stories that show it."""
    purge(keyword_key(instance.pk))


def series_changed(instance, **kwargs) -> None:
    """Renamed or described anew: its page and its installments' pages (lists show "[name N]" too)."""
    installments = instance.installments.values_list("pk", flat=True)
    purge(series_key(instance.pk), *(article_key(pk) for pk in installments))


def correction_changed(instance, **kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(NEXT_PUBLICATION_KEY))  # it may be dated ahead now
    purge(article_key(instance.article_id), CORRECTIONS)


def photo_changed(instance, **kwargs) -> None:
    """Its story's page; for a 포토뉴스 also /photo/, which a story enters with its first photo (and whose
    cover is the first photo: that page is purged by the story's key)."""
    keys = [article_key(instance.article_id)]
    if kwargs.get("signal") is post_save and instance.article.is_photo_story:
        keys.append(PHOTO_STORIES)
    purge(*keys)


def section_changed(instance, **kwargs) -> None:
    purge(SITE, section_key(instance.slug))


def site_changed(**kwargs) -> None:
    """Something every page shows (site profile, an ad, a slot, a 플러스업체) changed."""
    purge(SITE)


def comments_changed(*article_ids: int) -> None:
    purge(*(comments_key(article_id) for article_id in article_ids))
