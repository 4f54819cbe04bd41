"""Whole pages for anonymous readers, kept in the shared cache and dropped when what they show changes.

A reader without a session cookie gets the same HTML as every other such reader, so a rendered page is
stored under its host, path and query and served again from the cache (Redis in production) until
PAGE_CACHE_SECONDS pass or one of its tags is invalidated:

- `site`: anything every page shows or lists (an article published, edited or withdrawn, a section, the
  site profile, an ad). Every listing (front, sections, search, rankings, reporters, directory) drops
  with it at once.
- `article-<id>`: one article page (its body, its photos, its comment thread). Article pages do not
  carry `site`: the boxes around the story (other stories, the menu, ads) may be up to
  PAGE_CACHE_SECONDS old, so that an edit of one story does not render every article page of the
  archive again (on a big story's day, editors save every few minutes, and each hot article page costs a
  render of tens of milliseconds).
- `section-<slug>`: one section's pages (named for a CDN purge; they depend on `site` as well).

Tags are version tokens in the cache; invalidating one replaces its token once the transaction commits
(`transaction.on_commit`: bumping earlier would let a concurrent reader re-cache the old rows under the
new token). A page stores the tokens it was rendered under and is a miss when any has changed.

Each process also keeps the pages it has recently served (PAGE_CACHE_LOCAL_SECONDS, 1 s with Redis): a
page checked against the tags in Redis is served from the process's memory for that long without asking
Redis again. An invalidation made in the process drops them at once; one made in another process reaches
this one within that second (what a reader who loaded the page a second earlier would have seen). To
know that without asking about each page every second, every tag also belongs to one of 64 buckets whose
tokens change with it: once a window the process reads all the buckets' tokens in one request, and a
copy whose buckets have not moved since it was checked stays good without a question of its own.

Signed-in readers, staff, and any response that set a cookie other than the visitor cookie, used a CSRF
token or touched the session are never stored: per-user content cannot reach a shared entry.
Side effects of serving a page (a view counted, an ad impression) are recorded with `repeat_on_hit`
and run again on every hit, so caching a page never loses a count.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import random
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
SITE = "site"
NEXT_PUBLICATION_KEY = "pagecache:next-publication"
_VERSION_PREFIX = "pagecache:tag:"
_REPLAYS = "_pagecache_replays"
_LOCAL_PAGES = 1000  # per process: about 35 MB of article pages
# page key -> (checked at, entry, its buckets' tokens when checked), oldest first
_local: OrderedDict[str, tuple[float, dict, tuple | None]] = OrderedDict()
_local_lock = threading.Lock()
_generation = 0  # counts this process's invalidations
_BUCKET_KEYS = [f"pagecache:bucket:{n}" for n in range(64)]
_buckets: tuple[float, dict[str, str] | None] = (float("-inf"), None)  # (read at, bucket key -> token)


def article_tag(article_id: int) -> str:
    return f"article-{article_id}"


def section_tag(slug: str) -> str:
    return f"section-{slug}"


def invalidate(*tags: str) -> None:
    """Make every cached page carrying one of these tags a miss, once the current transaction commits."""
    transaction.on_commit(lambda: _bump(tags))


def _bump(tags) -> None:
    tokens = {_VERSION_PREFIX + tag: _new_token() for tag in tags}
    tokens |= {_bucket_key(tag): _new_token() for tag in tags}  # one MSET: a bucket moves with its tags
    try:
        # Past the resilient wrapper (portal/cache.py): a lost invalidation would keep a withdrawn story up
        # until PAGE_CACHE_SECONDS, so it is logged as an error, not a warning.
        getattr(cache, "set_many_strict", cache.set_many)(tokens, None)
    except Exception:
        logger.error("page cache invalidation of %s failed", sorted(tags), exc_info=True)
    forget_local_pages()  # after the new tokens are written: a lookup started before cannot keep its copy


def article_saved(instance, **kwargs) -> None:
    """An article saved or deleted: its page, its section and every listing may show something else now."""
    invalidate(SITE, article_tag(instance.pk), section_tag(instance.section.slug))
    if instance.published_at and instance.published_at > timezone.now() and instance.status == instance.Status.PUBLISHED:
        note_scheduled_publication(instance.published_at)


def photo_saved(instance, **kwargs) -> None:
    invalidate(article_tag(instance.article_id))


def section_saved(instance, **kwargs) -> None:
    invalidate(SITE, section_tag(instance.slug))


def site_changed(**kwargs) -> None:
    """Something every page shows (site profile, an ad, a 플러스업체) changed."""
    invalidate(SITE)


def note_scheduled_publication(moment: datetime) -> None:
    """An article goes live at `moment` without anyone saving it: no page stored before then may outlive it."""
    def remember() -> None:
        now = timezone.now()
        moments = sorted({m for m in cache.get(NEXT_PUBLICATION_KEY) or [] if m > now} | {moment})[:1000]
        cache.set(NEXT_PUBLICATION_KEY, moments, None)

    transaction.on_commit(remember)


def _next_publication() -> datetime | None:
    now = timezone.now()
    return next((m for m in cache.get(NEXT_PUBLICATION_KEY) or [] if m > now), None)


def repeat_on_hit(request: HttpRequest, func: Callable, *args) -> None:
    """Have `func(request, response, *args)` run again whenever this page is served from the cache.

    For side effects of serving a page that must not be lost to caching: the caller runs it this time.
    """
    request.__dict__.setdefault(_REPLAYS, []).append((f"{func.__module__}.{func.__qualname__}", args))


@functools.cache
def _replay_function(path: str) -> Callable:
    return import_string(path)  # once per process: a hit of an article page replays several (view, ads)


def _replayable(entry: dict) -> bool:
    """Whether this release still has every side effect the stored page names. A page stored by an earlier
    release whose counting function has since moved would otherwise be served without counting its views
    until it expired; it is rendered anew instead."""
    try:
        for path, _args in entry["replays"]:
            _replay_function(path)
    except ImportError:
        return False
    return True


def cache_for_readers(tags: Callable[..., list[str]], *, site_wide: bool = True):
    """Serve this view's 200 pages to anonymous readers from the shared cache; `tags(**view_kwargs)` names
    what the page shows, without touching the database. With site_wide=False the page does not drop with
    `site`: only its own tags, or PAGE_CACHE_SECONDS, renew it."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _is_shareable_request(request):
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True)
                return response
            page_tags = [SITE, *tags(**kwargs)] if site_wide else tags(**kwargs)
            key = _page_key(request)
            response, versions = _lookup(key, page_tags)
            if response is not None:
                for path, replay_args in response.replays:
                    try:
                        _replay_function(path)(request, response, *replay_args)
                    except Exception:  # e.g. the database is down: the reader still gets the stored page
                        logger.warning("page cache replay %s failed", path, exc_info=True)
            else:
                # The versions were read before rendering: a change committed while this page renders
                # leaves it stored under the old tokens, stale at once rather than for PAGE_CACHE_SECONDS.
                response = view(request, *args, **kwargs)
                _store(request, response, key, page_tags, versions)
            response["Surrogate-Key"] = " ".join(page_tags)
            # Browsers and proxies ask again every time: a proxy holding pages would stop view counting. A
            # response that sets a cookie (a new visitor's) is this reader's alone.
            patch_cache_control(response, max_age=0, must_revalidate=True,
                                **({"private": True} if response.cookies else {"public": True}))
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorator


