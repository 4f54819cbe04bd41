from __future__ import annotations

import zlib
from html import unescape

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from news import images, search
from news.richtext import BODY_EXTENSIONS, sanitize_body

MENU_CACHE_KEY = "news:menu-sections"


class SectionQuerySet(models.QuerySet):
    def menu(self) -> list[Section]:
        """The 대메뉴 in order, from the cache: it is on every page and changes only when an editor saves a section."""
        sections = cache.get(MENU_CACHE_KEY)
        if sections is None:
            sections = list(self.filter(show_in_menu=True))
            cache.set(MENU_CACHE_KEY, sections, 60 * 60)
        return sections


class Section(models.Model):
    """A 대메뉴 section (경제, 사회 ...). 종합 is the all-sections view, not a row here."""

    name = models.CharField(_("이름"), max_length=40, unique=True)
    slug = models.SlugField(
        _("주소 이름"), max_length=40, unique=True, help_text=_("주소에 쓰이는 영문 이름 (예: economy)")
    )
    menu_order = models.PositiveSmallIntegerField(_("메뉴 순서"), default=0)
    show_in_menu = models.BooleanField(_("메뉴에 표시"), default=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("섹션")
        verbose_name_plural = _("섹션")
        ordering = ["menu_order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(MENU_CACHE_KEY))

    def get_absolute_url(self) -> str:
        return reverse("news:section", kwargs={"slug": self.slug})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(MENU_CACHE_KEY))
        return result


ARTICLE_LIST_FIELDS = (
    "id",
    "title",
    "subtitle",
    "published_at",
    "lead_renditions",
    "lead_image_alt",
    "byline",
    "section__name",
    "section__slug",
    "section__menu_order",
    "kind",
    "series__name",
    "series_number",
    "format",
)


class Keyword(models.Model):
    """A 키워드 that reporters tag stories with; its page lists them (/keyword/<slug>/), and 관련기사 and search
    suggestions read it. The slug is the name itself where it can be (Korean letters are kept)."""

    name = models.CharField(_("키워드"), max_length=40, unique=True)
    slug = models.SlugField(_("주소 이름"), max_length=60, unique=True, allow_unicode=True, blank=True)

    class Meta:
        verbose_name = _("키워드")
        verbose_name_plural = _("키워드")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True) or f"k{zlib.crc32(self.name.encode()):08x}"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("news:keyword", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """Live articles: published, and their publish time has passed (scheduling is decided here, no cron)."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self) -> ArticleQuerySet:
        """What list pages need in one query (never the body or the search text), newest first."""
        return self.select_related("section", "series").only(*ARTICLE_LIST_FIELDS).order_by("-published_at", "-id")

    def photo_stories(self) -> ArticleQuerySet:
        """포토뉴스 with at least one photo in their sequence, each with its first photo's renditions (for
        `cover`) and how many photos it has: two subqueries per listed row, never a query per story."""
        sequence = ArticlePhoto.objects.filter(article=OuterRef("pk"))
        return (
            self.filter(format=Article.Format.PHOTO_STORY)
            .filter(Exists(sequence))
            .annotate(
                first_photo=Subquery(
                    sequence.order_by("position", "id").values("renditions")[:1], output_field=models.JSONField()
                ),
                photo_count=Subquery(
                    sequence.order_by().values("article").annotate(n=models.Count("pk")).values("n"),
                    output_field=models.IntegerField(),
                ),
            )
        )

    def editable_by(self, user) -> ArticleQuerySet:
        """Editors work on every article; a reporter only on their own (theirs or co-bylined)."""
        if user.has_perm("news.publish_article"):
            return self
        return self.reported_by(user)

    def reported_by(self, user) -> ArticleQuerySet:
        """The articles with `user` in the byline: as its reporter or as one of its co-reporters. The one rule
        for who an article's reporters are (the admin, reporter pages, previews, the comment gate)."""
        if not user.is_authenticated:
            return self.none()
        co_bylined = Article.co_reporters.through.objects.filter(user=user).values("article_id")
        return self.filter(Q(reporter=user) | Q(pk__in=co_bylined))


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        SUBMITTED = "submitted", _("출고 요청")
        PUBLISHED = "published", _("발행")

    class Kind(models.TextChoices):
        """What kind of article it is (#17): shown on the article, in lists and in the feed."""

        REPORT = "report", _("자체기사")
        PRESS_RELEASE = "press", _("보도자료")
        CONTRIBUTION = "contribution", _("기고")
        COLUMN = "column", _("칼럼")
        EDITORIAL = "editorial", _("사설")
        SPONSORED = "sponsored", _("광고·협찬")

    class Format(models.TextChoices):
        """How the story is laid out (#17): a 포토뉴스 is its photos (기사 사진) in order, each with its caption,
        shown as a sequence a reader steps through; its body is the text under them."""

        STANDARD = "standard", _("일반")
        PHOTO_STORY = "photo", _("포토뉴스")

    title = models.CharField(_("제목"), max_length=200)
    subtitle = models.CharField(_("부제"), max_length=300, blank=True)
    body = ProseEditorField(
        _("본문"),
        extensions=BODY_EXTENSIONS,
        sanitize=sanitize_body,
        blank=True,
        help_text=_("사진은 아래 ‘기사 사진’에 올리고, 넣을 자리에 [사진 1]처럼 한 줄로 적으세요."),
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("섹션"))
    lead_image = images.PhotoField(
        _("대표 사진"),
        upload_to="articles/%Y/%m/",
        blank=True,
        help_text=_("JPEG, PNG, WebP, GIF. 10MB, 5천만 화소 이하."),
    )
    lead_image_caption = models.CharField(_("사진 설명"), max_length=300, blank=True)
    lead_image_alt = models.CharField(
        _("대체 텍스트"), max_length=300, blank=True, help_text=_("사진을 볼 수 없는 독자를 위한 설명")
    )
    lead_renditions = models.JSONField(default=dict, blank=True, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles", verbose_name=_("작성 기자")
    )
    co_reporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_reported_articles",
        verbose_name=_("함께 쓴 기자"),
        help_text=_("바이라인에 함께 나가는 기자. 편집자만 바꿀 수 있습니다."),
    )
    byline = models.CharField(
        _("기자 이름"),
        max_length=60,
        blank=True,
        help_text=_("비워 두면 작성 기자의 이름. 지면에는 ‘OOO 기자’로 나갑니다."),
    )
    byline_email = models.EmailField(_("기자 이메일"), blank=True, help_text=_("비워 두면 작성 기자의 이메일"))
    status = models.CharField(_("상태"), max_length=10, choices=Status, default=Status.DRAFT)
    featured = models.BooleanField(_("톱기사"), default=False, help_text=_("첫 화면 맨 위에 올릴 기사"))
    breaking_until = models.DateTimeField(
        _("속보 표시 끝"),
        null=True,
        blank=True,
        help_text=_("이 시각까지 모든 페이지 위에 속보로 띄웁니다. 비워 두면 속보가 아닙니다."),
    )
    comments_enabled = models.BooleanField(_("댓글 허용"), default=True)
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="articles", verbose_name=_("키워드"))
    kind = models.CharField(
        _("기사 유형"),
        max_length=12,
        choices=Kind,
        default=Kind.REPORT,
        help_text=_("광고·협찬 기사는 목록마다 ‘광고’ 표시가 붙고 많이 본 뉴스에 오르지 않습니다."),
    )
    format = models.CharField(
        _("기사 형식"),
        max_length=10,
        choices=Format,
        default=Format.STANDARD,
        help_text=_(
            "포토뉴스: 아래 ‘기사 사진’을 순서대로 넘겨 보는 사진 기사가 되고, 사진마다 설명이 필요합니다. "
            "본문은 사진 아래에 나가고, 대표 사진은 기사에 따로 싣지 않고 목록과 공유에만 씁니다."
        ),
    )
    series = models.ForeignKey(
        "Series",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="installments",
        verbose_name=_("연재"),
    )
    series_number = models.PositiveIntegerField(
        _("연재 회차"), null=True, blank=True, help_text=_("비워 두면 이 연재의 다음 회차 번호가 붙습니다.")
    )
    published_at = models.DateTimeField(
        _("발행 시각"), null=True, blank=True, help_text=_("미래 시각이면 그 시각에 자동으로 공개됩니다(예약 발행).")
    )
    created_at = models.DateTimeField(_("작성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("기사")
        verbose_name_plural = _("기사")
        ordering = ["-published_at", "-id"]
        permissions = [("publish_article", _("기사를 발행·예약할 수 있음"))]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_live_idx"),
            models.Index(fields=["-published_at", "-id"], name="article_newest_idx"),
            models.Index(fields=["section", "status", "-published_at"], name="article_section_live_idx"),
            models.Index(fields=["reporter", "status", "-published_at"], name="article_reporter_live_idx"),
            # 속보 is rare: the banner's lookup reads only the stories that ever had it.
            models.Index(
                fields=["breaking_until"], name="article_breaking_idx", condition=Q(breaking_until__isnull=False)
            ),
            # /photo/ walks the few photo stories newest first, not the whole archive.
            models.Index(fields=["-published_at", "-id"], name="article_photo_story_idx", condition=Q(format="photo")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message=_("발행하려면 발행 시각이 있어야 합니다."),
            ),
            models.UniqueConstraint(
                fields=["series", "series_number"],
                name="article_one_installment_per_number",
                violation_error_message=_("이 연재에 같은 회차 번호의 기사가 이미 있습니다."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Keep the row (its fields completed first); then what derives from it (refresh_derived)."""
        self.complete_fields()
        fresh = images.swap_in_cleaned(self, "lead_image")
        super().save(*args, **kwargs)
        self.refresh_derived(fresh_lead_image=fresh)

    def get_absolute_url(self) -> str:
        return reverse("news:article", kwargs={"pk": self.pk})

    def get_preview_url(self) -> str:
        """Its page as the newsroom sees it before it is live: through the edge to the app, with the session."""
        return f"{self.get_absolute_url()}?preview=1"

    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @cached_property
    def bylines(self) -> list[tuple[int, str]]:
        """(account id, name) of each reporter in the byline: the article's reporter (under `byline`), then
        its co-reporters, each under their own name (one query per article, shared by the byline and the
        JSON-LD)."""
        co = [(u.pk, u.get_full_name() or u.get_username()) for u in self.co_reporters.order_by("pk")]
        return [(self.reporter_id, self.byline), *co]

    def can_be_previewed_by(self, user) -> bool:
        """Before it is live, an article's page is open to editors and to its own reporters."""
        return (
            user.is_authenticated
            and user.is_staff
            and (
                user.has_perm("news.publish_article")
                or (
                    user.has_perm("news.change_article")
                    and Article.objects.reported_by(user).filter(pk=self.pk).exists()
                )
            )
        )

    def summary(self, length: int = 160) -> str:
        """The subtitle, else the start of the body as plain text: for feeds, meta descriptions and sharing."""
        if self.subtitle:
            return self.subtitle
        text = " ".join(unescape(strip_tags(self.body)).split())
        return text if len(text) <= length else text[: length - 1].rstrip() + "…"

    def was_modified(self) -> bool:
        """Show 수정 only for a change made after publication (or after an archive import), not the save that published it."""
        if not self.published_at:
            return False
        return (self.updated_at - max(self.published_at, self.created_at)).total_seconds() > 60

    def _stamp_publication(self) -> None:
        """Published without a time means published now."""
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()

    def clean(self) -> None:
        self._stamp_publication()  # before the constraint check of the admin form

    def complete_fields(self) -> None:
        """What a save makes consistent in the row itself: the body sanitized, the byline and its e-mail
        from the reporter when left empty, the publication time, no renditions without a lead photo."""
        self.body = sanitize_body(self.body)
        if not self.byline and self.reporter_id:
            self.byline = self.reporter.get_full_name() or self.reporter.get_username()
        if not self.byline_email and self.reporter_id:
            self.byline_email = self.reporter.email
        self._stamp_publication()  # for saves that do not go through a form
        if not self.lead_image:
            self.lead_renditions = {}
        self._number_installment()

    def _number_installment(self) -> None:
        """In a series without a number: the series' next one. Out of a series: no number."""
        if self.series_id is None:
            self.series_number = None
        elif self.series_number is None:
            last = Article.objects.filter(series_id=self.series_id).aggregate(n=models.Max("series_number"))["n"]
            self.series_number = (last or 0) + 1

    @property
    def is_sponsored(self) -> bool:
        """광고·협찬: labelled "광고" wherever listed, linked rel="sponsored", never ranked."""
        return self.kind == self.Kind.SPONSORED

    @property
    def is_photo_story(self) -> bool:
        return self.format == self.Format.PHOTO_STORY

    @property
    def cover(self) -> dict:
        """A 포토뉴스's picture in /photo/: its lead photo's renditions, else its first photo's (annotated by
        ArticleQuerySet.photo_stories)."""
        return self.lead_renditions or getattr(self, "first_photo", None) or {}

    @property
    def series_label(self) -> str:
        """The installment as the reference site writes it before a title: "[책읽는 상하이 259]"."""
        if self.series_id is None or self.series_number is None:
            return ""
        return f"[{self.series.name} {self.series_number}]"

    def related_stories(self, keyword_ids: list[int], count: int) -> list[Article]:
        """관련기사: the newest live stories sharing a keyword with this one, then the newest of its section.
        One query, two when the keywords leave room (each an indexed newest-first walk, LIMIT count)."""
        live = Article.objects.published().for_listing().exclude(pk=self.pk)
        related = []
        if keyword_ids:
            tagged = Article.keywords.through.objects.filter(article_id=OuterRef("pk"), keyword_id__in=keyword_ids)
            related = list(live.filter(Exists(tagged))[:count])
        if len(related) < count:
            others = live.filter(section_id=self.section_id).exclude(pk__in=[story.pk for story in related])
            related += others[: count - len(related)]
        return related

    def installment_neighbours(self) -> tuple[Article | None, Article | None]:
        """The live installments just before and after this one in its series (None where there is none)."""
        if self.series_id is None or self.series_number is None:
            return None, None
        live = Article.objects.published().for_listing().filter(series_id=self.series_id)
        before = live.filter(series_number__lt=self.series_number).order_by("-series_number").first()
        after = live.filter(series_number__gt=self.series_number).order_by("series_number").first()
        return before, after

    def refresh_derived(self, *, fresh_lead_image: bool) -> None:
        """What a save derives outside the row: the text search reads (ArticleSearchText) and, for a new
        lead photo, its renditions. (Purging the edge is news.edge's, on the post_save signal.)"""
        ArticleSearchText.objects.update_or_create(
            article=self, defaults=search.search_fields(self.title, self.subtitle, self.body)
        )
        if fresh_lead_image:
            self.lead_renditions = images.make_renditions(self.lead_image.name)
            super().save(update_fields=["lead_renditions"])


class ArticleSearchText(models.Model):
    """An article's text as search reads it (news/search.py): plain, NFKC, upper-cased, one space between
    words. A narrow table of its own, so a search re-reads short rows, not articles with their bodies.
    On PostgreSQL one GIN trigram index covers `text` (words at their start) and `compact` (the same
    without spaces, words however they are spaced), so terms on both are intersected in the index
    (migration 0011); `title` has its own, for suggestions while typing."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search_doc")
    text = models.TextField()
    compact = models.TextField(default="")
    title = models.CharField(max_length=250, default="")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.text[:40]}"


# ------------------------------------------------------------------ search vocabulary (#21, news/search.py)


class SpellingVariants(models.Model):
    """Spellings that name one thing (상하이, 상해, 上海): a search for any of them finds, counts and marks
    them all. Kept by editors in the admin; read when a query runs (cached until one changes)."""

    terms = models.CharField(
        _("같은 말로 찾을 표기"),
        max_length=300,
        unique=True,
        help_text=_("쉼표로 구분해 적으세요. 예: 상하이, 상해, 上海 — 이 중 하나로 찾으면 모두 찾습니다."),
    )
    note = models.CharField(_("메모"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("표기 변형")
        verbose_name_plural = _("표기 변형 (검색에서 같은 말)")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(search.VARIANTS_CACHE_KEY))

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(search.VARIANTS_CACHE_KEY))
        return result

    def spellings(self) -> list[str]:
        """The terms as search compares them (normalised, spaces removed), in the order written, once each."""
        return list(dict.fromkeys(s for part in self.terms.split(",") if (s := search.compact(part))))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        spellings = self.spellings()
        if len(spellings) < 2:
            raise ValidationError({"terms": _("서로 다른 표기를 두 개 이상, 쉼표로 구분해 적어 주세요.")})
        if short := [s for s in spellings if len(s) < 2]:
            raise ValidationError({"terms": _("두 글자 이상인 표기만 쓸 수 있습니다: %(s)s") % {"s": ", ".join(short)}})
        for other in SpellingVariants.objects.exclude(pk=self.pk):
            if shared := set(spellings) & set(other.spellings()):
                raise ValidationError(
                    {
                        "terms": _("‘%(t)s’은(는) 이미 다른 묶음(%(o)s)에 있습니다.")
                        % {"t": ", ".join(sorted(shared)), "o": other}
                    }
                )


class SearchTerm(models.Model):
    """A known term that "혹시 … 을(를) 찾으셨나요?" may offer: keywords, section names, spellings and the
    frequent words of titles. Rebuilt by `manage.py refresh_search_terms` (search.refresh_terms); `letters`
    is the term in Hangul letters (jamo), which the trigram index compares, so a one-letter slip
    (센타 for 센터) stays close."""

    term = models.CharField(max_length=60, unique=True)
    letters = models.CharField(max_length=200)
    weight = models.PositiveIntegerField(default=0)  # how many live titles hold it; keywords and names rank first

    class Meta:
        ordering = ["-weight", "term"]

    def __str__(self) -> str:
        return self.term


class ArticlePhoto(models.Model):
    """A photo inside the body, placed where the reporter writes "[사진 N]" (N follows `position`)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="photos")
    image = images.PhotoField(_("사진"), upload_to="articles/%Y/%m/")
    caption = models.CharField(_("사진 설명"), max_length=300, blank=True)
    alt_text = models.CharField(_("대체 텍스트"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("순서"), default=1)
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("기사 사진")
        verbose_name_plural = _("기사 사진 (본문에 [사진 1], [사진 2] … 로 넣기. 포토뉴스는 이 순서대로 넘겨 봅니다)")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"],
                name="articlephoto_unique_position",
                violation_error_message=_("같은 번호의 사진이 이미 있습니다. [사진 N]의 번호는 기사마다 하나씩입니다."),
            )
        ]

    def __str__(self) -> str:
        return f"[사진 {self.position}] {self.caption}"

    def save(self, *args, **kwargs) -> None:
        fresh = images.swap_in_cleaned(self, "image")
        super().save(*args, **kwargs)
        if fresh:
            self.renditions = images.make_renditions(self.image.name)
            super().save(update_fields=["renditions"])

    def rendition(self, name: str) -> dict | None:
        return self.renditions.get(name)

    def clean(self) -> None:
        """In a 포토뉴스 every photo is a step of the story: it needs its caption (and the reader who cannot
        see it, a description)."""
        from django.core.exceptions import ValidationError

        try:
            article = self.article  # the admin hands its inline the story as edited, its format included
        except Article.DoesNotExist:
            return
        if article.is_photo_story:
            missing = {
                field: _("포토뉴스의 사진에는 %(what)s이 있어야 합니다.") % {"what": label}
                for field, label in [("caption", _("사진 설명")), ("alt_text", _("대체 텍스트"))]
                if not getattr(self, field).strip()
            }
            if missing:
                raise ValidationError(missing)


class DailyViews(models.Model):
    """Counted views of one article on one Asia/Shanghai day: the unit rankings and charts add up.

    An article's total is the sum of its days (one write per counted view, not two).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField(_("날짜"))
    views = models.PositiveIntegerField(_("조회수"), default=0)

    class Meta:
        verbose_name = _("일별 조회수")
        verbose_name_plural = _("일별 조회수")
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="dailyviews_one_row_per_day")]
        # views as a key column: the rankings query reads only this index (SQLite has no INCLUDE).
        indexes = [models.Index(fields=["day", "article", "views"], name="dailyviews_day_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.views}"


class ViewFlush(models.Model):
    """A batch of buffered views already written: makes `flush_views` idempotent if it dies halfway."""

    batch = models.CharField(max_length=64, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True)
    views = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.batch


class PendingPurge(models.Model):
    """Surrogate keys whose purge at the edge failed: sent again with the next purge or by `purge_edge`."""

    keys = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.keys


# ------------------------------------------------------------------------------------------------------------
# The newsroom's second year (#17): series (연재), corrections (정정·반론·추후보도) and readers' requests for them.
# Article.kind, Article.series and Article.keywords are fields of Article above; migration 0008_newsroom.


class SeriesQuerySet(models.QuerySet):
    def with_live_count(self) -> SeriesQuerySet:
        return self.annotate(
            live_count=models.Count(
                "installments",
                filter=Q(installments__status=Article.Status.PUBLISHED, installments__published_at__lte=timezone.now()),
            )
        )


class Series(models.Model):
    """A named 연재 ("책읽는 상하이"): installments numbered in order. A writer's column is one too."""

    name = models.CharField(_("연재 이름"), max_length=60, unique=True)
    slug = models.SlugField(
        _("주소 이름"), max_length=60, unique=True, allow_unicode=True, help_text=_("주소에 쓰입니다 (예: book-club)")
    )
    writer = models.CharField(
        _("필자"), max_length=60, blank=True, help_text=_("한 사람의 칼럼이면 그 필자의 이름 (예: 김상해)")
    )
    description = models.TextField(_("소개"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("만든 시각"), auto_now_add=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("연재")
        verbose_name_plural = _("연재")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("news:series", kwargs={"slug": self.slug})


class CorrectionQuerySet(models.QuerySet):
    def public(self) -> CorrectionQuerySet:
        """Notes readers see: dated now or earlier, on a live article."""
        now = timezone.now()
        return self.filter(
            published_at__lte=now, article__status=Article.Status.PUBLISHED, article__published_at__lte=now
        )


class Correction(models.Model):
    """A dated note an editor attaches to an article: shown above its body, at /corrections/, in the feed
    and in its JSON-LD."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("정정보도")
        REPLY = "reply", _("반론보도")
        FOLLOW_UP = "follow_up", _("추후보도")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("기사"))
    kind = models.CharField(_("종류"), max_length=10, choices=Kind, default=Kind.CORRECTION)
    body = models.TextField(_("내용"), max_length=3000)
    published_at = models.DateTimeField(_("게재 일시"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("작성 편집자"),
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("정정·반론·추후보도")
        verbose_name_plural = _("정정·반론·추후보도")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["-published_at", "-id"], name="correction_newest_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localdate(self.published_at):%Y-%m-%d}"


class CorrectionRequest(models.Model):
    """A reader's 정정·반론보도 request about an article: private to editors (the reader's contact is in it).
    Kept when the article goes (PROTECT): a request is a record the newsroom must be able to show."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("정정보도 요청")
        REPLY = "reply", _("반론보도 요청")

    class Status(models.TextChoices):
        NEW = "new", _("새 요청")
        IN_REVIEW = "in_review", _("검토 중")
        CORRECTED = "corrected", _("정정·반론 게재")
        DECLINED = "declined", _("게재하지 않음")

    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="correction_requests", verbose_name=_("기사")
    )
    kind = models.CharField(_("요청 종류"), max_length=10, choices=Kind, default=Kind.CORRECTION)
    name = models.CharField(_("이름"), max_length=40)
    email = models.EmailField(_("이메일"), blank=True)
    phone = models.CharField(_("전화번호"), max_length=30, blank=True)
    body = models.TextField(_("요청 내용"), max_length=5000, help_text=_("기사의 어느 부분이 어떻게 사실과 다른지"))
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
        verbose_name = _("정정·반론보도 요청")
        verbose_name_plural = _("정정·반론보도 요청")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""),
                name="correctionrequest_has_a_way_to_reply",
                violation_error_message=_("이메일이나 전화번호 중 하나는 적어 주세요."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {self.name}"

    @property
    def receipt(self) -> str:
        """The number the reader is given: 정정-, the day and the row (a tip's number has no prefix)."""
        return f"정정-{timezone.localdate(self.created_at):%Y%m%d}-{self.pk:05d}"


# ---------------------------------------------------------------- the desk: top stories, revisions (#17)


class EditorPick(models.Model):
    """A place in the front page's top stories, set by an editor: 1 leads the page. Places left empty, or
    held by a story that is not live, go to the automatic order (news.frontpage.top_stories). Two picks
    may share a number (editors swap two in one save of the list): the later pick goes first."""

    position = models.PositiveSmallIntegerField(_("순서"), help_text=_("1이 첫 화면 맨 위입니다."))
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="pick", verbose_name=_("기사"))
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False, verbose_name=_("편집자")
    )
    picked_at = models.DateTimeField(_("배치 시각"), auto_now=True)

    class Meta:
        verbose_name = _("톱기사 배치")
        verbose_name_plural = _("톱기사 배치 (첫 화면 순서)")
        ordering = ["position", "-picked_at"]

    def __str__(self) -> str:
        return f"{self.position}. {self.article}"


class ArticleRevision(models.Model):
    """What a live article said after one save: kept for every save of a published story, so editors can
    compare any two and restore one (news/revisions.py). Restoring is a save, hence a new revision."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    saved_at = models.DateTimeField(_("저장 시각"), auto_now_add=True, db_index=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("저장한 사람")
    )
    title = models.CharField(_("제목"), max_length=200)
    subtitle = models.CharField(_("부제"), max_length=300, blank=True)
    body = models.TextField(_("본문"), blank=True)
    keywords = models.JSONField(_("키워드"), default=list, blank=True)  # their names, as they were then
    note = models.CharField(_("메모"), max_length=200, blank=True)  # e.g. "3번 판을 되살림"

    class Meta:
        verbose_name = _("기사 수정 이력")
        verbose_name_plural = _("기사 수정 이력")
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.saved_at:%Y-%m-%d %H:%M}"
