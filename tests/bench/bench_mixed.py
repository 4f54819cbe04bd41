"""Mixed load with a fault: readers and commenters at once, one granian worker process killed mid-run.

Run: `.venv/bin/python tests/bench/bench_mixed.py [--seconds 60] [--connections 32]` (PostgreSQL at
$BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/, database portal_bench_mixed; Redis at
127.0.0.1:6379, databases 7 (cache) and 8 (view buffer), both emptied at the start (--redis-dbs); port
8277 (--port or $BENCH_PORT); the last run's server output, the portal's JSON access log and any errors,
stays in $TMPDIR/bench_mixed-<port>/server.log).

The portal is served as `make serve` serves it: `python -m portal.serve` (tests.bench.serving.served), that
is granian with WEB_CONCURRENCY worker processes (default one per core) of WEB_THREADS threads running
Django (default 2), DEBUG off, REDIS_URL and VIEW_BUFFER_URL set. Each worker process has its own
SO_REUSEPORT listening socket, so the kernel spreads new connections over the workers. Three quarters of
the connections are anonymous visitors (front page, sections, articles, search), each visitor with its own
User-Agent and cookie jar, so the server tells them apart by their signed `vid` cookie (every request
comes from 127.0.0.1 and TRUSTED_PROXY_COUNT is 0, so X-Forwarded-For would be ignored). The other quarter
are signed-in readers: open an article, post a comment from its form, follow the redirect; one post in ten
is a double click (the same form sent twice at once from two connections). Halfway through, one worker
process gets SIGKILL and the granian master starts another (--respawn-failed-workers): a worker caught
inside a comment's database transaction (found through pg_stat_activity and the kernel's socket table:
which worker process holds the database connection, whichever of its threads uses it), else one holding a
comment POST, else the busiest. `flush_views` runs every 20 s during the run (as cron would; the server's own
flush every VIEW_FLUSH_SECONDS runs beside it) and once at
the end. Then it checks and prints:

- no 5xx, and every other status the expected one;
- requests the kill cut off, each explained: in flight at the kill (the dead worker's connections and
  those still queued on its listening socket are reset), sent on a keep-alive connection the dead worker
  held, a new connection that landed in the dying worker's queue, or refused while no worker listened
  (only when the killed worker was the only one, until the respawned one listens). As a browser user
  would, a GET is sent again (reload), a POST is sent again from the same form (same page token, as a
  reader who sees an error and presses 등록 again), after a short wait that grows, for up to ~8 s;
  they are counted as cut off and retried, not as failures (a connection broken without the kill, or a
  request still unanswered after its retries, is one);
- no comment lost or doubled: every acknowledged body is in the database exactly once, under the id its
  redirect named, and nothing else of this run is there;
- exact views: per article, the DailyViews added == the distinct visitors that got a 200 for it (the
  dedupe window, 30 min, is longer than the run), except first views answered in the KILL_MAY_LOSE before
  the kill: the killed worker may not have sent them to Redis yet (a process sends its views every 5 ms);
- throughput and p50/p95/p99 per kind of request. Exits 1 if a check fails.

Other benchmarks share this Redis: the run keeps a sentinel key in each of its two databases and watches
for clients of other processes on them; either fails the run (views taken by someone else are not the
portal's loss), and a views shortfall is located between the flushes that saw it.

The comment rate limits are raised for this server (COMMENT_RATE_* = 1000): the limits still run (their
queries under the author's row lock are part of the cost of a post) but no bench post is refused, so
every POST exercises the write path that must not lose anything; a refusal is counted and fails the run.
The 200 extra readers get their sessions made server-side with Django's session store (200 password
hashes would take the two cores ~100 s); the demo readers `reader` and `reader2` sign in through the
real login form.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from portal.serve import command as serve_command  # noqa: E402
from tests.bench.serving import bench_env, manage, prepare, served  # noqa: E402

DATABASE = "portal_bench_mixed"
REDIS_CACHE_DB, REDIS_BUFFER_DB = 7, 8
SENTINEL = "bench_mixed:sentinel"
DEDUPE_SECONDS = 1800  # the default window; longer than any run, so a visitor counts once per article
KILL_MAY_LOSE = 0.05  # s: a worker sends its views every 5 ms; ten times that for a thread kept from the GIL
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "portal-demo-2026")
SEARCH_WORDS = ["상하이", "경제", "한국", "시장", "문화", "교민", "학교"]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 mixedload/{}"
WARMUP_AGENT = "Mozilla/5.0 (compatible; mixedload-warmup-bot/1.0)"  # a bot: its pages count no view
BROKEN = (OSError, http.client.HTTPException)  # resets, refused, closed keep-alive, timeouts
# A reader whose page failed to load reloads it (presses 등록 again), waiting a little longer each time: ~8 s
# in all, longer than a respawned worker takes to listen when the killed one was the only one.
RETRY_WAITS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)

SETUP = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Sum
from django.urls import reverse
from comments.models import Comment, Commenter
from news.models import Article, DailyViews, Section

User = get_user_model()
names = [f"mixed_reader_{i:03d}" for i in range(ACCOUNTS)]
have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
if len(have) < len(names):
    hashed = make_password(PASSWORD)  # one hash for all: hashing 200 passwords would take minutes
    User.objects.bulk_create([User(username=n, email=f"{n}@example.com", password=hashed) for n in names if n not in have])
users = list(User.objects.filter(username__in=names).order_by("username"))
Commenter.objects.bulk_create(
    [Commenter(user=u, nickname=f"혼합독자{u.username[-3:]}") for u in users], ignore_conflicts=True)
deleted, _ = Comment.objects.filter(body__startswith="[mixed-").delete()  # earlier runs' comments
store = import_module(settings.SESSION_ENGINE).SessionStore
sessions = {}
for user in users:  # what django.contrib.auth.login() puts in a session
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions[user.username] = session.session_key
live = Article.objects.published().order_by("pk")
print(json.dumps({
    "sessions": sessions,
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "articles": [[a.pk, a.get_absolute_url()] for a in live],
    "commentable": [[a.pk, a.get_absolute_url(), reverse("comments:post", args=[a.pk])] for a in live if a.comments_enabled],
    "sections": [reverse("news:section", args=[s.slug]) for s in Section.objects.menu()],
    "front": reverse("front"), "search": reverse("news:search"), "ranking": reverse("news:ranking"),
    "login": reverse("login"),
    "views": dict(DailyViews.objects.values_list("article_id").annotate(Sum("views"))),
    "deleted_comments": deleted,
}))
"""

