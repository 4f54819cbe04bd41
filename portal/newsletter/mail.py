"""The newsletter's mail: the confirmation of a subscription and each day's edition. Links are built on
SITE_URL, the site's configured address, never on a request's Host header; each carries a signed token."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.models import SiteProfile

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
CONFIRM_DAYS = 3


def token(email: str, salt: str) -> str:
    return signing.dumps(email, salt=salt, compress=True)


def email_of(value: str, salt: str, max_age: int | None = None) -> str | None:
    try:
        return signing.loads(value, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def confirmation(email: str) -> EmailMultiAlternatives:
    link = absolute(reverse("newsletter:confirm", args=[token(email, CONFIRM_SALT)]))
    site = SiteProfile.current()
    context = {"link": link, "site": site, "days": CONFIRM_DAYS}
    message = EmailMultiAlternatives(
        subject=_("[%(site)s] 뉴스레터 구독을 확인해 주세요") % {"site": site.name},
        body=render_to_string("newsletter/confirm_email.txt", context),
        to=[email],
    )
    return message


def unsubscribe_link(email: str) -> str:
    return absolute(reverse("newsletter:unsubscribe", args=[token(email, UNSUBSCRIBE_SALT)]))


def edition_message(edition, email: str) -> EmailMultiAlternatives:
    """The edition for one subscriber: its own unsubscribe link in the text and in the headers a mail
    program shows as a button (RFC 2369, and RFC 8058's one-click POST)."""
    link = unsubscribe_link(email)
    message = EmailMultiAlternatives(
        subject=edition.subject,
        body=edition.text.replace("{unsubscribe}", link),
        to=[email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(edition.html.replace("{unsubscribe}", link), "text/html")
    return message
