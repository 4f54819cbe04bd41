"""The editors' queue of tips. Photos are read here only: the view below streams a file from the private
storage to a user who may view tips; there is no other URL for them."""

from __future__ import annotations

import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.tips.models import Tip, TipPhoto


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin):
    list_display = ["receipt", "kind", "name", "status", "created_at", "photo_count"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "email", "phone", "body"]
    date_hierarchy = "created_at"
    fields = ["kind", "name", "email", "phone", "sender", "created_at", "body", "photo_links", "status", "notes"]
    readonly_fields = ["kind", "name", "email", "phone", "sender", "created_at", "body", "photo_links"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("photos")

    def has_add_permission(self, request) -> bool:
        return False  # tips come from readers

    @admin.display(description=_("접수번호"), ordering="created_at")
    def receipt(self, tip: Tip) -> str:
        return tip.receipt

    @admin.display(description=_("사진"))
    def photo_count(self, tip: Tip) -> int:
        return len(tip.photos.all())

    @admin.display(description=_("사진"))
    def photo_links(self, tip: Tip):
        return format_html_join(
            " ",
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            (
                (f"{reverse('admin:tips_tip_photo', args=[tip.pk])}?n={n}", _("사진 %(n)d") % {"n": n})
                for n, photo in enumerate(tip.photos.all(), start=1)
            ),
        ) or format_html("{}", _("없음"))

    def get_urls(self):
        # ?n=2: the tip's second photo (one argument, the tip, like every admin URL of an object).
        photo = path("<int:tip_id>/photo/", self.admin_site.admin_view(self.photo), name="tips_tip_photo")
        return [photo, *super().get_urls()]

    def photo(self, request, tip_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        number = request.GET.get("n", "1")
        photos = list(TipPhoto.objects.filter(tip_id=tip_id).order_by("pk"))
        if not re.fullmatch(r"[1-9][0-9]{0,2}", number) or int(number) > len(photos):
            raise Http404(_("그런 사진이 없습니다."))
        photo = photos[int(number) - 1]
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError:
            raise Http404(_("사진 파일이 없습니다.")) from None
        response = FileResponse(handle, content_type="image/png" if photo.image.name.endswith(".png") else "image/jpeg")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
