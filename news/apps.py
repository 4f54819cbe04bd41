from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("뉴스")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Every Pillow decode in the process refuses images past this size (decompression bombs).
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
