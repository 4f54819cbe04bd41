"""Readers' accounts: sign-up with a nickname, and choosing a nickname later (staff accounts have none).

Log in, log out, password change and reset are Django's own views with our templates (templates/registration).
"""

from __future__ import annotations

import threading
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from comments.models import DIRECTION_CONTROLS, Commenter, nickname_skeleton, visible_text
from comments.services import forget_author
from news.models import Article
from news.viewcount import client_ip
from portal import limits
from portal.models import SiteProfile
from portal.newsletter.models import Subscriber
from portal.newsletter.views import subscribe_by_mail as subscribe
from portal.policies.models import Consent, Policy, agree

# Names a reader may not take, nor anything that looks like one: the site's own voices.
RESERVED_NICKNAMES = ("운영자", "관리자", "편집자", "편집국", "moderator", "admin")


class NicknameField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("닉네임"),
            min_length=2,
            max_length=20,
            help_text=_(
                "댓글에 보이는 이름입니다. 2~20자. 보이지 않는 문자나 글자 방향을 바꾸는 문자는 쓸 수 없고, "
                "다른 독자나 기자의 이름, ‘운영자’·‘관리자’·‘편집자’처럼 사이트를 대신하는 이름, "
                "그리고 그런 이름과 비슷해 보이는 이름(다른 문자로 바꿔 쓴 것 포함)도 쓸 수 없습니다."
            ),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        if DIRECTION_CONTROLS.search(value) or visible_text(value) != unicodedata.normalize("NFKC", value).strip():
            raise forms.ValidationError(_("닉네임에 보이지 않는 문자나 글자 방향을 바꾸는 문자는 쓸 수 없습니다."))
        value = visible_text(value)
        if len(value) < 2:
            raise forms.ValidationError(_("닉네임은 보이는 글자로 2자 이상이어야 합니다."))
        # Compared by what they look like (nickname_skeleton): "аdmin" in Cyrillic is "admin".
        skeleton = nickname_skeleton(value)
        if any(nickname_skeleton(word) in skeleton for word in RESERVED_NICKNAMES) or skeleton in _newsroom_skeletons():
            raise forms.ValidationError(_("사이트나 기자의 이름으로 보일 수 있는 닉네임은 쓸 수 없습니다."))
        if Commenter.objects.filter(skeleton=skeleton).exists():
            raise forms.ValidationError(_("이미 쓰이는 닉네임이거나 그와 너무 비슷합니다. 다른 닉네임을 골라 주세요."))
        return value


def _newsroom_skeletons() -> set[str]:
    """What the newsroom's names look like: the bylines and the staff's names."""
    names = set(Article.objects.exclude(byline="").values_list("byline", flat=True).distinct())
    for first, last, username in (
        get_user_model().objects.filter(is_staff=True).values_list("first_name", "last_name", "username")
    ):
        names |= {first, f"{last}{first}", username}
    return {nickname_skeleton(name) for name in names if name}


class _RefusesOverlongUsernames:
    """Refuse a username longer than any account's before it is checked: django-axes records a failed login's
    username in a 255-character column, and a longer one turned the login page into a server error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]  # Django sets its max_length but adds no validator for it
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(_RefusesOverlongUsernames, AuthenticationForm):
    pass


class AdminLoginForm(_RefusesOverlongUsernames, AdminAuthenticationForm):
    pass


def _policy_link(kind: str) -> str:
    return format_html('<a href="{}" target="_blank">{}</a>', reverse("policies:show", args=[kind]), _("전문 보기"))


class SignUpForm(UserCreationForm):
    nickname = NicknameField()
    email = forms.EmailField(label=_("이메일"), help_text=_("비밀번호를 잊었을 때 재설정 링크를 받을 주소"))
    # What the law asks of a Korean sign-up: the terms and the collection of personal data agreed to
    # separately (both required), the age of 14 confirmed, and marketing mail only when asked for.
    agree_terms = forms.BooleanField(
        label=_("이용약관에 동의합니다 (필수)"),
        help_text=lazy(_policy_link, str)("terms"),
        error_messages={"required": _("이용약관에 동의해야 가입할 수 있습니다.")},
    )
    agree_privacy = forms.BooleanField(
        label=_("개인정보 수집·이용에 동의합니다 (필수)"),
        help_text=lazy(_policy_link, str)("privacy"),
        error_messages={"required": _("개인정보 수집·이용에 동의해야 가입할 수 있습니다.")},
    )
    over_14 = forms.BooleanField(
        label=_("만 14세 이상입니다 (필수)"), error_messages={"required": _("만 14세 이상만 가입할 수 있습니다.")}
    )
    newsletter = forms.BooleanField(label=_("뉴스레터를 받겠습니다 (선택)"), required=False)

    class Meta(UserCreationForm.Meta):
        fields = ["username", "nickname", "email"]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset, with three differences: its link is on SITE_URL, never the request's Host; the mail
    is rendered and sent on a thread of its own, so the answer takes as long for an address with an
    account as for one without; and a flood is held back (per address and per client) with the same answer."""

    def save(self, *, request, **kwargs) -> None:
        email = self.cleaned_data["email"].lower()
        # Both counted every time (no short cut): a flood from one client also uses up the address's hour.
        held_for_address = limits.count(f"reset:address:{email}") > settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR
        held_for_client = (
            limits.count(f"reset:client:{client_ip(request)}") > settings.PASSWORD_RESET_PER_CLIENT_PER_HOUR
        )
        if held_for_address or held_for_client:
            return
        site = urlsplit(settings.SITE_URL)
        kwargs |= {"domain_override": site.netloc, "use_https": site.scheme == "https", "request": None}
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "site_name": SiteProfile.current().name,
        }
        super().save(**kwargs)

    def send_mail(self, *args, **kwargs) -> None:
        threading.Thread(target=super().send_mail, args=args, kwargs=kwargs, name="portal-mail").start()


