"""Search the way Korean readers type (#21): spacing, particles, variant spellings, "혹시 … 찾으셨나요?",
suggestions while typing, and bad input answered in Korean."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from news import search
from news.models import Article, ArticleSearchText, Keyword, SearchTerm, SpellingVariants
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(section, reporter):
    make = lambda title, body, days=0, **kw: factories.ArticleFactory(  # noqa: E731
        title=title,
        body=f"<p>{body}</p>",
        subtitle="",
        reporter=reporter,
        section=section,
        **{"published_at": timezone.now() - timedelta(days=days, minutes=5), **kw},
    )
    SpellingVariants.objects.create(terms="상하이, 상해, 上海")
    SpellingVariants.objects.create(terms="푸둥, 푸동, 浦东")
    found = {
        "centre": make("푸둥 한인 창업 지원 센터 문 열어", "상하이 푸둥(浦东)에 창업 지원 센터가 생겼다.", days=1),
        "compound": make("국제경제 포럼 열려", "세계경제 흐름을 논의했다.", days=2),
        "history": make("상해 임시정부 옛길 걷기", "상해(上海)의 옛 거리를 걸었다.", days=30),
        "city": make("상하이 지하철 새 노선", "새 노선이 개통됐다.", days=3),
        "body_only": make("새 노선 개통 소식", "상하이 시내 지하철 노선이 늘었다.", days=0),
        "draft": make("상하이 초안", "상해 미공개", status=Article.Status.DRAFT, published_at=None),
    }
    Keyword.objects.create(name="창업지원센터")
    search.refresh_terms()
    return found


def titles(client, **params) -> list[str]:
    response = client.get(reverse("news:search"), params)
    assert response.status_code == 200
    page = response.content.decode()
    found = [chunk.split("</strong>")[0] for chunk in page.split('<strong class="item-title">')[1:]]
    return [title.replace("<mark>", "").replace("</mark>", "") for title in found]


def page(client, **params) -> str:
    response = client.get(reverse("news:search"), params)
    assert response.status_code == 200
    return response.content.decode()


# ----------------------------------------------------------------------------------------------- spacing


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("창업지원센터", "푸둥 한인 창업 지원 센터 문 열어"),  # typed without spaces, spaced in the text
        ("지원센터", "푸둥 한인 창업 지원 센터 문 열어"),
        ("국제 경제", "국제경제 포럼 열려"),  # spaced words, one compound in the text
        ("국제 경제 포럼", "국제경제 포럼 열려"),
        ("세계 경제", "국제경제 포럼 열려"),
    ],
)
def test_a_query_matches_however_its_words_are_spaced(client, stories, q, expected):
    assert expected in titles(client, q=q)


def test_the_spaced_text_is_marked_for_a_compound_query(client, stories):
    assert "<mark>창업 지원 센터</mark>" in page(client, q="창업지원센터")


@pytest.mark.postgres
def test_spacing_and_variant_searches_go_through_the_trigram_indexes(stories):
    """Every condition a search puts on the search text is one the GIN trigram indexes serve: the planner,
    told not to scan, reads the indexes for a compound, a spaced query and a variant spelling."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for q in ("창업지원센터", "국제 경제", "상해"):
            texts = ArticleSearchText.objects.filter(search._where(search.parse(q)))
            plan = texts.explain()
            assert "Seq Scan" not in plan, (q, plan)
            assert "article_search_compact_trgm" in plan or "article_search_trgm" in plan, (q, plan)
        cursor.execute("SET enable_seqscan = on")


# --------------------------------------------------------------------------------------------- particles


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("상하이에서", "상하이 지하철 새 노선"),  # a two-letter particle
        ("지하철을", "상하이 지하철 새 노선"),  # one letter after three
        ("센터를", "푸둥 한인 창업 지원 센터 문 열어"),  # one letter after a known word (a keyword's part)
    ],
)
def test_a_particle_typed_after_a_word_is_not_required_in_the_text(client, stories, q, expected):
    assert expected in titles(client, q=q)


