from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "portal.policies"
    label = "policies"
    verbose_name = _("약관·정책")

    def ready(self) -> None:
        from django.urls import reverse

        from comments.views import BEFORE_POSTING
        from portal.policies.models import to_agree

        BEFORE_POSTING.append(lambda user: reverse("policies:agree") if to_agree(user) else None)
