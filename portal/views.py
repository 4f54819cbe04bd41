from __future__ import annotations

import re

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from comments.templatetags.comments import personal_parts, reader_parts
from news import beacon as beacons
from news import edge, frontpage, viewcount
from news.models import Article, Section
from portal.ads import counting

PER_SECTION = 5


@edge.public_page(lambda: [edge.ARTICLES])
def front_page(request: HttpRequest) -> HttpResponse:
    top_stories = frontpage.top_stories()
    live = Article.objects.published().for_listing().exclude(pk__in=[story.pk for story in top_stories])
    # One short indexed query per menu section (section, status, published_at): a window over the whole
    # archive would sort every live article on each visit.
    sections = [(section, list(live.filter(section=section)[:PER_SECTION])) for section in Section.objects.menu()]
    edge.shows(request, top_stories)
    for section, articles in sections:
        edge.shows(request, articles)
        request.edge_keys.add(edge.section_key(section.slug))
    context = {
        "top": top_stories[0] if top_stories else None,
        "headlines": top_stories[1:],
        "sections": [pair for pair in sections if pair[1]],
    }
    return render(request, "portal/front.html", context)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a Korean page that names the one cause a reporter can fix, too many files in one save.

    Rendered without the request (no context processors): a forged Host header also ends here.
    """
    context = {
        "too_many_files": isinstance(exception, TooManyFilesSent),
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
    }
    return HttpResponseBadRequest(render_to_string("400.html", context))


@csrf_exempt  # a beacon carries no token (the page is the same for every reader); its origin is checked instead
@require_POST
@never_cache
def beacon(request: HttpRequest) -> HttpResponse:
    """Count what a reader's page showed: the article's view and its ads' impressions (news/beacon.py)."""
    if not beacons.from_our_site(request):
        return HttpResponseForbidden("다른 사이트에서 보낸 요청입니다.")
    if (what := beacons.counted(request.POST.get("b", ""))) is None:
        return HttpResponseBadRequest("잘못된 요청입니다.")
    article_id, ad_ids = what
    response = HttpResponse(status=204)
    if new_cookie := viewcount.count_beacon(request, article_id, counting.IMPRESSIONS, ad_ids):
        response.set_cookie(
            viewcount.COOKIE,
            new_cookie,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    viewcount.flush_if_due()
    return response


@require_GET
@never_cache
def fragment(request: HttpRequest) -> JsonResponse:
    """The personal parts of a public page, put in place by static/js/page.js.

    In full (anonymous, no article, or ?reader): the account menu, the reader's parts that the script keeps
    for the session (reader_parts) and the CSRF token. On an article, what makes its comment block this
    reader's (personal_parts); when the script already keeps the reader's parts, only what differs from
    them on this article, which costs no template unless the reader sees a comment otherwise than everyone.
    Messages come whenever some are waiting."""
    # Links in the parts (log in, set a nickname) lead back to the page they are shown on, not to here.
    page_path = request.GET.get("next", "")
    if not page_path.startswith("/") or not url_has_allowed_host_and_scheme(page_path, {request.get_host()}):
        page_path = "/"
    article_id = request.GET.get("article", "")
    full = not request.user.is_authenticated or not article_id or "reader" in request.GET
    parts = {}
    if len(waiting := get_messages(request)):  # len() does not mark them as shown; rendering does
        parts["messages"] = render_to_string("includes/_messages.html", {"messages": waiting}, request)
    if full:
        parts["account"] = render_to_string(
            "includes/_account.html", {"user": request.user, "request": request, "page_path": page_path}, request
        )
    if re.fullmatch(r"[0-9]{1,18}", article_id) and (
        comments := personal_parts(request, int(article_id), page_path=page_path, with_form=full)
    ):
        parts["comments"] = comments
    if full and request.user.is_authenticated:
        parts["reader"] = reader_parts(request, page_path=page_path)  # kept by the script for the session
    if full and ("comments" in parts or "reader" in parts):
        parts["csrf"] = get_token(request)  # for the forms of the public block this reader may now use
    return JsonResponse(parts, json_dumps_params={"ensure_ascii": False})  # Korean as UTF-8: a third of the bytes
