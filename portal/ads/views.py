from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from news import edge
from portal.ads import counting
from portal.ads.models import Ad, Business
from portal.ads.selection import listed_businesses


@never_cache
def click(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a click and go to the ad's stored address: nothing in the request chooses the destination."""
    ad = get_object_or_404(Ad.objects.live(), pk=pk)
    counting.count_click(request, ad)
    return HttpResponseRedirect(ad.target_url)


@edge.public_page(lambda: [])
def directory(request: HttpRequest) -> HttpResponse:
    """플러스업체: every listed business by category, each as a card."""
    categories = Business.Category
    chosen = request.GET.get("category") if request.GET.get("category") in categories.values else None
    businesses = [b for b in listed_businesses() if chosen is None or b.category == chosen]
    return render(
        request,
        "ads/directory.html",
        {
            "businesses": businesses,
            "categories": categories.choices,
            "chosen": chosen,
        },
    )
