from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True  # "portal" in INSTALLED_APPS is this one; the admin's config below is named on its own
    name = "portal"
    verbose_name = _("포털")

    def ready(self) -> None:
        from portal import checks, roles  # noqa: F401  (checks registers itself)

        # After every migrate, when the permissions exist: the groups follow the code, never hand edits.
        post_migrate.connect(roles.on_post_migrate, dispatch_uid="portal.roles")


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site (the desk's dashboard on its first page)."""

    default = False
    default_site = "portal.admin_site.NewsroomAdminSite"
