"""Building a day's edition: 가장 많이 본 뉴스 of the day before (its counted views) and the editors'
picks, in HTML and text."""

from __future__ import annotations

from datetime import timedelta

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from news.models import Article
from portal.models import SiteProfile
from portal.newsletter.mail import absolute

MOST_VIEWED = 10


def contents(edition) -> dict:
    """What the edition lists, with absolute links (a mail has no page to be relative to)."""
    most_viewed = list(
        Article.objects.published()
        .filter(daily_views__day=edition.day - timedelta(days=1))
        .order_by("-daily_views__views", "-published_at", "-id")[:MOST_VIEWED]
    )
    picks = list(edition.picks.all().order_by("-published_at")) if edition.pk else []
    for article in [*most_viewed, *picks]:
        article.link = absolute(article.get_absolute_url())
    site = SiteProfile.current()
    return {"edition": edition, "site": site, "most_viewed": most_viewed, "picks": picks, "home": absolute("/")}


def render(edition) -> tuple[str, str, str]:
    """(subject, html, text); the unsubscribe link is left as {unsubscribe}, filled per subscriber."""
    context = contents(edition)
    subject = edition.subject or _("[%(site)s] %(day)s 뉴스레터") % {
        "site": context["site"].name,
        "day": date_format(edition.day, "n월 j일"),
    }
    context["subject"] = subject
    return (
        subject,
        render_to_string("newsletter/edition.html", context),
        render_to_string("newsletter/edition.txt", context),
    )


def build(edition) -> None:
    """Freeze the edition's content the first time it is sent: a resumed run sends the same edition."""
    if edition.built_at:
        return
    edition.subject, edition.html, edition.text = render(edition)
    edition.built_at = timezone.now()
    edition.save(update_fields=["subject", "html", "text", "built_at"])
