"""Korean search: particles, mixed scripts, short words, bad queries, only live articles, escaped highlights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(section, reporter):
    culture = factories.SectionFactory(name="문화", slug="culture")
    make = lambda title, body, **kw: factories.ArticleFactory(  # noqa: E731
        title=title, body=f"<p>{body}</p>", subtitle="", reporter=reporter, section=kw.pop("section", section), **kw
    )
    return {
        "jack": make(
            "알리바바 회장 방한",
            "마윈이 서울을 찾았다. 마윈(马云) 회장은 AI 투자를 밝혔다.",
            published_at=timezone.now() - timedelta(days=2),
        ),
        "economy": make("상하이 경제 동향", "중국 경제가 회복세를 보였다. 환율 50% 변동 없음."),
        "compound": make("국제경제 포럼 열려", "세계경제 흐름을 논의했다.", section=culture),
        "latin": make("Tesla 상하이 공장 증설", "테슬라(特斯拉)는 Model Y 생산을 늘린다."),
        "draft": make("마윈 초안 기사", "마윈 관련 미공개 기사", status=Article.Status.DRAFT, published_at=None),
        "future": make("마윈 예약 기사", "마윈 예약", published_at=timezone.now() + timedelta(days=1)),
    }


def results(client, **params) -> str:
    response = client.get(reverse("news:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def titles_found(page: str) -> list[str]:
    found = [chunk.split("</strong>")[0] for chunk in page.split('<strong class="item-title">')[1:]]
    return [title.replace("<mark>", "").replace("</mark>", "") for title in found]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("마윈", "알리바바 회장 방한"),  # a word with its particle attached: 마윈이
        ("马云", "알리바바 회장 방한"),  # Hanzi inside parentheses
        ("ai", "알리바바 회장 방한"),  # Latin, any case
        ("model y", "Tesla 상하이 공장 증설"),  # two terms, both must match
        ("테슬라", "Tesla 상하이 공장 증설"),
        ("경제", "상하이 경제 동향"),  # a two-syllable word, at the start of words (경제가)
    ],
)
def test_korean_queries_find_their_articles(client, archive, q, expected):
    assert expected in titles_found(results(client, q=q))


def test_drafts_and_scheduled_articles_are_never_found(client, archive):
    page = results(client, q="마윈")
    assert "초안" not in page and "예약 기사" not in page and "미공개" not in page


def test_three_letter_terms_match_inside_compounds(client, archive):
    assert "국제경제 포럼 열려" in " ".join(titles_found(results(client, q="세계경제")))
    assert "국제경제 포럼 열려" in " ".join(titles_found(results(client, q="제경제")))


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "검색어를 입력해 주세요."),
        ("   ", "검색어를 입력해 주세요."),
        ("가", "두 글자 이상"),
        ("가" * 201, "200자 이내"),
        ("!!! ??? ...", "글자나 숫자가 들어간"),
        ("%", "글자나 숫자가 들어간"),
        ("_", "글자나 숫자가 들어간"),
        ("가 나 다", "두 글자 이상"),
    ],
)
def test_bad_queries_get_a_friendly_answer(client, archive, q, message):
    assert message in results(client, q=q)


def test_a_nul_in_the_query_is_the_korean_400_page(client, archive):
    response = client.get(reverse("news:search"), {"q": "경제\x00"})  # refused for every URL (portal/middleware.py)
    assert response.status_code == 400 and "잘못된 요청입니다" in response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        "%",
        "%%",
        "_",
        "__",
        "50%",
        "'",
        '"',
        "' OR 1=1 --",
        "'; DROP TABLE news_article; --",
        "\\",
        "a\\%",
        "경제' UNION SELECT password FROM auth_user --",
    ],
)
def test_sql_looking_and_wildcard_queries_are_just_text(client, archive, q):
    page = results(client, q=q)
    assert "Traceback" not in page
    if q == "50%":
        assert "상하이 경제 동향" in page  # the number is found; % is never a wildcard
    if q in ("%", "%%", "__", "'", '"', "\\"):
        assert 'class="item"' not in page
    assert Article.objects.count() == 6


def test_matches_are_highlighted_and_escaped(client, section, reporter):
    factories.ArticleFactory(
        title="<b>굵게</b> 마윈 특집",
        body="<p>마윈 &lt;script&gt;alert(1)&lt;/script&gt;</p>",
        section=section,
        reporter=reporter,
    )
    page = results(client, q="마윈")
    assert "<mark>마윈</mark>" in page
    assert "&lt;b&gt;굵게&lt;/b&gt;" in page and "<script>alert(1)" not in page


def test_section_filter_order_and_pages_keep_the_query(client, archive, section, reporter):
    for i in range(25):
        factories.ArticleFactory(title=f"반도체 소식 {i}", body="<p>반도체</p>", section=section, reporter=reporter)
    first = results(client, q="반도체")
    assert first.count('class="item"') == 20 and "q=%EB%B0%98%EB%8F%84%EC%B2%B4&amp;page=2" in first
    assert "국제경제 포럼 열려" not in " ".join(titles_found(results(client, q="경제", section="economy")))
    relevance = titles_found(results(client, q="경제", order="relevance"))
    assert relevance[0] == "상하이 경제 동향"  # the title match first


@pytest.mark.postgres
def test_the_trigram_index_serves_searches_and_hangul_has_trigrams(archive):
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        assert cursor.fetchone()[0].upper() not in {"C", "POSIX"}  # the test database's locale is explicit
        cursor.execute("SELECT array_length(show_trgm('경제가'), 1)")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SET enable_seqscan = off")  # a tiny table: make the planner show it can use the index
        for pattern in ("%마윈%", "% 경제%"):
            cursor.execute("EXPLAIN SELECT article_id FROM news_articlesearchtext WHERE text LIKE %s", [pattern])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "article_search_trgm" in plan, plan


@pytest.mark.postgres
def test_a_c_locale_database_would_have_no_hangul_trigrams():
    """The fact behind news.checks: under LC_CTYPE C, Hangul is not a letter for pg_trgm."""
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS portal_c_locale_probe")
        admin.execute(
            "CREATE DATABASE portal_c_locale_probe TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C' LC_COLLATE 'C'"
        )
        try:
            with psycopg.connect(**{**params, "dbname": "portal_c_locale_probe"}) as probe:
                probe.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                assert probe.execute("SELECT show_trgm('경제가')").fetchone()[0] == []
        finally:
            admin.execute("DROP DATABASE IF EXISTS portal_c_locale_probe")


@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_a_common_word_is_walked_newest_first_and_paged_up_to_the_limit(
    client, section, reporter, monkeypatch, order, settings
):
    from news import search

    for i in range(8):
        factories.ArticleFactory(
            title=f"경제 소식 {i}",
            body="<p>경제가 좋아졌다</p>",
            section=section,
            reporter=reporter,
            published_at=timezone.now() - timedelta(hours=i + 1),
        )
    factories.ArticleFactory(title="무관한 기사", body="<p>날씨</p>", section=section, reporter=reporter)
    usual = titles_found(results(client, q="경제", order=order))
    monkeypatch.setattr(search, "COMMON_AT", 5)
    monkeypatch.setattr(search.NewestMatches, "BATCH", 3)  # walk in several batches
    page = results(client, q="경제", order=order)
    assert len(usual) == 8
    assert titles_found(page) == usual[:5]  # the newest COMMON_AT matches are paged: "5건 이상"
    assert "검색 결과 5건 이상" in page


def test_photo_marks_are_not_searched_or_shown(client, section, reporter):
    factories.ArticleFactory(
        title="행사 소식", body="<p>[사진 1]</p><p>사진전이 열렸다</p>", section=section, reporter=reporter
    )
    factories.ArticleFactory(
        title="다른 소식", body="<p>[사진 1]</p><p>무관한 내용</p>", section=section, reporter=reporter
    )
    page = results(client, q="사진")
    assert titles_found(page) == ["행사 소식"] and "[사진 1]" not in page
