"""RSS 2.0 feeds of live articles: the whole site and each section (django.contrib.syndication).

They live in the shell, which knows the site's name; news knows nothing of the site around it."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.translation import gettext as _

from news.models import Article, Section
from portal.models import SiteProfile

ITEMS = 30


def _site() -> SiteProfile:
    return SiteProfile.current()


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self, obj=None) -> str:
        return _site().name

    def link(self, obj=None) -> str:
        return "/"

    def description(self, obj=None) -> str:
        return _site().tagline

    def items(self, obj=None):
        articles = Article.objects.published().select_related("section").order_by("-published_at", "-id")
        return (articles.filter(section=obj) if obj else articles)[:ITEMS]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary()

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return _("%(name)s 기자") % {"name": item.byline}

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name]

    def item_enclosures(self, item: Article) -> list[Enclosure]:
        og = item.lead_renditions.get("og")
        if not og:
            return []
        size = og.get("bytes") or default_storage.size(og["url"].removeprefix(default_storage.base_url))
        return [Enclosure(self._absolute(og["url"]), str(size), og.get("type", "image/jpeg"))]

    def get_feed(self, obj, request):
        self._absolute = request.build_absolute_uri
        return super().get_feed(obj, request)


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Section:
        return get_object_or_404(Section, slug=slug)

    def title(self, obj: Section) -> str:
        return f"{_site().name} - {obj.name}"

    def link(self, obj: Section) -> str:
        return obj.get_absolute_url()
