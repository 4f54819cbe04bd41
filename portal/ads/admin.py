from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import admin
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from news import charts
from portal.ads.models import Ad, AdDailyStats, AdSlot, Business


def run_series(ad: Ad) -> list[tuple]:
    """(day, impressions, clicks) for every day of the ad's run so far (Asia/Shanghai days)."""
    start = timezone.localdate(ad.starts_at)
    # An ad ending at midnight ran until the day before.
    end = min(timezone.localdate(), timezone.localdate(ad.ends_at - timedelta(microseconds=1)))
    stats = {s.day: s for s in AdDailyStats.objects.filter(ad=ad, day__gte=start, day__lte=end)}
    days = [start + timedelta(days=i) for i in range(max((end - start).days + 1, 0))]
    return [(d, stats[d].impressions if d in stats else 0, stats[d].clicks if d in stats else 0) for d in days]


def ctr(impressions: int, clicks: int) -> str:
    return f"{clicks / impressions:.2%}" if impressions else "—"


@admin.register(AdSlot)
class AdSlotAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/admin.css"]}  # .admin-warning: the admin's CSP allows no style attribute

    list_display = ["name", "code", "size", "live_ads", "house_ad"]
    search_fields = ["name", "code"]
    list_select_related = ["house_ad"]

    def get_queryset(self, request):
        now = timezone.now()
        live = Q(ads__active=True, ads__starts_at__lte=now, ads__ends_at__gt=now)
        return super().get_queryset(request).annotate(live_count=Count("ads", filter=live))

    @admin.display(description=_("크기"))
    def size(self, slot) -> str:
        return f"{slot.width}×{slot.height}"

    @admin.display(description=_("지금 걸린 광고"), ordering="live_count")
    def live_ads(self, slot) -> str:
        if slot.live_count:
            return str(slot.live_count)
        return format_html('<strong class="admin-warning">⚠ {}</strong>', _("광고 없음"))


class EndsSoonFilter(admin.SimpleListFilter):
    title = _("일정")
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [("live", _("게재 중")), ("soon", _("7일 안에 끝남")), ("ended", _("끝남")), ("future", _("예정"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        return {
            "live": queryset.live(now),
            "soon": queryset.live(now).filter(ends_at__lte=now + timedelta(days=7)),
            "ended": queryset.filter(ends_at__lte=now),
            "future": queryset.filter(starts_at__gt=now),
        }.get(self.value(), queryset)


@admin.register(Ad)
class AdAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/admin.css"]}  # .admin-warning: the admin's CSP allows no style attribute

    list_display = [
        "title",
        "advertiser",
        "slot_codes",
        "starts_at",
        "ends_at",
        "schedule_note",
        "weight",
        "impressions",
        "clicks",
        "click_rate",
    ]
    list_filter = [EndsSoonFilter, "active", "slots"]
    search_fields = ["title", "advertiser"]
    filter_horizontal = ["slots"]
    readonly_fields = ["stats"]
    fieldsets = [
        (None, {"fields": ["advertiser", "title", "slots", "target_url", "active"]}),
        (_("내용"), {"fields": ["image", "alt_text", "text"]}),
        (_("일정과 비중"), {"fields": ["starts_at", "ends_at", "weight"]}),
        (_("성과"), {"fields": ["stats"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("slots")
            .annotate(
                total_impressions=Sum("daily_stats__impressions"),
                total_clicks=Sum("daily_stats__clicks"),
            )
        )

    @admin.display(description=_("자리"))
    def slot_codes(self, ad) -> str:
        return ", ".join(slot.code for slot in ad.slots.all())

    @admin.display(description=_("상태"))
    def schedule_note(self, ad) -> str:
        now = timezone.now()
        if not ad.active:
            return _("꺼짐")
        if ad.starts_at > now:
            return _("예정")
        if ad.ends_at <= now:
            return _("끝남")
        if ad.ends_soon():
            return format_html('<strong class="admin-warning">⚠ {}</strong>', _("7일 안에 끝남"))
        return _("게재 중")

    @admin.display(description=_("노출"), ordering="total_impressions")
    def impressions(self, ad) -> str:
        return f"{ad.total_impressions or 0:,}"

    @admin.display(description=_("클릭"), ordering="total_clicks")
    def clicks(self, ad) -> str:
        return f"{ad.total_clicks or 0:,}"

    @admin.display(description=_("클릭률"))
    def click_rate(self, ad) -> str:
        return ctr(ad.total_impressions or 0, ad.total_clicks or 0)

    @admin.display(description=_("일별 노출·클릭"))
    def stats(self, ad) -> str:
        if ad.pk is None:
            return "—"
        series = run_series(ad)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((d.isoformat(), f"{i:,}", f"{c:,}", ctr(i, c)) for d, i, c in series[-60:]),
        )
        return format_html(
            '{}{}<p><a class="button" href="{}">{}</a></p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            charts.bar_chart([(d, i) for d, i, _c in series], _("노출")),
            charts.bar_chart([(d, c) for d, _i, c in series], _("클릭")),
            reverse("admin:ads_ad_csv", args=[ad.pk]),
            _("광고주용 CSV 내려받기"),
            _("날짜"),
            _("노출"),
            _("클릭"),
            _("클릭률"),
            rows,
        )

    def get_urls(self):
        csv_view = self.admin_site.admin_view(self.csv_export)
        return [path("<int:pk>/csv/", csv_view, name="ads_ad_csv"), *super().get_urls()]

    def csv_export(self, request, pk: int) -> HttpResponse:
        """Daily impressions, clicks and CTR of one ad's run, for the advertiser."""
        ad = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, ad):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ad-{ad.pk}-stats.csv"'
        response.write("\ufeff")  # a BOM, so spreadsheet programs read the Korean correctly
        writer = csv.writer(response)
        writer.writerow(["날짜", "노출", "클릭", "클릭률", "광고주", "광고"])
        for day, impressions, clicks in run_series(ad):
            writer.writerow(
                [
                    day.isoformat(),
                    impressions,
                    clicks,
                    ctr(impressions, clicks),
                    _csv_safe(ad.advertiser),
                    _csv_safe(ad.title),
                ]
            )
        return response


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/admin.css"]}  # .admin-warning: the admin's CSP allows no style attribute

    list_display = ["name", "category", "phone", "display_order", "listed_until", "listing"]
    list_filter = ["category", "active"]
    list_editable = ["display_order"]
    search_fields = ["name", "address", "phone"]

    @admin.display(description=_("게재"))
    def listing(self, business) -> str:
        today = timezone.localdate()
        if not business.active or business.listed_until < today:
            return _("내려감")
        if business.listed_until <= today + timedelta(days=7):
            return format_html('<strong class="admin-warning">⚠ {}</strong>', _("7일 안에 끝남"))
        return _("게재 중")
