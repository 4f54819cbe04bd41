"""Counting article views: who counts, once per visitor per article per window, into per-day rows.

A view is an article page served with 200 to a reader. Not counted: HEAD and prefetch requests, bots by
user agent, previews of unpublished articles. A visitor is our signed first-party cookie, else a salted
hash of IP and user agent (no raw IP is stored anywhere). Dedupe marks live in the cache (Redis in
production, so all workers share them). With VIEW_BUFFER_URL set, the dedupe mark and the count are one
script in that Redis (marks never evicted with cached pages), sent without waiting for its answer (see
_CountSender), counts wait in a hash, and `flush_views` moves them to PostgreSQL exactly once: every
VIEW_FLUSH_SECONDS one process of the site starts it by itself, and a scheduled run does the same.
Otherwise each counted view is one upsert.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import re
import threading
import time
import uuid
from collections import deque
from datetime import date, timedelta
from typing import NoReturn

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from redis.connection import ConnectionPool
from redis.exceptions import RedisError, ResponseError

from news.models import Article, DailyViews, ViewFlush

logger = logging.getLogger(__name__)
COOKIE = "vid"
COOKIE_SALT = "news.viewcount.visitor"
BOTS = re.compile(
    # "bot" as a crawler's name part (Googlebot/2.1, bingbot, AhrefsBot) but not a phone brand (CUBOT);
    # Daum's crawler is Daumoa (the Daum app's own browser is a reader). Matched against the lowered user
    # agent: with re.IGNORECASE the search took 18 µs of a browser's agent, a tenth of a cached page's cost.
    r"(?<!cu)bot\b|bot/|crawl|spider|slurp|scrap|fetch|monitor|curl|wget|python-|httpx|aiohttp|go-http|java/"
    r"|okhttp|headless|phantom|lighthouse|facebookexternalhit|daumoa|yeti|baidu|bytespider|petal",
)
PENDING_KEY = "views:pending"
FLUSHING_PREFIX = "views:flushing:"
FLUSH_DUE_KEY = "views:flush-due"
# The mark and the count in one step: a view is counted exactly when its visitor's mark is new.
_COUNT_ONCE = """
if redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 1
end
return 0
"""


def is_countable(request) -> bool:
    return getattr(settings, "VIEW_COUNTING", True) and is_reader_request(request)


def is_reader_request(request) -> bool:
    """A GET a reader's browser made to look at the page: not HEAD, not a prefetch, not a bot or a tool,
    and not staff (the newsroom or ad managers looking at their own pages). The one rule that article
    views and ad impressions and clicks all count by; decided once per request (a page counts several)."""
    try:
        return request._is_reader_request
    except AttributeError:
        request._is_reader_request = _judge_reader(request)
        return request._is_reader_request


def _judge_reader(request) -> bool:
    if request.method != "GET":
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return False
    # META rather than request.headers: building the headers mapping costs more than the whole rule.
    meta = request.META
    purpose = " ".join(meta.get(h, "") for h in ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")).lower()
    if "prefetch" in purpose or "prerender" in purpose or "preview" in purpose:
        return False
    agent = meta.get("HTTP_USER_AGENT", "")
    return bool(agent) and not BOTS.search(agent.lower())


def client_ip(request) -> str:
    """The client's address: the socket's, or with TRUSTED_PROXY_COUNT proxies the one the outermost proxy saw.
    The one rule for view counting, ad counting and login throttling (AXES_CLIENT_IP_CALLABLE)."""
    # X-Forwarded-For is whatever the client says unless a trusted proxy set it.
    if getattr(settings, "TRUSTED_PROXY_COUNT", 0):
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            hop = hops[-settings.TRUSTED_PROXY_COUNT]
            try:  # a misconfigured proxy count must not let junk through (axes stores it in an inet column)
                return str(ipaddress.ip_address(hop))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


def _fingerprint(request) -> str:
    raw = f"{client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}|{settings.SECRET_KEY}"
    return "h" + hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


@functools.cache
def _signer(key: str, fallback_keys: tuple[str, ...]) -> signing.Signer:
    return signing.Signer(key=key, fallback_keys=fallback_keys, salt=COOKIE_SALT)


def visitor(request) -> tuple[str, str | None]:
    """(visitor key, new cookie value or None). The cookie is signed, so ids cannot be minted by hand, and it
    keeps a visitor the same one when their IP changes (a phone moving between networks)."""
    # The id signed as it is (hex: nothing to encode), by one Signer a process: signing.dumps (JSON, base64
    # and a new Signer each call) took twice as long, on every new reader. A cookie given in dumps's form
    # still verifies (same salt and signature); its id is then its signed text, one per cookie as before.
    signer = _signer(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
    signed = request.COOKIES.get(COOKIE)
    if signed:
        try:
            return signer.unsign(signed), None
        except signing.BadSignature:
            pass
    # The new id is the fingerprint itself: one IP and browser can only ever be handed one id, so
    # collecting fresh cookies cannot mint new visitors.
    fingerprint = _fingerprint(request)
    return fingerprint, signer.sign(fingerprint)


_today = (0.0, 0.0, date.min)  # (from, until) as timestamps, and the local date between them


def shanghai_day(moment=None) -> date:
    """The portal's local date (TIME_ZONE) of `moment`, or of now: kept until midnight, since every view
    and ad impression asks."""
    global _today
    if moment is not None:
        return timezone.localtime(moment).date()
    now = time.time()
    start, until, day = _today
    if start <= now < until:
        return day
    local = timezone.localtime()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    day = local.date()
    _today = (midnight.timestamp(), (midnight + timedelta(days=1)).timestamp(), day)
    return day


def record_view(request, article_id: int) -> str | None:
    """Count this request's view of the article if it should count; return a cookie value to set, if any."""
    if not is_countable(request):
        return None
    key, new_cookie = visitor(request)
    window = getattr(settings, "VIEW_DEDUPE_SECONDS", 30 * 60)
    if _buffer_usable():
        day = shanghai_day()
        try:
            refused = _sender().count((article_id, day), keys=[f"views:seen:{article_id}:{key}", PENDING_KEY],
                                      args=[window, f"{article_id}:{day.isoformat()}"])
        except BufferUnavailable as exc:  # away: this view is deduped in the cache and counted below
            _buffer_failed()
            _count_in_database(exc.views)
        else:
            _count_in_database(refused)
            _flush_soon_if_due()
            return new_cookie
    try:
        first_time = cache.add(f"seen:{article_id}:{key}", 1, window)
    except Exception:  # the shared cache is down: while it is, reloads count again (over-counted, never lost)
        logger.warning("view dedupe unavailable; counting the view", exc_info=True)
        first_time = True
    if first_time:
        add_view(article_id)
    return new_cookie


