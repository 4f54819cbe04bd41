"""RSS 2.0 feeds of live articles: the whole site and each section (django.contrib.syndication).

They live in the shell, which knows the site's name; news knows nothing of the site around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from news.models import Article, Section
from portal.models import SiteProfile

ITEMS = 30


@dataclass(frozen=True)
class Scope:
    """What one request's feed covers. Built per request: the Feed object itself is shared by all
    threads, so nothing request-specific may be stored on it."""

    section: Section | None
    origin: str  # scheme and host, for absolute enclosure URLs


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, *args, **kwargs) -> Scope:
        return Scope(section=None, origin=request.build_absolute_uri("/").rstrip("/"))

    def title(self, scope: Scope) -> str:
        site = SiteProfile.current()
        return f"{site.name} - {scope.section.name}" if scope.section else site.name

    def link(self, scope: Scope) -> str:
        return scope.section.get_absolute_url() if scope.section else "/"

    def description(self, scope: Scope) -> str:
        return SiteProfile.current().tagline

    def items(self, scope: Scope):
        articles = Article.objects.published().select_related("section", "series").prefetch_related("corrections")
        if scope.section:
            articles = articles.filter(section=scope.section)
        return [(scope, article) for article in articles.order_by("-published_at", "-id")[:ITEMS]]

    def item_link(self, item) -> str:
        return item[1].get_absolute_url()

    def item_title(self, item) -> str:
        """The title as lists show it: "[광고]" before a 광고·협찬 story, the installment before a series'."""
        article = item[1]
        prefix = _("[광고] ") if article.is_sponsored else ""
        return f"{prefix}{article.series_label + ' ' if article.series_label else ''}{article.title}"

    def item_description(self, item) -> str:
        # RSS readers render <description> as HTML: the summary is plain text (a body's "&lt;script&gt;" comes
        # out of strip_tags/unescape as "<script>"), so escape it once more for them. Its published
        # corrections go first, as on the page.
        article = item[1]
        now = timezone.now()
        notes = [
            f"[{note.get_kind_display()} {timezone.localdate(note.published_at):%Y-%m-%d}] {note.body}"
            for note in article.corrections.all()
            if note.published_at <= now
        ]
        return "".join(f"<p>{escape(note)}</p>" for note in notes) + escape(article.summary())

    def item_pubdate(self, item):
        return item[1].published_at

    def item_updateddate(self, item):
        return item[1].updated_at

    def item_author_name(self, item) -> str:
        return _("%(name)s 기자") % {"name": item[1].byline}

    def item_categories(self, item) -> list[str]:
        """Its section and its type (자체기사, 보도자료, 기고, 칼럼, 사설, 광고·협찬)."""
        return [item[1].section.name, item[1].get_kind_display()]

    def item_enclosures(self, item) -> list[Enclosure]:
        scope, article = item
        og = article.lead_renditions.get("og")
        if not og:
            return []
        size = og.get("bytes") or default_storage.size(og["url"].removeprefix(getattr(default_storage, "base_url", "")))
        # A photo on object storage has an absolute URL already; a local one is a path on this site.
        return [Enclosure(urljoin(scope.origin + "/", og["url"]), str(size), og.get("type", "image/jpeg"))]


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Scope:
        return Scope(section=get_object_or_404(Section, slug=slug), origin=request.build_absolute_uri("/").rstrip("/"))
