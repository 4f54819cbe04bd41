from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from news import pagecache
from news.models import Article, Section

PER_SECTION = 5
# A story marked 톱기사 leads the front page while it is this fresh; after that the newest story does.
TOP_STORY_WINDOW = timedelta(days=2)


@pagecache.cache_for_readers(lambda: [])
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


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a Korean page that names the one cause a reporter can fix, too many files in one save.

    Rendered without the request (no context processors): a forged Host header also ends here.
    """
    context = {"too_many_files": isinstance(exception, TooManyFilesSent),
               "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    return HttpResponseBadRequest(render_to_string("400.html", context))