FINAL = r"""
import json
from django.db.models import Sum
from comments.models import Comment
from news.models import DailyViews
rows = Comment.objects.filter(body__startswith=PREFIX).values_list("pk", "body", "created_at", "article_id")
print(json.dumps({
    "comments": [[pk, body, created.timestamp(), article] for pk, body, created, article in rows],
    "views": dict(DailyViews.objects.values_list("article_id").annotate(Sum("views"))),
}))
"""


def shell(env: dict, code: str, **names) -> dict:
    prelude = "".join(f"{name} = {value!r}\n" for name, value in names.items())
    return json.loads(manage(env, "shell", "-v", "0", "-c", prelude + code, capture=True).strip().splitlines()[-1])


# ---------------------------------------------------------------- the simulated browsers


class Visitor:
    """One browser: its own User-Agent (so its fingerprint is its own) and its own cookie jar."""

    def __init__(self, name: str, agent: str = ""):
        self.name = name
        self.agent = agent or BROWSER.format(name)
        self.cookies: dict[str, str] = {}

    def headers(self) -> dict:
        headers = {"User-Agent": self.agent, "Accept": "text/html", "Accept-Language": "ko-KR"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def keep(self, response: http.client.HTTPResponse) -> None:
        for line in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


@dataclass
class Record:
    kind: str
    method: str
    path: str
    started: float
    ended: float
    status: int | None = None
    error: str = ""
    location: str = ""
    retry_of: Record | None = None
    opened: float = 0.0  # when the TCP connection this request went on was made (or tried)


@dataclass
class Run:
    port: int
    deadline: float = 0.0
    records: list[Record] = field(default_factory=list)
    seen: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # article -> visitors with 200
    first_200: dict[tuple[int, str], tuple[float, float]] = field(default_factory=dict)  # -> (sent, answered)
    flushes: list[tuple[float, float, int]] = field(default_factory=list)  # (started, ended, views moved)
    strangers: set[str] = field(default_factory=set)  # other processes seen on our Redis databases
    unsure: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # no 200 after a reset
    acknowledged: dict[str, int] = field(default_factory=dict)  # body -> comment id its redirect named
    posts: list[dict] = field(default_factory=list)  # every comment submission, for the report
    problems: list[str] = field(default_factory=list)
    posting: dict[int, float] = field(default_factory=dict)  # client port of a POST in flight -> when sent
    kill_at: float | None = None
    kill_wall: float = 0.0
    reaped_at: float | None = None  # the killed worker gone (its sockets closed)
    listening_at: float | None = None  # its replacement listening on the port
    redis_dbs: tuple[int, ...] = ()
    replaced: bool = False


class Connection:
    """One keep-alive connection, as a browser (or a proxy) holds to the server."""

    def __init__(self, run: Run):
        self.run = run
        self.conn: http.client.HTTPConnection | None = None
        self.opened = 0.0

    def send(self, kind: str, method: str, path: str, visitor: Visitor, body: bytes | None = None,
             retry_of: Record | None = None) -> tuple[Record, str]:
        headers = visitor.headers()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        record = Record(kind, method, path, time.monotonic(), 0.0, retry_of=retry_of)
        text = ""
        port = None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.run.port, timeout=60)
            if self.conn.sock is None:
                self.opened = record.opened = time.monotonic()
                self.conn.connect()
            record.opened = self.opened
            if method == "POST":  # so that the fault can be aimed at the worker holding a comment being posted
                port = self.conn.sock.getsockname()[1]
                self.run.posting[port] = record.started
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            record.status = response.status
            record.location = response.headers.get("Location", "")
            visitor.keep(response)
        except BROKEN as exc:
            record.error = type(exc).__name__
            if self.conn is not None:
                self.conn.close()
            self.conn = None
        if port is not None:
            self.run.posting.pop(port, None)
        record.ended = time.monotonic()
        self.run.records.append(record)
        return record, text

    def get(self, kind: str, path: str, visitor: Visitor) -> tuple[Record, str]:
        """GET; on a broken connection (reset, refused, closed) send it again on a new one, as a browser
        retries an idempotent request and a reader reloads the page."""
        record, text = None, ""
        for wait in RETRY_WAITS:
            time.sleep(wait)
            record, text = self.send(kind, "GET", path, visitor, retry_of=record)
            if not record.error:
                break
        return record, text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def note_article(run: Run, article_id: int, visitor: Visitor, record: Record) -> None:
    if record.status == 200:
        run.seen[article_id].add(visitor.name)
        run.first_200.setdefault((article_id, visitor.name), (record.started, record.ended))
    elif record.error:
        run.unsure[article_id].add(visitor.name)  # the dead worker may have counted it; no 200 to show


