from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from news.images import PhotoField, swap_in_cleaned

# Advertisers' links and businesses' sites: only web addresses, never javascript:, data: or anything else.
web_address = URLValidator(
    schemes=["http", "https"], message=_("http:// 또는 https:// 로 시작하는 웹 주소만 쓸 수 있습니다.")
)


class AdSlot(models.Model):
    """A named place on the pages (header banner, sidebar premium ...) that one template tag fills."""

    code = models.SlugField(
        _("코드"), max_length=40, unique=True, help_text=_("템플릿에서 쓰는 이름 (예: sidebar-premium)")
    )
    name = models.CharField(_("이름"), max_length=60)
    width = models.PositiveSmallIntegerField(_("너비(px)"))
    height = models.PositiveSmallIntegerField(_("높이(px)"))
    house_ad = models.ForeignKey(
        "Ad",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("자체 광고"),
        help_text=_("걸린 광고가 없을 때 보일 광고 (없으면 비워 둠)"),
    )

    class Meta:
        verbose_name = _("광고 자리")
        verbose_name_plural = _("광고 자리")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.width}×{self.height})"


class AdQuerySet(models.QuerySet):
    def live(self, at=None) -> AdQuerySet:
        """Ads that may show now: switched on, and now within [starts_at, ends_at)."""
        at = at or timezone.now()
        return self.filter(active=True, starts_at__lte=at, ends_at__gt=at)


class Ad(models.Model):
    advertiser = models.CharField(_("광고주"), max_length=100)
    title = models.CharField(_("광고 이름"), max_length=100, help_text=_("관리용 이름 (독자에게는 보이지 않음)"))
    slots = models.ManyToManyField(
        AdSlot,
        related_name="ads",
        verbose_name=_("광고 자리"),
        blank=True,
        help_text=_("돌아가며 보일 자리. 자체 광고로만 쓸 광고는 비워 둡니다."),
    )
    image = PhotoField(_("이미지"), upload_to="ads/%Y/%m/", blank=True)
    alt_text = models.CharField(_("대체 텍스트"), max_length=120, blank=True, help_text=_("이미지 광고의 설명 (필수)"))
    text = models.CharField(_("텍스트 광고"), max_length=80, blank=True, help_text=_("이미지 대신 보일 짧은 문구"))
    target_url = models.CharField(_("연결 주소"), max_length=500, validators=[web_address])
    starts_at = models.DateTimeField(_("시작"), default=timezone.now)
    ends_at = models.DateTimeField(_("종료"))
    weight = models.PositiveSmallIntegerField(
        _("가중치"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("같은 자리의 다른 광고보다 몇 배 자주 보일지 (1~1000)"),
    )
    active = models.BooleanField(_("사용"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AdQuerySet.as_manager()

    class Meta:
        verbose_name = _("광고")
        verbose_name_plural = _("광고")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["active", "ends_at"], name="ad_live_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="ad_ends_after_start",
                violation_error_message=_("종료 시각은 시작 시각보다 뒤여야 합니다."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advertiser} · {self.title}"

    def save(self, *args, **kwargs) -> None:
        swap_in_cleaned(self, "image")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.image and not self.text:
            raise ValidationError(_("이미지나 텍스트 중 하나는 있어야 합니다."))
        if self.image and not self.alt_text:
            raise ValidationError({"alt_text": _("이미지 광고에는 대체 텍스트가 필요합니다.")})

    def get_click_url(self) -> str:
        return reverse("ads:click", args=[self.pk])

    def ends_soon(self) -> bool:
        return self.active and timezone.now() < self.ends_at <= timezone.now() + timedelta(days=7)


class AdDailyStats(models.Model):
    """Impressions and clicks of one ad on one Asia/Shanghai day."""

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField(_("날짜"))
    # Database defaults: the upserts insert one counter and leave the other to the database.
    impressions = models.PositiveIntegerField(_("노출"), default=0, db_default=0)
    clicks = models.PositiveIntegerField(_("클릭"), default=0, db_default=0)

    class Meta:
        verbose_name = _("광고 일별 통계")
        verbose_name_plural = _("광고 일별 통계")
        constraints = [models.UniqueConstraint(fields=["ad", "day"], name="adstats_one_row_per_day")]
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.ad_id} {self.day}: {self.impressions}/{self.clicks}"


class BusinessQuerySet(models.QuerySet):
    def listed(self) -> BusinessQuerySet:
        """Shown businesses: switched on and listed until today or later (Asia/Shanghai)."""
        return self.filter(active=True, listed_until__gte=timezone.localdate())


class Business(models.Model):
    """A featured local business (플러스업체)."""

    class Category(models.TextChoices):
        RESTAURANT = "restaurant", _("식당")
        CLINIC = "clinic", _("병원")
        REALTY = "realty", _("부동산")
        ACADEMY = "academy", _("학원")
        TRAVEL = "travel", _("여행")
        LIVING = "living", _("생활")
        OTHER = "other", _("기타")

    name = models.CharField(_("상호"), max_length=60)
    category = models.CharField(_("업종"), max_length=20, choices=Category, default=Category.OTHER)
    phone = models.CharField(_("전화"), max_length=30, blank=True)
    address = models.CharField(_("주소"), max_length=200, blank=True)
    description = models.CharField(_("소개"), max_length=160, blank=True)
    logo = PhotoField(_("로고"), upload_to="businesses/", blank=True)
    link = models.CharField(_("홈페이지"), max_length=500, blank=True, validators=[web_address])
    display_order = models.PositiveSmallIntegerField(_("표시 순서"), default=100)
    listed_until = models.DateField(_("게재 종료일"), help_text=_("이 날까지 보이고 다음 날 사라집니다."))
    active = models.BooleanField(_("사용"), default=True)

    objects = BusinessQuerySet.as_manager()

    class Meta:
        verbose_name = _("플러스업체")
        verbose_name_plural = _("플러스업체")
        ordering = ["display_order", "name"]
        indexes = [models.Index(fields=["active", "listed_until"], name="business_listed_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        swap_in_cleaned(self, "logo")
        super().save(*args, **kwargs)

    def web_link(self) -> str:
        """The homepage address if it is a web address, else "": a row saved around the form's validation (an
        import, the shell) must not put a javascript: or data: link on the directory page."""
        try:
            web_address(self.link)
        except ValidationError:
            return ""
        return self.link
