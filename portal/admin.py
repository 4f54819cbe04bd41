from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.models import SiteProfile


@admin.register(SiteProfile)
class SiteProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "tagline", "url"]
    fieldsets = [
        (None, {"fields": ["name", "tagline", "url", "copyright_holder", "description", "best_comment_min_up"]}),
        (
            _("법정 고지 (인터넷신문 등록 사항)"),
            {
                "fields": SiteProfile.LEGAL_FIELDS,
                "description": _("인터넷신문으로 등록한 사이트는 모든 페이지 아래에 이 정보를 보여야 합니다."),
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return not SiteProfile.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
