"""Counting article views, brought by the page's beacon: who counts, once per visitor per article per
window, into per-day rows.

A view is a beacon the article page's script sends (portal.views.beacon); readers without JavaScript
are not counted. Not counted: bots and tools by user agent, prefetches, staff, previews (their pages
carry no beacon) and articles that are not live. A visitor is our signed first-party cookie, else a
salted hash of address and user agent (no raw address is stored); one address is admitted at most
VIEW_NEW_VISITORS_PER_ADDRESS new visitors a window, so changing the user agent or dropping the cookie
cannot mint visitors without end.

With VIEW_BUFFER_URL, the dedupe mark and the count are one script in that Redis, counts wait in a
hash (see Buffer), and `flush_views` moves them to PostgreSQL exactly once; without it, dedupe marks
live in the cache and each counted view is one upsert.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from redis import Redis
from redis.exceptions import ResponseError

from news.models import Article, DailyViews, ViewFlush

logger = logging.getLogger(__name__)
COOKIE = "vid"
COOKIE_SALT = "news.viewcount.visitor"
BOTS = re.compile(
    # "bot" as a crawler's name part (Googlebot/2.1, bingbot, AhrefsBot) but not a phone brand (CUBOT);
    # Daum's crawler is Daumoa (the Daum app's own browser is a reader). Matched against the lowered agent.
    r"(?<!cu)bot\b|bot/|crawl|spider|slurp|scrap|fetch|monitor|curl|wget|python-|httpx|aiohttp|go-http|java/"
    r"|okhttp|headless|phantom|lighthouse|facebookexternalhit|daumoa|yeti|baidu|bytespider|petal",
)
# Pending counts wait this long at most for a flush (any flush renames them first): no key without an expiry.
BUFFER_KEEP_SECONDS = 7 * 24 * 3600
# A beacon in one round trip: the view counted exactly when its visitor's mark is new (KEYS[1], KEYS[2]:
# mark, pending views; ARGV[2] "" when the page counts no view), then one count in KEYS[3] for each further
# field (ad impressions). ARGV: the mark's window, the view's field, how long pending counts may wait, fields.
_COUNT_BEACON = """
local counted = 0
if ARGV[2] ~= '' and redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  counted = 1
end
for i = 4, #ARGV do redis.call('HINCRBY', KEYS[3], ARGV[i], 1) end
if #ARGV >= 4 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
return counted
"""


def is_reader_request(request) -> bool:
    """A reader's browser at work: not a prefetch, not a bot or a tool, not staff (the newsroom or ad
    managers looking at their own pages). The one rule that views, ad impressions and clicks count by."""
    if request.method not in ("GET", "POST"):
        return False
    # Staff are signed in: without a session cookie the (lazy) user need not be loaded at all.
    user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
    if user is not None and user.is_authenticated and user.is_staff:
        return False
    meta = request.META
    purpose = " ".join(
        meta.get(h, "") for h in ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
    ).lower()
    if "prefetch" in purpose or "prerender" in purpose or "preview" in purpose:
        return False
    agent = meta.get("HTTP_USER_AGENT", "")
    return bool(agent) and not BOTS.search(agent.lower())


def client_ip(request) -> str:
    """The client's address: the socket's, or with TRUSTED_PROXY_COUNT proxies the one the outermost proxy saw.
    The one rule for view counting, ad counting and login throttling (AXES_CLIENT_IP_CALLABLE)."""
    if settings.TRUSTED_PROXY_COUNT:  # X-Forwarded-For is whatever the client says unless a trusted proxy set it
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            hop = hops[-settings.TRUSTED_PROXY_COUNT]
            try:  # a misconfigured proxy count must not let junk through (axes stores it in an inet column)
                return str(ipaddress.ip_address(hop))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


def _hash(*parts: str) -> str:
    return hashlib.blake2b("|".join([*parts, settings.SECRET_KEY]).encode(), digest_size=12).hexdigest()


def address_key(address: str) -> str:
    """An address as the site keeps it where it must tell addresses apart (the new-visitor cap, comment
    reports): a keyed hash, never the address itself."""
    return _hash(address)


@functools.cache
def _signer(key: str, fallback_keys: tuple[str, ...]) -> signing.Signer:
    return signing.Signer(key=key, fallback_keys=fallback_keys, salt=COOKIE_SALT)


def visitor(request) -> tuple[str, str | None]:
    """(visitor key, new cookie value or None). The cookie is signed, so ids cannot be minted by hand, and it
    keeps a visitor the same one when their address changes (a phone moving between networks)."""
    signer = _signer(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
    if signed := request.COOKIES.get(COOKIE):
        try:
            return signer.unsign(signed), None
        except signing.BadSignature:
            pass
    # The new id is the fingerprint itself: one address and browser can only ever be handed one id.
    fingerprint = "h" + _hash(client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
    return fingerprint, signer.sign(fingerprint)


def admitted_visitor(request) -> tuple[str, str | None] | None:
    """visitor(), or None when this is a new visitor past its address's VIEW_NEW_VISITORS_PER_ADDRESS for the
    window: the rule for views and ad clicks alike."""
    key, new_cookie = visitor(request)
    if new_cookie is None:
        return key, None
    window, address = settings.VIEW_DEDUPE_SECONDS, address_key(client_ip(request))
    mark = f"visitor:{address}:{key}"  # 1: admitted, 0: refused (so that asking again changes nothing)
    try:
        if cache.add(mark, 1, window):  # a visitor this address has not brought yet
            cache.add(f"visitors:{address}", 0, window)
            if cache.incr(f"visitors:{address}") > settings.VIEW_NEW_VISITORS_PER_ADDRESS:
                cache.set(mark, 0, window)
                return None
        elif cache.get(mark) == 0:
            return None
    except Exception:  # the shared cache is down: admit (over-counted while it is, never lost)
        logger.warning("new-visitor cap unavailable; admitting the visitor", exc_info=True)
    return key, new_cookie


def count_beacon(request, article_id: int | None, other: Buffer | None = None, other_ids: list[int] = ()) -> str | None:
    """Count what a page's beacon brings: the article's view, if it should count (once per visitor per
    window), and one count in `other` for each of other_ids (the ads the page showed). One round trip to
    the buffer. Return a visitor cookie to set, if any."""
    if not is_reader_request(request):
        return None
    key = new_cookie = None
    if article_id is not None and settings.VIEW_COUNTING and (admitted := admitted_visitor(request)) is not None:
        key, new_cookie = admitted
    if key is None and not other_ids:
        return None
    day = timezone.localdate()
    if settings.VIEW_BUFFER_URL:
        try:
            _count_in_buffer(
                keys=[f"views:seen:{article_id}:{key}", VIEWS.pending, other.pending if other else ""],
                args=[
                    settings.VIEW_DEDUPE_SECONDS,
                    f"{article_id}:{day.isoformat()}" if key else "",
                    BUFFER_KEEP_SECONDS,
                    *(f"{item}:{day.isoformat()}" for item in other_ids),
                ],
            )
            return new_cookie
        except Exception:  # the buffer is down or refuses: count in the database rather than lose the counts
            logger.warning("view buffer unavailable; counting in the database", exc_info=True)
    if (
        key is not None
        and _first_time_in_cache(article_id, key)
        and Article.objects.published().filter(pk=article_id).exists()
    ):
        _upsert([(article_id, day, 1)])
    if other_ids:
        other.apply(Counter((item, day) for item in other_ids))
    return new_cookie


def _count_in_buffer(*, keys: list[str], args: list) -> None:
    _redis().register_script(_COUNT_BEACON)(keys=keys, args=args)  # sent by its digest (EVALSHA)


def _first_time_in_cache(article_id: int, key: str) -> bool:
    try:
        return cache.add(f"seen:{article_id}:{key}", 1, settings.VIEW_DEDUPE_SECONDS)
    except Exception:  # the shared cache is down: while it is, reloads count again (over-counted, never lost)
        logger.warning("view dedupe unavailable; counting the view", exc_info=True)
        return True


def add_views(counts: dict[tuple[int, date], int]) -> None:
    """Add (article, day) increments; articles no longer live (withdrawn, deleted, or never real) drop out."""
    live_ids = set(Article.objects.published().filter(pk__in={a for a, _ in counts}).values_list("pk", flat=True))
    _upsert([(a, d, n) for (a, d), n in counts.items() if n and a in live_ids])


def _upsert(rows: list[tuple[int, date, int]]) -> None:
    increment_counts(DailyViews, ["article_id", "day"], "views", rows)


def increment_counts(model, keys: list[str], counter: str, rows: list[tuple]) -> None:
    """Add to per-key counters in one INSERT ... ON CONFLICT DO UPDATE SET counter = counter + new.

    Raw SQL because the ORM's bulk_create can only overwrite on conflict; counters must add to what is
    stored (never read-modify-write). Each row is the key values followed by the amount to add.
    """
    if not rows:
        return
    rows = sorted(rows)  # two flushes lock overlapping rows in the same order: they wait, not deadlock
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(counter)
    names = ", ".join(quote(name) for name in [*keys, counter])
    values = ", ".join(["(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES {values} "  # nosec B608  # names are ours, values are params
            f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {column} = {table}.{column} + EXCLUDED.{column}",
            [value for row in rows for value in row],
        )


@functools.cache
def _redis() -> Redis:  # one client a process: its connection pool serves every thread
    return Redis.from_url(settings.VIEW_BUFFER_URL, socket_timeout=1, socket_connect_timeout=1)


class Buffer:
    """Counts waiting in a Redis hash (`<name>:pending`, fields "<id>:<day>"), moved to the database exactly
    once by `flush()`:

    1. RENAME the pending hash to a batch key (atomic: new counts start a fresh pending hash).
    2. In one transaction, add the batch's counts and record the batch id (ViewFlush, unique).
    3. Delete the batch key.
    Killed after 1: the next flush finds the batch key and applies it. Killed after 2: the recorded id
    tells the next flush it is done, and it only deletes the key. Two at once: the unique id lets one
    transaction win; the other rolls back.
    """

    every: list[Buffer] = []  # what `flush_views` and the site's own flushes move: views, and ad impressions

    def __init__(self, name: str, apply: Callable[[dict[tuple[int, date], int]], None]):
        self.pending, self.prefix, self.apply = f"{name}:pending", f"{name}:flushing:", apply
        Buffer.every.append(self)

    def flush(self) -> int:
        """Move what waits to the database; return how many counts moved."""
        client = _redis()
        moved = sum(self._apply_batch(client, key.decode()) for key in client.scan_iter(f"{self.prefix}*"))
        batch_key = f"{self.prefix}{uuid.uuid4().hex}"
        try:
            client.rename(self.pending, batch_key)
        except ResponseError as error:  # "no such key": nothing new to flush
            if "no such key" not in str(error).lower():
                raise
            return moved
        return moved + self._apply_batch(client, batch_key)

    def _apply_batch(self, client: Redis, batch_key: str) -> int:
        batch = batch_key.removeprefix(self.prefix)
        counts = {}
        for field, value in client.hgetall(batch_key).items():
            item_id, day = field.decode().split(":")
            counts[(int(item_id), date.fromisoformat(day))] = int(value)
        total = sum(counts.values())
        applied = 0
        if not ViewFlush.objects.filter(batch=batch).exists():
            try:
                with transaction.atomic():
                    ViewFlush.objects.create(batch=batch, views=total)
                    self.apply(counts)
                applied = total
            except IntegrityError:
                if not ViewFlush.objects.filter(batch=batch).exists():
                    raise  # not a concurrent flush: keep the batch for the next run
        client.delete(batch_key)
        return applied


VIEWS = Buffer("views", add_views)


def flush_buffers() -> int:
    """Flush every buffer (views, ad impressions); return how many counts moved."""
    return sum(buffer.flush() for buffer in Buffer.every)


_next_flush_look = 0.0


def flush_if_due() -> None:
    """Every VIEW_FLUSH_SECONDS, one process of the whole site (whichever sets the shared due mark first)
    flushes the buffers, so that a site without a scheduler still gets its counts into PostgreSQL and
    the rankings are about that far behind at most. Each process looks at most that often."""
    global _next_flush_look
    interval, now = settings.VIEW_FLUSH_SECONDS, time.monotonic()
    if interval <= 0 or not settings.VIEW_BUFFER_URL or now < _next_flush_look:
        return
    _next_flush_look = now + interval
    try:
        if _redis().set("views:flush-due", 1, nx=True, ex=interval):
            flush_buffers()
    except Exception:  # the counts stay in Redis for the next flush
        logger.exception("buffered counts not flushed; they wait for the next flush")