# ---------------------------------------------------------------- the two kinds of load


def anonymous_reader(run: Run, site: dict, visitors: list[Visitor], seed: int) -> None:
    rng = random.Random(seed)
    conn = Connection(run)
    while time.monotonic() < run.deadline:
        visitor = rng.choice(visitors)
        for _ in range(rng.randint(2, 5)):  # a short visit
            roll = rng.random()
            if roll < 0.5:
                article_id, path = rng.choice(site["articles"])
                record, _ = conn.get("anon article", path, visitor)
                note_article(run, article_id, visitor, record)
            elif roll < 0.65:
                conn.get("anon front", site["front"], visitor)
            elif roll < 0.78:
                conn.get("anon section", rng.choice(site["sections"]), visitor)
            elif roll < 0.8:
                conn.get("anon ranking", site["ranking"], visitor)
            else:
                # mostly common words (cached pages), sometimes a query no one asked before (a real search)
                word = rng.choice(SEARCH_WORDS) if rng.random() < 0.8 else f"{rng.choice(SEARCH_WORDS)} {rng.randint(0, 10**6)}"
                conn.get("anon search", f"{site['search']}?q={quote(word)}", visitor)
    conn.close()


FORM = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)">\s*<input type="hidden" name="token" value="([^"]+)"')
COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")


def submit(conn: Connection, visitor: Visitor, action: str, data: bytes, attempts: list[Record]) -> Record:
    """POST the comment form; on a broken connection the reader presses 등록 again (same form, same token)."""
    for attempt, wait in enumerate(RETRY_WAITS):
        time.sleep(wait)
        record, _ = conn.send("comment post", "POST", action, visitor, data, retry_of=attempts[-1] if attempt else None)
        attempts.append(record)
        if not record.error:
            break
    return record


def commenter(run: Run, site: dict, accounts: list[tuple[str, Visitor]], seed: int, prefix: str) -> None:
    rng = random.Random(seed)
    conn = Connection(run)
    turn = 0
    while time.monotonic() < run.deadline:
        username, visitor = accounts[turn % len(accounts)]
        turn += 1
        article_id, path, action = rng.choice(site["commentable"])
        record, page = conn.get("reader page", path, visitor)
        note_article(run, article_id, visitor, record)
        if record.status != 200:
            continue
        start = page.find(f'action="{action}"')
        form = FORM.search(page, start) if start >= 0 else None
        if form is None:
            run.problems.append(f"{username}: no comment form on {path}")
            continue
        body = f"{prefix} {username} {turn}번째 의견: 잘 읽었습니다"
        fields = {"csrfmiddlewaretoken": form[1], "token": form[2], "body": body}
        if rng.random() < 0.1:
            fields["private"] = "on"
        data = urlencode(fields).encode()
        post = {"body": body, "user": username, "article": article_id, "attempts": []}
        run.posts.append(post)
        if double := rng.random() < 0.1:  # a double click: the same form twice at once, from two connections
            post["double_click"] = []
            other = Connection(run)
            second = threading.Thread(target=submit, args=(other, visitor, action, data, post["double_click"]))
            second.start()
        record = submit(conn, visitor, action, data, post["attempts"])
        if double:
            second.join()
            other.close()
            if record.status != 302:
                record = post["double_click"][-1]
        if record.status != 302:
            continue
        if not (anchor := COMMENT_ANCHOR.search(record.location)):
            post["refused"] = record.location  # #comment-form: the rules refused it (the page says why)
            refusal, page = conn.get("reader page", urlsplit(record.location).path, visitor)
            note_article(run, article_id, visitor, refusal)
            post["reason"] = html.unescape(m[1]) if (m := re.search(r'class="form-error" role="alert">([^<]*)<', page)) else "?"
            continue
        run.acknowledged[body] = int(anchor[1])
        post["id"] = int(anchor[1])
        target = urlsplit(record.location)
        shown, page = conn.get("reader page", target.path + (f"?{target.query}" if target.query else ""), visitor)
        note_article(run, article_id, visitor, shown)
        if shown.status == 200 and html.escape(body, quote=False) not in page:
            run.problems.append(f"comment {post['id']} not on the page its redirect named ({record.location})")
    conn.close()


# ---------------------------------------------------------------- the server and the fault


def processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU ticks) for every process we can see."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return found


def workers_of(master: int) -> dict[int, int]:
    """pid -> CPU ticks of the master's children: granian's worker processes (forked by its master; the CPU
    of all of a worker's threads, its Rust runtime's and its Django threads', is counted in its own stat)."""
    return {pid: ticks for pid, (parent, ticks) in processes().items() if parent == master}


def tcp_sockets() -> dict[str, tuple[int, int]]:
    """Socket inode -> (local port, remote port) for every TCP socket (the kernel's table; a listening
    socket's remote port is 0)."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            found[parts[9]] = (int(parts[1].rsplit(":", 1)[1], 16), int(parts[2].rsplit(":", 1)[1], 16))
    return found


def server_sockets(port: int) -> dict[str, int]:
    """Socket inode -> client port, for every connection accepted on `port`."""
    return {inode: remote for inode, (local, remote) in tcp_sockets().items() if local == port and remote}


def listeners(port: int) -> dict[str, int]:
    """Socket inode -> port, for every socket listening on `port` (each granian worker has its own, all
    bound with SO_REUSEPORT)."""
    return {inode: local for inode, (local, remote) in tcp_sockets().items()
            if local == port and not remote and inode != "0"}


def connections_held(pid: int, sockets: dict[str, int]) -> list[int]:
    """The ports (as `sockets` maps them) of the sockets this process holds open: /proc/<pid>/fd is the
    process's one table of descriptors, shared by all its threads."""
    held = []
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in sockets:
                held.append(sockets[target[8:-1]])
    except OSError:
        pass
    return held


def spread_of(master: int, port: int) -> dict[int, int]:
    sockets = server_sockets(port)
    return {pid: len(connections_held(pid, sockets)) for pid in sorted(workers_of(master))}


def worker_in_a_transaction(run: Run, master: int, database_url: str, patience: float) -> tuple[int, str] | None:
    """(worker, its last statement) for a worker whose database session is inside a transaction on comments
    (posting one: the author's row lock, the checks, the INSERT, not yet committed) within `patience` s."""
    import psycopg

    db_port = int(urlsplit(database_url).port or 5432)
    end = min(time.monotonic() + patience, run.deadline - 1)
    owners: dict[int, int] = {}  # a worker's database connection (its local port) -> the worker

    def learn_owners() -> None:
        to_db = {inode: local for inode, (local, remote) in tcp_sockets().items() if remote == db_port}
        owners.clear()
        owners.update({port: pid for pid in workers_of(master) for port in connections_held(pid, to_db)})

    learn_owners()  # connections persist (CONN_MAX_AGE), so the map holds and the kill follows the query at once
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        while time.monotonic() < end:
            busy = dict(db.execute(
                "SELECT client_port, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                " AND (state = %s OR xact_start < query_start) AND query LIKE %s",
                ["idle in transaction", '%"comments_%']).fetchall())
            for port, statement in busy.items():
                if port in owners:
                    return owners[port], statement
            if set(busy) - set(owners):
                learn_owners()  # a connection opened since
            time.sleep(0.005)
    return None


def worker_with_a_post(run: Run, master: int, patience: float) -> tuple[int, float, dict] | None:
    """(worker, seconds the POST has been in flight, connections per worker) for a worker holding a comment
    POST in flight, if one comes within `patience` seconds."""
    end = min(time.monotonic() + patience, run.deadline - 1)
    while time.monotonic() < end:
        sockets = server_sockets(run.port)
        held = {pid: connections_held(pid, sockets) for pid in workers_of(master)}
        now = time.monotonic()
        posting = {port: now - sent for port, sent in list(run.posting.items()) if now - sent > 0.02}
        for pid, ports in held.items():
            if in_flight := [posting[port] for port in ports if port in posting]:
                return pid, max(in_flight), {p: len(ports) for p, ports in sorted(held.items())}
        time.sleep(0.01)
    return None


def busiest_worker(master: int) -> int:
    """The worker that used the most CPU in the last half second: the one most likely mid-request."""
    before = workers_of(master)
    time.sleep(0.5)
    after = workers_of(master)
    return max(after, key=lambda pid: after[pid] - before.get(pid, after[pid]))


def sign_in(run: Run, login: str, username: str, visitor: Visitor) -> bool:
    """The real login form: GET it for the CSRF token, POST the credentials, expect a redirect."""
    conn = Connection(run)
    record, page = conn.get("login", login, visitor)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if record.status != 200 or not token:
        return False
    data = urlencode({"csrfmiddlewaretoken": token[1], "username": username, "password": DEMO_PASSWORD}).encode()
    record, _ = conn.send("login", "POST", login, visitor, data)
    conn.close()
    return record.status == 302


def controller(run: Run, env: dict, master: int, seconds: float, flush_every: float, events: list) -> None:
    """Kill one worker halfway through and watch the master replace it; flush the view buffer as cron would."""
    started = time.monotonic()
    next_flush = started + flush_every
    kill_time = started + seconds / 2
    killed = None
    last_flush = 0.0
    while time.monotonic() < run.deadline:
        now = time.monotonic()
        if killed is None and now >= kill_time - 0.5:
            # The sharpest fault: a worker inside a comment's transaction (row lock held, INSERT maybe done, not
            # committed); else one holding a comment POST; else the busiest.
            before = workers_of(master)
            spread = spread_of(master, run.port)
            if aimed := worker_in_a_transaction(run, master, env["DATABASE_URL"], patience=10):
                killed, why = aimed[0], f"it is inside a database transaction, last statement: {aimed[1]}"
            elif aimed := worker_with_a_post(run, master, patience=3):
                killed, spread = aimed[0], aimed[2]
                why = f"it holds a comment POST sent {aimed[1] * 1000:.0f} ms before"
            else:
                killed, why = busiest_worker(master), "the busiest: no POST was in flight"
            run.kill_at, run.kill_wall = time.monotonic(), time.time()
            os.kill(killed, signal.SIGKILL)
            held = spread.get(killed, 0)
            events.append(f"t={run.kill_at - started:5.1f}s SIGKILL worker {killed} ({why}; it held {held} client "
                          f"connections; connections per worker {spread})")
            while time.monotonic() < run.deadline:
                now_workers = workers_of(master)
                if run.reaped_at is None and killed not in now_workers:
                    run.reaped_at = time.monotonic()  # reaped by the master: its sockets are closed
                new = set(now_workers) - set(before)
                if killed not in now_workers and len(now_workers) >= len(before) and new:
                    # Started; it loads the portal, then opens its listening socket and takes connections.
                    sockets = listeners(run.port)
                    if any(connections_held(pid, sockets) for pid in new):
                        run.replaced, run.listening_at = True, time.monotonic()
                        events.append(f"t={run.reaped_at - started:5.1f}s the killed worker reaped; "
                                      f"t={run.listening_at - started:5.1f}s the master's new worker {sorted(new)} "
                                      f"listens: workers {sorted(now_workers)}")
                        break
                time.sleep(0.05)
            continue
        if now >= next_flush:
            next_flush += flush_every
            moved = flush_views(run, env)
            events.append(f"t={time.monotonic() - started:5.1f}s flush_views: {moved}")
            last_flush = time.monotonic()
        elif now - last_flush > 1:  # our flush_views has exited and closed its connection
            watch_redis(run, master)
        time.sleep(0.25)


def flush_views(run: Run, env: dict) -> str:
    sent = time.monotonic()
    said = manage(env, "flush_views", capture=True).strip()
    run.flushes.append((sent, time.monotonic(), int(re.search(r"\d+", said)[0])))
    return f"{said} ({time.monotonic() - sent:.1f} s)"


def check_sentinels(run: Run) -> None:
    import redis

    for db in run.redis_dbs:
        if not redis.Redis(db=db).exists(SENTINEL):
            run.strangers.add(f"database {db} was emptied (FLUSHDB/FLUSHALL) during the run")


def watch_redis(run: Run, master: int) -> None:
    """Note any client on our Redis databases that is not one of our processes (another bench using the
    same database numbers would take or wipe our buffered views)."""
    import redis

    ours = {os.getpid(), master, *workers_of(master)}
    try:
        clients = [c for c in redis.Redis().client_list() if int(c["db"]) in run.redis_dbs]
    except redis.RedisError:
        return
    check_sentinels(run)
    held = {int(c["addr"].rsplit(":", 1)[1]): c for c in clients}
    to_redis = {inode: local for inode, (local, remote) in tcp_sockets().items() if remote == 6379 and inode != "0"}
    mine = {port for pid in ours for port in connections_held(pid, to_redis)}
    for port, client in held.items():
        if port in to_redis.values() and port not in mine:
            run.strangers.add(f"{client['addr']} db {client['db']} last command {client['cmd']}")


# ---------------------------------------------------------------- checks and the report


def cut_off_by_kill(run: Run, r: Record) -> str:
    """How the kill explains a request that got no answer; "" if it does not."""
    kill = run.kill_at
    if kill is None or r.ended < kill:
        return ""
    if r.started <= kill:
        return "in flight at the kill (the dead worker's connection, or queued on its listening socket)"
    if r.error == "ConnectionRefusedError":  # no listening socket at all: the only worker was the killed one
        if run.listening_at is None or r.started <= run.listening_at + 0.1:
            return "refused: no worker listening until the respawned one did"
        return ""
    if r.opened < kill:
        return "sent on a keep-alive connection the dead worker held"
    if run.reaped_at is None or r.opened <= run.reaped_at + 0.1:
        return "a new connection queued on the dying worker's listening socket"
    return ""


def last_attempt(record: Record, retry_of: dict[int, Record]) -> Record:
    while id(record) in retry_of:
        record = retry_of[id(record)]
    return record


def quantiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49] * 1000:7.1f}  p95 {q[94] * 1000:7.1f}  p99 {q[98] * 1000:7.1f} ms"


