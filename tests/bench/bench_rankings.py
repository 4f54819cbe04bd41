"""Benchmark: the 가장 많이 본 뉴스 box, cold (one query) and warm (cache), over 1,000,000 day-rows.

Run: `.venv/bin/python tests/bench/bench_rankings.py`. In the database portal_bench_rankings it makes
ARTICLES articles over SECTIONS sections and DAY_ROWS (article, day) view rows spread over the last
years, with PostgreSQL's generate_series (a few seconds), then times the rankings query cold (cache
cleared) and warm, and prints the query plan of the cold query.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.serving import bench_env, prepare  # noqa: E402

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "20000"))
DAY_ROWS = int(os.environ.get("BENCH_DAY_ROWS", "1000000"))
RUNS = 15


def fill(cursor) -> None:
    cursor.execute("SELECT count(*), max(day) FROM news_dailyviews")
    count, last_day = cursor.fetchone()
    cursor.execute("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date")
    if count >= DAY_ROWS and last_day <= cursor.fetchone()[0]:
        return
    cursor.execute("SELECT id FROM auth_user WHERE username = 'reporter'")
    reporter_id = cursor.fetchone()[0]
    cursor.execute("SELECT array_agg(id) FROM news_section")
    sections = cursor.fetchone()[0]
    cursor.execute("TRUNCATE news_dailyviews")
    # Articles published one every ~hour going back; each gets DAY_ROWS / ARTICLES consecutive days of views.
    cursor.execute(
        """
        INSERT INTO news_article (title, subtitle, body, section_id, lead_image, lead_image_caption, lead_image_alt,
            lead_renditions, reporter_id, byline, byline_email, status, featured, comments_enabled, published_at,
            created_at, updated_at)
        SELECT '벤치마크 기사 ' || g, '', '<p>본문</p>', (%s::bigint[])[1 + g %% array_length(%s::bigint[], 1)], '', '', '',
            '{}', %s, '기자', '', 'published', false, true, now() - g * interval '57 minutes', now(), now()
        FROM generate_series(1, %s) AS g
        """,
        [sections, sections, reporter_id, ARTICLES],
    )
    # Each article is read from its publication day on, never in the future; up to DAY_ROWS rows in all.
    per_article = 2 * DAY_ROWS // ARTICLES
    cursor.execute(
        """
        INSERT INTO news_dailyviews (article_id, day, views)
        SELECT id, day, views FROM (
            SELECT a.id, (a.published_at AT TIME ZONE 'Asia/Shanghai')::date + d AS day,
                   1 + (a.id * 7 + d * 13) %% 500 AS views
            FROM (SELECT id, published_at FROM news_article ORDER BY id DESC LIMIT %s) a, generate_series(0, %s - 1) d
        ) rows
        WHERE day <= (now() AT TIME ZONE 'Asia/Shanghai')::date
        ORDER BY day DESC
        LIMIT %s
        ON CONFLICT DO NOTHING
        """,
        [ARTICLES, per_article, DAY_ROWS],
    )
    cursor.execute("ANALYZE news_dailyviews")
    cursor.execute("ANALYZE news_article")


def main() -> None:
    env = bench_env("portal_bench_rankings")
    prepare(env)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from news import rankings

    started = time.perf_counter()
    with connection.cursor() as cursor:
        fill(cursor)
        cursor.execute("SELECT count(*) FROM news_dailyviews")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM news_article")
        articles = cursor.fetchone()[0]
    print(f"data: {rows:,} day-rows, {articles:,} articles (ready in {time.perf_counter() - started:.1f} s)")

    cold, warm = [], []
    for _ in range(RUNS):
        cache.clear()
        t = time.perf_counter()
        rankings.most_viewed()
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        rankings.most_viewed()
        warm.append(time.perf_counter() - t)
    print(
        f"rankings box cold (1 query): median {statistics.median(cold) * 1000:.1f} ms, "
        f"max {max(cold) * 1000:.1f} ms over {RUNS} runs"
    )
    print(f"rankings box warm (cache):   median {statistics.median(warm) * 1000:.3f} ms")

    from django.conf import settings

    print("plan of the cold query:")
    print(rankings.ranked_articles(settings.RANKING_DAYS).explain(analyze=True))


if __name__ == "__main__":
    main()
