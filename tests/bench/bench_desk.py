"""Benchmark: the desk's dashboard (portal/desk.py) at an archive of 1,000,000 articles.

Run: `.venv/bin/python tests/bench/bench_desk.py`. It uses the database portal_bench_desk (on the
PostgreSQL of $BENCH_DATABASE_URL or 127.0.0.1), seeding it first when it holds fewer than BENCH_ARTICLES
(1,000,000) live articles: `migrate`, `seed_demo`, then `seed_scale --articles N --comments 2 --body-words
40` (about 10 minutes here). It adds what the dashboard lists (20 stories waiting for 출고, 20 scheduled
later today, 20 new correction requests, 20 ads ending this week), then times `desk.for_editors()` RUNS
times with the rankings' cache cleared each time (cold: the most viewed are computed too) and warm, and
prints each query with its time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "1000000"))
DATABASE = "portal_bench_desk"
RUNS = 15


def database_url() -> str:
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    return f"{server}/{DATABASE}"


def manage(*args: str) -> None:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url()}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare() -> None:
    import psycopg

    server = database_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE} TEMPLATE portal_test_template")  # its locale: see dbcheck
    manage("migrate", "-v0")
    with psycopg.connect(database_url()) as conn:
        have = conn.execute("SELECT count(*) FROM news_article WHERE status = 'published'").fetchone()[0]
    if have < ARTICLES:
        manage("seed_demo")
        manage("seed_scale", "--articles", str(ARTICLES), "--comments", "2", "--body-words", "40", "--reset")


def main() -> int:
    prepare()
    os.environ.update(DEBUG="true", DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="portal.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.utils import timezone

    from news.models import Article, CorrectionRequest, Section
    from portal import desk
    from portal.ads.models import Ad

    now, section = timezone.now(), Section.objects.first()
    reporter = Article.objects.values_list("reporter_id", flat=True).first()
    if not Article.objects.filter(status=Article.Status.SUBMITTED, title__startswith="[bench]").exists():
        story = Article.objects.published().first()
        for i in range(20):
            Article.objects.create(
                title=f"[bench] 출고 대기 {i}", section=section, reporter_id=reporter, status="submitted"
            )
            CorrectionRequest.objects.create(article=story, name=f"요청자 {i}", email="r@example.com", body="정정 요청")
            Ad.objects.create(
                advertiser="광고주",
                title=f"[bench] {i}",
                text="광고",
                target_url="https://example.com/",
                starts_at=now - timedelta(days=3),
                ends_at=now + timedelta(days=1 + i % 6),
            )
    end_of_day = timezone.localtime().replace(hour=23, minute=59)
    Article.objects.filter(title__startswith="[bench] 예약").delete()
    for i in range(20):
        Article.objects.create(
            title=f"[bench] 예약 {i}",
            section=section,
            reporter_id=reporter,
            status="published",
            published_at=min(now + timedelta(minutes=1 + i), end_of_day),
        )

    live = Article.objects.published().count()
    print(f"bench_desk: {live:,} live articles in {DATABASE}; {RUNS} runs each")
    from django.conf import settings

    settings.DEBUG = True  # the queries are recorded (connection.queries)
    timings = {"cold (rankings computed)": [], "warm (rankings cached)": []}
    for label, clear in (("cold (rankings computed)", True), ("warm (rankings cached)", False)):
        for _ in range(RUNS):
            if clear:
                cache.clear()
            reset_queries()
            started = time.perf_counter()
            parts = desk.for_editors()
            timings[label].append((time.perf_counter() - started) * 1000)
            queries = list(connection.queries)
        print(
            f"  {label:<28} median {statistics.median(timings[label]):7.1f} ms  "
            f"max {max(timings[label]):7.1f} ms  queries {len(queries)}"
        )
    for query in queries:
        print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:110]}")
    print(
        f"  waiting {parts['waiting'].count}, scheduled {parts['scheduled'].count}, "
        f"corrections {parts['correction_requests'].count}, ads {parts['ads_ending'].count}, "
        f"comments {parts['comments']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
