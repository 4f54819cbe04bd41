"""The reading pages: what a reader sees, and a fixed query budget whatever the archive's size."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from portal.models import SiteProfile
from tests.factories import ArticleFactory, SectionFactory, image_upload

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def fill_archive(sections, reporter, per_section: int) -> None:
    now = timezone.now()
    for section in sections:
        for i in range(per_section):
            ArticleFactory(section=section, reporter=reporter, published_at=now - timedelta(hours=i + 1))


@pytest.fixture
def sections(db):
    return [
        SectionFactory(name=name, slug=slug)
        for name, slug in [("경제", "economy"), ("사회", "society"), ("문화", "culture")]
    ]


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Pinned budgets with warm caches (site profile, menu, 속보): the front page is its top stories (the editors'
# picks, then the automatic order: 2) plus one query per menu section (three here), whatever the number of
# articles. The article page is 7 (the story, its photos,
# keywords, corrections and co-reporters, the reporter's other stories, 관련기사) plus its comment block (2 for
# an empty thread; tests/comments/test_budget.py pins a full one); tests/news/test_keywords.py pins one with
# keywords. The reporter page: the account, the byline they last used, the count and the page.
BUDGETS = {"front": 2 + 3, "section": 3, "article": 7 + 2, "reporter": 4}


@pytest.mark.parametrize("page", list(BUDGETS))
def test_query_count_does_not_grow_with_the_archive(
    client, sections, reporter, page, django_assert_num_queries, settings
):
    def url():
        first = Article.objects.published().filter(section=sections[0]).first()
        return {
            "front": reverse("front"),
            "section": reverse("news:section", args=["economy"]) + "?page=2",
            "article": first.get_absolute_url() if first else "",
            "reporter": reverse("news:reporter", args=[reporter.pk]),
        }[page]

    fill_archive(sections, reporter, 25)
    client.get(reverse("front"))  # warm the site-profile cache, as any running site has
    small = count_queries(client, url())
    fill_archive(sections, reporter, 40)
    address = url()
    with django_assert_num_queries(BUDGETS[page]):
        client.get(address)
    large = count_queries(client, address)
    assert small == large


def test_article_page_shows_what_the_reference_page_shows(client, section, reporter):
    SiteProfile(name="상하이방", url="http://www.example.com").save()
    published = datetime(2017, 1, 10, 9, 53, 22, tzinfo=SHANGHAI)
    article = ArticleFactory(
        title="한인회 신년회 열려",
        subtitle="교민 300명 참석",
        section=section,
        reporter=reporter,
        published_at=published,
    )
    reporter.email = "lee@example.com"
    reporter.save()

    page = client.get(article.get_absolute_url()).content.decode()

    assert "[2017-01-10, 09:53:22]" in page and "입력" in page
    assert "수정" not in page.split('class="article-times"')[1].split("</p>")[0]
    assert "이종실 기자" in page
    assert "ⓒ 상하이방(http://www.example.com), 무단전재 및 재배포 금지" in page
    assert "<title>한인회 신년회 열려 - 상하이방</title>" in page
    assert ">경제<" in page
    assert "상하이방은 상하이 최대의 한인 포털사이트입니다." in page


def test_modified_time_is_shown_when_the_article_changed_after_publication(client, section, reporter):
    article = ArticleFactory(section=section, reporter=reporter, published_at=timezone.now() - timedelta(minutes=1))
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        article.title = "정정된 제목"
        article.save()

    times = client.get(article.get_absolute_url()).content.decode().split('class="article-times"')[1].split("</p>")[0]

    assert "수정" in times


def test_byline_email_and_related_lists(client, section, reporter, other_reporter):
    article = ArticleFactory(section=section, reporter=reporter, byline="이종실", byline_email="js@example.com")
    ArticleFactory(
        title="같은 기자의 다른 기사", section=SectionFactory(name="문화", slug="culture"), reporter=reporter
    )
    ArticleFactory(title="같은 섹션의 다른 기사", section=section, reporter=other_reporter)

    page = client.get(article.get_absolute_url()).content.decode()

    assert 'href="mailto:js@example.com"' in page
    assert "이종실 기자의 다른기사 보기" in page and "같은 기자의 다른 기사" in page
    assert "관련기사" in page and "같은 섹션의 다른 기사" in page  # no shared keyword: its section's stories


def test_front_page_has_top_story_and_each_sections_latest(client, sections, reporter):
    ArticleFactory(
        title="오늘의 톱기사",
        featured=True,
        section=sections[1],
        reporter=reporter,
        lead_image=image_upload(size=(1200, 800)),
    )
    fill_archive(sections, reporter, 7)

    page = client.get(reverse("front")).content.decode()

    assert page.index("오늘의 톱기사") < page.index('class="section-grid"')
    for section in sections:
        assert f'<a href="/section/{section.slug}/">{section.name}</a></h2>' in page
    assert page.count('class="item"') == 4 + 3 * 5  # four headlines under the top story, five a section


def test_section_page_lists_twenty_newest_first_with_page_links(client, section, reporter):
    fill_archive([section], reporter, 45)
    newest = Article.objects.published().first()

    first = client.get(reverse("news:section", args=["economy"])).content.decode()
    third = client.get(reverse("news:section", args=["economy"]) + "?page=3").content.decode()

    assert first.count('class="item"') == 20
    assert first.index(newest.title) < first.index('class="pagination"')
    assert third.count('class="item"') == 5
    assert 'href="?page=2"' in first


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1.5", "%00", "2" * 40])
def test_bad_page_numbers_get_a_friendly_page(client, section, reporter, page):
    fill_archive([section], reporter, 25)
    response = client.get(reverse("news:section", args=["economy"]), {"page": page})
    assert response.status_code == 200
    assert 'class="item"' in response.content.decode()


def test_reporter_page_lists_their_published_articles(client, section, reporter, other_reporter):
    ArticleFactory(title="이 기자의 기사", section=section, reporter=reporter, byline="이종실")
    ArticleFactory(title="다른 기자의 기사", section=section, reporter=other_reporter)

    page = client.get(reverse("news:reporter", args=[reporter.pk])).content.decode()

    assert "이종실 기자" in page and "이 기자의 기사" in page
    assert "다른 기자의 기사" not in page


def test_reporter_page_shows_the_byline_email_not_the_account(client, section, reporter):
    reporter.email = "private-login@example.com"
    reporter.save()
    ArticleFactory(section=section, reporter=reporter, byline="이종실", byline_email="desk@example.com")

    page = client.get(reverse("news:reporter", args=[reporter.pk])).content.decode()

    assert "desk@example.com" in page
    assert "private-login@example.com" not in page and reporter.username not in page


def test_staff_without_published_articles_have_no_public_page(client, editor):
    assert client.get(reverse("news:reporter", args=[editor.pk])).status_code == 404


def test_article_page_has_sharing_metadata(client, section, reporter):
    article = ArticleFactory(section=section, reporter=reporter, lead_image=image_upload(size=(1200, 800)))

    page = client.get(article.get_absolute_url()).content.decode()

    og = Article.objects.get(pk=article.pk).lead_renditions["og"]
    assert f'<meta property="og:image" content="http://testserver{og["url"]}">' in page
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in page


def test_menu_lists_sections_in_menu_order_and_hides_unlisted(client, db):
    SectionFactory(name="문화", slug="culture", menu_order=3)
    SectionFactory(name="경제", slug="economy", menu_order=1)
    SectionFactory(name="숨김", slug="hidden", menu_order=2, show_in_menu=False)

    nav = client.get(reverse("front")).content.decode().split('aria-label="대메뉴"')[1].split("</nav>")[0]

    assert nav.index("종합") < nav.index("경제") < nav.index("문화")
    assert "숨김" not in nav


def test_renamed_section_shows_in_the_menu_at_once(client, section, django_capture_on_commit_callbacks):
    client.get(reverse("front"))  # the menu is now cached
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "경제·금융"
        section.save()

    nav = client.get(reverse("front")).content.decode().split('aria-label="대메뉴"')[1].split("</nav>")[0]

    assert "경제·금융" in nav


def test_an_old_top_story_gives_way_to_newer_news(client, section, reporter):
    ArticleFactory(
        title="사흘 전 톱기사",
        featured=True,
        section=section,
        reporter=reporter,
        published_at=timezone.now() - timedelta(days=3),
    )
    ArticleFactory(
        title="방금 들어온 기사", section=section, reporter=reporter, published_at=timezone.now() - timedelta(minutes=5)
    )

    top = client.get(reverse("front")).content.decode().split('class="top-story"')[1].split("</article>")[0]

    assert "방금 들어온 기사" in top
