"""Sitemaps for search engines: sections and live articles (paginated), a news sitemap of the last two
days, and robots.txt pointing at them. Only live articles ever appear."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Section
from portal.models import SiteProfile

NEWS_WINDOW = timedelta(days=2)


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6

    def items(self):
        return Section.objects.filter(show_in_menu=True)


class ArticleSitemap(Sitemap):
    limit = 5000  # per sitemap page: large archives are split, each page one indexed query
    priority = 0.8

    def items(self):
        return Article.objects.published().only("id", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, article: Article):
        return article.updated_at


SITEMAPS = {"sections": SectionSitemap, "articles": ArticleSitemap}


def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap: articles published in the last two days (at most 1,000)."""
    articles = (
        Article.objects.published()
        .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        .only("id", "title", "published_at")
        .order_by("-published_at")[:1000]
    )
    context = {"articles": articles, "site": SiteProfile.current(), "base": request.build_absolute_uri("/")[:-1]}
    return render(request, "portal/sitemap_news.xml", context, content_type="application/xml; charset=utf-8")


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /comments/",
        "Disallow: /ads/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