def test_a_word_that_only_looks_like_it_ends_in_a_particle_is_kept():
    assert search.stem("상하이", set()) == "상하이"  # 상하 is no word: 이 stays
    assert search.stem("상하이에서", set()) == "상하이"
    assert search.stem("경제가", {"경제"}) == "경제"
    assert search.stem("경제가", set()) == "경제가"


# ------------------------------------------------------------------------------------ variant spellings


def test_every_spelling_finds_the_same_stories(client, stories):
    found = {q: set(titles(client, q=q)) for q in ("상하이", "상해", "上海")}
    assert found["상하이"] == found["상해"] == found["上海"]
    assert {"상해 임시정부 옛길 걷기", "상하이 지하철 새 노선", "새 노선 개통 소식"} <= found["상해"]
    assert "상하이 초안" not in found["상해"]


def test_variants_are_counted_as_one_term_and_all_marked(client, stories):
    html = page(client, q="상해")
    assert "‘상해’ 검색 결과 4건" in html  # four live stories say 상하이, 상해 or 上海 (one story counted once)
    assert "<mark>상하이</mark>" in html and "<mark>상해</mark>" in html and "<mark>上海</mark>" in html
    assert "같은 말로 쓴 기사도 함께 찾았습니다: 상하이, 上海" in html


def test_the_spelling_typed_ranks_first_among_equals(client, stories):
    assert titles(client, q="상해", order="relevance")[0] == "상해 임시정부 옛길 걷기"  # though the oldest
    assert titles(client, q="상하이", order="relevance")[0] == "상하이 지하철 새 노선"


def test_title_matches_outrank_body_matches_and_recency_breaks_ties(client, stories):
    ranked = titles(client, q="노선 상하이", order="relevance")
    assert ranked[0] == "상하이 지하철 새 노선"  # both words in the title
    ranked = titles(client, q="지하철", order="relevance")
    assert ranked == ["상하이 지하철 새 노선", "새 노선 개통 소식"]  # the title match, though older


def test_a_change_to_the_spellings_applies_to_the_next_query(client, stories, django_capture_on_commit_callbacks):
    assert "상하이 지하철 새 노선" not in titles(client, q="샹하이")
    group = SpellingVariants.objects.get(terms__startswith="상하이")
    with django_capture_on_commit_callbacks(execute=True):
        group.terms = "상하이, 상해, 上海, 샹하이"
        group.save()
    assert "상하이 지하철 새 노선" in titles(client, q="샹하이")


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("상하이", "두 개 이상"),
        ("상하이, 상하이", "두 개 이상"),
        ("상하이, 상", "두 글자 이상"),
        ("상해, 샹하이", "이미 다른 묶음"),  # 상해 is in the 상하이 group already
    ],
)
def test_editors_are_told_in_korean_what_is_wrong_with_a_group(stories, terms, message):
    with pytest.raises(ValidationError) as error:
        SpellingVariants(terms=terms).full_clean()
    assert message in str(error.value)


def test_editors_manage_spellings_in_the_admin(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:news_spellingvariants_add"), {"terms": "훙차오, 홍차오, 虹桥", "note": "지역"}, follow=True
    )
    assert response.status_code == 200
    assert SpellingVariants.objects.get().spellings() == ["훙차오", "홍차오", "虹桥"]


# ------------------------------------------------------------------------- 혹시 … 을(를) 찾으셨나요?


@pytest.mark.parametrize(
    ("q", "offered"),
    [
        (
            "창업지원센타",
            '혹시 <a href="/search/?q=%EC%B0%BD%EC%97%85%EC%A7%80%EC%9B%90%EC%84%BC%ED%84%B0">'
            "<strong>창업지원센터</strong></a>를 찾으셨나요?",
        ),
        ("지하쳘", "<strong>지하철</strong></a>을 찾으셨나요?"),  # a title word; 을 after a final consonant
        ("국제경재", "<strong>국제경제</strong></a>를 찾으셨나요?"),
    ],
)
def test_a_query_that_finds_nothing_is_offered_the_closest_known_term(client, stories, q, offered):
    html = page(client, q=q)
    assert "맞는 기사가 없습니다" in html
    assert offered in html


