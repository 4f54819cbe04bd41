"""Which ad a slot shows, and which businesses the 플러스업체 box lists.

What may show is read in two queries and cached (AD_CACHE_SECONDS, cleared when an ad, slot or business
changes); the schedule is checked against the clock at every pick, so an ad starts and stops on time
whatever the cache holds. Among the live ads of a slot the pick is random, weighted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.ads.models import Ad, AdSlot, Business

SLOTS_KEY = "ads:slots"
BUSINESS_KEY = "ads:businesses:{day}"


@dataclass(frozen=True)
class Creative:
    """What the page needs to show one ad (no model instance in the cache)."""

    id: int
    weight: int
    starts_at: float
    ends_at: float
    image_url: str
    alt_text: str
    text: str
    click_url: str


def _creative(ad: Ad) -> Creative:
    return Creative(
        ad.pk,
        ad.weight,
        ad.starts_at.timestamp(),
        ad.ends_at.timestamp(),
        ad.image.url if ad.image else "",
        ad.alt_text,
        ad.text,
        ad.get_click_url(),
    )


def _slots() -> dict:
    slots = cache.get(SLOTS_KEY)
    if slots is None:
        now = timezone.now()
        slots = {
            slot.code: {
                "slot": (slot.name, slot.width, slot.height),
                "ads": [],
                "house": _creative(slot.house_ad) if slot.house_ad and slot.house_ad.active else None,
            }
            for slot in AdSlot.objects.select_related("house_ad")
        }
        # Every ad not yet over, with its slot codes: future ones too, the clock decides at pick time.
        links = Ad.slots.through.objects.filter(ad__active=True, ad__ends_at__gt=now, adslot__code__in=list(slots))
        for link in links.select_related("ad", "adslot"):
            slots[link.adslot.code]["ads"].append(_creative(link.ad))
        cache.set(SLOTS_KEY, slots, settings.AD_CACHE_SECONDS)
    return slots


def pick(code: str, rng: random.Random | None = None) -> tuple[tuple | None, Creative | None]:
    """(slot name/width/height, the chosen ad) for a slot code; the house ad when none is live; None if neither."""
    entry = _slots().get(code)
    if entry is None:
        return None, None
    now = timezone.now().timestamp()
    live = [ad for ad in entry["ads"] if ad.starts_at <= now < ad.ends_at]
    if not live:
        house = entry["house"]  # the house ad keeps to its own switch and schedule too
        return entry["slot"], house if house and house.starts_at <= now < house.ends_at else None
    return entry["slot"], (rng or random).choices(live, weights=[ad.weight for ad in live])[0]


def upcoming_changes(now: float) -> list[float]:
    """When an ad of a slot starts or ends (the pages showing it change then, unsaved: news.edge)."""
    return [
        moment
        for entry in _slots().values()
        for ad in [*entry["ads"], entry["house"]]
        if ad
        for moment in (ad.starts_at, ad.ends_at)
        if moment > now
    ]


def listed_businesses() -> list[Business]:
    """The 플러스업체 box, cached per Shanghai day so an expired listing disappears on its date."""
    key = BUSINESS_KEY.format(day=timezone.localdate().isoformat())
    businesses = cache.get(key)
    if businesses is None:
        businesses = list(Business.objects.listed())
        cache.set(key, businesses, settings.AD_CACHE_SECONDS)
    return businesses


def forget(**kwargs) -> None:
    keys = [SLOTS_KEY, BUSINESS_KEY.format(day=timezone.localdate().isoformat())]
    transaction.on_commit(lambda: cache.delete_many(keys))
