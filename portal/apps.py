from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("포털")

    def ready(self) -> None:
        from portal import checks, roles  # noqa: F401  (checks registers itself)

        # After every migrate, when the permissions exist: the groups follow the code, never hand edits.
        post_migrate.connect(roles.on_post_migrate, dispatch_uid="portal.roles")