class NicknameForm(forms.Form):
    nickname = NicknameField()


class LeaveForm(forms.Form):
    """회원 탈퇴, confirmed with the account's password (a session left open is not enough)."""

    TRIES_PER_HOUR = 5

    password = forms.CharField(
        label=_("비밀번호 확인"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("비밀번호를 입력해 주세요.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if limits.count(f"leave:{self.user.pk}") > self.TRIES_PER_HOUR:
            raise forms.ValidationError(_("비밀번호를 여러 번 틀렸습니다. 한 시간 뒤에 다시 해 주세요."))
        if not self.user.check_password(password):
            raise forms.ValidationError(_("비밀번호가 맞지 않습니다."))
        return password


def forget_reader(user) -> None:
    """Leave (회원 탈퇴): what the reader wrote in public stays as "탈퇴한 회원"'s, the rest of them goes:
    their private comments, reactions and nickname (comments.services.forget_author), their newsletter
    subscription and policy consents, their e-mail and names. The account row stays, closed and renamed,
    because comments and moderators' records point to it."""
    with transaction.atomic():
        forget_author(user)
        if user.email:
            Subscriber.objects.filter(email__iexact=user.email).delete()
        Consent.objects.filter(user=user).delete()
        user.username = f"left-{user.pk}"
        user.email = user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()


@login_required
def leave(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:  # a newsroom account is closed by the newsroom, with its bylines in mind
        return render(request, "registration/leave.html", {"staff": True}, status=403)
    form = LeaveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        forget_reader(request.user)
        logout(request)
        # Said on a page of its own: the public pages show messages only to a signed-in reader's script.
        return render(request, "registration/leave.html", {"left": True})
    return render(request, "registration/leave.html", {"form": form}, status=400 if form.errors else 200)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save(commit=False)
                user.email = form.cleaned_data["email"]
                user.save()
                Commenter.objects.create(user=user, nickname=form.cleaned_data["nickname"])
                agree(user, [p for kind in Policy.AGREED if (p := Policy.objects.in_effect(kind))])
        except IntegrityError:  # someone took the name between the check and the save
            form.add_error(None, _("방금 다른 사람이 같은 아이디나 닉네임으로 가입했습니다. 다른 이름을 골라 주세요."))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if form.cleaned_data["newsletter"]:  # asked for: still confirmed by mail, as every subscription is
                subscribe(user.email)
            return redirect(_next(request))
    return render(request, "registration/signup.html", {"form": form, "next": _next(request)})


@login_required
def nickname(request: HttpRequest) -> HttpResponse:
    if Commenter.objects.filter(user=request.user).exists():
        return redirect(_next(request))
    form = NicknameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            Commenter.objects.create(user=request.user, nickname=form.cleaned_data["nickname"])
        except IntegrityError:
            form.add_error("nickname", _("이미 쓰이는 닉네임입니다. 다른 닉네임을 골라 주세요."))
        else:
            return redirect(_next(request))
    return render(request, "registration/nickname.html", {"form": form, "next": _next(request)})


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """Answer a login refused by django-axes (AXES_LOCKOUT_CALLABLE), the readers' and the admin's alike:
    429 with a Korean page saying how long to wait, instead of axes' English one-liner."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.LOGIN_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
