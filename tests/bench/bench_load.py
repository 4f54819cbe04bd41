"""Benchmark: the reading pages and a comment post at 100,000 articles, served by the app server as `make
serve` runs it behind its edge (EDGE=none: granian alone, every request rendered: what a miss at the edge
costs under load; tests/bench/bench_edge.py measures the pages through the edge).

Run: `.venv/bin/python tests/bench/bench_load.py` (options: --duration, --warmup, --connections, --rounds,
--database, --articles; PostgreSQL at $BENCH_DATABASE_URL, Redis database $BENCH_REDIS_URL, default
redis://127.0.0.1:6379/9, which it empties first, so it is the benchmark's alone).

1. The database (portal_bench_scale): migrated, the demo newsroom, and `seed_scale --articles N` once
   (reused afterwards while it holds N articles), then collectstatic.
2. Before the server starts, in this process: an article page is rendered and saved as
   STATIC_ROOT/bench-floor.html, and every page's SQL queries are counted on a cache miss.
3. The app server as `make serve` starts it behind Varnish (`python -m portal.serve` with EDGE=none, DEBUG
   off, REDIS_URL set),
   with DJANGO_SETTINGS_MODULE=tests.bench.settings (the portal's URLs plus /bench/floor/) and the comment
   rate limits raised so that every post is accepted.
4. For each page: every URL of it requested once (each rendered once before the measurement), a --warmup
   of wrk, then wrk (tests/bench/load.lua) for --duration seconds at --connections connections,
   anonymous readers unless said; every request is a render (the server's own caches: menu, rankings,
   ads). Two
   references in the same run: the framework floor (a Django view returning the saved article page) and
   the same bytes as a static file through WhiteNoise. Each page's req/s is given as a share of both.
5. The comment post: readers signed in through the login form, posting with their session and CSRF
   cookies and the form's token; the accepted posts are counted in the database afterwards.

wrk is used rather than a Python client because the load generator shares the machine's cores with the
server: a Python client would take much of the CPU it is trying to measure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.serving import PORT, PY, bench_env, manage, served  # noqa: E402

LUA = ROOT / "tests" / "bench" / "load.lua"
PASSWORD = os.environ.get("DEMO_PASSWORD") or "portal-demo-2026"
COMMON_WORD, RARE_WORD = "경제", "김치"
POSTED = "부하 시험 댓글입니다"  # the start of every comment the benchmark posts (removed again at the end)
TARGET_SHARE, TARGET_P99_MS = 0.5, 100


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per page and round (15)")
    parser.add_argument("--warmup", type=int, default=4, help="seconds of warm-up before each measurement (4)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds over all pages; medians are reported (1)")
    parser.add_argument("--database", default="portal_bench_scale", help="PostgreSQL database (portal_bench_scale)")
    parser.add_argument("--articles", type=int, default=100_000, help="seed_scale articles (100,000)")
    parser.add_argument(
        "--pages",
        default="",
        help="only the pages whose names contain one of these comma-separated "
        "words (e.g. 'article,comment'); the references always run",
    )
    parser.add_argument(
        "--no-view-buffer",
        action="store_true",
        help="serve without VIEW_BUFFER_URL (make serve sets it; "
        "here $BENCH_VIEW_BUFFER_URL, default redis://127.0.0.1:6379/10): one upsert per counted view",
    )
    return parser.parse_args()


# ---------------------------------------------------------------------------------------------- the data


def prepare(env: dict, articles: int) -> None:
    """The database with the demo newsroom and a seed_scale archive of `articles`, and the static files."""
    subprocess.run([PY, "-m", "portal.dbcheck", env["DATABASE_URL"], "--create"], cwd=ROOT, check=True)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo")
    import psycopg

    with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)) as conn:
        have = conn.execute(
            "SELECT count(*) FROM news_article a JOIN auth_user u ON u.id = a.reporter_id "
            "WHERE u.username LIKE 'scale-%%'"
        ).fetchone()[0]
    if have != articles:
        print(f"seed_scale: {have:,} articles in {env['DATABASE_URL']}, {articles:,} wanted; seeding (a few minutes)")
        started = time.perf_counter()
        subprocess.run(
            [PY, "manage.py", "seed_scale", "--articles", str(articles), *(["--reset"] if have else [])],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"seed_scale took {time.perf_counter() - started:.0f} s")
    else:
        print(f"seed_scale archive of {have:,} articles already there (reused)")
    manage(env, "collectstatic", "--noinput", "-v0")


def setup_django(env: dict) -> None:
    """Django in this process, on the same database, for choosing pages and counting queries. Its cache is
    its own memory (not the server's Redis), so counts are of a rendered page."""
    os.environ.update(
        {
            **env,
            "REDIS_URL": "",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "ACCESS_LOG": "false",
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        }
    )
    import django

    django.setup()


def choose_pages(connections: int) -> dict:
    from django.db.models import Count
    from django.urls import reverse

    from comments.models import Comment
    from news import search
    from news.models import Article, Section

    live = Article.objects.published()
    section = max(Section.objects.menu(), key=lambda s: live.filter(section=s).count())
    last_page = math.ceil(live.filter(section=section).count() / 20)
    # The seeded articles all have comments: the 100 newest (the ones being read and ranked) and 100 spread
    # over the whole archive (old pages are read too, from search and links).
    seeded = live.filter(reporter__username__startswith="scale-")
    recent = list(seeded.order_by("-published_at").values_list("pk", flat=True)[:100])
    everything = list(seeded.order_by("pk").values_list("pk", flat=True))
    articles = list(dict.fromkeys(recent + everything[:: max(1, len(everything) // 100)][:100]))
    del everything
    # First (the one whose queries are counted and whose page is the floor) an article whose thread has
    # replies, so that the count includes the replies query at every archive size.
    threaded = set(
        Comment.objects.filter(article_id__in=articles, has_replies=True).values_list("article_id", flat=True)
    )
    articles.sort(key=lambda pk: pk not in threaded)
    comment_counts = dict(Article.objects.filter(pk__in=articles).annotate(n=Count("comments")).values_list("pk", "n"))

    def found(word: str) -> int:
        return search.matching(live, search.parse(word)).order_by()[: search.COMMON_AT].count()

    return {
        "section": section,
        "section_url": section.get_absolute_url(),
        "deep_page": min(2000, last_page),
        "last_page": last_page,
        "article_ids": articles,
        "articles": [reverse("news:article", args=[pk]) for pk in articles],
        "comments_per_article": statistics.median(comment_counts.values()),
        "common_found": found(COMMON_WORD),
        "rare_found": found(RARE_WORD),
        "live": live.count(),
        "readers": [f"scale-reader-{n:05d}" for n in range(1, connections + 1)],
    }


def save_floor_page(article_path: str) -> int:
    """The article page as an anonymous reader gets it, saved for both references; its size in bytes."""
    from django.conf import settings
    from django.test import Client

    from tests.bench.urls import FLOOR_FILE

    html = Client().get(article_path).content
    (Path(settings.STATIC_ROOT) / FLOOR_FILE).write_bytes(html)
    return len(html)


def count_queries(pages: dict[str, str], signed_in: str, reader: str) -> dict[str, int]:
    """SQL queries of each page rendered (an edge miss), with the menu, site profile and rankings
    already cached as on a running site."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def count(client, url: str) -> int:
        cache.clear()
        client.get("/ranking/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        return len(captured)

    counts = {name: count(Client(), url) for name, url in pages.items()}
    client = Client()
    client.force_login(get_user_model().objects.get(username=reader))
    counts["signed in"] = count(client, signed_in)
    return counts


# -------------------------------------------------------------------------------------------- the server


def sign_in(username: str, article_path: str) -> tuple[str, str]:
    """Sign a reader in through the login form; (Cookie header, the comment form's CSRF token)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{PORT}"
    login = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form.encode(), headers={"Referer": base}))
    page = opener.open(f"{base}{article_path}").read().decode()
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, f"{username} could not sign in"
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), form_token


def run_wrk(lines: list[str], seconds: int, connections: int, new_visitors: bool = False) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    try:
        result = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{PORT}",
                "--",
                f.name,
                "new-visitors" if new_visitors else "same-visitor",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(f.name)
    return json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])


def sweep(lines: list[str], threads: int = 4) -> None:
    """Request every distinct GET of a scenario once, so that each is rendered once before measuring
    (a time-based warm-up alone leaves most of 200 articles unrendered when a miss costs ~100 ms)."""
    from concurrent.futures import ThreadPoolExecutor

    def get(line: str) -> None:
        method, path, cookie, _body = line.split("\t")
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        conn.request(
            method, path, headers={"User-Agent": "Mozilla/5.0 (warm-up)", **({"Cookie": cookie} if cookie else {})}
        )
        conn.getresponse().read()
        conn.close()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(get, dict.fromkeys(line for line in lines if line.startswith("GET"))))


