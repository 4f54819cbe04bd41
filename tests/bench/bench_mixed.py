"""Mixed load through the edge, with faults: readers and commenters at once through Varnish, one granian
worker process killed and Varnish restarted halfway.

Run: `.venv/bin/python tests/bench/bench_mixed.py [--seconds 60] [--connections 32]` (PostgreSQL at
$BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/, database portal_bench_mixed, seeded with
`seed_demo`; Redis at 127.0.0.1:6379, databases 11 (cache) and 12 (view buffer), both emptied at the start
(--redis-dbs); Varnish on --port (8400, or $BENCH_PORT) and granian on --port + 1; the last run's server
output (granian's messages, the portal's JSON access log, Django's errors), varnishd's output and the
collected static files stay in $TMPDIR/bench_mixed-<port>/).

The portal is served as `python -m portal.serve` serves it: varnishd with deploy/varnish/portal.vcl in front
of granian (WEB_CONCURRENCY worker processes, default one per core, of WEB_THREADS threads), DEBUG off,
REDIS_URL, VIEW_BUFFER_URL and EDGE_PURGE_URLS set. The two servers are started here with the very argv
portal.serve builds (portal.serve.command, varnish_command, backend_vcl) and the environment it gives them,
not through portal.serve itself: it stops everything when a child dies, and this run restarts Varnish.
TRUSTED_PROXY_COUNT is 1 (a load balancer in front of Varnish), so the app trusts two hops and each
simulated visitor's own X-Forwarded-For address is its address (Varnish appends 127.0.0.1 after it).

Three quarters of the connections are anonymous readers: the front page, section pages and, mostly, article
pages, each article page followed by its beacon (POST /beacon/ with the page's `data-beacon`, as
static/js/page.js sends it with navigator.sendBeacon: Origin and Sec-Fetch-Site same-origin); some reload
an article they have read. Each visitor is a browser of its own: a User-Agent, an address (a tenth share an
office address with others), and a cookie jar that keeps the `vid` cookie the first beacon answer sets.
The other quarter are signed-in readers (signed in through the real login form, through Varnish): open an
article (the public page from the edge, its beacon, then the personal fragment that brings the form's token
and the CSRF token), post a comment, follow the redirect; one post in ten is a double click (the same form
twice at once, from two connections). Comment rate limits are raised (COMMENT_RATE_* = 1000) and
VIEW_NEW_VISITORS_PER_ADDRESS too (the office addresses): no post and no first view is refused.

Halfway through, one granian worker process gets SIGKILL (one inside a comment's database transaction if
one is seen within 3 s, else one holding the busiest CPU) and the granian master starts another
(--respawn-failed-workers); once it listens, varnishd is stopped (SIGTERM) and started again on the same
port with the same argv. `flush_views` runs every --flush-every (20) s besides the site's own flushes
(every VIEW_FLUSH_SECONDS), and once at the end. A request that got no answer, or a 5xx, is sent once
more after --retry-wait s, as a reader reloads the page or presses 등록 again (the same form: the same
token). Then it checks and prints:

- no 5xx and no broken connection beyond the requests cut off by the two faults (in flight or sent while
  a fault lasted: from the kill until the new worker listens and Varnish's probe has seen the app again,
  from varnishd's stop until the new one answers); every other status the expected one;
- no comment lost or doubled: every acknowledged comment (a 302 naming #comment-<id>) is in the database
  exactly once by its body text, under that id; both sends of a double click answered with the same
  comment; nothing of this run stored that nobody was answered for (except a post cut off twice);
- exact views: the DailyViews added for the seeded articles == the distinct (article, vid) pairs among the
  beacons answered 204 (the dedupe window, 30 min, is longer than the run), give or take the pairs whose
  only beacon was cut off twice (it may have counted or not); nothing left in the view buffer.

Exits 1 if a check fails.
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
import subprocess  # nosec B404  # the two servers and manage.py, argv built here
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from portal.serve import backend_vcl, varnish_command, varnishd  # noqa: E402  # importable once ROOT is on the path
from portal.serve import command as app_command  # noqa: E402
from tests.bench.serving import bench_env, healthy, manage, prepare  # noqa: E402

DATABASE = "portal_bench_mixed"
REDIS_CACHE_DB, REDIS_BUFFER_DB = 11, 12
SENTINEL = "bench_mixed:sentinel"
DEDUPE_SECONDS = 1800  # the default window; longer than any run, so a visitor counts once per article
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "portal-demo-2026")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 mixedload/{}"
BROKEN = (OSError, http.client.HTTPException)  # resets, refused, closed keep-alive, timeouts
IDLE_REOPEN = 4.0  # s: Varnish closes a client connection idle for timeout_idle (5 s); a browser reopens
EDGE_ERROR = "잠시 후 다시 시도해 주세요"  # portal.vcl's page when the app did not answer

SETUP = r"""
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Sum
from django.urls import reverse
from comments.models import Comment, Commenter
from news.models import Article, DailyViews, Section

User = get_user_model()
names = [f"mixed_reader_{i:03d}" for i in range(ACCOUNTS)]
have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
if len(have) < len(names):
    hashed = make_password(PASSWORD)  # one hash for all
    User.objects.bulk_create([User(username=n, email=f"{n}@example.com", password=hashed) for n in names if n not in have])