def _is_shareable_request(request: HttpRequest) -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    # A session (signed in) or a pending message (Django's cookie storage) may make the page personal.
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return False
    return not request.user.is_authenticated  # no session cookie: answered without the database


def _page_key(request: HttpRequest) -> str:
    # Sorted by name only (stable): ?q=a&q=b and ?q=b&q=a stay apart, since Django reads the last value.
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&"), key=lambda pair: pair.split("=", 1)[0]))
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return "pagecache:page:" + hashlib.sha256(address.encode()).hexdigest()


def _lookup(key: str, tags: list[str]) -> tuple[HttpResponse | None, dict[str, str] | None]:
    """The cached page if its tags are unchanged (from this process's memory if checked within
    PAGE_CACHE_LOCAL_SECONDS or if none of its buckets has moved since, else one round trip), else None
    and the tags' current versions."""
    window = settings.PAGE_CACHE_LOCAL_SECONDS
    version_keys = [_VERSION_PREFIX + tag for tag in tags]
    generation = _generation  # a copy may be kept only if no invalidation happened in this process meanwhile
    # Read before the page's own check: a change after it moves a bucket this stamp does not have.
    stamp = _stamp(tags, window) if window > 0 else None
    if window > 0:
        with _local_lock:
            checked_at, entry, checked_stamp = _local.get(key, (0.0, None, None))
        if entry is not None and entry["tags"] == tags and time.time() < entry.get("expires", 0.0):
            if _seconds() - checked_at < window or (stamp is not None and stamp == checked_stamp):
                return _hit(entry), None
            # Its window has passed: ask only whether the tags moved (a few bytes, not the page again).
            versions = cache.get_many(version_keys)
            if entry["versions"] == versions:
                _keep_local(key, entry, generation, stamp)
                return _hit(entry), None
    found = cache.get_many([key, *version_keys])
    versions = {k: found[k] for k in version_keys if k in found}
    entry = found.get(key)
    if entry is not None and entry["tags"] == tags and entry["versions"] == versions and _replayable(entry):
        if window > 0:
            _keep_local(key, entry, generation, stamp)
        return _hit(entry), None
    return None, _complete(versions, version_keys)


