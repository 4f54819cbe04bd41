from django.contrib import admin

from portal.policies.models import Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """A change is a new version: a version stays as it was once saved, so what readers agreed to is kept."""

    list_display = ["__str__", "kind", "version", "effective_on", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["version", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["kind", "version", "effective_on", "body", "created_at"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
