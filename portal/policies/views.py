from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from portal.policies.models import Policy, agree, to_agree


def show(request, kind: str, version: int | None = None):
    if kind not in Policy.Kind.values:
        raise Http404
    versions = list(Policy.objects.filter(kind=kind))
    if version is None:
        policy = Policy.objects.in_effect(kind)
        if policy is None:
            raise Http404
    else:
        policy = get_object_or_404(Policy, kind=kind, version=version)
    current = Policy.objects.in_effect(kind)
    return render(request, "policies/show.html", {"policy": policy, "versions": versions, "current": current})


class AgreeForm(forms.Form):
    agree = forms.BooleanField(
        label=_("바뀐 내용을 읽었고 동의합니다."), error_messages={"required": _("동의해야 댓글을 쓸 수 있습니다.")}
    )


@never_cache
@login_required
def agree_again(request):
    """A new version took effect: the reader agrees once before commenting again, then goes back."""
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    pending = to_agree(request.user)
    if not pending:
        return redirect(target)
    form = AgreeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agree(request.user, pending)
        return redirect(target)
    return render(request, "policies/agree.html", {"form": form, "pending": pending, "next": target})
