from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("뉴스")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from django.db.models.signals import post_delete, post_save

        from news import checks, rankings  # noqa: F401 (checks registers itself)
        from news.models import Article

        # Every Pillow decode in the process refuses images past this size (decompression bombs).
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
        # An article published, unpublished, retitled or deleted: the cached rankings are stale.
        for signal in (post_save, post_delete):
            signal.connect(lambda **kwargs: rankings.forget(), sender=Article, weak=False, dispatch_uid=f"rankings-{signal}")