EXPECTED = {"anon article": 200, "anon front": 200, "anon section": 200, "anon search": 200, "anon ranking": 200,
            "reader page": 200,
            "comment post": 302, "login": None}


def report(run: Run, final: dict, baseline: dict, started: float, ended: float, events: list[str],
           log_dir: Path) -> bool:
    failures = []
    records = [r for r in run.records if r.kind != "login"]
    answered = [r for r in records if not r.error]
    elapsed = ended - started
    print(f"\n== load: {len(records)} requests in {elapsed:.1f} s, {len(answered) / elapsed:.1f} answered req/s")
    by_kind = defaultdict(list)
    for r in answered:
        by_kind[r.kind].append(r.ended - r.started)
    for kind in sorted(by_kind):
        print(f"  {kind:<14} {len(by_kind[kind]):6d}   {quantiles(by_kind[kind])}")
    print(f"  {'all':<14} {len(answered):6d}   {quantiles([r.ended - r.started for r in answered])}")
    for line in events:
        print("  " + line)

    statuses = Counter((r.kind, r.status) for r in answered)
    print("\n== statuses (client side)")
    for (kind, status), n in sorted(statuses.items()):
        print(f"  {kind:<14} {status}  {n}")
    fives = sum(n for (_, status), n in statuses.items() if status >= 500)
    odd = {k: n for k, n in statuses.items() if EXPECTED.get(k[0]) and k[1] != EXPECTED[k[0]] and k[1] < 500}
    if fives:
        failures.append(f"{fives} responses with 5xx")
    if odd:
        failures.append(f"unexpected statuses: {odd}")

    # Requests the kill cut off: each retried (reloaded, re-submitted) until answered, as a reader would.
    broken = [r for r in records if r.error]
    retry_of = {id(x.retry_of): x for x in run.records if x.retry_of is not None}
    causes = {id(r): cut_off_by_kill(run, r) for r in broken}
    cut = [r for r in records if r.retry_of is None and r.error]  # requests (not attempts) that broke
    last = {id(r): last_attempt(r, retry_of) for r in cut}
    gave_up = [r for r in cut if last[id(r)].error]
    by_kill = [r for r in cut if causes[id(r)]]
    print(f"\n== cut off by the kill and retried: {len(by_kill)} requests ({len(cut)} broke in all; "
          f"{len(broken)} broken attempts: {dict(Counter(r.error for r in broken))}), answered on a retry "
          f"{len(cut) - len(gave_up)}, still unanswered after their retries {len(gave_up)}")
    for cause, n in Counter(causes.values()).most_common():
        print(f"  {n:4d}  {cause or 'NOT EXPLAINED BY THE KILL'}")
    for r in broken:
        retry = retry_of.get(id(r))
        then = f"-> again: {retry.status or retry.error}" if retry else "-> gave up"
        print(f"  {r.kind:<13} {r.method:<4} {r.path[:28]:<28} {r.error:<22} t{r.started - (run.kill_at or 0):+.2f}s.."
              f"{r.ended - (run.kill_at or 0):+.2f}s  {causes[id(r)] or 'not explained by the kill'}  {then}")
        if not causes[id(r)]:
            failures.append(f"a connection broke without the kill: {r.kind} {r.method} {r.path} {r.error} "
                            f"t{r.started - (run.kill_at or 0):+.2f}s")
    if gave_up:
        failures.append(f"{len(gave_up)} requests still unanswered after {len(RETRY_WAITS)} tries over "
                        f"{sum(RETRY_WAITS):.1f} s")

    # Comments: the acknowledgement is the redirect naming the comment; the database must hold each once.
    stored = defaultdict(list)
    for pk, body, created, _article in final["comments"]:
        stored[body].append((pk, created))
    doubled = {b: rows for b, rows in stored.items() if len(rows) > 1}
    lost = [b for b in run.acknowledged if b not in stored]
    wrong_id = [b for b, pk in run.acknowledged.items() if b in stored and stored[b][0][0] != pk]
    unacknowledged = [b for b in stored if b not in run.acknowledged]
    refused = [p for p in run.posts if "refused" in p]
    not_answered = [p for p in run.posts if p["attempts"][-1].error]
    resubmitted = [p for p in run.posts if len(p["attempts"]) > 1]
    clicks_resubmitted = [p for p in run.posts if len(p.get("double_click", ())) > 1]
    clicks = [p for p in run.posts if "double_click" in p]
    click_wrong = [p for p in clicks if "id" in p and not p["double_click"][-1].error
                   and not p["double_click"][-1].location.endswith(f"#comment-{p['id']}")]
    print(f"\n== comments: {len(run.posts)} submitted, {len(run.acknowledged)} acknowledged, "
          f"{len(final['comments'])} in the database, {len(refused)} refused, {len(not_answered)} never answered")
    print(f"  double clicks (the same form twice at once): {len(clicks)}, both sends answered with the same "
          f"comment: {len(clicks) - len(click_wrong)}")
    for p in resubmitted:
        rows = stored.get(p["body"], [])
        by_dead = rows and run.kill_at is not None and rows[0][1] < run.kill_wall
        print(f"  re-submitted after a broken connection: {p['user']} article {p['article']}: "
              f"{' then '.join(str(a.status or a.error) for a in p['attempts'])}; in the database {len(rows)}x"
              + (f" (id {rows[0][0]}, committed {'by the killed worker before it died' if by_dead else 'by the re-submission'})" if rows else ""))
    for p in clicks_resubmitted:
        print(f"  double click re-submitted after a broken connection: {p['user']} article {p['article']}: "
              f"{' then '.join(str(a.status or a.error) for a in p['double_click'])} answered "
              f"#{p['double_click'][-1].location.rsplit('#', 1)[-1]} (the other send: #comment-{p.get('id')}); "
              f"in the database {len(stored.get(p['body'], []))}x")
    for p in refused:
        print(f"  refused: {p['user']} article {p['article']}: {p.get('reason')}")
    for p in not_answered:
        print(f"  never answered: {p['user']} article {p['article']} in the database {len(stored.get(p['body'], []))}x")
    if lost:
        failures.append(f"{len(lost)} acknowledged comments missing from the database: {lost[:5]}")
    if doubled:
        failures.append(f"{len(doubled)} comments stored more than once: {list(doubled)[:5]}")
    if wrong_id:
        failures.append(f"{len(wrong_id)} comments stored under another id than acknowledged")
    if click_wrong:
        failures.append(f"{len(click_wrong)} double clicks answered with another comment")
    in_flight = {p["body"] for p in not_answered}
    if stray := [b for b in unacknowledged if b not in in_flight]:
        failures.append(f"{len(stray)} comments in the database that nobody submitted or was answered for")
    if refused:
        failures.append(f"{len(refused)} posts refused (limits are raised: none should be)")

    # Views: the buffer has been flushed; each article's new views are its distinct visitors with a 200.
    print(f"\n== views (after flush_views; dedupe window {DEDUPE_SECONDS} s, longer than the run)")
    articles = set(final["views"]) | {str(a) for a in run.seen}
    mismatched = []
    total_expected = total_counted = total_at_risk = 0
    for key in sorted(articles, key=int):
        article = int(key)
        counted = final["views"].get(key, 0) - baseline.get(key, 0)
        expected = len(run.seen.get(article, ()))
        unsure = len(run.unsure.get(article, set()) - run.seen.get(article, set()))
        # A first view answered just before the kill may have died with its worker, still waiting for
        # that process's sender (news.viewcount._ViewSender: a batch every few milliseconds).
        at_risk = sum(1 for (a, _), (_, answered) in run.first_200.items()
                      if a == article and run.kill_at is not None and run.kill_at - KILL_MAY_LOSE <= answered <= run.kill_at)
        total_expected += expected
        total_counted += counted
        total_at_risk += at_risk
        if not expected - at_risk <= counted <= expected + unsure:
            mismatched.append(f"article {article}: counted {counted}, distinct visitors with a 200 {expected}"
                              + (f" (+{unsure} unsure)" if unsure else "") + (f" (-{at_risk} at the kill)" if at_risk else ""))
    # Where views went missing, if they did: by each flush, the (article, visitor) pairs answered before it
    # started were surely in Redis, those sent after it ended surely not. Only when our flush_views is the
    # only one: the server also flushes by itself every VIEW_FLUSH_SECONDS, and those moves are not seen here.
    moved_so_far = 0
    for sent, done, moved in run.flushes if mismatched and os.environ.get("VIEW_FLUSH_SECONDS") == "0" else []:
        moved_so_far += moved
        surely = sum(1 for _, answered in run.first_200.values() if answered < sent)
        maybe = sum(1 for asked, _ in run.first_200.values() if asked < done)
        if not surely <= moved_so_far <= maybe:
            print(f"  by the flush at t={sent - started:.1f}..{done - started:.1f}s: {moved_so_far} views moved in "
                  f"all, but {surely}..{maybe} first views had been served")
    if run.strangers:
        failures.append("another process used this run's Redis databases (views may have gone to it): "
                        + "; ".join(sorted(run.strangers)[:5]))
    visitors = len(set().union(*run.seen.values())) if run.seen else 0
    print(f"  {len(run.seen)} articles read by {visitors} distinct visitors: {total_expected} (article, visitor) "
          f"pairs with a 200, {total_counted} views counted ({total_at_risk} first views answered within "
          f"{KILL_MAY_LOSE * 1000:.0f} ms before the kill, which the killed worker may have lost)")
    for line in mismatched:
        print("  " + line)
    if mismatched:
        failures.append(f"{len(mismatched)} articles with a view count other than their distinct visitors")

    # What the server saw, from its one output: the portal's access log (a JSON line a request, on stdout;
    # the killed worker's requests in flight never got theirs), granian's messages and Django's errors.
    access = Counter()
    cache = Counter()
    other = []
    for line in (log_dir / "server.log").read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict) and "status" in entry:
            access[entry["status"]] += 1
            if entry["cache"]:
                cache[entry["cache"]] += 1
        else:
            other.append(line)
    deaths = [line for line in other if "Unexpected exit from worker" in line]  # granian: a worker died
    errors = [line for line in other if re.search(r"\[ERROR\]|Traceback|Error:", line) and line not in deaths]
    print(f"\n== server side: access log statuses {dict(sorted(access.items()))}, page cache {dict(cache)}; "
          f"worker deaths {deaths}; {len(errors)} error lines besides")
    for line in errors[:20]:
        print("  " + line[:200])
    if any(status >= 500 for status in access):
        failures.append("the access log has 5xx")
    if len(deaths) > 1:
        failures.append(f"{len(deaths)} worker processes died, only one was killed")
    failures += run.problems[:20]
    if run.kill_at is None or not run.replaced:
        failures.append("no worker was killed and replaced during the run (too short a run?)")

    print(f"\n== summary: {len(records)} requests in {elapsed:.1f} s, {len(answered) / elapsed:.1f} answered req/s; "
          f"{fives} 5xx; comments {len(run.acknowledged)} acknowledged, "
          f"{sum(1 for b in run.acknowledged if len(stored.get(b, ())) == 1)} of them stored once "
          f"({len(final['comments'])} in the database); views {total_expected} expected, {total_counted} counted; "
          f"{len(by_kill)} requests cut off by the kill and retried ({len(broken)} broken attempts), "
          f"{len(gave_up)} unanswered")
    print("\n== result: " + ("OK" if not failures else "FAILED"))
    for failure in failures:
        print("  - " + failure)
    return not failures


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--commenters", type=int, help="connections that sign in and post (default: a quarter)")
    parser.add_argument("--accounts", type=int, default=200, help="extra reader accounts")
    parser.add_argument("--visitors", type=int, default=2000, help="distinct anonymous visitors")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8277")))
    parser.add_argument("--flush-every", type=float, default=20)
    parser.add_argument("--redis-dbs", default=f"{REDIS_CACHE_DB},{REDIS_BUFFER_DB}",
                        help="Redis databases for the cache and the view buffer (emptied at the start)")
    args = parser.parse_args()
    if args.seconds >= DEDUPE_SECONDS - 300:
        parser.error(f"--seconds must stay well under the {DEDUPE_SECONDS} s view dedupe window")
    commenters = args.commenters if args.commenters is not None else max(1, args.connections // 4)
    readers = args.connections - commenters
    run_id = uuid.uuid4().hex[:8]
    prefix = f"[mixed-{run_id}]"

    import redis

    cache_db, buffer_db = (int(n) for n in args.redis_dbs.split(","))
    for db in (cache_db, buffer_db):  # ours alone: no dedupe marks, pages or views left from before
        redis.Redis(db=db).flushdb()
        redis.Redis(db=db).set(SENTINEL, run_id)  # gone at the end: something else emptied our database
    policy = redis.Redis().config_get("maxmemory-policy").get("maxmemory-policy")
    env = bench_env(DATABASE) | {
        "REDIS_URL": f"redis://127.0.0.1:6379/{cache_db}",
        "VIEW_BUFFER_URL": f"redis://127.0.0.1:6379/{buffer_db}",
        "PORT": str(args.port), "BIND": f"127.0.0.1:{args.port}",
        "VIEW_DEDUPE_SECONDS": str(DEDUPE_SECONDS),
        "COMMENT_RATE_PER_MINUTE": "1000", "COMMENT_RATE_PER_DAY": "1000", "COMMENT_RATE_PER_ARTICLE": "1000",
    }
    t0 = time.monotonic()
    prepare(env)
    site = shell(env, SETUP, ACCOUNTS=args.accounts, PASSWORD=DEMO_PASSWORD)
    baseline = {str(k): v for k, v in site["views"].items()}
    print(f"prepared {DATABASE} in {time.monotonic() - t0:.0f} s: {len(site['articles'])} live articles, "
          f"{len(site['sessions'])} extra readers signed in server-side, {site['deleted_comments']} comments of "
          f"earlier runs removed; Redis maxmemory-policy {policy}")

    log_dir = Path(tempfile.gettempdir()) / f"bench_mixed-{args.port}"  # the last run's logs, overwritten
    log_dir.mkdir(exist_ok=True)
    run = Run(port=args.port, redis_dbs=(cache_db, buffer_db))
    argv = serve_command(env)
    processes_n, threads_n = argv[argv.index("--workers") + 1], argv[argv.index("--blocking-threads") + 1]
    with served(env, log=log_dir / "server.log") as server:
        workers = workers_of(server.pid)
        print(f"granian (python -m portal.serve) on :{args.port}: master {server.pid}, {len(workers)} worker "
              f"processes (WEB_CONCURRENCY {processes_n}) x {threads_n} threads (WEB_THREADS); output in "
              f"{log_dir / 'server.log'}")
        if len(workers) != int(processes_n):
            sys.exit(f"expected {processes_n} worker processes under the granian master, found {sorted(workers)}")

        # Readers: the demo's two through the real login form, the extra ones with their server-made sessions.
        accounts = []
        for username in ("reader", "reader2"):
            visitor = Visitor(f"{run_id}-{username}")
            if not sign_in(run, site["login"], username, visitor):
                sys.exit(f"could not sign in as {username}")
            accounts.append((username, visitor))
        for username, key in site["sessions"].items():
            visitor = Visitor(f"{run_id}-{username}")
            visitor.cookies[site["session_cookie"]] = key
            accounts.append((username, visitor))
        anonymous = [Visitor(f"{run_id}-v{i:05d}") for i in range(args.visitors)]

        warm = Connection(run)  # every page once per worker-ish, as a bot: nothing counted
        for path in [site["front"], *site["sections"], *(p for _, p in site["articles"])] * 2:
            warm.get("warm-up", path, Visitor("warm-up", WARMUP_AGENT))
        warm.close()
        run.records.clear()

        threads = []
        for i in range(readers):
            mine = anonymous[i::readers]
            threads.append(threading.Thread(target=anonymous_reader, args=(run, site, mine, i), daemon=True))
        for i in range(commenters):
            threads.append(threading.Thread(target=commenter, args=(run, site, accounts[i::commenters], 1000 + i, prefix),
                                            daemon=True))
        events: list[str] = []
        cpu_before = os.times()
        started = time.monotonic()
        run.deadline = started + args.seconds
        threads.append(threading.Thread(target=controller, args=(run, env, server.pid, args.seconds, args.flush_every, events),
                                        daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ended = time.monotonic()
        cpu = sum(os.times()[:2]) - sum(cpu_before[:2])
        events.append(f"the load generator itself used {cpu:.1f} s of CPU ({cpu / (ended - started):.0%} of a core)")
    check_sentinels(run)
    events.append(f"end: flush_views: {flush_views(run, env)}")
    final = shell(env, FINAL, PREFIX=prefix)
    ok = report(run, final, baseline, started, ended, events, log_dir)
    print(f"({args.connections} connections: {readers} anonymous, {commenters} signed-in commenters; "
          f"{args.visitors} visitors, {len(accounts)} readers; run {run_id}; total {time.monotonic() - t0:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
