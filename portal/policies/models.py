"""이용약관, 개인정보처리방침 and 청소년보호정책, versioned: a change is a new version with the date it takes
effect, earlier versions stay readable, and a reader's agreement is kept per version with its time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PolicyQuerySet(models.QuerySet):
    def in_effect(self, kind: str) -> Policy | None:
        """The version of `kind` in effect today: the newest whose date has come."""
        return self.filter(kind=kind, effective_on__lte=timezone.localdate()).order_by("-version").first()


class Policy(models.Model):
    class Kind(models.TextChoices):
        TERMS = "terms", _("이용약관")
        PRIVACY = "privacy", _("개인정보처리방침")
        YOUTH = "youth", _("청소년보호정책")

    # What a reader must agree to at sign-up, and again when a new version takes effect.
    AGREED = (Kind.TERMS, Kind.PRIVACY)

    kind = models.CharField(_("종류"), max_length=10, choices=Kind)
    version = models.PositiveIntegerField(_("버전"), editable=False)
    effective_on = models.DateField(_("시행일"))
    body = models.TextField(_("본문"))
    created_at = models.DateTimeField(_("작성 시각"), auto_now_add=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("약관·정책")
        verbose_name_plural = _("약관·정책")
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="policy_one_version_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.effective_on})"

    def save(self, *args, **kwargs) -> None:
        if self.version is None:  # a new version numbers itself after the last of its kind
            last = Policy.objects.filter(kind=self.kind).aggregate(last=Max("version"))["last"] or 0
            self.version = last + 1
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("policies:version", args=[self.kind, self.version])


class Consent(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(_("동의 시각"), auto_now_add=True)

    class Meta:
        verbose_name = _("동의 기록")
        verbose_name_plural = _("동의 기록")
        constraints = [models.UniqueConstraint(fields=["user", "policy"], name="consent_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.policy_id}"


def to_agree(user) -> list[Policy]:
    """The versions in effect that this reader has not agreed to (empty for the anonymous)."""
    if not user.is_authenticated:
        return []
    current = [policy for kind in Policy.AGREED if (policy := Policy.objects.in_effect(kind))]
    agreed = set(Consent.objects.filter(user=user, policy__in=current).values_list("policy_id", flat=True))
    return [policy for policy in current if policy.pk not in agreed]


def agree(user, policies) -> None:
    for policy in policies:
        Consent.objects.get_or_create(user=user, policy=policy)