def count_view(request, response, article_id: int) -> None:
    """Count a served article page as a view if it should count, and give a new visitor their cookie."""
    if new_cookie := record_view(request, article_id):
        response.set_cookie(COOKIE, new_cookie, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=request.is_secure())


def add_view(article_id: int, day: date | None = None) -> None:
    day = day or shanghai_day()
    if _buffer_usable():
        try:
            _redis().hincrby(PENDING_KEY, f"{article_id}:{day.isoformat()}", 1)
        except Exception:  # Redis down: count straight into the database rather than lose the view
            _buffer_failed()
        else:
            _flush_soon_if_due()
            return
    _upsert([(article_id, day, 1)])  # the one write of a counted view


_buffer_down_until = 0.0
BUFFER_RETRY_SECONDS = 10


def _buffer_usable() -> bool:
    return bool(getattr(settings, "VIEW_BUFFER_URL", "")) and time.monotonic() >= _buffer_down_until


def _buffer_failed() -> None:
    """The buffer did not answer: this process counts views without it for BUFFER_RETRY_SECONDS, so that
    readers do not wait for a Redis timeout on every page and the log gets one warning, not one a view."""
    global _buffer_down_until
    _buffer_down_until = time.monotonic() + BUFFER_RETRY_SECONDS
    logger.warning("view buffer unavailable; counting views in the database for %d s", BUFFER_RETRY_SECONDS,
                   exc_info=True)


