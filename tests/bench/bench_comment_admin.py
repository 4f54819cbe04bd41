"""Benchmark: the moderators' comment list in the admin with 1,000,000 comments.

Run: `.venv/bin/python tests/bench/bench_comment_admin.py`. In the database portal_bench_comments it adds
COMMENTS comments (10% private, some reported, a few hidden) spread over the demo articles with
generate_series, then times the admin changelist as a moderator: the default list, each filter, the
reported queue and a deep page. Prints the median of RUNS requests for each.
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

COMMENTS = int(os.environ.get("BENCH_COMMENTS", "1000000"))
RUNS = 7


def fill(cursor) -> None:
    cursor.execute("SELECT count(*) FROM comments_comment")
    if cursor.fetchone()[0] >= COMMENTS:
        return
    cursor.execute("SELECT array_agg(id) FROM news_article WHERE status = 'published'")
    articles = cursor.fetchone()[0]
    cursor.execute("SELECT array_agg(id) FROM auth_user WHERE username IN ('reader', 'reader2')")
    authors = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO comments_comment (article_id, author_id, parent_id, body, private, status, has_replies,
            report_count, created_at, moderation_note)
        SELECT (%s::bigint[])[1 + g %% array_length(%s::bigint[], 1)], (%s::bigint[])[1 + g %% 2], NULL,
            '벤치마크 댓글 ' || g || ' 상하이 생활 이야기', g %% 10 = 0,
            CASE WHEN g %% 997 = 0 THEN 'hidden' ELSE 'published' END, false,
            CASE WHEN g %% 211 = 0 THEN 1 + g %% 5 ELSE 0 END, now() - g * interval '13 seconds', ''
        FROM generate_series(1, %s) AS g
        """,
        [articles, articles, authors, COMMENTS],
    )
    cursor.execute("ANALYZE comments_comment")


def main() -> None:
    env = bench_env("portal_bench_comments")
    prepare(env)
    os.environ.update({**env, "DJANGO_SETTINGS_MODULE": "portal.settings", "ALLOWED_HOSTS": "testserver"})
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        fill(cursor)
        cursor.execute("SELECT count(*) FROM comments_comment")
        print(f"data: {cursor.fetchone()[0]:,} comments")
    client = Client()
    client.force_login(get_user_model().objects.get(username="moderator"))
    base = "/admin/comments/comment/"
    cases = {
        "default list (newest first)": base,
        "status = hidden": base + "?status__exact=hidden",
        "private only": base + "?private__exact=1",
        "reported": base + "?reported=yes",
        "one article": base + "?article=1",
        "one section": base + "?article__section__id__exact=1",
        "today": base + "?created_at__gte=" + time.strftime("%Y-%m-%d") + "+00:00:00%2B08:00",
        "page 50": base + "?p=50",
        "reported queue": "/admin/comments/reportedcomment/",
    }
    for label, url in cases.items():
        times = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                assert client.get(url).status_code == 200, url
                times.append(time.perf_counter() - started)
        print(f"{label:<30} median {statistics.median(times) * 1000:7.1f} ms   {len(queries)} queries")


if __name__ == "__main__":
    main()
