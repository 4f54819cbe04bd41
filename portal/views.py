from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from news.models import Article, Section

PER_SECTION = 5
# A story marked 톱기사 leads the front page while it is this fresh; after that the newest story does.
TOP_STORY_WINDOW = timedelta(days=2)


def front_page(request: HttpRequest) -> HttpResponse:
    live = Article.objects.published().for_listing()
    recent = live.filter(published_at__gte=timezone.now() - TOP_STORY_WINDOW)
    top = recent.order_by("-featured", "-published_at", "-id").first() or live.first()
    if top is not None:
        live = live.exclude(pk=top.pk)
    # One short indexed query per menu section (section, status, published_at): a window over the whole
    # archive would sort every live article on each visit.
    sections = [(section, list(live.filter(section=section)[:PER_SECTION])) for section in Section.objects.menu()]
    return render(request, "portal/front.html", {"top": top, "sections": [pair for pair in sections if pair[1]]})