def add_views(counts: dict[tuple[int, date], int]) -> None:
    """Add buffered (article, day) increments; articles deleted since they were viewed drop out."""
    live_ids = set(Article.objects.filter(pk__in={a for a, _ in counts}).values_list("pk", flat=True))
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
    # Rows in key order: two processes flushing overlapping batches then lock the rows in the same order and
    # wait for each other instead of deadlocking (seen with two gunicorn workers flushing ad impressions).
    rows = sorted(rows)
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(counter)
    names = ", ".join(quote(name) for name in [*keys, counter])
    values = ", ".join(["(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES {values} "  # noqa: S608  # nosec B608  # names are ours, values are params
            f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {column} = {table}.{column} + EXCLUDED.{column}",
            [value for row in rows for value in row],
        )


@functools.cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.VIEW_BUFFER_URL, socket_timeout=1, socket_connect_timeout=1)


class BufferUnavailable(Exception):
    """The buffer's Redis did not answer, even on a new connection. `views` are this thread's earlier views
    that it may or may not have counted, and any it refused: the caller counts them in the database."""

    def __init__(self, views: list[tuple[int, date]]):
        super().__init__(f"view buffer unavailable ({len(views)} earlier views to count in the database)")
        self.views = views


class _CountSender:
    """One thread's connection to the buffer. The counting script is sent without waiting for Redis's
    answer; the answers are read when the thread counts again, by which time they have arrived. Waiting
    for each answer was most of a counted view's cost: about 150 µs of CPU here and as much in Redis, for
    the context switches of a round trip; sent back to back, about 20 µs on each side (measured on this
    machine, 20,000 scripts). A view is forgotten only once its answer is read: an error answer (Redis out
    of memory, say) hands it back to be counted in the database, and after a lost connection the
    unanswered ones are sent again on a new one (the script is safe to run twice: the mark's SET NX)."""

    MAX_UNANSWERED = 1000  # beyond this the thread waits for Redis: a Redis that stopped reading is down

    def __init__(self, url: str):
        self.url = url
        self.connection = ConnectionPool.from_url(url, socket_timeout=1, socket_connect_timeout=1).make_connection()
        self.unanswered: deque[tuple[tuple[int, date], list[bytes]]] = deque()  # (view, packed command)
        self.refused: list[tuple[int, date]] = []

    def count(self, view: tuple[int, date], keys: list[str], args: list) -> list[tuple[int, date]]:
        """Send one view's script; return earlier views that Redis refused (to count in the database).
        Raises BufferUnavailable without this view in it: the caller counts this one its own way."""
        command = self.connection.pack_command("EVAL", _COUNT_ONCE, len(keys), *keys, *args)
        try:
            self._read_answers(wait=len(self.unanswered) >= self.MAX_UNANSWERED)
        except (OSError, RedisError):  # redis-py's ConnectionError and TimeoutError are RedisErrors
            self._send_again_on_a_new_connection()
        self.unanswered.append((view, command))
        try:
            self.connection.send_packed_command(command, check_health=False)
        except (OSError, RedisError):
            try:
                self._send_again_on_a_new_connection()
            except BufferUnavailable as exc:
                exc.views.remove(view)  # any equal entry: the same article and day count the same
                raise
        return self._take_refused()

    def settle(self) -> list[tuple[int, date]]:
        """Wait for every answer; return the views Redis refused."""
        try:
            self._read_answers(wait=True)
        except (OSError, RedisError):
            self._send_again_on_a_new_connection()
            try:
                self._read_answers(wait=True)
            except (OSError, RedisError):
                self._give_up()
        return self._take_refused()

    def _read_answers(self, wait: bool) -> None:
        # A view sent into a connection Redis had closed (a restart) has no answer: reading finds the
        # connection closed, and it is sent again on a new one.
        while self.unanswered and (wait or self.connection.can_read(0)):
            try:
                self.connection.read_response()
            except ResponseError:
                logger.error("the view buffer refused a view; it is counted in the database", exc_info=True)
                self.refused.append(self.unanswered[0][0])
            self.unanswered.popleft()

    def _send_again_on_a_new_connection(self) -> None:
        self.connection.disconnect()
        try:
            self.connection.connect()
            for _view, command in self.unanswered:
                self.connection.send_packed_command(command, check_health=False)
        except (OSError, RedisError):
            self._give_up()

    def _give_up(self) -> NoReturn:
        self.connection.disconnect()
        views = [view for view, _command in self.unanswered] + self._take_refused()
        self.unanswered.clear()
        raise BufferUnavailable(views)

    def _take_refused(self) -> list[tuple[int, date]]:
        refused, self.refused = self.refused, []
        return refused


