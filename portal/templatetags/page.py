"""What a page's script (static/js/page.js) needs: the beacon to send and where its personal fragment is."""

from __future__ import annotations

from django import template
from django.urls import reverse

from news import beacon

register = template.Library()


@register.inclusion_tag("includes/_page_data.html", takes_context=True)
def page_data(context):
    """Placed last in the page: every ad slot above has said what it showed by then."""
    request = context.get("request")
    if request is None:  # an error page rendered without its request
        return {}
    fragment = ""
    if getattr(request, "public_page", False):  # a page served to everyone: the reader's parts come separately
        article = getattr(request, "beacon_article", None)
        fragment = reverse("fragment") + (f"?article={article}" if article else "")
    return {"beacon": beacon.payload(request), "beacon_url": reverse("beacon"), "fragment_url": fragment}
