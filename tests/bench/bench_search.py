"""Benchmark: Korean search over 100,000 live articles.

Run: `.venv/bin/python tests/bench/bench_search.py`. In the database portal_bench_search it makes ARTICLES
articles whose titles and ~150-word bodies are drawn from a Korean vocabulary (nouns with particles),
with PostgreSQL's generate_series, then times /search/ requests (rendering included) for common and rare
two-syllable words, longer words, two-word queries and a query that finds nothing, the forms of #21
(a compound typed without its spaces, a variant spelling, a particle, a slip answered by "혹시 …
찾으셨나요?"), and the search box's suggestions warm; it prints the plans that show the trigram indexes
at work.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.serving import bench_env, prepare  # noqa: E402

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "100000"))
RUNS = 9
NOUNS = [
    "경제",
    "사회",
    "문화",
    "교육",
    "한인",
    "상하이",
    "푸둥",
    "민항",
    "홍차오",
    "정부",
    "기업",
    "시장",
    "환율",
    "학교",
    "학생",
    "부모",
    "축제",
    "공연",
    "식당",
    "병원",
    "지하철",
    "노선",
    "개통",
    "주민",
    "회장",
    "대표",
    "투자",
    "수출",
    "무역",
    "관광",
    "비자",
    "거주증",
    "영사관",
    "도서관",
    "전시회",
    "음악회",
    "기자",
    "정책",
    "발표",
    "회의",
    "협회",
    "센터",
    "창업",
    "지원",
    "서비스",
    "가격",
    "상승",
    "하락",
    "날씨",
    "폭염",
    "태풍",
    "안전",
    "교통",
    "공항",
    "항공권",
    "반도체",
    "전기차",
    "배터리",
    "인공지능",
    "플랫폼",
    "온라인",
    "쇼핑",
    "배달",
    "커피",
    "한식",
    "김치",
    "축구",
    "야구",
    "마라톤",
    "봉사",
    "기부",
]
PARTICLES = ["", "이", "가", "은", "는", "을", "를", "에", "에서", "의", "와", "과", "도", "로"]
# Thousands of other two- and three-syllable words, so that, as in real news, a common word such as 경제
# is in some articles, not all: words are drawn with a skew (the listed nouns first and most often).
SYLLABLES = (
    "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히"
)
OTHERS = [a + b for a in SYLLABLES for b in SYLLABLES[::3]] + [
    a + b + c for a in SYLLABLES[:12] for b in SYLLABLES[1::4] for c in SYLLABLES[2::5]
]


def fill(cursor) -> None:
    cursor.execute("SELECT count(*) FROM news_article WHERE title LIKE '벤치%%' OR byline = '기자'")
    if cursor.fetchone()[0] >= ARTICLES:
        return
    generated = "FROM news_article WHERE byline = '기자' AND status = 'published' AND lead_image = ''"
    cursor.execute(f"DELETE FROM news_articlesearchtext WHERE article_id IN (SELECT id {generated})")  # nosec B608
    cursor.execute(f"DELETE {generated}")  # nosec B608  # constant text
    cursor.execute("SELECT id FROM auth_user WHERE username = 'reporter'")
    reporter_id = cursor.fetchone()[0]
    cursor.execute("SELECT array_agg(id) FROM news_section")
    sections = cursor.fetchone()[0]
    # word(n, seed): a noun plus a particle, chosen by a hash so the data are the same every run.
    cursor.execute(
        """
        CREATE OR REPLACE FUNCTION pg_temp.words(seed bigint, n int, nouns text[], particles text[]) RETURNS text AS $$
            SELECT string_agg(nouns[1 + floor(array_length(nouns, 1)
                                    * ((abs(hashint8(seed * 1000 + i)) % 1000000) / 1000000.0) ^ 1.5)::int]
                              || particles[1 + abs(hashint8(seed * 7919 + i)) % array_length(particles, 1)], ' ')
            FROM generate_series(1, n) AS i
        $$ LANGUAGE sql IMMUTABLE
        """  # no parameters here, so % is PostgreSQL's own operator
    )
    cursor.execute(
        """
        INSERT INTO news_article (title, subtitle, body, section_id, lead_image, lead_image_caption, lead_image_alt,
            lead_renditions, reporter_id, byline, byline_email, status, featured, comments_enabled, published_at,
            created_at, updated_at, kind)
        SELECT t.title, '', '<p>' || t.body || '</p>', (%s::bigint[])[1 + g %% array_length(%s::bigint[], 1)], '', '',
               '', '{}', %s, '기자', '', 'published', false, true, now() - g * interval '7 minutes', now(), now(),
               'report'
        FROM generate_series(1, %s) AS g,
             LATERAL (SELECT pg_temp.words(g, 6, %s, %s) AS title, pg_temp.words(g + 500000, 150, %s, %s) AS body) t
        """,
        [sections, sections, reporter_id, ARTICLES, NOUNS + OTHERS, [""], NOUNS + OTHERS, PARTICLES],
    )
    # The search text as news/search.py would write it (the bodies are words and spaces only).
    cursor.execute(
        """
        INSERT INTO news_articlesearchtext (article_id, text, compact, title)
        SELECT id, t.text, replace(t.text, ' ', ''), ' ' || title
        FROM news_article, LATERAL (SELECT ' ' || title || ' ' || regexp_replace(body, '</?p>', '', 'g') AS text) t
        WHERE byline = '기자' ON CONFLICT DO NOTHING
        """
    )
    # VACUUM as autovacuum would in production: the GIN indexes' own statistics, which the planner's
    # costs read, are written by VACUUM only; stale ones made it choose a sequential scan.
    cursor.execute("VACUUM ANALYZE news_articlesearchtext")
    cursor.execute("VACUUM ANALYZE news_article")


def main() -> None:
    env = bench_env("portal_bench_search")
    try:
        prepare(env)
    except subprocess.CalledProcessError as error:  # the benchmark needs the sections and a reporter, not all of it
        print(f"note: preparing the demo stopped early ({error.cmd[-1]}); its sections and accounts are used")
    os.environ.update({**env, "DJANGO_SETTINGS_MODULE": "portal.settings", "ALLOWED_HOSTS": "testserver"})
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    with connection.cursor() as cursor:
        fill(cursor)
        cursor.execute(
            "SELECT count(*), pg_size_pretty(pg_relation_size('article_search_trgm')) FROM news_articlesearchtext"
        )
        count, index_size = cursor.fetchone()
    print(f"data: {count:,} articles, trigram index {index_size} (ready in {time.perf_counter() - started:.0f} s)")

    from news import search
    from news.models import Article, SpellingVariants

    for terms in ("상하이, 상해, 上海", "푸둥, 푸동, 浦东", "훙차오, 홍차오, 虹桥"):
        SpellingVariants.objects.get_or_create(terms=terms)
    started = time.perf_counter()
    known = search.refresh_terms()
    print(f"known terms rebuilt: {known:,} in {(time.perf_counter() - started) * 1000:.0f} ms (refresh_search_terms)")

    client = Client()
    cases = {
        "two syllables, common (경제)": "경제",
        "two syllables, common (기자)": "기자",
        "two syllables, rare (김치)": "김치",
        "three+ letters (인공지능)": "인공지능",
        "word with particle (상하이에서)": "상하이에서",
        "two words (전기차 배터리)": "전기차 배터리",
        "nothing found (마윈)": "마윈",
        "relevance order (환율)": "환율&order=relevance",
        "compound, no spaces (전기차배터리)": "전기차배터리",
        "compound, rare (인공지능플랫폼)": "인공지능플랫폼",
        "spaced words as one (인공 지능)": "인공 지능",
        "variant spelling, common (상해)": "상해",
        "variant spelling, rare (홍차오 김치)": "홍차오 김치",
        "variant + relevance (푸동)": "푸동&order=relevance",
        "particle typed (배터리를)": "배터리를",
        "slip, 혹시 … 찾으셨나요? (인공지넝)": "인공지넝",
        "nothing near (가나다라마바사)": "가나다라마바사",
    }
    client.get("/search/?q=경제")  # warm up the process
    for label, q in cases.items():
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            response = client.get(f"/search/?q={q}")
            times.append(time.perf_counter() - t)
            assert response.status_code == 200
        print(f"{label:<34} median {statistics.median(times) * 1000:6.1f} ms   max {max(times) * 1000:6.1f} ms")

    suggest = {"suggestions (상하)": "상하", "suggestions (인공지)": "인공지", "suggestions (김치 축)": "김치 축"}
    for label, q in suggest.items():
        client.get(f"/search/suggest/?q={q}")  # warm: the process, the database's pages
        times = []
        for _ in range(RUNS * 3):
            t = time.perf_counter()
            response = client.get(f"/search/suggest/?q={q}")
            times.append(time.perf_counter() - t)
            assert response.status_code == 200 and response.json()["items"]
        print(f"{label:<34} median {statistics.median(times) * 1000:6.1f} ms   max {max(times) * 1000:6.1f} ms")
    response = client.get("/search/?q=인공지넝")
    assert "혹시" in response.content.decode(), "the slip was not answered"

    live = Article.objects.published().only("id")
    counting = search.matching(live, search.parse("경제")).order_by().values("id")[: search.COMMON_AT]
    print("plan of the bounded count of a two-syllable search (the trigram index at work):")
    print(counting.explain(analyze=True))
    page = search.matching(live, search.parse("김치")).order_by("-published_at")[:20]
    print("plan of a page of results (the newest articles, tested one by one in the narrow table):")
    print(page.explain(analyze=True))
    compound = search.matching(live, search.parse("인공지능플랫폼")).order_by().values("id")[: search.COMMON_AT]
    print("plan of the bounded count of a compound typed without spaces (the compact column's index):")
    print(compound.explain(analyze=True))


if __name__ == "__main__":
    main()
