"""Counting article views: who counts, once per visitor per article per window, into per-day rows.

A view is an article page served with 200 to a reader. Not counted: HEAD and prefetch requests, bots by
user agent, previews of unpublished articles. A visitor is our signed first-party cookie, else a salted
hash of IP and user agent (no raw IP is stored anywhere). Dedupe marks live in the cache (Redis in
production, so all workers share them). With VIEW_BUFFER_URL set, the dedupe mark and the count are one
script in that Redis (marks never evicted with cached pages), sent in batches by one thread a process (see
_ViewSender), counts wait in a hash, and `flush_views` moves them to PostgreSQL exactly once: every
VIEW_FLUSH_SECONDS one process of the site starts it by itself, and a scheduled run does the same.
Otherwise each counted view is one upsert.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import ipaddress
import logging
import os
import re
import threading
import time
import uuid
from collections import Counter, deque
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

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
    if _buffer_usable():
        _sender().add((article_id, key, shanghai_day()))
    else:
        _count_without_buffer(article_id, key, shanghai_day())
    return new_cookie


def _count_without_buffer(article_id: int, key: str, day: date) -> None:
    """With no buffer: dedupe in the shared cache, count in the database."""
    if _first_time_in_cache(article_id, key):
        _upsert([(article_id, day, 1)])  # the one write of a counted view


def _first_time_in_cache(article_id: int, key: str) -> bool:
    try:
        return cache.add(f"seen:{article_id}:{key}", 1, settings.VIEW_DEDUPE_SECONDS)
    except Exception:  # the shared cache is down: while it is, reloads count again (over-counted, never lost)
        logger.warning("view dedupe unavailable; counting the view", exc_info=True)
        return True


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
    _upsert([(article_id, day, 1)])


_buffer_down_until = 0.0
BUFFER_RETRY_SECONDS = 10


def _buffer_usable() -> bool:
    return bool(getattr(settings, "VIEW_BUFFER_URL", "")) and time.monotonic() >= _buffer_down_until


def _buffer_failed() -> None:
    """The buffer did not answer or refused: for BUFFER_RETRY_SECONDS this process's request threads
    count views in the database themselves, and the log gets one warning, not one a view."""
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
    return Redis.from_url(settings.VIEW_BUFFER_URL, socket_timeout=1, socket_connect_timeout=1)


class _ViewSender:
    """The process's views on their way to the buffer: request threads hand a view over and go on; one
    thread sends what has gathered, at most once every SEND_EVERY seconds, as one pipeline, and reads
    the answers. A round trip for each view cost a cached article page about 35 µs of its thread and
    woke Redis every time; under bench_load's load, batching took the article page from 48% to 56% of
    the framework floor (six runs of each, alternated). The sender also looks whether the site's flush
    is due, so that no request thread talks to Redis at all.

    What it gives up: a process killed outright (SIGKILL, the OOM killer) loses the views it had not
    sent yet: those of its last SEND_EVERY and of any wait for the GIL, and while Redis does not answer,
    all that gathered meanwhile. A process that exits sends them first, or counts in the database what
    it could not send within EXIT_WAIT.

    When Redis fails: a lost connection is tried again on a new one (about 1.6 s when it is refused; each
    try waits up to the 1 s socket timeout when Redis does not answer); the script is safe to run twice
    (its mark's SET NX). Views Redis refuses (out of memory), and a batch that could not be sent after
    the tries, are deduped in the shared cache and counted in the database, and the buffer is left
    alone for BUFFER_RETRY_SECONDS. A batch Redis received but never answered is counted there too: if
    that Redis comes back with them, they count twice (over, never under)."""

    SEND_EVERY = 0.005
    EXIT_WAIT = 8.0  # longer than the tries against a Redis that does not answer (about 6.6 s)

    def __init__(self, url: str):
        self.url = url
        self.client = Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1,
                                     retry=Retry(ExponentialBackoff(cap=0.5, base=0.1), 4))
        # (article id, visitor key, day), or an Event that send_now() waits on: set once every view
        # handed over before it has been answered.
        self.waiting: deque = deque()
        self.wake = threading.Event()
        self.hurry = False  # send_now: no pause before the next round trip
        self.sending = False  # a batch is out, its answers awaited
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="view-sender", daemon=True)
        self.thread.start()
        atexit.register(self._at_exit)  # here, not at import: a fork (multiprocessing) clears the parent's

    def add(self, view: tuple[int, str, date]) -> None:
        self.waiting.append(view)
        if not self.wake.is_set():
            self.wake.set()

    def send_now(self, timeout: float) -> bool:
        """Wait until every view handed over before this call has been answered (or counted without the
        buffer); False if that took longer than timeout."""
        answered = threading.Event()
        self.waiting.append(answered)
        self.hurry = True
        self.wake.set()
        return answered.wait(timeout)

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
        self.thread.join(self.EXIT_WAIT)

    def _at_exit(self) -> None:
        if self.stopped or self.send_now(self.EXIT_WAIT):
            return
        # Redis has not answered for EXIT_WAIT: what was never sent is counted here rather than lost.
        unsent = []
        while True:
            try:
                item = self.waiting.popleft()  # one owner per view: this thread or the sender's
            except IndexError:
                break
            if not isinstance(item, threading.Event):
                unsent.append(item)
        _count_in_database(unsent)

    def _run(self) -> None:
        last_sent = 0.0
        while not self.stopped:
            self.wake.wait()
            pause = last_sent + self.SEND_EVERY - time.monotonic()
            if pause > 0 and not self.hurry:
                time.sleep(pause)  # the views of the next few milliseconds go in the same round trip
            self.wake.clear()
            self.hurry = False
            batch = []
            for _ in range(len(self.waiting)):
                try:
                    batch.append(self.waiting.popleft())
                except IndexError:  # taken by _at_exit
                    break
            last_sent = time.monotonic()
            views = [item for item in batch if not isinstance(item, threading.Event)]
            try:
                if views:
                    self.sending = True
                    self._send(views)
                _flush_soon_if_due()
            except Exception:  # never let the thread die: later views still need it
                logger.exception("%d views not sent to the buffer", len(views))
            finally:
                self.sending = False
                for item in batch:
                    if isinstance(item, threading.Event):
                        item.set()

    def _send(self, views: list[tuple[int, str, date]]) -> None:
        if not _buffer_usable():  # known to be down: straight to the database
            _count_in_database(views)
            return
        window = settings.VIEW_DEDUPE_SECONDS
        pipe = self.client.pipeline(transaction=False)
        for article_id, key, day in views:
            pipe.eval(_COUNT_ONCE, 2, f"views:seen:{article_id}:{key}", PENDING_KEY, window,
                      f"{article_id}:{day.isoformat()}")
        try:
            answers = pipe.execute(raise_on_error=False)
        except (OSError, RedisError):  # still unreachable after the tries
            _buffer_failed()
            _count_in_database(views)
            return
        refused = [view for view, answer in zip(views, answers) if isinstance(answer, Exception)]
        if refused:  # out of memory, say: request threads count in the database themselves for a while
            _buffer_failed()
            logger.error("the view buffer refused %d views (%s); they are counted in the database",
                         len(refused), next(a for a in answers if isinstance(a, Exception)))
            _count_in_database(refused)


def _count_in_database(views: list[tuple[int, str, date]]) -> None:
    """The sender's views that the buffer refused or could not take: deduped in the shared cache, then
    one upsert (articles deleted since drop out, so one such view cannot take the others with it)."""
    if not views:
        return
    counts: Counter = Counter()
    for article_id, key, day in views:
        if _first_time_in_cache(article_id, key):
            counts[(article_id, day)] += 1
    try:
        add_views(counts)
    except DatabaseError:
        logger.exception("%d views lost: the buffer could not take them and the database failed too",
                         sum(counts.values()))
    finally:
        connection.close()  # the thread's own connection; it is rarely needed


_sender_lock = threading.Lock()
_view_sender: tuple[int, _ViewSender] | None = None  # (the process it was started in, the sender)


def _sender() -> _ViewSender:
    """This process's sender (a new one after a fork, or when the buffer's address changes)."""
    global _view_sender
    with _sender_lock:
        if _view_sender is None or _view_sender[0] != os.getpid() or _view_sender[1].url != settings.VIEW_BUFFER_URL:
            if _view_sender is not None and _view_sender[0] == os.getpid():
                old = _view_sender[1]
                old.send_now(old.EXIT_WAIT)
                old.stop()
            _view_sender = (os.getpid(), _ViewSender(settings.VIEW_BUFFER_URL))
        return _view_sender[1]


def send_waiting_views(timeout: float = 15.0) -> bool:
    """Wait until the views this process handed over before now have reached the buffer (a flush started
    here then sees them); False, with a warning, if that took longer than timeout."""
    current = _view_sender
    if current is None or current[0] != os.getpid() or current[1].send_now(timeout):
        return True
    logger.warning("views still waiting for the buffer after %.0f s", timeout)
    return False


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
    try:
        if _redis().set(FLUSH_DUE_KEY, 1, nx=True, ex=interval):
            flush_thread = threading.Thread(target=_flush_in_background, name="flush_views", daemon=True)
            flush_thread.start()
    except Exception:  # the view is on its way already; the next interval (or a scheduled flush_views) moves it
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
    send_waiting_views()  # this process's views so far are in this flush
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
