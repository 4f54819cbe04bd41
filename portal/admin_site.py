"""The admin site itself (kept apart from portal/admin.py, whose registrations need the site first)."""

from django.contrib import admin

from portal import desk


class NewsroomAdminSite(admin.AdminSite):
    """The admin with the desk's dashboard on its first page for editors (portal/desk.py). Installed as the
    default site by portal.apps.NewsroomAdminConfig, so every admin.register still lands here."""

    index_template = "admin/desk_index.html"

    def index(self, request, extra_context=None):
        if request.user.has_perm("news.publish_article"):
            extra_context = {**(extra_context or {}), "desk": desk.for_editors()}
        return super().index(request, extra_context)
