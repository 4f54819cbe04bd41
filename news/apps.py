from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("뉴스")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from news import roles

        # Every Pillow decode in the process refuses images past this size (decompression bombs).
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS

        # After every migrate, when the permissions exist: the groups follow the code, never hand edits.
        post_migrate.connect(roles.on_post_migrate, dispatch_uid="news.roles")
