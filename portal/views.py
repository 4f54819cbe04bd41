from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from news.models import Article

PER_SECTION = 5


def front_page(request: HttpRequest) -> HttpResponse:
    live = Article.objects.published().for_listing()
    # The newest story marked 톱기사, else simply the newest.
    top = live.order_by("-featured", "-published_at", "-id").first()
    latest = live.exclude(pk=getattr(top, "pk", None)).filter(section__show_in_menu=True).latest_per_section(PER_SECTION)
    by_section: dict = {}
    for article in latest:
        by_section.setdefault(article.section, []).append(article)
    sections = sorted(by_section.items(), key=lambda pair: (pair[0].menu_order, pair[0].name))
    return render(request, "portal/front.html", {"top": top, "sections": sections})
