from __future__ import annotations

from django import template

from news import beacon
from portal.ads import selection

register = template.Library()


@register.inclusion_tag("ads/_slot.html", takes_context=True)
def ad_slot(context, code: str):
    """Place an ad slot: one live ad by weight, else the slot's house ad, else nothing at all."""
    slot, ad = selection.pick(code)
    if ad is not None and "request" in context:
        beacon.to_count(context["request"], ad_id=ad.id)  # the page's beacon counts its impression
    return {"slot": slot, "ad": ad, "code": code}


@register.inclusion_tag("ads/_businesses.html")
def plus_businesses(limit: int = 8):
    return {"businesses": selection.listed_businesses()[:limit]}
