from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("댓글")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from comments.models import Comment
        from news import edge

        # A comment saved anywhere (posting, the admin's change form): the article's page at the edge is stale.
        # Bulk updates in comments/services.py purge explicitly.
        for signal in (post_save, post_delete):
            signal.connect(
                lambda instance, **kwargs: edge.comments_changed(instance.article_id),
                sender=Comment,
                weak=False,
                dispatch_uid=f"edge-comment-{signal}",
            )
