"""The page's beacon: what a page asks to count when a reader's browser shows it (the article's view and
the ads it carries), sent once per page view by static/js/page.js with navigator.sendBeacon to portal.views.beacon.

The page carries the list signed (the same bytes for every reader, so it can be stored at the edge), so
that a beacon can only count what one of our pages showed. The rules of counting stay with the counters:
news.viewcount for views, portal.ads.counting for impressions.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

_SALT = "portal.beacon"


@functools.cache
def _signer(key: str) -> signing.Signer:
    return signing.Signer(key=key, salt=_SALT)  # one a process: every beacon and every page asks


def to_count(request: HttpRequest, *, article_id: int | None = None, ad_id: int | None = None) -> None:
    """Note on this request that its page shows something the beacon must count."""
    if article_id is not None:
        request.beacon_article = article_id
    if ad_id is not None:
        request.__dict__.setdefault("beacon_ads", []).append(ad_id)


def payload(request: HttpRequest) -> str:
    """The signed list for the page, or "" when it counts nothing ("a12.ads3-7")."""
    article, ads = getattr(request, "beacon_article", None), getattr(request, "beacon_ads", [])
    if article is None and not ads:
        return ""
    return _signer(settings.SECRET_KEY).sign(f"a{article or ''}.ads{'-'.join(map(str, ads))}")


def counted(signed: str) -> tuple[int | None, list[int]] | None:
    """(article id or None, ad ids) from a beacon's signed list, or None if it is not one of ours. Read by
    hand rather than by a Form: one field that only our script fills, on the busiest POST of the site,
    where a Form's machinery cost more than the counting."""
    try:
        article, ads = _signer(settings.SECRET_KEY).unsign(signed[:400]).split(".ads")
        return (int(article[1:]) if article[1:] else None), [int(ad) for ad in ads.split("-") if ad]
    except (signing.BadSignature, ValueError):
        return None


def from_our_site(request: HttpRequest) -> bool:
    """Sent by a page of this site: browsers name the page's origin (Origin, Sec-Fetch-Site) on a beacon."""
    meta = request.META
    site = meta.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site != "same-origin":
        return False
    origin = meta.get("HTTP_ORIGIN")
    if origin is None:
        return site == "same-origin"
    return urlsplit(origin).netloc in {request.get_host(), *_trusted_hosts(tuple(settings.CSRF_TRUSTED_ORIGINS))}


@functools.cache
def _trusted_hosts(origins: tuple[str, ...]) -> frozenset[str]:
    return frozenset(urlsplit(origin).netloc for origin in origins)