users = list(User.objects.filter(username__in=names).order_by("username"))
Commenter.objects.bulk_create([Commenter(user=u, nickname=f"혼합독자{u.username[-3:]}") for u in users], ignore_conflicts=True)
from portal.policies.models import agree, to_agree
for u in users:  # as at sign-up: the policies in effect agreed to, or every post goes to /policies/agree/ first
    agree(u, to_agree(u))
deleted, _ = Comment.objects.filter(body__startswith="[mixed-").delete()  # earlier runs' comments
live = Article.objects.published().order_by("pk")
print(json.dumps({
    "accounts": names,
    "articles": [[a.pk, a.get_absolute_url()] for a in live],
    "commentable": [[a.pk, a.get_absolute_url(), reverse("comments:post", args=[a.pk])] for a in live if a.comments_enabled],
    "sections": [reverse("news:section", args=[s.slug]) for s in Section.objects.menu()],
    "front": reverse("front"), "login": reverse("login"),
    "views": dict(DailyViews.objects.values_list("article_id").annotate(Sum("views"))),
    "deleted_comments": deleted,
}))
"""

FINAL = r"""
import json
from django.db.models import Sum
from comments.models import Comment
from news.models import DailyViews
rows = Comment.objects.filter(body__startswith=PREFIX).values_list("pk", "body", "created_at", "status", "private")
print(json.dumps({
    "comments": [[pk, body, created.timestamp(), status, private] for pk, body, created, status, private in rows],
    "views": dict(DailyViews.objects.values_list("article_id").annotate(Sum("views"))),
}))
"""


def shell(env: dict, code: str, **names) -> dict:
    prelude = "".join(f"{name} = {value!r}\n" for name, value in names.items())
    return json.loads(manage(env, "shell", "-v", "0", "-c", prelude + code, capture=True).strip().splitlines()[-1])


# ---------------------------------------------------------------- the simulated browsers


class Visitor:
    """One browser: its own User-Agent, address (X-Forwarded-For, trusted by the app) and cookie jar."""

    def __init__(self, name: str, address: str):
        self.name, self.address = name, address
        self.agent = BROWSER.format(name)
        self.cookies: dict[str, str] = {}
        self.vids: set[str] = set()  # every vid cookie a beacon answer gave this browser (one, or a bug)
        self.read: list[tuple[int, str]] = []  # articles read, for reloads

    def headers(self) -> dict:
        headers = {
            "User-Agent": self.agent,
            "Accept": "text/html",
            "Accept-Language": "ko-KR",
            "X-Forwarded-For": self.address,
        }
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
                    if name == "vid":
                        self.vids.add(morsel.value)


@dataclass
class Record:
    kind: str
    method: str
    path: str
    started: float
    ended: float = 0.0
    status: int | None = None
    error: str = ""
    edge_error: bool = False  # a 5xx that is portal.vcl's own page (the app did not answer)
    x_cache: str = ""
    age: str = ""  # the edge's Age header: how long the page had been stored
    location: str = ""
    retry: Record | None = None  # the one retry of a failed request
    is_retry: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.error) or (self.status or 0) >= 500


@dataclass
class Run:
    port: int
    retry_wait: float
    deadline: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    records: list[Record] = field(default_factory=list)
    counted: set[tuple[int, str]] = field(default_factory=set)  # (article, vid) with a 204 beacon
    counted_by: set[tuple[int, str]] = field(default_factory=set)  # (article, visitor name) with a 204 beacon
    unsure: set[tuple[int, str]] = field(default_factory=set)  # (article, visitor) whose beacon never answered
    visitors: list[Visitor] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    windows: list[tuple[str, float, float]] = field(default_factory=list)  # faults: (name, from, until)
    events: list[str] = field(default_factory=list)
    started: float = 0.0

    def fault(self, started: float, ended: float) -> str:
        """The fault a request sent at `started`, ended at `ended`, overlaps; "" if none."""
        for name, begin, end in self.windows:
            if started <= end and ended >= begin:
                return name
        return ""


class Connection:
    """One keep-alive connection to Varnish, as a browser holds it."""

    def __init__(self, run: Run):
        self.run = run
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def send(
        self, kind: str, method: str, path: str, visitor: Visitor, body: bytes | None = None, extra: dict | None = None
    ) -> tuple[Record, str]:
        """One request; a failed one (no answer, or 5xx) is sent once more after retry_wait, as a reader
        reloads the page (or presses 등록 again: the same form). The first attempt's record is returned,
        with .retry; the text is the last attempt's."""
        first, text = self._once(kind, method, path, visitor, body, extra)
        if first.failed and time.monotonic() < self.run.deadline + 30:
            time.sleep(self.run.retry_wait)
            first.retry, text = self._once(kind, method, path, visitor, body, extra)
            first.retry.is_retry = True
        return first, text

    def _once(self, kind, method, path, visitor, body, extra) -> tuple[Record, str]:
        headers = visitor.headers() | (extra or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        record = Record(kind, method, path, time.monotonic())
        text = ""
        try:
            if self.conn is not None and time.monotonic() - self.last_used > IDLE_REOPEN:
                self.close()
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.run.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            record.status = response.status
            record.location = response.headers.get("Location", "")
            record.x_cache = response.headers.get("X-Cache", "")
            record.age = response.headers.get("Age", "")
            record.edge_error = response.status >= 500 and EDGE_ERROR in text
            visitor.keep(response)
            if response.will_close:
                self.close()
        except BROKEN as exc:
            record.error = type(exc).__name__
            self.close()
        record.ended = self.last_used = time.monotonic()
        with self.run.lock:
            self.run.records.append(record)
        return record, text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def answer(record: Record) -> Record:
    """The attempt that counts: the retry if there was one."""
    return record.retry or record


BEACON = re.compile(r'data-beacon="([^"]+)"')


def read_article(run: Run, conn: Connection, visitor: Visitor, article_id: int, path: str, kind: str) -> str:
    """An article page through the edge, then its beacon as page.js sends it; the page's text."""
    record, page = conn.send(kind, "GET", path, visitor)
    if answer(record).status != 200:
        return ""
    found = BEACON.search(page)
    if not found:
        run.problems.append(f"no data-beacon on {path}")
        return page
    data = urlencode({"b": html.unescape(found[1])}).encode()
    origin = {"Origin": f"http://127.0.0.1:{run.port}", "Sec-Fetch-Site": "same-origin"}
    beacon, _ = conn.send("beacon", "POST", "/beacon/", visitor, data, origin)
    last = answer(beacon)
    if last.status == 204:
        vid = visitor.cookies.get("vid")
        if not vid:
            run.problems.append(f"{visitor.name}: beacon answered 204 but no vid cookie")
        else:
            with run.lock:
                run.counted.add((article_id, vid))
                run.counted_by.add((article_id, visitor.name))
    elif last.failed:
        with run.lock:
            run.unsure.add((article_id, visitor.name))
    visitor.read.append((article_id, path))
    return page


# ---------------------------------------------------------------- the two kinds of load


def anonymous_reader(run: Run, site: dict, visitors: list[Visitor], seed: int) -> None:
    rng = random.Random(seed)
    conn = Connection(run)
    while time.monotonic() < run.deadline:
        visitor = rng.choice(visitors)
        for _ in range(rng.randint(1, 4)):  # a short visit
            roll = rng.random()
            if roll < 0.6 or (roll < 0.7 and not visitor.read):
                article_id, path = rng.choice(site["articles"])
                read_article(run, conn, visitor, article_id, path, "article")
            elif roll < 0.7:  # a reload of a page read before: its beacon must not count again
                article_id, path = rng.choice(visitor.read)
                read_article(run, conn, visitor, article_id, path, "article reload")
            elif roll < 0.85:
                conn.send("front", "GET", site["front"], visitor)
            else:
                conn.send("section", "GET", rng.choice(site["sections"]), visitor)
    conn.close()


COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")


def sign_in(run: Run, login: str, username: str, visitor: Visitor) -> bool:
    """The real login form through the edge: GET it for the CSRF token, POST the credentials, expect a redirect."""
    conn = Connection(run)
    record, page = conn.send("login", "GET", login, visitor)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if answer(record).status != 200 or not token:
        return False
    data = urlencode({"csrfmiddlewaretoken": token[1], "username": username, "password": DEMO_PASSWORD}).encode()
    record, _ = conn.send("login", "POST", login, visitor, data, {"Origin": f"http://127.0.0.1:{run.port}"})
    conn.close()
    return answer(record).status == 302 and "sessionid" in visitor.cookies


def send_into(post: dict, key: str, conn: Connection, action: str, visitor: Visitor, data: bytes, extra: dict) -> None:
    post[key] = conn.send("comment post", "POST", action, visitor, data, extra)[0]


def commenter(run: Run, site: dict, username: str, visitor: Visitor, seed: int, prefix: str) -> None:
    rng = random.Random(seed)
    conn = Connection(run)
    turn = 0
    origin = {"Origin": f"http://127.0.0.1:{run.port}"}
    while time.monotonic() < run.deadline:
        turn += 1
        article_id, path, action = rng.choice(site["commentable"])
        page = read_article(run, conn, visitor, article_id, path, "reader article")
        if not page:
            continue
        # page.js: the signed-in reader's fragment in full (`reader=1`, as it asks while it keeps none of the
        # reader's parts): the form box, the form's token and the CSRF token for the forms.
        fragment = re.search(r'data-fragment-url="([^"]+)"', page)
        url = (html.unescape(fragment[1]) if fragment else f"/fragment/?article={article_id}") + "&reader=1"
        record, text = conn.send(
            "fragment", "GET", f"{url}&next={quote(path)}", visitor, None, {"Accept": "application/json"}
        )
        if answer(record).status != 200:
            continue
        try:
            parts = json.loads(text)
            token, csrf = parts["comments"]["token"], parts["csrf"]
        except (ValueError, KeyError, TypeError):
            run.problems.append(f"{username}: the fragment of {path} has no comment token: {text[:120]!r}")
            continue
        if f'action="{action}"' not in parts["comments"].get("form", ""):
            run.problems.append(f"{username}: the fragment's form of {path} does not post to {action}")
            continue
        body = f"{prefix} {username} {turn}번째 의견: 잘 읽었습니다"
        fields = {"csrfmiddlewaretoken": csrf, "token": token, "body": body}
        if rng.random() < 0.1:
            fields["private"] = "on"
        data = urlencode(fields).encode()
        post = {"body": body, "user": username, "article": article_id}
        with run.lock:
            run.posts.append(post)
        if double := rng.random() < 0.1:  # a double click: the same form twice at once, from two connections
            other = Connection(run)
            second = threading.Thread(
                target=send_into, args=(post, "double_click", other, action, visitor, data, origin)
            )
            second.start()
        post["record"], _ = conn.send("comment post", "POST", action, visitor, data, origin)
        if double:
            second.join()
            other.close()
        acknowledged = [answer(r) for r in (post["record"], post.get("double_click")) if r is not None]
        ids = {int(m[1]) for r in acknowledged if r.status == 302 and (m := COMMENT_ANCHOR.search(r.location))}
        if len(ids) > 1:
            post["ids"] = ids
        if not ids:
            refused = [r.location for r in acknowledged if r.status == 302]
            if refused:
                post["refused"] = refused[0]
            continue
        post["id"] = min(ids)
        # Follow the redirect as the browser does: the article (from the edge) and its fragment.
        target = urlsplit(
            answer(post["record"]).location
            if answer(post["record"]).status == 302
            else answer(post["double_click"]).location
        )
        shown, page = conn.send(
            "reader article", "GET", target.path + (f"?{target.query}" if target.query else ""), visitor
        )
        _, text = conn.send(
            "fragment", "GET", f"{url}&next={quote(target.path)}", visitor, None, {"Accept": "application/json"}
        )
        post["shown"] = answer(shown)
        post["acknowledged_at"] = max(r.ended for r in acknowledged if r.status == 302)
        post["private"] = "private" in fields
        if answer(shown).status == 200:
            post["on_page"] = (
                html.escape(body, quote=False) in page or html.escape(body, quote=False) in text or body in text
            )
    conn.close()


# ---------------------------------------------------------------- the servers and the faults


class Servers:
    """granian and varnishd, started with portal.serve's argv and environment, each in its own process group."""

    def __init__(self, env: dict, port: int, workdir: Path):
        self.env, self.port, self.app_port, self.workdir = env, port, port + 1, workdir
        (workdir / "varnish").mkdir(parents=True, exist_ok=True)
        (workdir / "varnish" / "backend.vcl").write_text(backend_vcl(self.app_port, host_header="127.0.0.1"))
        # As portal.serve: the app trusts one more proxy than is in front of the edge.
        self.app_env = {**env, "TRUSTED_PROXY_COUNT": str(int(env.get("TRUSTED_PROXY_COUNT") or 0) + 1)}
        self.app_argv = app_command({**env, "BIND": f"127.0.0.1:{self.app_port}"})
        self.edge_argv = varnish_command(
            f"127.0.0.1:{port}",
            workdir / "varnish",
            env.get("VARNISH_MEMORY") or "256m",
            purge_listen=f"127.0.0.1:{port + 2}",
        )
        self.app_log = open(workdir / "server.log", "wb")  # noqa: SIM115  # closed in stop()
        self.edge_log = open(workdir / "varnish.log", "ab")  # noqa: SIM115
        self.app: subprocess.Popen | None = None
        self.edge: subprocess.Popen | None = None

    def start_app(self) -> None:
        self.app = subprocess.Popen(
            self.app_argv,
            cwd=ROOT,
            env=self.app_env,
            stdout=self.app_log,  # nosec B603
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        wait_for(lambda: healthy(self.app_port), 60, "granian did not answer /healthz", self.app)

    def start_edge(self) -> float:
        """varnishd; the moment it answers /healthz through the edge."""
        self.edge = subprocess.Popen(
            self.edge_argv,
            cwd=ROOT,
            stdout=self.edge_log,  # nosec B603
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        wait_for(lambda: healthy(self.port), 60, "varnishd did not answer /healthz", self.edge)
        return time.monotonic()

    def stop_edge(self) -> None:
        stop(self.edge)

    def workers(self) -> dict[int, int]:
        return workers_of(self.app.pid)

    def stop(self) -> None:
        stop(self.edge)
        stop(self.app)
        self.app_log.close()
        self.edge_log.close()


def wait_for(ready, timeout: float, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what}: it exited ({process.returncode})")
        if time.monotonic() > deadline:
            raise RuntimeError(what)
        time.sleep(0.05)


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def workers_of(master: int) -> dict[int, int]:
    """pid -> CPU ticks of the master's children: granian's worker processes."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found[int(entry)] = int(fields[11]) + int(fields[12])
    return found


def tcp_sockets() -> dict[str, tuple[int, int]]:
    """Socket inode -> (local port, remote port) for every TCP socket."""
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


def connections_held(pid: int, sockets: dict[str, int]) -> list[int]:
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


def worker_in_a_transaction(servers: Servers, database_url: str, patience: float) -> tuple[int, str] | None:
    """(worker, its statement) for a worker whose database session is inside a transaction on comments."""
    import psycopg

    db_port = int(urlsplit(database_url).port or 5432)
    to_db = {inode: local for inode, (local, remote) in tcp_sockets().items() if remote == db_port}
    owners = {port: pid for pid in servers.workers() for port in connections_held(pid, to_db)}
    end = time.monotonic() + patience
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        while time.monotonic() < end:
            busy = db.execute(
                "SELECT client_port, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                " AND (state = %s OR xact_start < query_start) AND query LIKE %s",
                ["idle in transaction", '%"comments_%'],
            ).fetchall()
            for port, statement in busy:
                if port in owners:
                    return owners[port], statement
            if any(port not in owners for port, _ in busy):
                to_db = {inode: local for inode, (local, remote) in tcp_sockets().items() if remote == db_port}
                owners = {port: pid for pid in servers.workers() for port in connections_held(pid, to_db)}
            time.sleep(0.005)
    return None


def busiest_worker(servers: Servers) -> int:
    before = servers.workers()
    time.sleep(0.5)
    after = servers.workers()
    return max(after, key=lambda pid: after[pid] - before.get(pid, after[pid]))


def flush_views(run: Run, env: dict) -> str:
    sent = time.monotonic()
    try:
        said = manage(env, "flush_views", capture=True).strip()
    except subprocess.CalledProcessError as error:
        run.problems.append(f"flush_views failed (exit {error.returncode}): {(error.stdout or '')[-300:]}")
        return "FAILED"
    return f"{said} ({time.monotonic() - sent:.1f} s)"


def edge_sees_app(port: int) -> bool:
    """A passed request through the edge answered by the app (not portal.vcl's error page): the probe has
    the app as healthy again and a backend connection works."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def controller(run: Run, env: dict, servers: Servers, seconds: float, flush_every: float) -> None:
    """Halfway: SIGKILL a worker, wait for its replacement, restart varnishd. flush_views every flush_every s."""
    started = run.started
    next_flush = started + flush_every
    faulted = False
    while time.monotonic() < run.deadline:
        now = time.monotonic()
        if not faulted and now >= started + seconds / 2 - 1.5:
            faulted = True
            before = servers.workers()
            if aimed := worker_in_a_transaction(servers, env["DATABASE_URL"], patience=3):
                killed, why = aimed[0], f"inside a comment's transaction: {aimed[1]}"
            else:
                killed, why = busiest_worker(servers), "the busiest; no comment transaction seen in 3 s"
            kill_at = time.monotonic()
            os.kill(killed, signal.SIGKILL)
            run.events.append(f"t={kill_at - started:5.1f}s SIGKILL granian worker {killed} ({why})")
            replaced_at = None
            while time.monotonic() < kill_at + 30:
                now_workers = servers.workers()
                if (
                    killed not in now_workers
                    and set(now_workers) - set(before)
                    and len(now_workers) >= len(before)
                    and healthy(servers.app_port)
                ):
                    replaced_at = time.monotonic()
                    break
                time.sleep(0.05)
            # The fault lasts until the new worker is up and the edge passes requests to the app again.
            while time.monotonic() < kill_at + 30 and not edge_sees_app(servers.port):
                time.sleep(0.1)
            recovered = time.monotonic()
            run.windows.append(("worker kill", kill_at, recovered + 0.5))
            run.events.append(
                f"t={(replaced_at or recovered) - started:5.1f}s new worker "
                f"{sorted(set(servers.workers()) - set(before))} up"
                + ("" if replaced_at else " (NOT seen within 30 s)")
                + f"; t={recovered - started:5.1f}s the edge passes to the app again"
            )
            time.sleep(4.0)  # apart from the kill, so that what it cut off is retried before this fault
            stop_at = time.monotonic()
            servers.stop_edge()
            stopped_at = time.monotonic()
            listening_at = servers.start_edge()
            run.windows.append(("varnish restart", stop_at, listening_at + 0.5))
            run.events.append(
                f"t={stop_at - started:5.1f}s varnishd stopped (in {stopped_at - stop_at:.1f} s), "
                f"t={listening_at - started:5.1f}s the new varnishd answers"
            )
            continue
        if now >= next_flush:
            next_flush += flush_every
            said = flush_views(run, env)
            run.events.append(f"t={time.monotonic() - started:5.1f}s flush_views: {said}")
        time.sleep(0.1)


# ---------------------------------------------------------------- checks and the report


EXPECTED = {
    "article": 200,
    "article reload": 200,
    "reader article": 200,
    "front": 200,
    "section": 200,
    "beacon": 204,
    "fragment": 200,
    "comment post": 302,
    "login": None,
}


def report(run: Run, final: dict, baseline: dict, elapsed: float, log_dir: Path, redis_left: dict) -> bool:
    failures = []
    records = [r for r in run.records if r.kind != "login"]
    requests = [r for r in records if not r.is_retry]  # a request and its retry are one
    answered = [r for r in records if not r.error]
    print(
        f"\n== load through the edge: {len(records)} HTTP requests ({len(requests)} + {len(records) - len(requests)} "
        f"retries) in {elapsed:.1f} s, {len(answered) / elapsed:.1f} answered req/s"
    )
    for line in run.events:
        print("  " + line)

    statuses = Counter((r.kind, r.status or r.error) for r in records)
    caches = Counter((r.kind, r.x_cache) for r in answered if r.method == "GET")
    print("\n== statuses (client side; retries included)")
    for (kind, status), n in sorted(statuses.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {kind:<15} {status!s:<22} {n}")
    print("  edge: " + ", ".join(f"{k} {c or '-'} {n}" for (k, c), n in sorted(caches.items())))
    odd = Counter(
        (r.kind, r.status) for r in answered if EXPECTED.get(r.kind) and r.status != EXPECTED[r.kind] and r.status < 500
    )
    if odd:
        failures.append(f"unexpected statuses: {dict(odd)}")

    # Failed attempts (no answer, or a 5xx): cut off by a fault, or not.
    failed = [r for r in records if r.failed]
    cut = [r for r in failed if not r.is_retry and run.fault(r.started, r.ended)]
    unexplained = [r for r in failed if not run.fault(r.started, r.ended)]
    fives = [r for r in records if (r.status or 0) >= 500]
    fives_unexplained = [r for r in fives if not run.fault(r.started, r.ended)]
    retried_failed = [r for r in cut if r.retry is None or r.retry.failed]
    print(
        f"\n== failed attempts: {len(failed)} ({len(fives)} 5xx: "
        f"{sum(r.edge_error for r in fives)} the edge's own page, {sum(not r.edge_error for r in fives)} from the app; "
        f"{len(failed) - len(fives)} without an answer: {dict(Counter(r.error for r in failed if r.error))})"
    )
    by_fault = Counter(run.fault(r.started, r.ended) for r in cut)
    for fault, n in by_fault.items():
        kinds = Counter(r.status or r.error for r in cut if run.fault(r.started, r.ended) == fault)
        print(f"  cut off by the {fault}: {n} requests ({dict(kinds)})")
    print(f"  retried once: {len(cut) - len(retried_failed)} answered on the retry, {len(retried_failed)} failed again")
    for r in retried_failed[:10]:
        print(
            f"    {r.kind} {r.method} {r.path[:40]} {r.status or r.error} then "
            f"{(r.retry.status or r.retry.error) if r.retry else 'no retry (the run had ended)'}"
        )
    for r in unexplained[:20]:
        print(
            f"  NOT CUT OFF BY A FAULT: {r.kind} {r.method} {r.path[:50]} {r.status or r.error} "
            f"t={r.started - run.started:.2f}..{r.ended - run.started:.2f}s{' (retry)' if r.is_retry else ''}"
        )
    if fives_unexplained:
        failures.append(f"{len(fives_unexplained)} 5xx beyond the requests cut off by the faults")
    if len(unexplained) > len(fives_unexplained):
        failures.append(f"{len(unexplained) - len(fives_unexplained)} requests without an answer outside the faults")
    if retried_failed:
        failures.append(
            f"{len(retried_failed)} requests cut off by a fault failed again on their one retry "
            f"{run.retry_wait:.0f} s later"
        )

    # Comments: the acknowledgement is the redirect naming the comment; the database must hold each once.
    stored = defaultdict(list)
    for pk, body, _created, _status, _private in final["comments"]:
        stored[body].append(pk)
    acknowledged = {p["body"]: p["id"] for p in run.posts if "id" in p}
    doubled = {b: pks for b, pks in stored.items() if len(pks) > 1}
    lost = [b for b in acknowledged if b not in stored]
    wrong_id = [b for b, pk in acknowledged.items() if b in stored and stored[b] != [pk]]
    refused = [p for p in run.posts if "refused" in p]
    clicks = [p for p in run.posts if "double_click" in p]
    click_wrong = [p for p in clicks if "ids" in p or "id" not in p]
    unanswered = {
        p["body"] for p in run.posts if all(answer(r).failed for r in (p["record"], p.get("double_click")) if r)
    }
    stray = [b for b in stored if b not in acknowledged and b not in unanswered]
    not_shown = [p for p in run.posts if p.get("on_page") is False]
    print(
        f"\n== comments: {len(run.posts)} posted, {len(acknowledged)} acknowledged (302 #comment-<id>), "
        f"{len(final['comments'])} stored, {sum(len(stored[b]) == 1 for b in acknowledged)} acknowledged ones stored "
        f"exactly once; {len(refused)} refused, {len(unanswered)} never answered"
    )
    print(
        f"  double clicks: {len(clicks)}, both sends answered with the same comment: {len(clicks) - len(click_wrong)}"
    )
    for p in click_wrong:
        print(
            f"    {p['user']} article {p['article']}: {answer(p['record']).status or answer(p['record']).error} "
            f"{answer(p['record']).location[-20:]} / {answer(p['double_click']).status or answer(p['double_click']).error} "
            f"{answer(p['double_click']).location[-20:]}"
        )
    retried_posts = [p for p in run.posts if p["record"].retry or (p.get("double_click") and p["double_click"].retry)]
    for p in retried_posts:
        print(
            f"  re-sent after a failure: {p['user']} article {p['article']}: "
            f"{p['record'].status or p['record'].error} then {answer(p['record']).status or answer(p['record']).error}; "
            f"stored {len(stored.get(p['body'], []))}x"
        )
    for p in refused[:5]:
        print(f"  refused: {p['user']} article {p['article']} -> {p['refused']}")
    if not_shown:
        print(
            f"  {len(not_shown)} acknowledged comments not on the article page (nor the fragment) the redirect led to:"
        )
        statuses = {pk: (status, private) for pk, _body, _created, status, private in final["comments"]}
        for p in not_shown:
            shown = p["shown"]
            print(
                f"    comment {p['id']} ({'private, ' if p['private'] else ''}status {statuses.get(p['id'])}) article "
                f"{p['article']}: 302 at t={p['acknowledged_at'] - run.started:.2f}s, the page at "
                f"t={shown.started - run.started:.2f}s: X-Cache {shown.x_cache} Age {shown.age or '-'}"
                + (f" ({run.fault(shown.started, shown.ended)})" if run.fault(shown.started, shown.ended) else "")
            )
    if lost:
        failures.append(f"{len(lost)} acknowledged comments missing from the database: {lost[:3]}")
    if doubled:
        failures.append(f"{len(doubled)} comments stored more than once: {list(doubled.items())[:3]}")
    if wrong_id:
        failures.append(f"{len(wrong_id)} comments stored under another id than acknowledged")
    if click_wrong:
        failures.append(f"{len(click_wrong)} double clicks not answered with one same comment")
    if stray:
        failures.append(f"{len(stray)} comments stored that nobody was answered for")
    if refused:
        failures.append(f"{len(refused)} posts refused (limits are raised: none should be)")

    # Views: after the final flush, each article's new views are its distinct (article, vid) with a 204.
    unsure = run.unsure - run.counted_by  # only a beacon without an answer: it may have counted or not
    expected_by = Counter(a for a, _ in run.counted)
    unsure_by = Counter(a for a, _ in unsure)
    added_by = {a: final["views"].get(a, 0) - baseline.get(a, 0) for a in set(final["views"]) | set(baseline)}
    expected, counted = len(run.counted), sum(added_by.values())
    mismatched = [
        f"article {a}: {added_by.get(a, 0)} views added, {expected_by.get(a, 0)} distinct visitors answered 204"
        + (f" (+ up to {unsure_by[a]} unsure)" if unsure_by.get(a) else "")
        for a in sorted(set(added_by) | set(expected_by))
        if not expected_by.get(a, 0) <= added_by.get(a, 0) <= expected_by.get(a, 0) + unsure_by.get(a, 0)
    ]
    many_vids = [v for v in run.visitors if len(v.vids) > 1]
    print(f"\n== views (after the final flush_views; dedupe window {DEDUPE_SECONDS} s, longer than the run)")
    print(
        f"  {expected} distinct (article, vid) pairs answered 204, by {len({vid for _, vid in run.counted})} "
        f"visitors over {len(expected_by)} articles; {counted} views added in news_dailyviews; {len(unsure)} pairs "
        f"whose only beacon never got an answer; beacons answered 204 in all: "
        f"{sum(1 for r in run.records if r.kind == 'beacon' and r.status == 204)}"
    )
    print(f"  view buffer left in Redis after the final flush: {redis_left}")
    for line in mismatched[:20]:
        print("  " + line)
    if many_vids:
        failures.append(f"{len(many_vids)} visitors were handed more than one vid cookie")
    if mismatched:
        failures.append(
            f"views: {len(mismatched)} articles with a count other than their distinct visitors "
            f"({counted} added in all, {expected} expected)"
        )
    if redis_left.get("pending") or redis_left.get("batches"):
        failures.append(f"views left in the buffer after the final flush: {redis_left}")

    # The app's side: its access log and errors.
    access, other = Counter(), []
    for line in (log_dir / "server.log").read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict) and "status" in entry:
            access[entry["status"]] += 1
        else:
            other.append(line)
    deaths = [line for line in other if "Unexpected exit from worker" in line or "died" in line.lower()]
    errors = [line for line in other if re.search(r"\[ERROR\]|Traceback|Error:", line) and line not in deaths]
    print(
        f"\n== app side: access log statuses {dict(sorted(access.items()))}; {len(deaths)} worker death lines; "
        f"{len(errors)} error lines besides"
    )
    for line in (deaths + errors)[:15]:
        print("  " + line[:220])
    if any(status >= 500 for status in access):
        failures.append(f"the app's access log has {sum(n for s, n in access.items() if s >= 500)} 5xx")
    failures += run.problems[:20]
    if len(run.windows) < 2:
        failures.append("the faults did not both happen (too short a run?)")

    comments_stored = sum(len(stored[b]) == 1 for b in acknowledged)
    followed = [p for p in run.posts if "on_page" in p]
    if missing := [p for p in followed if not p["on_page"]]:
        failures.append(f"{len(missing)} acknowledged comments missing from the page their 302 led to")
    rows = [
        ("requests (retries)", f"{len(requests)} ({len(records) - len(requests)})"),
        ("answered req/s", f"{len(answered) / elapsed:.1f}"),
        ("5xx (beyond cut off)", f"{len(fives)} ({len(fives_unexplained)})"),
        ("cut off (retry failed)", f"{len(cut)} ({len(retried_failed)})"),
        ("comments ack / stored once", f"{len(acknowledged)} / {comments_stored}"),
        ("double clicks ok", f"{len(clicks) - len(click_wrong)} / {len(clicks)}"),
        ("shown after their 302", f"{len(followed) - len(missing)} / {len(followed)}"),
        ("views expected / stored", f"{expected} / {counted}" + (f" (+{len(unsure)} unsure)" if unsure else "")),
    ]
    print("\n== summary")
    for name, value in rows:
        print(f"  {name:<28} {value:>16}")
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
    parser.add_argument("--visitors", type=int, default=3000, help="distinct anonymous browsers")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BENCH_PORT", "8400")),
        help="Varnish's port; granian's is the next (8400)",
    )
    parser.add_argument("--flush-every", type=float, default=20)
    parser.add_argument("--retry-wait", type=float, default=2.0, help="s before a failed request's one retry")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument(
        "--redis-dbs",
        default=f"{REDIS_CACHE_DB},{REDIS_BUFFER_DB}",
        help="Redis databases for the cache and the view buffer (emptied at the start)",
    )
    args = parser.parse_args()
    if not args.database.startswith(DATABASE):
        parser.error(f"--database must start with {DATABASE}")
    if not varnishd():
        sys.exit("varnishd is needed (Debian: apt-get install varnish varnish-modules)")
    commenters = args.commenters if args.commenters is not None else max(1, args.connections // 4)
    readers = args.connections - commenters
    run_id = uuid.uuid4().hex[:8]
    prefix = f"[mixed-{run_id}]"
    log_dir = Path(tempfile.gettempdir()) / f"bench_mixed-{args.port}"  # the last run's logs, overwritten
    log_dir.mkdir(exist_ok=True)
    (log_dir / "varnish.log").unlink(missing_ok=True)

    import redis

    cache_db, buffer_db = (int(n) for n in args.redis_dbs.split(","))
    for db in (cache_db, buffer_db):
        redis.Redis(db=db).flushdb()
        redis.Redis(db=db).set(SENTINEL, run_id)
    env = bench_env(args.database) | {
        "REDIS_URL": f"redis://127.0.0.1:6379/{cache_db}",
        "VIEW_BUFFER_URL": f"redis://127.0.0.1:6379/{buffer_db}",
        "EDGE_PURGE_URLS": f"http://127.0.0.1:{args.port + 2}/",  # Varnish's purge socket
        "STATIC_ROOT": str(log_dir / "static"),
        "TRUSTED_PROXY_COUNT": "1",  # a load balancer in front of Varnish: the visitor's own address counts
        "VIEW_DEDUPE_SECONDS": str(DEDUPE_SECONDS),
        "VIEW_NEW_VISITORS_PER_ADDRESS": "100000",
        "COMMENT_RATE_PER_MINUTE": "1000",
        "COMMENT_RATE_PER_DAY": "1000",
        "COMMENT_RATE_PER_ARTICLE": "1000",
        "LOG_LEVEL": "WARNING",
    }
    # manage.py's own runs (seeding, flushes) purge no edge: there is none while seeding, and the flushes purge nothing.
    tools_env = {k: v for k, v in env.items() if k != "EDGE_PURGE_URLS"}
    t0 = time.monotonic()
    prepare(tools_env)
    site = shell(tools_env, SETUP, ACCOUNTS=commenters, PASSWORD=DEMO_PASSWORD)
    baseline = {int(k): v for k, v in site["views"].items()}
    print(
        f"prepared {args.database} (seed_demo) in {time.monotonic() - t0:.0f} s: {len(site['articles'])} live "
        f"articles ({len(site['commentable'])} open to comments), {site['deleted_comments']} comments of earlier "
        f"runs removed"
    )

    run = Run(port=args.port, retry_wait=args.retry_wait)
    servers = Servers(env, args.port, log_dir)
    try:
        servers.start_app()
        servers.start_edge()
        workers = servers.workers()
        print(
            f"varnishd on :{args.port} in front of granian on :{servers.app_port} (master {servers.app.pid}, "
            f"{len(workers)} workers x {servers.app_argv[servers.app_argv.index('--blocking-threads') + 1]} threads);"
            f" logs in {log_dir}"
        )

        accounts = []
        for i, username in enumerate(site["accounts"]):
            visitor = Visitor(f"{run_id}-{username}", f"10.200.{i // 250}.{i % 250 + 1}")
            if not sign_in(run, site["login"], username, visitor):
                sys.exit(f"could not sign in as {username} through the edge")
            accounts.append((username, visitor))
        anonymous = []
        for i in range(args.visitors):
            # Most have an address of their own; a tenth share one of a few office addresses (NAT).
            office = i % 10 == 0
            address = f"10.250.0.{i % 7 + 1}" if office else f"10.{1 + i // 62500}.{i // 250 % 250}.{i % 250 + 1}"
            anonymous.append(Visitor(f"{run_id}-v{i:05d}", address))
        run.visitors = anonymous + [v for _, v in accounts]
        run.records.clear()

        threads = []
        for i in range(readers):
            threads.append(
                threading.Thread(target=anonymous_reader, args=(run, site, anonymous[i::readers], i), daemon=True)
            )
        for i, (username, visitor) in enumerate(accounts):
            threads.append(
                threading.Thread(target=commenter, args=(run, site, username, visitor, 1000 + i, prefix), daemon=True)
            )
        run.started = time.monotonic()
        run.deadline = run.started + args.seconds
        threads.append(
            threading.Thread(target=controller, args=(run, env, servers, args.seconds, args.flush_every), daemon=True)
        )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - run.started
    finally:
        servers.stop()
    for db in (cache_db, buffer_db):
        if not redis.Redis(db=db).exists(SENTINEL):
            run.problems.append(f"Redis database {db} was emptied by someone else during the run")
    run.events.append(f"end: flush_views: {flush_views(run, env)}")
    buffer = redis.Redis(db=buffer_db)
    redis_left = {
        "pending": sum(int(v) for v in buffer.hvals("views:pending")),
        "batches": len(list(buffer.scan_iter("views:flushing:*"))),
    }
    final = shell(env, FINAL, PREFIX=prefix)
    final["views"] = {int(k): v for k, v in final["views"].items()}
    ok = report(run, final, baseline, elapsed, log_dir, redis_left)
    print(
        f"({args.connections} connections: {readers} anonymous readers over {args.visitors} browsers, {commenters} "
        f"signed-in commenters; run {run_id}; total {time.monotonic() - t0:.0f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
