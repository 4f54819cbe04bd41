from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from news.models import Article, Section

PER_SECTION = 5


def front_page(request: HttpRequest) -> HttpResponse:
    live = Article.objects.published().for_listing()
    top = live.filter(featured=True).first() or live.first()
    latest = list(live.exclude(pk=getattr(top, "pk", None)).latest_per_section(PER_SECTION))
    sections = [
        (section, [a for a in latest if a.section_id == section.pk])
        for section in Section.objects.filter(show_in_menu=True)
    ]
    return render(request, "portal/front.html", {"top": top, "sections": [s for s in sections if s[1]]})
