"""Subscribing (double opt-in) and unsubscribing. Every page answers the same whatever the address, so
the form does not tell who subscribes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from news.viewcount import client_ip
from portal import limits
from portal.newsletter import mail
from portal.newsletter.models import Subscriber


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("이메일"), max_length=254)


def _too_many(request, email: str) -> bool:
    """Confirmation mails a client may have sent an hour, and one an address per ten minutes."""
    if limits.count(f"newsletter:address:{client_ip(request)}") > settings.NEWSLETTER_RATE_PER_HOUR:
        return True
    return limits.count(f"newsletter:email:{email}", window=600) > 1


def subscribe_by_mail(email: str) -> None:
    """Ask `email` to confirm a subscription (unless it receives the newsletter already)."""
    subscriber, _created = Subscriber.objects.get_or_create(email=email.lower())
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at is not None:
        mail.confirmation(subscriber.email).send()


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if not _too_many(request, email):
            subscribe_by_mail(email)
        return redirect("newsletter:sent")
    return render(request, "newsletter/subscribe.html", {"form": form})


@never_cache
def sent(request):
    return render(request, "newsletter/sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The link in the confirmation mail shows a button; pressing it is the consent (a mail scanner that
    opens links does not subscribe anyone)."""
    email = mail.email_of(token, mail.CONFIRM_SALT, max_age=mail.CONFIRM_DAYS * 24 * 3600)
    if email is None:
        return render(request, "newsletter/invalid.html", status=400)
    if request.method == "POST":
        now = timezone.now()
        Subscriber.objects.update_or_create(email=email, defaults={"confirmed_at": now, "unsubscribed_at": None})
        return render(request, "newsletter/confirmed.html", {"email": email})
    return render(request, "newsletter/confirm.html", {"email": email})


@csrf_exempt  # RFC 8058's one-click POST comes from the mail program, with the signed link as its proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    email = mail.email_of(token, mail.UNSUBSCRIBE_SALT)
    if email is None:
        return render(request, "newsletter/invalid.html", status=400)
    if request.method == "POST":
        Subscriber.objects.filter(email=email, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(_("수신 거부되었습니다."), content_type="text/plain; charset=utf-8")
        return render(request, "newsletter/unsubscribed.html", {"email": email})
    return render(request, "newsletter/unsubscribe.html", {"email": email})