def cache_hits(log: Path, offset: int, lines: list[str]) -> tuple[int, int, list[float], int]:
    """(hits, misses, the misses' server times in ms, new offset): the renders of this
    scenario's requests in the JSON access log written since `offset` (requests of the scenario before,
    still in flight when its wrk stopped, are logged after it and not counted)."""
    paths = {line.split("\t")[1] for line in lines}
    hits = misses = 0
    miss_ms = []
    with open(log, "rb") as f:
        f.seek(offset)
        for raw in f:
            if not raw.startswith(b"{") or not raw.endswith(b"\n"):
                continue
            entry = json.loads(raw)
            address = entry["path"] + ("?" + entry["query"] if entry["query"] else "")
            if address in paths or urllib.parse.unquote(address) in paths:
                misses += 1  # without the edge (EDGE=none) every request is rendered: a miss
                miss_ms.append(entry["ms"])
        return hits, misses, miss_ms, f.tell()


# ------------------------------------------------------------------------------------------------ the run


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian: apt-get install wrk)")
    env = bench_env(args.database)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    prepare(env, args.articles)
    setup_django(env)
    pages = choose_pages(args.connections)
    from django.conf import settings

    from tests.bench.urls import FLOOR_FILE

    floor_bytes = save_floor_page(pages["articles"][0])
    section_url = pages["section_url"]
    urls = {
        "front page": "/",
        "section, page 1": section_url,
        f"section, page {pages['deep_page']}": f"{section_url}?page={pages['deep_page']}",
        "article with comments": pages["articles"][0],
        f"search, common ({COMMON_WORD})": "/search/?q=" + urllib.parse.quote(COMMON_WORD),
        f"search, rare ({RARE_WORD})": "/search/?q=" + urllib.parse.quote(RARE_WORD),
    }
    queries = count_queries(urls, pages["articles"][0], pages["readers"][0])
    print(
        f"archive: {pages['live']:,} live articles; section {pages['section'].name}: {pages['last_page']:,} pages; "
        f"{len(pages['articles'])} articles read round robin (median {pages['comments_per_article']:.0f} comments); "
        f"{COMMON_WORD}: {pages['common_found']:,}{'+' if pages['common_found'] >= 1000 else ''} matches, "
        f"{RARE_WORD}: {pages['rare_found']:,}; article page {floor_bytes:,} bytes"
    )

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    buffer_url = os.environ.get("BENCH_VIEW_BUFFER_URL", "redis://127.0.0.1:6379/10") if not args.no_view_buffer else ""
    if buffer_url:
        redis.Redis.from_url(buffer_url).flushdb()
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "REDIS_URL": redis_url,
        "PORT": str(PORT),
        "LOG_LEVEL": "WARNING",
        "VIEW_BUFFER_URL": buffer_url,
        # The app server alone: every request is rendered, which is what a miss at the edge costs under load
        # (tests/bench/bench_edge.py measures the pages through the edge).
        "EDGE": "none",
        # Posts must be accepted: the limits stay on (their queries run) but far above what the run posts.
        "COMMENT_RATE_PER_MINUTE": "100000",
        "COMMENT_RATE_PER_DAY": "100000",
        "COMMENT_RATE_PER_ARTICLE": "100000",
    }
    log = Path(tempfile.gettempdir()) / f"bench_load_server_{PORT}.log"
    anonymous = lambda *paths: [f"GET\t{p}\t\t" for p in paths]  # noqa: E731
    results: dict[str, list[dict]] = {}
    load_before = os.getloadavg()
    started = time.time()
    with served(server_env, log=log):
        sessions = [sign_in(reader, pages["articles"][0]) for reader in pages["readers"]]
        scenarios = [
            ("floor: Django view", anonymous("/bench/floor/"), False),
            ("floor: static file", anonymous(f"/{settings.STATIC_URL.strip('/')}/{FLOOR_FILE}"), False),
            ("front page", anonymous(urls["front page"]), False),
            ("section, page 1", anonymous(section_url), False),
            (f"section, page {pages['deep_page']}", anonymous(urls[f"section, page {pages['deep_page']}"]), False),
            ("article with comments", anonymous(*pages["articles"]), True),
            (f"search, common ({COMMON_WORD})", anonymous(urls[f"search, common ({COMMON_WORD})"]), False),
            (f"search, rare ({RARE_WORD})", anonymous(urls[f"search, rare ({RARE_WORD})"]), False),
            (
                "article, signed in",
                [f"GET\t{path}\t{sessions[i % len(sessions)][0]}\t" for i, path in enumerate(pages["articles"])],
                False,
            ),
        ]
        wanted = [word.strip() for word in args.pages.split(",") if word.strip()]
        scenarios = [s for s in scenarios if s[0].startswith("floor") or not wanted or any(w in s[0] for w in wanted)]
        offset = 0
        for round_number in range(1, args.rounds + 1):
            for label, lines, new_visitors in scenarios:
                sweep(lines)
                run_wrk(lines, args.warmup, args.connections, new_visitors)
                _, _, rendered_ms, offset = cache_hits(log, offset, lines)  # the sweep's renders (4 at a time)
                result = run_wrk(lines, args.duration, args.connections, new_visitors)
                result["hits"], result["misses"], _, offset = cache_hits(log, offset, lines)
                result["render_ms"] = rendered_ms
                results.setdefault(label, []).append(result)
                print(
                    f"round {round_number} {label:<28} {result['requests'] / result['duration_us'] * 1e6:8.1f} req/s "
                    f"p99 {result['p99'] / 1000:6.1f} ms",
                    flush=True,
                )

        # Last, since posting changes the pages: signed-in readers post comments round robin over the articles.
        from comments.models import Comment

        before = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        from django.urls import reverse

        body = "csrfmiddlewaretoken={csrf}&token={{token}}&body=" + urllib.parse.quote(POSTED + " {n}")
        posts = []
        for i, pk in enumerate(pages["article_ids"]):
            cookie, csrf = sessions[i % len(sessions)]
            posts.append(f"POST\t{reverse('comments:post', args=[pk])}\t{cookie}\t" + body.format(csrf=csrf))
        post_rounds = args.rounds if not wanted or any(w in "comment post (signed in)" for w in wanted) else 0
        for round_number in range(1, post_rounds + 1):
            result = run_wrk(posts, args.duration, args.connections)
            result["hits"] = result["misses"] = 0
            results.setdefault("comment post (signed in)", []).append(result)
            print(
                f"round {round_number} {'comment post (signed in)':<28} "
                f"{result['requests'] / result['duration_us'] * 1e6:8.1f} req/s p99 {result['p99'] / 1000:6.1f} ms",
                flush=True,
            )
        time.sleep(1)  # requests cut off at the end of a run still finish on the server
        posted = Comment.objects.filter(pk__gt=before, author__username__in=pages["readers"], body__startswith=POSTED)
        stored = posted.count()
    # Leave the archive as it was, so the next run reads the same threads.
    Comment.objects.filter(author__username__in=pages["readers"], body__startswith=POSTED).delete()
    report(results, queries, pages, args, stored, load_before, time.time() - started, floor_bytes)


