from __future__ import annotations

import re

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from comments import services
from comments.models import BlockedWord, Comment, Commenter, Report, Revision, Rules, can_moderate
from news.admin import BoundedCountPaginator


class ReportedFilter(admin.SimpleListFilter):
    title = _("신고 여부")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("신고됨")), ("no", _("신고 없음"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


class ArticleIdFilter(admin.SimpleListFilter):
    """Filter by one article (from its page's link): a dropdown of every article would not load at 100,000."""

    title = _("기사")
    parameter_name = "article"

    def lookups(self, request, model_admin):
        return [(self.value(), _("기사 #%(id)s") % {"id": self.value()})] if self.value() else []

    def queryset(self, request, queryset):
        if self.value() and re.fullmatch(r"[0-9]{1,18}", self.value()):
            return queryset.filter(article_id=int(self.value()))
        return queryset


class RevisionInline(admin.TabularInline):
    """Every text an edited comment had before, newest first: for moderators only (the comment admin is theirs)."""

    model = Revision
    fields = ["replaced_at", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return can_moderate(request.user)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "excerpt", "nickname", "article_title", "private", "status", "report_count", "created_at"]
    list_filter = ["status", "private", ReportedFilter, ArticleIdFilter, "article__section", "created_at"]
    search_fields = ["body", "author__username", "author__commenter__nickname"]
    # No date_hierarchy: its DISTINCT over a million rows is a full scan; the date filter is not.
    ordering = ["-created_at", "-id"]
    paginator = BoundedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    actions = ["hide", "restore", "soft_delete", "block_authors"]
    readonly_fields = [
        "article",
        "author",
        "parent",
        "shown_text",
        "private",
        "status",
        "report_count",
        "created_at",
        "edited_at",
        "moderated_at",
        "moderated_by",
    ]
    fields = readonly_fields + ["moderation_note"]
    inlines = [RevisionInline]

    def get_queryset(self, request) -> QuerySet:
        # The same gate as the pages: without the moderation permission, private text stays out of the admin.
        return (
            Comment.objects.visible_to(request.user)
            .select_related("article", "author__commenter", "moderated_by")
            .defer("article__body")
        )

    def has_add_permission(self, request) -> bool:
        return False  # readers write comments on the article page

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting is the soft "삭제" action, kept for audit

    # Only moderators open the comment admin at all: even a search hit or a sort order would tell a
    # non-moderator something about a private comment's text or author.
    def has_view_permission(self, request, obj=None) -> bool:
        return can_moderate(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_moderate(request.user)

    def has_module_permission(self, request) -> bool:
        return can_moderate(request.user)

    @admin.display(description=_("내용"))
    def excerpt(self, comment) -> str:
        text = comment.shown_body if comment.readable else _("비밀 댓글입니다.")
        return text if len(text) <= 60 else text[:60] + "…"

    @admin.display(description=_("내용"))
    def shown_text(self, comment) -> str:
        return comment.shown_body if comment.readable else _("비밀 댓글입니다.")

    @admin.display(description=_("닉네임"), ordering="author__commenter__nickname")
    def nickname(self, comment) -> str:
        return comment.shown_nickname or "—"

    @admin.display(description=_("기사"))
    def article_title(self, comment) -> str:
        return comment.article.title[:30]

    def _decide(self, request, queryset, status, note, done) -> None:
        count = services.moderate(comments=queryset, status=status, moderator=request.user, note=note)
        self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("선택한 댓글 숨기기"), permissions=["moderate"])
    def hide(self, request, queryset) -> None:
        self._decide(request, queryset, Comment.Status.HIDDEN, _("운영자 숨김"), _("%(count)d건을 숨겼습니다."))

    @admin.action(description=_("선택한 댓글 게시(승인·복구)"), permissions=["moderate"])
    def restore(self, request, queryset) -> None:
        self._decide(request, queryset, Comment.Status.PUBLISHED, _("운영자 복구"), _("%(count)d건을 복구했습니다."))

    @admin.action(description=_("선택한 댓글 삭제(기록은 보관)"), permissions=["moderate"])
    def soft_delete(self, request, queryset) -> None:
        self._decide(request, queryset, Comment.Status.DELETED, _("운영자 삭제"), _("%(count)d건을 삭제했습니다."))

    @admin.action(description=_("선택한 댓글 작성자의 댓글 쓰기 차단"), permissions=["moderate"])
    def block_authors(self, request, queryset) -> None:
        count = services.block_authors(user_ids=queryset.values_list("author_id", flat=True), moderator=request.user)
        self.message_user(request, _("%(count)d명의 댓글 쓰기를 막았습니다.") % {"count": count}, messages.SUCCESS)

    def has_moderate_permission(self, request) -> bool:
        return can_moderate(request.user)


class ReportedComment(Comment):
    class Meta:
        proxy = True
        verbose_name = _("검토할 댓글")
        verbose_name_plural = _("검토 대기열 (신고·승인 대기)")


@admin.register(ReportedComment)
class ReportQueueAdmin(CommentAdmin):
    """The queue: what waits for a moderator's decision, most-reported first. Reported comments still up
    or hidden by reports alone, and comments held for approval (pre-moderation, blocked words). A
    decision (hide, publish, delete) takes a comment out of the queue."""

    list_filter = ["status", "private", "article__section"]
    ordering = ["-report_count", "-created_at"]

    def get_queryset(self, request) -> QuerySet:
        undecided = (
            Q(report_count__gt=0, status=Comment.Status.PUBLISHED)
            | Q(report_count__gt=0, status=Comment.Status.HIDDEN, moderated_by__isnull=True)
            | Q(status=Comment.Status.PENDING)
        )
        return super().get_queryset(request).filter(undecided)


@admin.register(Commenter)
class CommenterAdmin(admin.ModelAdmin):
    list_display = ["nickname", "user", "blocked_at", "blocked_by"]
    list_filter = [("blocked_at", admin.EmptyFieldListFilter)]
    search_fields = ["nickname", "user__username"]
    readonly_fields = ["user", "blocked_by"]
    list_select_related = ["user", "blocked_by"]
    actions = ["unblock"]

    def has_add_permission(self, request) -> bool:
        # A nickname belongs to a reader's account and is chosen on the site; here its account is read-only,
        # so an added row would have none (a database error, not a form error).
        return False

    @admin.action(description=_("선택한 작성자의 차단 풀기"), permissions=["change"])
    def unblock(self, request, queryset) -> None:
        count = queryset.update(blocked_at=None, blocked_by=None)
        self.message_user(request, _("%(count)d명의 차단을 풀었습니다.") % {"count": count}, messages.SUCCESS)


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ["word"]
    search_fields = ["word"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["comment_id", "reporter", "created_at"]
    list_select_related = ["reporter"]
    readonly_fields = ["comment_id", "reporter", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return can_moderate(request.user)

    def has_module_permission(self, request) -> bool:
        return can_moderate(request.user)


@admin.register(Rules)
class RulesAdmin(admin.ModelAdmin):
    """One row: opening it makes it (with the defaults) for editors to change."""

    def has_add_permission(self, request) -> bool:
        return not Rules.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
