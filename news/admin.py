from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from news import charts, revisions
from news.models import (  # the newsroom's second year (#17)
    Article,
    ArticlePhoto,
    Correction,
    CorrectionRequest,
    DailyViews,
    EditorPick,
    Keyword,
    Section,
    Series,
    SpellingVariants,
)


class BoundedCountPaginator(Paginator):
    """Count at most COUNT_LIMIT rows: at 100,000 articles an exact COUNT(*) on every changelist load is waste.

    Past the limit the page links stop there; filters, search and the date hierarchy reach the rest.
    """

    COUNT_LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.COUNT_LIMIT].count()


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "menu_order", "show_in_menu", "article_count"]
    list_editable = ["menu_order", "show_in_menu"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description=_("기사 수"), ordering="article_total")
    def article_count(self, section) -> int:
        return section.article_total


class ArticlePhotoInline(admin.TabularInline):
    """기사 사진: placed in the body by "[사진 N]", or, in a 포토뉴스, the sequence itself in `position` order."""

    model = ArticlePhoto
    extra = 1
    fields = ["position", "image", "caption", "alt_text"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class StoryFormSet(formset):
            def _construct_form(self, i, **inner):
                # Each photo is checked against the story as this very form sets it (ArticlePhoto.clean:
                # a 포토뉴스 needs captions), not as it was stored before.
                form = super()._construct_form(i, **inner)
                form.instance.article = self.instance
                return form

            def clean(self):
                # A 포토뉴스 is its photos: it goes to the desk, or out, with one at least (a draft may wait).
                super().clean()
                story = self.instance
                if not story.is_photo_story or story.status == Article.Status.DRAFT:
                    return
                kept = [
                    form
                    for form in self.forms
                    if form.cleaned_data.get("image") and not form.cleaned_data.get("DELETE")
                ]
                if not kept:
                    raise ValidationError(_("포토뉴스는 사진을 한 장 이상 올려야 출고 요청하거나 발행할 수 있습니다."))

        return StoryFormSet


class CorrectionInline(admin.StackedInline):
    """정정·반론·추후보도 attached by editors (only their role holds the correction permissions)."""

    model = Correction
    extra = 0
    fields = ["kind", "published_at", "body"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        editor = request.user

        class SignedFormSet(formset):
            def save_new(self, form, commit=True):
                form.instance.created_by = editor
                return super().save_new(form, commit=commit)

        return SignedFormSet


class ArticleForm(forms.ModelForm):
    """Who may publish is decided here, on the server, whatever the browser sends."""

    class Meta:
        model = Article
        fields = [  # every field an editor sets; ArticleAdmin.fieldsets lays them out, its rules make some read-only
            "title",
            "subtitle",
            "section",
            "body",
            "lead_image",
            "lead_image_caption",
            "lead_image_alt",
            "reporter",
            "co_reporters",
            "byline",
            "byline_email",
            "status",
            "featured",
            "breaking_until",
            "comments_enabled",
            "published_at",
            "kind",
            "format",
            "keywords",
            "series",
            "series_number",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_publish = request.user.has_perm("news.publish_article")
        if not self.can_publish and "status" in self.fields:
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] != Article.Status.PUBLISHED
            ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.PUBLISHED and not self.can_publish:
            raise ValidationError(_("기사 발행은 편집자만 할 수 있습니다. ‘출고 요청’으로 보내 주세요."))
        return status


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    inlines = [ArticlePhotoInline, CorrectionInline]
    autocomplete_fields = ["keywords", "series"]
    list_display = ["title", "section", "byline", "status_label", "published_at", "views"]
    list_filter = ["status", "section", "featured", ("reporter", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["section", "reporter"]
    search_fields = ["title", "byline"]
    date_hierarchy = "published_at"
    ordering = ["-published_at", "-id"]
    paginator = BoundedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["section", "kind", "format", "title", "subtitle", "body"]}),
        (_("키워드·연재"), {"fields": ["keywords", "series", "series_number"]}),
        (_("대표 사진"), {"fields": ["lead_image", "lead_image_caption", "lead_image_alt"]}),
        (_("기자"), {"fields": ["reporter", "co_reporters", "byline", "byline_email"]}),
        (_("발행"), {"fields": ["status", "published_at", "featured", "breaking_until", "comments_enabled"]}),
        (_("조회수"), {"fields": ["views_chart"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.has_perm("news.publish_article"):
            fieldsets = [*fieldsets, (_("수정 이력"), {"fields": ["revision_history"]})]
        return fieldsets

    def view_on_site(self, obj):  # "사이트에서 보기": a story not yet live is previewed past the edge
        return obj.get_absolute_url() if obj.is_published() else obj.get_preview_url()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestArticleForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestArticleForm

    def get_queryset(self, request):
        # Each row's total views: the sum of its day rows, one correlated subquery on the (article, day) key.
        totals = (
            DailyViews.objects.filter(article=OuterRef("pk")).values("article").annotate(n=Sum("views")).values("n")
        )
        return (
            super().get_queryset(request).editable_by(request.user).annotate(total_views=Coalesce(Subquery(totals), 0))
        )

    def get_changelist_instance(self, request):
        # The list never shows the body: don't read it for fifty rows a page.
        changelist = super().get_changelist_instance(request)
        changelist.queryset = changelist.queryset.defer("body")
        return changelist

    def get_object(self, request, object_id, from_field=None):
        # Another reporter's article is simply not there for a reporter: 404, not a redirect with a hint.
        article = super().get_object(request, object_id, from_field)
        if article is None:
            raise Http404(_("기사를 찾을 수 없습니다."))
        return article

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm("news.publish_article"):
            return ["views_chart", "revision_history"]
        # The byline is the reporter's own name: a reporter cannot publish under a colleague's. What the
        # front page leads with (톱기사, 속보) is the desk's call.
        return [
            "views_chart",
            "reporter",
            "co_reporters",
            "byline",
            "byline_email",
            "published_at",
            "featured",
            "breaking_until",
        ]

    def has_change_permission(self, request, obj=None) -> bool:
        # A live article is the editors' to change: a reporter's edit would go out unreviewed.
        if (
            obj is not None
            and obj.status == Article.Status.PUBLISHED
            and not request.user.has_perm("news.publish_article")
        ):
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reporter":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True, is_active=True).order_by(
                "username"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "co_reporters":  # the newsroom's active accounts, as for the reporter
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True, is_active=True).order_by(
                "username"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"reporter": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change) -> None:
        if not request.user.has_perm("news.publish_article"):
            if not change:
                obj.reporter = request.user
            if obj.status == Article.Status.PUBLISHED:  # belt and braces under the form's own check
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, request.user)  # with its keywords, now saved

    def get_urls(self):
        compare = path(
            "<int:article_id>/revisions/",
            self.admin_site.admin_view(self.revisions_view),
            name="news_article_revisions",
        )
        return [compare, *super().get_urls()]

    def revisions_view(self, request, article_id: int):
        """Editors compare two revisions of a story (?a=&b=, the latest two by default) and restore one (POST)."""
        if not request.user.has_perm("news.publish_article"):
            raise PermissionDenied
        article = self.get_object(request, str(article_id))
        kept = list(article.revisions.select_related("saved_by"))
        if request.method == "POST":
            chosen = next((r for r in kept if str(r.pk) == request.POST.get("restore")), None)
            if chosen is None:
                self.message_user(request, _("되살릴 판을 찾을 수 없습니다."), messages.ERROR)
            else:
                revisions.restore(chosen, request.user)
                self.log_change(request, article, _("수정 이력에서 되살림"))
                self.message_user(request, _("선택한 판을 되살렸습니다. 새 판으로 기록했습니다."), messages.SUCCESS)
            return redirect(reverse("admin:news_article_revisions", args=[article.pk]))
        by_pk = {str(r.pk): r for r in kept}
        newer = by_pk.get(request.GET.get("b", "")) or (kept[0] if kept else None)
        older = by_pk.get(request.GET.get("a", "")) or (kept[1] if len(kept) > 1 else newer)
        if older and newer and older.saved_at > newer.saved_at:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("수정 이력: %(title)s") % {"title": article.title},
            "article": article,
            "revisions": kept,
            "older": older,
            "newer": newer,
            "changes": revisions.compare(older, newer) if older and newer else [],
        }
        return TemplateResponse(request, "admin/news/article/revisions.html", context)

    @admin.display(description=_("수정 이력"))
    def revision_history(self, article) -> str:
        count = article.revisions.count() if article.pk else 0
        if not count:
            return _("발행된 뒤 저장한 판이 아직 없습니다.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:news_article_revisions", args=[article.pk]),
            _("저장된 판 %(count)d개 비교·되살리기") % {"count": count},
        )

    @admin.display(description=_("조회수"), ordering="total_views")
    def views(self, article) -> str:
        return f"{article.total_views:,}"

    @admin.display(description=_("최근 30일 조회수"))
    def views_chart(self, article) -> str:
        if article.pk is None:
            return "—"
        return charts.bar_chart(charts.daily_series(article=article), _("이 기사")) + charts.bar_chart(
            charts.daily_series(), _("사이트 전체")
        )

    @admin.display(description=_("상태"), ordering="status")
    def status_label(self, article) -> str:
        if article.status == Article.Status.PUBLISHED and not article.is_published():
            return format_html(
                '<strong title="{}">{}</strong>', _("발행 시각이 되면 자동으로 공개됩니다"), _("예약 발행")
            )
        return article.get_status_display()

    @admin.action(description=_("선택한 출고 요청 기사를 지금 발행"), permissions=["publish"])
    def publish_now(self, request, queryset) -> None:
        """Publish submitted stories one by one, so each save is validated and recorded in its history."""
        published = 0
        for article in queryset.filter(status=Article.Status.SUBMITTED):
            article.status = Article.Status.PUBLISHED
            article.published_at = timezone.now()
            article.save()
            revisions.record(article, request.user)
            self.log_change(request, article, [{"changed": {"fields": ["status", "published_at"]}}])
            published += 1
        skipped = queryset.count() - published
        self.message_user(request, _("%(count)d건을 발행했습니다.") % {"count": published}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request, _("출고 요청 상태가 아닌 %(count)d건은 건너뛰었습니다.") % {"count": skipped}, messages.WARNING
            )

    actions = ["publish_now"]

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("news.publish_article")


@admin.register(SpellingVariants)
class SpellingVariantsAdmin(admin.ModelAdmin):
    """Editors keep the spellings search treats as one term (상하이, 상해, 上海); a query uses them at once."""

    list_display = ["terms", "note", "updated_at"]
    search_fields = ["terms", "note"]


# ------------------------------------------------------------------------------------------------------------
# The newsroom's second year (#17): keywords and series picked by autocomplete, the correction-request queue.


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    """Reporters find (and, from the article form's +, add) keywords; editors rename and merge by hand."""

    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    ordering = ["name"]
    readonly_fields = ["slug"]
    fields = ["name", "slug"]

    def get_queryset(self, request):
        keywords = super().get_queryset(request)
        if getattr(request.resolver_match, "url_name", "") == "autocomplete":
            return keywords  # a reporter typing: no count of every keyword's stories
        return keywords.annotate(article_total=Count("articles"))

    @admin.display(description=_("기사 수"), ordering="article_total")
    def article_count(self, keyword) -> int:
        return keyword.article_total


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "writer", "slug", "installment_count"]
    search_fields = ["name", "writer"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "writer", "description"]

    def get_queryset(self, request):
        series = super().get_queryset(request)
        if getattr(request.resolver_match, "url_name", "") == "autocomplete":
            return series
        return series.annotate(installment_total=Count("installments"))

    @admin.display(description=_("회차 수"), ordering="installment_total")
    def installment_count(self, series) -> int:
        return series.installment_total


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    """The editors' queue of readers' 정정·반론보도 requests: what the reader sent is read only; editors give a
    status and notes, and attach the correction itself on the article (its 정정·반론·추후보도 inline)."""

    list_display = ["receipt", "kind", "article", "name", "status", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["article"]
    search_fields = ["name", "email", "phone", "body", "article__title"]
    date_hierarchy = "created_at"
    fields = ["kind", "article_link", "name", "email", "phone", "sender", "created_at", "body", "status", "notes"]
    readonly_fields = ["kind", "article_link", "name", "email", "phone", "sender", "created_at", "body"]

    def has_add_permission(self, request) -> bool:
        return False  # requests come from readers

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a record the newsroom must be able to show

    @admin.display(description=_("접수번호"), ordering="created_at")
    def receipt(self, filed: CorrectionRequest) -> str:
        return filed.receipt

    @admin.display(description=_("기사"))
    def article_link(self, filed: CorrectionRequest) -> str:
        url = reverse("admin:news_article_change", args=[filed.article_id])
        return format_html('<a href="{}">{}</a>', url, filed.article.title)


@admin.register(EditorPick)
class EditorPickAdmin(admin.ModelAdmin):
    """The desk orders the front page's top stories: place 1 leads. Places without a live story are filled
    by the automatic order (a fresh 톱기사, then the newest: news.frontpage)."""

    list_display = ["position", "article", "article_status", "picked_by", "picked_at"]
    list_display_links = ["article"]
    list_editable = ["position"]
    list_select_related = ["article", "picked_by"]
    autocomplete_fields = ["article"]
    ordering = ["position", "-picked_at"]

    def save_model(self, request, obj, form, change) -> None:
        obj.picked_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("상태"))
    def article_status(self, pick) -> str:
        if pick.article.is_published():
            return _("첫 화면에 나감")
        return _("공개 전이라 자동 순서가 대신함")