def report(results: dict, queries: dict, pages: dict, args, stored: int, load_before, seconds: float, floor_bytes: int):
    def rps(r: dict) -> float:
        return r["requests"] / r["duration_us"] * 1e6

    def median(label: str, key) -> float:
        return statistics.median(key(r) for r in results[label])

    floors = [rps(r) for r in results["floor: Django view"]]
    statics = [rps(r) for r in results["floor: static file"]]
    reading = [label for label in results if not label.startswith(("floor", "comment", "article, signed"))]
    query_of = queries | {"article, signed in": queries["signed in"]}
    print()
    print(
        f"bench_load: {pages['live']:,} live articles, {args.connections} connections, {args.duration} s a page "
        f"x {args.rounds} round(s), python -m portal.serve (granian), {os.cpu_count()} cores shared with the "
        f"load generator (load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after; {seconds:.0f} s)"
    )
    header = (
        f"{'page':<30}{'req/s':>9}{'/ floor':>9}{'/ static':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'queries':>9}{'miss ms':>9}{'cache hit':>10}  target"
    )
    print(header)
    print("-" * len(header))
    for label in results:
        shares = [rps(r) / f for r, f in zip(results[label], floors, strict=True)]
        statics_share = [rps(r) / s for r, s in zip(results[label], statics, strict=True)]
        p99 = median(label, lambda r: r["p99"] / 1000)
        hits = sum(r["hits"] for r in results[label])
        renders = [ms for r in results[label] for ms in r.get("render_ms", [])]
        served = hits + sum(r["misses"] for r in results[label])
        target = ""
        if label in reading:
            missed = [
                what
                for what, ok in [
                    (f"< {TARGET_SHARE:.0%} of floor", statistics.median(shares) >= TARGET_SHARE),
                    (f"p99 >= {TARGET_P99_MS} ms", p99 < TARGET_P99_MS),
                ]
                if not ok
            ]
            target = "NOT met: " + ", ".join(missed) if missed else "met"
        bad = sum(r["other"] + r["connect_errors"] + r["read_errors"] + r["timeouts"] for r in results[label])
        print(
            f"{label:<30}{median(label, rps):9.1f}{statistics.median(shares):9.0%}{statistics.median(statics_share):9.0%}"
            f"{median(label, lambda r: r['p50'] / 1000):9.1f}{median(label, lambda r: r['p95'] / 1000):9.1f}{p99:9.1f}"
            f"{query_of.get(label, ''):>9}{(f'{statistics.median(renders):.1f}' if renders else ''):>9}"
            f"{(f'{hits / served:.0%}' if served else '-'):>10}  {target}"
            + (f"  ({bad} errors/non-200)" if bad else "")
        )
    posted = results.get("comment post (signed in)", [])
    accepted = sum(r["accepted"] for r in posted)
    if posted:
        print(
            f"comment posts: {accepted:,} accepted (redirected to the new comment), "
            f"{sum(r['refused'] for r in posted)} refused; {stored:,} new comments in the database (more than "
            f"accepted by the posts still in flight when wrk stopped: at most {args.connections} a round), removed again"
        )
    print(
        f"SQL queries of each page rendered at {pages['live']:,} articles: "
        + ", ".join(f"{label} {n}" for label, n in queries.items())
    )
    print(
        f"the references' own p99: Django floor {median('floor: Django view', lambda r: r['p99'] / 1000):.1f} ms, "
        f"static file {median('floor: static file', lambda r: r['p99'] / 1000):.1f} ms"
    )
    print(
        f"queries: SQL statements of the page rendered (cache miss) at this size, menu/profile/rankings cached; "
        f"miss ms: median server time of a miss (the sweep renders each page once before its measurement, "
        f"4 requests at a time where a page has several URLs); "
        f"without the edge every request is rendered (views are counted by the page's beacon, not measured here). "
        f"Targets (reading pages): >= "
        f"{TARGET_SHARE:.0%} of the Django floor and p99 < {TARGET_P99_MS} ms. Article page: {floor_bytes:,} bytes."
    )


if __name__ == "__main__":
    main()
