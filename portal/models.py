from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from news import edge

SITE_PROFILE_CACHE_KEY = "portal:site-profile"


def topic_particle(word: str) -> str:
    """은 after a final consonant (받침), 는 after a vowel; 는 for a name that does not end in Hangul."""
    last = word[-1:] or " "
    if "가" <= last <= "힣":
        return "은" if (ord(last) - ord("가")) % 28 else "는"
    return "는"


class SiteProfile(models.Model):
    """The portal's name, tagline, address and copyright line: one row, edited in admin."""

    name = models.CharField(_("사이트 이름"), max_length=60, default="상하이방")
    tagline = models.CharField(_("소개 문구"), max_length=120, default="상하이 최대의 한인 포털사이트")
    url = models.URLField(_("대표 주소"), default="http://www.example.com")
    copyright_holder = models.CharField(
        _("저작권자"), max_length=120, blank=True, help_text=_("비워 두면 사이트 이름과 대표 주소로 씁니다.")
    )
    description = models.CharField(_("사이트 설명"), max_length=300, blank=True)
    best_comment_min_up = models.PositiveSmallIntegerField(
        _("BEST 댓글 최소 공감 수"),
        default=10,
        help_text=_("이만큼 공감을 받은 공개 댓글 중 많은 순으로 3개를 BEST로 보여 줍니다."),
    )

    # 법정 고지: what a registered 인터넷신문 shows on every page (신문 등의 진흥에 관한 법률), and its
    # 청소년보호책임자. Empty until filled in; `manage.py check` warns of any left empty while the site
    # operates as a registered 인터넷신문 (REGISTERED_INTERNET_NEWSPAPER).
    registered_title = models.CharField(_("제호"), max_length=60, blank=True)
    registration_number = models.CharField(_("등록번호"), max_length=40, blank=True, help_text=_("예: 서울 아00000"))
    registered_on = models.DateField(_("등록연월일"), null=True, blank=True)
    publisher = models.CharField(_("발행인"), max_length=40, blank=True)
    editor = models.CharField(_("편집인"), max_length=40, blank=True)
    office_address = models.CharField(_("발행소 주소"), max_length=200, blank=True)
    phone = models.CharField(_("전화번호"), max_length=30, blank=True)
    first_published_on = models.DateField(_("발행연월일"), null=True, blank=True)
    youth_officer = models.CharField(_("청소년보호책임자"), max_length=40, blank=True)
    youth_officer_contact = models.CharField(
        _("청소년보호책임자 연락처"), max_length=100, blank=True, help_text=_("전화번호나 이메일")
    )

    LEGAL_FIELDS = (
        "registered_title",
        "registration_number",
        "registered_on",
        "publisher",
        "editor",
        "office_address",
        "phone",
        "first_published_on",
        "youth_officer",
        "youth_officer_contact",
    )

    class Meta:
        verbose_name = _("사이트 정보")
        verbose_name_plural = _("사이트 정보")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a singleton: there is one portal per deployment
        super().save(*args, **kwargs)
        # On commit, like the edge purge: a reader in between must not re-cache the old profile.
        transaction.on_commit(lambda: cache.delete(SITE_PROFILE_CACHE_KEY))
        edge.site_changed()

    @property
    def copyright_line(self) -> str:
        holder = self.copyright_holder or f"{self.name}({self.url})"
        return gettext("ⓒ %(holder)s, 무단전재 및 재배포 금지") % {"holder": holder}

    @property
    def introduction(self) -> str:
        """ "상하이방은 상하이 최대의 한인 포털사이트입니다." with the particle that fits the name's last syllable."""
        return gettext("%(name)s%(particle)s %(tagline)s입니다.") % {
            "name": self.name,
            "particle": topic_particle(self.name),
            "tagline": self.tagline,
        }

    def particulars(self) -> list[tuple[str, str]]:
        """The 법정 고지 fields filled in, as (label, value) for the footer; dates as 2015년 3월 2일."""
        shown = []
        for name in self.LEGAL_FIELDS:
            if value := getattr(self, name):
                text = date_format(value, "Y년 n월 j일") if isinstance(value, date) else str(value)
                shown.append((str(self._meta.get_field(name).verbose_name), text))
        return shown

    def missing_particulars(self) -> list[str]:
        """The 법정 고지 fields still empty, by their Korean names."""
        return [str(self._meta.get_field(name).verbose_name) for name in self.LEGAL_FIELDS if not getattr(self, name)]

    @classmethod
    def current(cls) -> SiteProfile:
        profile = cache.get(SITE_PROFILE_CACHE_KEY)
        if profile is None:
            profile = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(SITE_PROFILE_CACHE_KEY, profile, 300)
        return profile
