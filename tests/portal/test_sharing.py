"""Feeds, sitemaps, robots.txt and page metadata: valid XML/JSON, only live articles, nothing private."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from tests import factories

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


@pytest.fixture
def newsroom(section, reporter, alice):
    live = factories.ArticleFactory(
        title="상하이 지하철 19호선 개통",
        subtitle="푸둥과 민항을 잇는다",
        section=section,
        reporter=reporter,
        byline="이종실",
        lead_image=factories.image_upload(size=(1200, 800)),
    )
    factories.CommentFactory(article=live, author=alice, body="비밀 제보 내용", private=True)
    hidden = [
        factories.ArticleFactory(
            title="초안 기사", status=Article.Status.DRAFT, published_at=None, section=section, reporter=reporter
        ),
        factories.ArticleFactory(
            title="출고 요청 기사",
            status=Article.Status.SUBMITTED,
            published_at=None,
            section=section,
            reporter=reporter,
        ),
        factories.ArticleFactory(
            title="예약 기사", published_at=timezone.now() + timedelta(days=1), section=section, reporter=reporter
        ),
    ]
    old = factories.ArticleFactory(
        title="사흘 전 기사", published_at=timezone.now() - timedelta(days=3), section=section, reporter=reporter
    )
    return {"live": live, "hidden": hidden, "old": old}


def test_site_feed_is_valid_rss_with_only_live_articles(client, newsroom):
    response = client.get(reverse("feed"))
    root = ET.fromstring(response.content)
    items = root.findall("./channel/item")
    titles = [item.findtext("title") for item in items]
    assert response["Content-Type"].startswith("application/rss+xml")
    assert "상하이 지하철 19호선 개통" in titles and "사흘 전 기사" in titles
    assert not {"초안 기사", "출고 요청 기사", "예약 기사"} & set(titles)
    first = items[titles.index("상하이 지하철 19호선 개통")]
    assert first.findtext("description") == "푸둥과 민항을 잇는다"
    assert "이종실 기자" in (
        first.findtext("{http://purl.org/dc/elements/1.1/}creator") or first.findtext("author") or ""
    )
    assert first.findtext("pubDate")
    enclosure = first.find("enclosure")
    assert enclosure.get("type") == "image/jpeg" and int(enclosure.get("length")) > 0
    assert enclosure.get("url").startswith("http://testserver/media/")
    assert "비밀 제보 내용" not in response.content.decode()


def test_section_feed_lists_its_section_and_unknown_sections_are_404(client, newsroom, reporter):
    other = factories.ArticleFactory(
        title="다른 섹션 기사", section=factories.SectionFactory(name="문화", slug="culture"), reporter=reporter
    )
    root = ET.fromstring(client.get(reverse("section-feed", args=["economy"])).content)
    titles = [item.findtext("title") for item in root.findall("./channel/item")]
    assert "상하이 지하철 19호선 개통" in titles and other.title not in titles
    assert client.get(reverse("section-feed", args=["nope"])).status_code == 404


def test_sitemaps_list_sections_and_only_live_articles(client, newsroom):
    index = ET.fromstring(client.get(reverse("sitemap-index")).content)
    parts = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert any("sitemap-articles.xml" in p for p in parts) and any("sitemap-sections.xml" in p for p in parts)
    articles = ET.fromstring(client.get("/sitemap-articles.xml").content)
    locs = {loc.text for loc in articles.findall("sm:url/sm:loc", NS)}
    assert f"http://testserver{newsroom['live'].get_absolute_url()}" in locs
    assert not {f"http://testserver{a.get_absolute_url()}" for a in newsroom["hidden"]} & locs
    assert client.get("/sitemap-articles.xml?p=999").status_code == 404


def test_news_sitemap_has_the_last_two_days_only(client, newsroom):
    root = ET.fromstring(client.get(reverse("sitemap-news")).content)
    titles = [node.text for node in root.findall("sm:url/news:news/news:title", NS)]
    assert titles == ["상하이 지하철 19호선 개통"]
    assert root.find("sm:url/news:news/news:publication/news:language", NS).text == "ko"


def test_robots_points_at_the_sitemaps(client, db):
    body = client.get(reverse("robots")).content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body and "Sitemap: http://testserver/sitemap-news.xml" in body
    assert "Disallow: /admin/" in body


def test_article_json_ld_parses_and_has_the_fields(client, newsroom):
    page = client.get(newsroom["live"].get_absolute_url()).content.decode()
    raw = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    data = json.loads(raw)
    assert data["@type"] == "NewsArticle" and data["headline"] == "상하이 지하철 19호선 개통"
    assert data["image"][0].startswith("http://testserver/media/")
    assert data["datePublished"] and data["dateModified"]
    assert data["author"][0]["name"] == "이종실" and data["publisher"]["name"]
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_json_ld_cannot_be_broken_out_of(client, section, reporter):
    article = factories.ArticleFactory(title="</script><script>alert(1)</script>", section=section, reporter=reporter)
    page = client.get(article.get_absolute_url()).content.decode()
    raw = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(raw)["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in page


def test_share_tools_and_print_stylesheet(client, newsroom):
    page = client.get(newsroom["live"].get_absolute_url()).content.decode()
    assert 'href="mailto:?subject=' in page and "data-copy-link" in page and "data-font-tools" in page
    assert 'media="print"' in page and "js/article.js" in page
    assert '<link rel="alternate" type="application/rss+xml"' in page
