"""The 기사제보 form: anonymous or signed in, with photos; a receipt number at the end."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from news.viewcount import client_ip
from portal import limits
from portal.tips.forms import TipForm
from portal.tips.models import Tip, TipPhoto


def _senders(request) -> list[str]:
    """Who a submission counts against: the address, and the account when signed in."""
    keys = [f"tips:address:{client_ip(request)}"]
    if request.user.is_authenticated:
        keys.append(f"tips:account:{request.user.pk}")
    return keys


def _over_the_limit(request) -> bool:
    """Only tips sent count (a form sent back with an error does not): checked before, counted after."""
    return any(limits.counted(key) >= settings.TIP_RATE_PER_HOUR for key in _senders(request))


def _count(request) -> None:
    for key in _senders(request):
        limits.count(key)


@never_cache
def submit(request):
    form = TipForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_robot:
            return redirect("tips:received")  # looks like success, stores nothing
        if _over_the_limit(request):
            form.add_error(None, _("제보가 너무 잦습니다. 한 시간 뒤에 다시 보내 주세요."))
        elif form.is_valid():
            with transaction.atomic():
                tip = form.save(commit=False)
                tip.sender = request.user if request.user.is_authenticated else None
                tip.save()
                for photo in form.cleaned_data["photos"]:
                    TipPhoto.objects.create(tip=tip, image=photo)
            _count(request)
            request.session["tip_receipt"] = tip.receipt
            return redirect("tips:received")
    return render(request, "tips/submit.html", {"form": form, "kinds": Tip.Kind})


@never_cache
def received(request):
    return render(request, "tips/received.html", {"receipt": request.session.pop("tip_receipt", None)})
