from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from news import beacon, edge, rankings, search
from news.models import ARTICLE_LIST_FIELDS, Article, Correction, Keyword, Section, Series
from news.richtext import render_body
from news.search_forms import SearchForm, SuggestForm

SECTION_PAGE_SIZE = 20
RELATED_COUNT = 5


class SearchPaginator(Paginator):
    """Pages of search results whose count the view has already taken (at most search.COMMON_AT:
    "1,000건 이상" is all a reader needs, and counting every match of a common word would read the archive)."""

    def __init__(self, object_list, per_page, known_count: int):
        super().__init__(object_list, per_page)
        self.count = known_count
        self.at_limit = known_count >= search.COMMON_AT


def _page(request: HttpRequest, queryset, paginator=Paginator):
    """A page of a list; a bad or out-of-range ?page= gets the nearest real page, never an error."""
    page = paginator(queryset, SECTION_PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = page.paginator.get_elided_page_range(page.number)
    others = request.GET.copy()  # page links keep the rest of the query (a search's q, section, order)
    others.pop("page", None)
    page.query_prefix = others.urlencode() + "&" if others else ""
    return page


@edge.public_page(lambda slug: [edge.section_key(slug)])
def section(request: HttpRequest, slug: str) -> HttpResponse:
    current = get_object_or_404(Section, slug=slug)
    page = _page(request, Article.objects.published().filter(section=current).for_listing())
    edge.shows(request, page.object_list)
    return render(request, "news/section.html", {"section": current, "page": page, "current_section_slug": slug})


@edge.public_page(lambda pk: [edge.article_key(pk), edge.comments_key(pk)])
def article(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Article.objects.select_related("section", "series"), pk=pk)
    preview = not story.is_published()
    if preview and not story.can_be_previewed_by(request.reader):
        raise Http404(_("기사를 찾을 수 없습니다."))
    live = Article.objects.published().for_listing().exclude(pk=story.pk)
    keywords = list(story.keywords.all())
    previous_installment, next_installment = story.installment_neighbours()
    photos = list(story.photos.all())
    context = {
        "article": story,
        # A 포토뉴스 shows its photos as the sequence above the text, so none is placed in the body as well.
        "body": render_body(story.body, [] if story.is_photo_story else photos),
        "photo_sequence": photos if story.is_photo_story else [],
        "preview": preview,
        "keywords": keywords,
        "corrections": list(story.corrections.filter(published_at__lte=timezone.now())),
        "previous_installment": previous_installment,
        "next_installment": next_installment,
        "reporter_articles": list(live.filter(reporter_id=story.reporter_id)[:RELATED_COUNT]),
        "related_articles": story.related_stories([keyword.pk for keyword in keywords], RELATED_COUNT),
        "current_section_slug": story.section.slug,
    }
    shown = context["reporter_articles"] + context["related_articles"]
    edge.shows(request, shown + [story for story in (previous_installment, next_installment) if story])
    request.edge_keys |= {edge.section_key(story.section.slug), edge.reporter_key(story.reporter_id)}
    request.edge_keys |= {edge.keyword_key(keyword.pk) for keyword in keywords}
    if story.series_id:
        request.edge_keys.add(edge.series_key(story.series_id))
    if not preview:
        beacon.to_count(request, article_id=story.pk)  # the page's beacon counts the view
    response = render(request, "news/article.html", context)
    response.public = not preview  # a preview is for the newsroom only: never stored
    return response


@edge.public_page(lambda slug: [])
def keyword(request: HttpRequest, slug: str) -> HttpResponse:
    """/keyword/<slug>/: the live stories tagged with a keyword, newest first."""
    tag = get_object_or_404(Keyword, slug=slug)
    request.edge_keys.add(edge.keyword_key(tag.pk))
    page = _page(request, Article.objects.published().filter(keywords=tag).for_listing())
    edge.shows(request, page.object_list)
    return render(request, "news/keyword.html", {"keyword": tag, "page": page})


@edge.public_page(lambda: [edge.ARTICLES])
def series_list(request: HttpRequest) -> HttpResponse:
    """/series/: every 연재 with live installments and how many, by name (a new installment anywhere is an
    article change, which purges `articles`; a renamed series purges its installments, listed here)."""
    shelf = [series for series in Series.objects.with_live_count().order_by("name") if series.live_count]
    request.edge_keys |= {edge.series_key(series.pk) for series in shelf}
    return render(request, "news/series_list.html", {"shelf": shelf})


@edge.public_page(lambda slug: [])
def series(request: HttpRequest, slug: str) -> HttpResponse:
    """/series/<slug>/: a 연재's live installments in their order."""
    current = get_object_or_404(Series, slug=slug)
    request.edge_keys.add(edge.series_key(current.pk))
    installments = Article.objects.published().filter(series=current).for_listing().order_by("series_number")
    page = _page(request, installments)
    edge.shows(request, page.object_list)
    return render(request, "news/series.html", {"series": current, "page": page})


@edge.public_page(lambda: [edge.PHOTO_STORIES])
def photo_stories(request: HttpRequest) -> HttpResponse:
    """/photo/: the live 포토뉴스, newest first, each with its cover photo and how many photos it has."""
    page = _page(request, Article.objects.published().photo_stories().for_listing())
    edge.shows(request, page.object_list)
    return render(request, "news/photo_stories.html", {"page": page})


@edge.public_page(lambda: [edge.CORRECTIONS])
def corrections(request: HttpRequest) -> HttpResponse:
    """/corrections/: every 정정·반론·추후보도 on a live story, newest first."""
    notes = (
        Correction.objects.public()
        .select_related("article")
        .only("kind", "body", "published_at", "article__id", "article__title")
    )
    page = _page(request, notes)
    edge.shows(request, [note.article for note in page.object_list])
    return render(request, "news/corrections.html", {"page": page})


@edge.public_page(lambda: [edge.ARTICLES])
def search_page(request: HttpRequest) -> HttpResponse:
    """/search/?q=…&section=…&order=newest|relevance: live articles, 20 a page, matches highlighted; for a
    query that finds little, the closest known term ("혹시 … 을(를) 찾으셨나요?")."""
    form = SearchForm(request.GET)
    query, order = form.query(), form.ordering()
    sections = Section.objects.menu()
    chosen = next((s for s in sections if s.slug == form.section_slug()), None)
    page, suggestion = None, ""
    if not query.problem:
        articles = Article.objects.published().for_listing().only("body", *ARTICLE_LIST_FIELDS)
        if chosen:
            articles = articles.filter(section=chosen)
        results = search.matching(articles, query, order)
        found = results.order_by()[: search.COMMON_AT].count()  # bounded: never every match of a common word
        if found >= search.COMMON_AT:
            results = search.NewestMatches(articles, query, found, relevance=order == "relevance")
        page = _page(request, results, lambda items, size: SearchPaginator(items, size, found))
        edge.shows(request, page.object_list)
        for item in page.object_list:
            item.title_marked = search.highlight(item.title, query.marks)
            item.snippet = search.snippet(item.body, query.marks)
        if found <= search.FEW:
            suggestion = search.did_you_mean(query, articles, found)
    return render(
        request,
        "news/search.html",
        {
            "query": query,
            "page": page,
            "order": order,
            "sections": sections,
            "chosen": chosen,
            "suggestion": suggestion,
            "suggestion_url": f"{reverse('news:search')}?{urlencode({'q': suggestion})}",
            "suggestion_particle": search.object_particle(suggestion),
        },
    )


@edge.public_page(lambda: [edge.ARTICLES])
def suggest(request: HttpRequest) -> JsonResponse:
    """/search/suggest/?q=…: what the search box offers while the reader types (static/js/suggest.js), the
    same answer for everyone, so the edge keeps it by q."""
    form = SuggestForm(request.GET)
    keywords, articles = search.suggestions(form.cleaned_data["q"]) if form.is_valid() else ([], [])
    edge.shows(request, articles)
    found = reverse("news:search")
    items = [
        {"label": keyword.name, "kind": _("키워드"), "url": f"{found}?{urlencode({'q': keyword.name})}"}
        for keyword in keywords
    ] + [{"label": article.title, "kind": _("기사"), "url": article.get_absolute_url()} for article in articles]
    return JsonResponse({"items": items})


@edge.public_page(lambda: [edge.ARTICLES])
def ranking(request: HttpRequest) -> HttpResponse:
    """가장 많이 본 뉴스 for today, this week or this month, overall and per section."""
    period = request.GET.get("period") if request.GET.get("period") in rankings.PERIODS else "week"
    ranked = rankings.most_viewed(rankings.PERIODS[period])
    tabs = [(None, ranked[None])] + [(section, ranked.get(section.pk, [])) for section in Section.objects.menu()]
    for _section, items in tabs:
        edge.shows(request, items)
    periods = [("day", _("오늘")), ("week", _("이번 주")), ("month", _("이번 달"))]
    return render(request, "news/ranking.html", {"tabs": tabs, "period": period, "periods": periods})


@edge.public_page(lambda pk: [edge.reporter_key(pk)])
def reporter(request: HttpRequest, pk: int) -> HttpResponse:
    """A reporter's published articles, under the byline they publish with (their account stays private)."""
    # By the user's id field: its lookup answers "none" for an id too large for the column (a typed URL like
    # /reporter/99999999999999999999/), where reporter_id= would be a server error on SQLite.
    reporter = get_user_model().objects.filter(id=pk, is_staff=True).first()
    if reporter is None:
        raise Http404(_("기자를 찾을 수 없습니다."))
    articles = Article.objects.published().reported_by(reporter)  # theirs and those they co-bylined
    latest = articles.filter(reporter=reporter).only("byline", "byline_email").order_by("-published_at").first()
    if latest is None and not articles.exists():
        raise Http404(_("기자를 찾을 수 없습니다."))
    page = _page(request, articles.for_listing())
    edge.shows(request, page.object_list)
    byline = latest.byline if latest else reporter.get_full_name() or reporter.get_username()
    email = latest.byline_email if latest else reporter.email
    return render(request, "news/reporter.html", {"page": page, "byline": byline, "email": email})
