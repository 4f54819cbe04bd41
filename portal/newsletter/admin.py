from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.csp import CSP
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csp import csp_override

from portal.newsletter.editions import render
from portal.newsletter.models import Edition, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), ("unsubscribed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = ["email", "created_at", "confirmed_at", "unsubscribed_at"]

    def has_add_permission(self, request) -> bool:
        return False  # a subscription is the reader's own consent, given by mail


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["day", "subject", "built_at", "preview_link"]
    autocomplete_fields = ["picks"]
    readonly_fields = ["built_at", "preview_link"]

    @admin.display(description=_("미리보기"))
    def preview_link(self, edition: Edition):
        if not edition.pk:
            return "-"
        url = reverse("admin:newsletter_edition_preview", args=[edition.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("미리보기"))

    def get_urls(self):
        # A mail carries its styles in style attributes, as mail programs need: this page alone allows them.
        own_policy = csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})
        preview = path(
            "<int:edition_id>/preview/",
            self.admin_site.admin_view(own_policy(self.preview)),
            name="newsletter_edition_preview",
        )
        return [preview, *super().get_urls()]

    def preview(self, request, edition_id: int):
        """The edition as subscribers will get it (as sent, once it is; else as it would be now)."""
        edition = self.get_object(request, str(edition_id))
        if edition is None or not self.has_view_permission(request, edition):
            return HttpResponse(status=404)
        html = edition.html if edition.built_at else render(edition)[1]
        return HttpResponse(html.replace("{unsubscribe}", "#"))
