"""The daily newsletter: subscribers who confirmed by mail (double opt-in), each day's edition, and a row per
(edition, subscriber) that makes sending resumable without sending anyone an edition twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from news.models import Article


class SubscriberQuerySet(models.QuerySet):
    def receiving(self):
        """Those an edition goes to: confirmed, and not unsubscribed since."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscriber(models.Model):
    email = models.EmailField(_("이메일"), unique=True)
    created_at = models.DateTimeField(_("신청 시각"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("수신 동의 시각"), null=True, blank=True)  # the consent, when given
    unsubscribed_at = models.DateTimeField(_("수신 거부 시각"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("구독자")
        verbose_name_plural = _("구독자")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class Edition(models.Model):
    """One day's newsletter: 가장 많이 본 뉴스 and the editors' picks, frozen when it is first sent."""

    day = models.DateField(_("날짜"), unique=True)
    picks = models.ManyToManyField(Article, blank=True, related_name="+", verbose_name=_("편집자 추천 기사"))
    subject = models.CharField(_("제목"), max_length=200, blank=True)
    html = models.TextField(_("HTML 본문"), blank=True, editable=False)
    text = models.TextField(_("텍스트 본문"), blank=True, editable=False)
    built_at = models.DateTimeField(_("확정 시각"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("뉴스레터 호")
        verbose_name_plural = _("뉴스레터 호")
        ordering = ["-day"]

    def __str__(self) -> str:
        return self.subject or str(self.day)


class Delivery(models.Model):
    """Claimed before the mail goes out, marked sent after: a crash in between leaves a claim without
    `sent_at`, which a resumed run does not send again (at most once; the run reports it)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("발송 기록")
        verbose_name_plural = _("발송 기록")
        constraints = [models.UniqueConstraint(fields=["edition", "subscriber"], name="delivery_once")]

    def __str__(self) -> str:
        return f"{self.edition_id} → {self.subscriber_id}"