def _seconds() -> float:
    return time.monotonic()  # the memory copies' clock (a test may stand in for it)


@functools.lru_cache(maxsize=4096)
def _bucket_key(tag: str) -> str:
    return _BUCKET_KEYS[zlib.crc32(tag.encode()) % len(_BUCKET_KEYS)]


def _stamp(tags: list[str], window: float) -> tuple | None:
    """The tokens of these tags' buckets, read from Redis at most once a window for all buckets; None when
    they cannot be known (the copy is then checked on its own)."""
    global _buckets
    read_at, tokens = _buckets
    now = _seconds()
    if now - read_at >= window:
        tokens = _complete(cache.get_many(_BUCKET_KEYS), _BUCKET_KEYS)
        _buckets = (now, tokens)
    return None if tokens is None else tuple(tokens[_bucket_key(tag)] for tag in tags)


def _keep_local(key: str, entry: dict, generation: int, stamp: tuple | None) -> None:
    with _local_lock:
        if generation != _generation:
            return
        _local[key] = (_seconds(), entry, stamp)
        _local.move_to_end(key)
        while len(_local) > _LOCAL_PAGES:
            _local.popitem(last=False)


def _hit(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["X-Cache"] = "HIT"
    response.replays = entry["replays"]
    return response


def forget_local_pages() -> None:
    """Drop this process's copies: the next request of each page asks Redis whether it is still current."""
    global _generation, _buckets
    with _local_lock:
        _generation += 1
        _local.clear()
        _buckets = (float("-inf"), None)


def _store(request: HttpRequest, response: HttpResponse, key: str, tags: list[str],
           versions: dict[str, str] | None) -> None:
    response["X-Cache"] = "MISS"
    if response.status_code != 200 or response.streaming or not _is_impersonal(request, response):
        return
    if versions is None or _recently_changed(versions):
        return
    # Up to a quarter sooner, at random: pages stored together (after an edit of the site, a deploy) then
    # expire apart instead of all being rendered again in the same second.
    timeout = max(1, round(settings.PAGE_CACHE_SECONDS * random.uniform(0.75, 1.0)))  # noqa: S311  # nosec B311
    if next_publication := _next_publication():
        timeout = max(1, min(timeout, int((next_publication - timezone.now()).total_seconds())))
    cache.set(key, {
        "tags": tags,
        "versions": versions,
        "expires": time.time() + timeout,  # a copy kept in a process's memory ends with the shared one
        "content": response.content,
        "content_type": response["Content-Type"],
        "replays": request.__dict__.get(_REPLAYS, []),
    }, timeout)


def _is_impersonal(request: HttpRequest, response: HttpResponse) -> bool:
    """Nothing in this response belongs to one reader: no cookie but the visitor cookie (replayed per
    reader on each hit), no CSRF token in the page, no session written."""
    from news.viewcount import COOKIE as VISITOR_COOKIE

    if set(response.cookies) - {VISITOR_COOKIE}:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    return session is None or not session.modified


def _complete(versions: dict[str, str], version_keys: list[str]) -> dict[str, str] | None:
    """Give tags that have no version yet (never invalidated, or evicted) one; None if the cache is not answering."""
    if missing := set(version_keys) - set(versions):
        try:
            for version_key in missing:
                cache.add(version_key, _new_token(), None)  # add: two workers storing at once agree on one token
        except Exception:  # the cache is not answering (a miss then costs nothing more than a render)
            return None
        versions = cache.get_many(version_keys)
    return versions if len(versions) == len(version_keys) else None


def _new_token() -> str:
    return f"{time.time():.3f}-{uuid.uuid4().hex[:12]}"


def _recently_changed(versions: dict[str, str]) -> bool:
    """With read replicas, a page rendered just after a change may have read a replica that has not replayed
    it yet: such a page is served but not stored until the replicas have had REPLICA_PIN_SECONDS to catch up."""
    if not getattr(settings, "DATABASE_REPLICAS", None):
        return False
    settle = time.time() - settings.REPLICA_PIN_SECONDS
    return any(float(token.split("-", 1)[0]) > settle for token in versions.values())
