from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from news.models import Section
from portal.models import SiteProfile


def site(request) -> dict:
    """The site profile and the 대메뉴, on every page (evaluated only when a template uses them), and whether
    the page is public (the same for every reader: nothing personal may be rendered into it)."""
    return {
        "public_page": getattr(request, "public_page", False),
        "site_profile": SimpleLazyObject(SiteProfile.current),  # not "site": auth views set that
        "menu_sections": SimpleLazyObject(Section.objects.menu),
    }
