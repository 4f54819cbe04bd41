from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("뉴스")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from PIL import Image, PngImagePlugin

        from news import checks, edge, frontpage, rankings  # noqa: F401 (checks registers itself)
        from news.models import Article, ArticlePhoto, Correction, EditorPick, Keyword, Section, Series

        # Every Pillow decode in the process refuses images past this size (decompression bombs).
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
        # ... and PNG text chunks past 4 MB in all: Pillow's default (64 MB) lets a 75 KB file of zTXt
        # chunks take 64 MB of memory for each upload. We drop the text anyway; real photos carry little.
        PngImagePlugin.MAX_TEXT_MEMORY = 4 * 1024 * 1024
        # An article published, unpublished, retitled or deleted: the cached rankings are stale.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda **kwargs: rankings.forget(), sender=Article, weak=False, dispatch_uid=f"rankings-{signal}"
            )
            # ... and the pages at the edge that show it.
            signal.connect(edge.article_changed, sender=Article, dispatch_uid=f"edge-article-{signal}")
            signal.connect(edge.photo_changed, sender=ArticlePhoto, dispatch_uid=f"edge-photo-{signal}")
            signal.connect(edge.section_changed, sender=Section, dispatch_uid=f"edge-section-{signal}")
            signal.connect(edge.keyword_changed, sender=Keyword, dispatch_uid=f"edge-keyword-{signal}")
            signal.connect(edge.series_changed, sender=Series, dispatch_uid=f"edge-series-{signal}")
            signal.connect(edge.correction_changed, sender=Correction, dispatch_uid=f"edge-correction-{signal}")
            signal.connect(edge.pick_changed, sender=EditorPick, dispatch_uid=f"edge-pick-{signal}")
        edge.changes_at(frontpage.upcoming_changes)  # a 속보 comes and goes on its time, unsaved
        m2m_changed.connect(
            edge.article_keywords_changed, sender=Article.keywords.through, dispatch_uid="edge-article-keywords"
        )
        m2m_changed.connect(
            edge.article_bylines_changed, sender=Article.co_reporters.through, dispatch_uid="edge-article-bylines"
        )
