"""What readers send the newsroom, anonymous or signed in, each with a receipt number at the end: the
기사제보 form (with photos) and the 정정·반론보도 request about an article. Both share the hourly limit per
sender and the robot trap (ReaderSubmissionForm)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from news.models import Article
from news.viewcount import client_ip
from portal import limits
from portal.tips.forms import CorrectionRequestForm, TipForm
from portal.tips.models import Tip, TipPhoto


def _senders(request, scope: str) -> list[str]:
    """Who a submission counts against: the address, and the account when signed in."""
    keys = [f"{scope}:address:{client_ip(request)}"]
    if request.user.is_authenticated:
        keys.append(f"{scope}:account:{request.user.pk}")
    return keys


def _over_the_limit(request, scope: str = "tips") -> bool:
    """Only submissions sent count (a form sent back with an error does not): checked before, counted after."""
    return any(limits.counted(key) >= settings.TIP_RATE_PER_HOUR for key in _senders(request, scope))


def _count(request, scope: str = "tips") -> None:
    for key in _senders(request, scope):
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


@never_cache
def correction(request, pk: int):
    """/tips/correction/<article>/: a 정정·반론보도 request about a live article, for the editors' queue."""
    article = get_object_or_404(Article.objects.published(), pk=pk)
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_robot:
            return redirect("tips:correction-received")  # looks like success, stores nothing
        if _over_the_limit(request, "corrections"):
            form.add_error(None, _("요청이 너무 잦습니다. 한 시간 뒤에 다시 보내 주세요."))
        elif form.is_valid():
            filed = form.save(commit=False)
            filed.article = article
            filed.sender = request.user if request.user.is_authenticated else None
            filed.save()
            _count(request, "corrections")
            request.session["correction_receipt"] = filed.receipt
            return redirect("tips:correction-received")
    return render(request, "tips/correction.html", {"form": form, "article": article})


@never_cache
def correction_received(request):
    receipt = request.session.pop("correction_receipt", None)
    return render(request, "tips/received.html", {"receipt": receipt, "correction": True})