_per_thread = threading.local()


def _sender() -> _CountSender:
    sender = getattr(_per_thread, "sender", None)
    if sender is None or sender.url != settings.VIEW_BUFFER_URL:
        sender = _per_thread.sender = _CountSender(settings.VIEW_BUFFER_URL)
    return sender


def settle_this_thread() -> None:
    """Have every view this thread sent to the buffer reach it (a flush from this thread then sees them)."""
    sender = getattr(_per_thread, "sender", None)
    if sender is None or not sender.unanswered:
        return
    try:
        _count_in_database(sender.settle())
    except BufferUnavailable as exc:
        _buffer_failed()
        _count_in_database(exc.views)


def _count_in_database(views: list[tuple[int, date]]) -> None:
    """Views the buffer refused or may have lost: counted without their dedupe mark (over, never under)."""
    if views:
        _upsert([(article_id, day, 1) for article_id, day in views])


_next_flush_look = 0.0
flush_thread: threading.Thread | None = None  # the last background flush started here (tests wait for it)


def _flush_soon_if_due() -> None:
    """Every VIEW_FLUSH_SECONDS, one process of the whole site (whichever sets the shared due mark first)
    flushes the buffer in a background thread, so that while readers come the rankings are about that
    far behind at most, and a site without a scheduler still gets its views into PostgreSQL (after a
    quiet spell, the first view or a scheduled `flush_views` moves what waited). Each process looks at
    most that often."""
    global _next_flush_look, flush_thread
    interval = getattr(settings, "VIEW_FLUSH_SECONDS", 0)
    now = time.monotonic()
    if interval <= 0 or now < _next_flush_look:
        return
    _next_flush_look = now + interval
    settle_this_thread()  # the flush about to start sees the views this thread has just sent
    try:
        if _redis().set(FLUSH_DUE_KEY, 1, nx=True, ex=interval):
            flush_thread = threading.Thread(target=_flush_in_background, name="flush_views", daemon=True)
            flush_thread.start()
    except Exception:  # the view is counted already; the next interval (or a scheduled flush_views) moves it
        logger.warning("could not start the view flush", exc_info=True)


def _flush_in_background() -> None:
    try:
        flush_buffered_views()
    except Exception:  # the batch stays in Redis for the next flush (see flush_buffered_views)
        logger.exception("buffered views not flushed; they wait for the next flush")
    finally:
        connection.close()  # this thread's own connection


def flush_buffered_views() -> int:
    """Move buffered counts from Redis to the database exactly once; return how many views moved.

    1. RENAME the pending hash to a batch key (atomic: new views start a fresh pending hash).
    2. In one transaction, add the batch's counts and record the batch id (unique).
    3. Delete the batch key.
    Killed after 1: the next run finds the batch key and applies it. Killed after 2: the recorded id
    tells the next run it is done, and it only deletes the key. Run twice at once: the unique id lets
    one transaction win; the other rolls back.
    """
    settle_this_thread()
    client = _redis()
    moved = 0
    for leftover in client.scan_iter(f"{FLUSHING_PREFIX}*"):
        moved += _apply_batch(client, leftover.decode())
    batch_key = f"{FLUSHING_PREFIX}{uuid.uuid4().hex}"
    try:
        client.rename(PENDING_KEY, batch_key)
    except Exception as exc:  # redis.ResponseError "no such key": nothing new to flush
        if "no such key" not in str(exc).lower():
            raise
        return moved
    return moved + _apply_batch(client, batch_key)


def _apply_batch(client, batch_key: str) -> int:
    batch = batch_key.removeprefix(FLUSHING_PREFIX)
    counts = {}
    for field, value in client.hgetall(batch_key).items():
        article_id, day = field.decode().split(":")
        counts[(int(article_id), date.fromisoformat(day))] = int(value)
    total = sum(counts.values())
    applied = 0
    if not ViewFlush.objects.filter(batch=batch).exists():
        try:
            with transaction.atomic():
                ViewFlush.objects.create(batch=batch, views=total)
                add_views(counts)
            applied = total
        except IntegrityError:
            if not ViewFlush.objects.filter(batch=batch).exists():
                raise  # not a concurrent flush (an article deleted mid-flush?): keep the batch for the next run
            # else another flush applied this batch at the same moment
    client.delete(batch_key)
    return applied
