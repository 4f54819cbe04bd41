from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdsConfig(AppConfig):
    name = "portal.ads"
    label = "ads"
    verbose_name = _("광고·플러스업체")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from news import edge
        from portal.ads import counting, selection  # noqa: F401 (counting's impression buffer joins flush_views)
        from portal.ads.models import Ad, AdSlot, Business

        # Any change to what can be shown drops the cached choices (after the transaction commits).
        for model in (Ad, AdSlot, Business):
            for signal in (post_save, post_delete):
                signal.connect(
                    selection.forget, sender=model, weak=False, dispatch_uid=f"ads-{model.__name__}-{signal}"
                )
                signal.connect(edge.site_changed, sender=model, dispatch_uid=f"edge-{model.__name__}-{signal}")
        m2m_changed.connect(selection.forget, sender=Ad.slots.through, weak=False, dispatch_uid="ads-slots-m2m")
        edge.changes_at(selection.upcoming_changes)  # no page outlives an ad's start or end
        m2m_changed.connect(
            lambda action, **kwargs: action.startswith("post_") and edge.site_changed(),
            sender=Ad.slots.through,
            weak=False,
            dispatch_uid="edge-ads-slots-m2m",
        )
