from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipsConfig(AppConfig):
    name = "portal.tips"
    label = "tips"
    verbose_name = _("기사제보·독자투고")