def test_nothing_is_offered_for_known_words_or_when_enough_is_found(client, stories):
    assert "찾으셨나요" not in page(client, q="상하이")  # found plenty
    assert "찾으셨나요" not in page(client, q="지하철 포럼")  # known words that are simply not together
    assert "찾으셨나요" not in page(client, q="가나다라마바사")  # nothing near it


def test_the_known_terms_are_keywords_sections_spellings_and_title_words(stories, section):
    terms = set(SearchTerm.objects.values_list("term", flat=True))
    assert {"창업지원센터", section.name, "상해", "上海", "푸동", "지하철", "국제경제"} <= terms
    assert "초안" not in terms  # a draft's title is no known word


def test_the_object_particle_follows_the_last_letter():
    assert [search.object_particle(w) for w in ("센터", "지하철", "상하이", "HSK")] == ["를", "을", "를", "을(를)"]


# ------------------------------------------------------------------------------ suggestions while typing


def suggest(client, q: str):
    return client.get(reverse("news:suggest"), {"q": q})


def test_suggestions_are_keywords_then_the_newest_titles(client, stories):
    Keyword.objects.create(name="상하이 지하철")
    response = suggest(client, "상하")
    items = json.loads(response.content)["items"]
    assert items[0] == {
        "label": "상하이 지하철",
        "kind": "키워드",
        "url": "/search/?q=%EC%83%81%ED%95%98%EC%9D%B4+%EC%A7%80%ED%95%98%EC%B2%A0",
    }
    assert [i["label"] for i in items[1:]] == ["상하이 지하철 새 노선"]
    assert items[1]["url"] == stories["city"].get_absolute_url()


def test_suggestions_are_at_most_eight(client, section, reporter):
    for i in range(12):
        factories.ArticleFactory(title=f"마라톤 대회 소식 {i}", section=section, reporter=reporter)
    for i in range(6):
        Keyword.objects.create(name=f"마라톤 {i}")
    items = json.loads(suggest(client, "마라톤").content)["items"]
    assert len(items) == 8 and [i["kind"] for i in items].count("키워드") == 4


def test_suggestions_are_a_public_page_for_the_edge(client, stories):
    response = suggest(client, "상하이")
    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
    keys = response["Surrogate-Key"].split()
    assert {"site", "articles", f"article-{stories['city'].pk}"} <= set(keys)
    assert not response.cookies


@pytest.mark.parametrize("q", ["", "상", " ", "%", "_", "가" * 201, "' OR 1=1 --", "\\", "☃☃"])
def test_bad_input_gets_no_suggestions_and_no_error(client, stories, q):
    response = suggest(client, q)
    assert response.status_code == 200 and json.loads(response.content) == {"items": []}


def test_drafts_are_never_suggested(client, stories):
    labels = [i["label"] for i in json.loads(suggest(client, "상하이").content)["items"]]
    assert "상하이 초안" not in labels and labels


def test_suggestions_answer_in_few_queries(client, stories, django_assert_max_num_queries):
    # Keywords, titles; and, on a cold cache only, what the edge's max-age asks (ads, scheduled stories).
    with django_assert_max_num_queries(4):
        suggest(client, "상하이 지하")
    with django_assert_max_num_queries(2):
        suggest(client, "상하이 지하철")


# ---------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "가 " * 60}, "두 글자 이상"),
        ({"q": " ".join(f"낱말{i}" for i in range(11))}, "낱말 10개까지"),
        ({"q": "상하이", "order": "random"}, "검색 결과"),  # an order the page does not offer: the usual one
        ({"q": "상하이", "section": "../../etc"}, "검색 결과"),
        ({"q": "상하이", "page": "-1"}, "검색 결과"),
        ({"q": ["상하이", "상해"]}, "검색 결과"),
    ],
)
def test_odd_requests_get_a_korean_answer_never_an_error(client, stories, params, message):
    assert message in page(client, **params)
