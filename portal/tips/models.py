"""기사제보 and 독자투고: what readers send the newsroom, kept private for editors.

The photos are stored in PRIVATE_MEDIA_ROOT (PrivateStorage), which no web server serves: staff read them through the admin (portal/tips/admin.py), nobody else ever can.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from news import images


class PrivateStorage(FileSystemStorage):
    """Files in PRIVATE_MEDIA_ROOT, a folder no web server serves (read at each use: tests move it)."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("a private file has no public URL: staff read it through the admin")


def private_storage():
    return PrivateStorage()


class Tip(models.Model):
    class Kind(models.TextChoices):
        TIP = "tip", _("기사제보")
        LETTER = "letter", _("독자투고")

    class Status(models.TextChoices):
        NEW = "new", _("새 제보")
        IN_REVIEW = "in_review", _("검토 중")
        USED = "used", _("기사화")
        CLOSED = "closed", _("종결")

    kind = models.CharField(_("종류"), max_length=10, choices=Kind, default=Kind.TIP)
    name = models.CharField(_("이름 또는 별명"), max_length=40)
    email = models.EmailField(_("이메일"), blank=True)
    phone = models.CharField(_("전화번호"), max_length=30, blank=True)
    body = models.TextField(_("내용"), max_length=5000)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("보낸 회원"),
    )
    status = models.CharField(_("처리 상태"), max_length=10, choices=Status, default=Status.NEW)
    notes = models.TextField(_("편집국 메모"), blank=True)
    created_at = models.DateTimeField(_("접수 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("제보")
        verbose_name_plural = _("제보")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""),
                name="tip_has_a_way_to_reply",
                violation_error_message=_("이메일이나 전화번호 중 하나는 적어 주세요."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {self.name}"

    @property
    def receipt(self) -> str:
        """The number the reader is given (and may quote when they call): the day and the row."""
        return f"{timezone.localdate(self.created_at):%Y%m%d}-{self.pk:05d}"


class TipPhoto(models.Model):
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="photos", verbose_name=_("제보"))
    image = images.PhotoField(_("사진"), upload_to="tips/%Y/%m/", storage=private_storage)

    class Meta:
        verbose_name = _("제보 사진")
        verbose_name_plural = _("제보 사진")

    def __str__(self) -> str:
        return self.image.name

    def save(self, *args, **kwargs) -> None:
        images.swap_in_cleaned(self, "image")  # re-encoded: no EXIF (a sender's GPS position) is kept
        super().save(*args, **kwargs)
