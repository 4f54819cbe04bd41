"""Relevance, judged: queries over the demo newsroom, each with the stories a reader must find in the first five.

Precision@5 here: for each query, the share of its judged stories that are among the first five results
(정확도순, the relevance order), averaged over the queries. The bar is PRECISION_BAR; the test prints
every query's figure, and fails naming the queries that missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from news import search
from news.models import Article, Section, SpellingVariants
from portal import demo, roles
from tests import factories

pytestmark = pytest.mark.django_db

PRECISION_BAR = 0.95

# (query, what it tests, title fragments of the stories that must be in the first five)
JUDGED = [
    # Spacing: a compound typed without its spaces, spaced words for a compound
    ("창업지원센터", "spacing", ["창업지원센터 개소"]),
    ("창업 지원 센터", "spacing", ["창업지원센터 개소"]),
    ("국제 학교", "spacing", ["국제학교·유학 박람회"]),
    ("공유자전거", "spacing", ["공유 자전거, 처음 타기"]),
    ("전기 요금", "spacing", ["여름철 전기요금"]),
    ("여권재발급", "spacing", ["여권 재발급 온라인 예약제"]),
    ("통학 버스", "spacing", ["통학버스 노선 조정"]),
    ("미세 먼지", "spacing", ["미세먼지 심한 날"]),
    ("한국어독서캠프", "spacing", ["한국어 독서 캠프"]),
    ("독립 영화", "spacing", ["독립영화 특별 상영전"]),
    ("동화구연", "spacing", ["동화 구연 대회"]),
    # Particles typed after the word
    ("상하이에서 카페", "particle", ["카페 열기 전"]),
    ("여권을", "particle", ["여권 재발급 온라인 예약제", "여권 분실 신고"]),
    ("폭염으로", "particle", ["37도 폭염 예보", "폭염 속 배달 노동자"]),
    ("김치를", "particle", ["김치 200포기", "김치찌개 한 그릇"]),
    ("자전거를", "particle", ["공유 자전거, 처음 타기", "전동 자전거 사고"]),
    ("마라톤에", "particle", ["마라톤 동호회"]),
    ("동호회의", "particle", ["사진 동호회", "마라톤 동호회", "축구 동호회"]),
    # Chinese characters, as the stories give them in brackets
    ("浦东", "hanzi", ["창업지원센터 개소"]),
    ("虹桥", "hanzi", ["훙차오(虹桥) 상권"]),
    ("外滩", "hanzi", ["와이탄(外滩) 야경"]),
    ("静安", "hanzi", ["징안(静安)서"]),
    ("闵行", "hanzi", ["민항(闵行) 교민"]),
    ("苏州河", "hanzi", ["쑤저우허(苏州河)"]),
    ("上海", "hanzi", ["상해 임시정부 옛길"]),
    ("虹口", "hanzi", ["상해 임시정부 옛길"]),
    # Variant spellings (portal/demo/search.toml)
    ("상해 임시정부", "variant", ["상해 임시정부 옛길"]),
    ("푸동 창업", "variant", ["창업지원센터 개소"]),
    ("홍차오 임대료", "variant", ["훙차오(虹桥) 상권"]),
    ("외탄 야경", "variant", ["와이탄(外滩) 야경"]),
    ("정안 영화", "variant", ["징안(静安)서"]),
    ("신천지 칼국수", "variant", ["칼국수집 ‘온기’"]),
    ("구뻬이 마트", "variant", ["구베이(古北) 한인 마트"]),
    ("홍구공원", "variant", ["상해 임시정부 옛길"]),
    # Rare words
    ("윷놀이", "rare", ["추석맞이 한인 문화축제"]),
    ("마이크로칩", "rare", ["반려동물과 함께 귀국"]),
    ("라이브커머스", "rare", ["전자상거래 수출 세미나"]),
    ("hsk", "rare", ["HSK 대비 무료 특강"]),
    ("양로원", "rare", ["양로원 찾아"]),
    ("얼후", "rare", ["바람의 노래"]),
    # Common words: the newest stories with the word in their title come first
    ("교민", "common", ["민항(闵行) 교민", "교민 생활비 송금"]),
    ("한인", "common", ["창업지원센터 개소", "김치 200포기"]),
    ("상하이", "common", ["상하이 소비심리", "상하이에서 ‘이웃’"]),
    ("예약", "common", ["여권 재발급 온라인 예약제", "병원 예약 앱", "거류허가 갱신"]),
]


def load_demo_newsroom() -> None:
    """The demo stories (without their photos: search reads none), sections, reporters and spellings."""
    newsroom = demo.load("newsroom")
    sections = {
        row["slug"]: Section.objects.create(name=row["name"], slug=row["slug"], menu_order=order)
        for order, row in enumerate(newsroom["sections"], start=1)
    }
    reporters = {
        username: factories.reporter(username=username, first_name=account["name"])
        for username, account in newsroom["accounts"].items()
        if roles.REPORTER in account["roles"]
    }
    now = timezone.now()
    for index, item in enumerate(demo.articles()):
        published = timezone.localtime(now - timedelta(days=item["days_ago"])).replace(
            hour=item["hour"], minute=(index * 7) % 60, second=(index * 13) % 60
        )
        Article(
            section=sections[item["section"]],
            reporter=reporters[item["reporter"]],
            title=item["title"],
            subtitle=item.get("subtitle", ""),
            body=demo.body_html(item["body"]),
            status=Article.Status.PUBLISHED,
            published_at=min(published, now - timedelta(minutes=5)),
        ).save()
    for row in demo.load("search")["spellings"]:
        SpellingVariants.objects.create(terms=row["terms"], note=row.get("note", ""))
    search.refresh_terms()


def first_five(client, q: str) -> list[str]:
    response = client.get(reverse("news:search"), {"q": q, "order": "relevance"})
    assert response.status_code == 200
    page = response.content.decode()
    titles = [chunk.split("</strong>")[0] for chunk in page.split('<strong class="item-title">')[1:6]]
    return [title.replace("<mark>", "").replace("</mark>", "").replace("&#x27;", "'") for title in titles]


def test_judged_queries_find_their_stories_in_the_first_five(client, capsys, time_machine):
    # At a fixed late hour: earlier in the day, today's demo stories not yet due would all be dated five
    # minutes ago, and the recency that breaks ties would then depend on when the suite runs.
    time_machine.move_to(timezone.make_aware(datetime(2026, 12, 5, 23, 30)))
    load_demo_newsroom()
    assert len(JUDGED) >= 30
    scores, missed = [], []
    for q, kind, wanted in JUDGED:
        found = first_five(client, q)
        hits = [w for w in wanted if any(w in title for title in found)]
        scores.append(len(hits) / len(wanted))
        if len(hits) < len(wanted):
            missed.append((q, kind, sorted(set(wanted) - set(hits)), found))
    precision = sum(scores) / len(scores)
    with capsys.disabled():
        print(f"\njudged set: {len(JUDGED)} queries, precision@5 {precision:.3f} (bar {PRECISION_BAR})")
        for q, kind, lost, found in missed:
            print(f"  missed {q!r} ({kind}): {lost} not in {found}")
    assert precision >= PRECISION_BAR, missed


def test_the_judged_set_covers_every_kind_of_query():
    kinds = [kind for _q, kind, _wanted in JUDGED]
    for kind in ("spacing", "particle", "hanzi", "variant", "rare", "common"):
        assert kinds.count(kind) >= 4, kind
    assert all(1 <= len(wanted) <= 5 for _q, _kind, wanted in JUDGED)
