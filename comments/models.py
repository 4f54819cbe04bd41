from __future__ import annotations

import re
import unicodedata

from confusable_homoglyphs import categories, confusables
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from news.models import Article

MODERATE_PERMISSION = "comments.moderate_comment"


def can_moderate(user) -> bool:
    """Moderating is staff work (it is done in the admin): a reader's signed-in pages do not load their
    permissions (two queries) to learn that they are not a moderator."""
    return user.is_authenticated and user.is_staff and user.has_perm(MODERATE_PERMISSION)


class Commenter(models.Model):
    """A reader's public identity on comments, and whether moderators have blocked them from commenting."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commenter")
    nickname = models.CharField(_("닉네임"), max_length=20, unique=True)
    # What the nickname looks like (nickname_skeleton): two readers may not look alike.
    skeleton = models.CharField(max_length=80, db_index=True, editable=False, default="")
    blocked_at = models.DateTimeField(_("댓글 차단 시각"), null=True, blank=True)
    # 내 댓글: replies to this reader's comments newer than this are "new" (counted next to their name).
    replies_seen_at = models.DateTimeField(default=timezone.now, editable=False)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("차단한 사람"),
    )

    class Meta:
        verbose_name = _("댓글 작성자")
        verbose_name_plural = _("댓글 작성자")

    def __str__(self) -> str:
        return self.nickname

    def save(self, *args, **kwargs) -> None:
        self.skeleton = nickname_skeleton(self.nickname)
        super().save(*args, **kwargs)

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


# Characters that look like nothing: zero-width marks and the Hangul fillers.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u3164\u115f\u1160\uffa0\u00ad]")


def visible_text(text: str) -> str:
    """NFKC-normalised text without invisible characters, for "is it empty?" and "is it taken?" checks."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text or "")).strip()


# Marks that change the direction text is shown in: a name could then read differently from how it is typed.
DIRECTION_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Scripts a letter may keep in a skeleton; any other letter that looks like one of these becomes that one.
_KEPT_SCRIPTS = ("LATIN", "HANGUL", "COMMON")


def nickname_skeleton(name: str) -> str:
    """What a name looks like, in the spirit of Unicode TR39's skeletons: NFKC, invisible marks out, case
    folded, and each letter from another script that looks like a Latin or Hangul one (Cyrillic а, Greek
    Ο) made that letter, with the usual look-alike digits; two names with one skeleton look the same."""
    text = visible_text(name).casefold()
    out = []
    for char in text:
        found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin", "hangul", "common"])
        alias = categories.alias(char) if char.strip() else "COMMON"
        if found and alias not in _KEPT_SCRIPTS:
            char = found[0]["homoglyphs"][0]["c"].casefold()
        out.append(_LOOKALIKE_DIGITS.get(char, char))
    return "".join(ch for ch in out if not ch.isspace() and ch not in "._-")


_LOOKALIKE_DIGITS = {"0": "o", "1": "l", "5": "s", "|": "l", "i": "l"}


def validate_visible(value: str) -> None:
    """Refuse text that shows nothing (spaces, zero-width marks, Hangul fillers): it counts as empty."""
    if not visible_text(value):
        raise ValidationError(_("보이는 글자가 없습니다."), code="blank")


def commenter_of(user) -> Commenter | None:
    """The user's commenting identity, if any (cached on the user object, so the page asks once)."""
    if not user.is_authenticated:
        return None
    try:
        return user.commenter
    except Commenter.DoesNotExist:
        return None


# The author's nickname as a comment shows it; an account that has left (회원 탈퇴) has none any more.
SHOWN_NICKNAME = Coalesce(F("author__commenter__nickname"), Value("탈퇴한 회원"), output_field=CharField())


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user, *, readable_only: bool = False) -> CommentQuerySet:
        """The one gate for reading comments.

        Every row comes with `readable`, `shown_body` and `shown_nickname`: the real body and nickname where
        `user` may read the comment, empty otherwise. The real body column is deferred, so a private
        comment's text never even leaves the database for anyone else. Who may read a private comment: its
        author, the author of the comment it answers, the article's reporters (Article.objects.reported_by: its
        reporter and co-reporters), and moderators.
        `readable_only`: only the rows `user` may read (the rule as a filter: a query the ORM builds in
        half the time, for the reader's fragment).
        """
        if can_moderate(user):
            readable = Q(pk__isnull=False)  # everything, deleted text included (kept for audit)
        else:
            readable = Q(private=False)
            if user.is_authenticated:
                readable |= Q(author=user) | Q(parent__author=user) | Q(article__in=Article.objects.reported_by(user))
            readable &= ~Q(status=Comment.Status.DELETED)
        if readable_only:
            return (
                self.defer("body")
                .filter(readable)
                .annotate(
                    readable=Value(True, output_field=models.BooleanField()),
                    shown_body=F("body"),
                    shown_nickname=SHOWN_NICKNAME,
                )
            )
        # The rule is built once, as `readable`; the shown columns refer to it (three copies of the rule cost
        # the ORM more than the rest of an article's comment thread).
        return (
            self.defer("body")
            .annotate(
                readable=Case(
                    When(readable, then=Value(True)), default=Value(False), output_field=models.BooleanField()
                ),
            )
            .annotate(
                shown_body=Case(When(readable=True, then=F("body")), default=Value(""), output_field=CharField()),
                shown_nickname=Case(
                    When(readable=True, then=SHOWN_NICKNAME),
                    default=Value(""),
                    output_field=CharField(),
                ),
            )
        )

    def seen_as_by_everyone(self, user, article_id: int) -> bool:
        """Whether `user` reads this article's comments exactly as anyone does, with none of their own
        among them: signed out, or neither a moderator, nor one of the article's reporters, nor the author of a
        comment on it. Every other rule of the gate above names one of these, so for such a reader the
        gate would give nothing beyond the public thread, and one small query answers instead of the
        gate's (the reader's fragment asks this on signed-in page views)."""
        if not user.is_authenticated:
            return True
        if can_moderate(user):
            return False
        theirs = Article.objects.reported_by(user) | Article.objects.filter(
            pk__in=self.filter(article_id=article_id, author=user).values("article_id")
        )
        return not theirs.filter(pk=article_id).exists()

    def listed_for(self, user, *, readable_only: bool = False) -> CommentQuerySet:
        """Comments that appear in an article's thread for `user`: published ones, the user's own pending
        ones, and deleted ones that still carry replies (as a "삭제된 댓글입니다." line)."""
        listed = Q(status=Comment.Status.PUBLISHED) | Q(status=Comment.Status.DELETED, has_replies=True)
        if user.is_authenticated:
            listed |= Q(status=Comment.Status.PENDING, author=user)
        return self.visible_to(user, readable_only=readable_only).filter(listed)

    def counted(self) -> CommentQuerySet:
        """What "전체의견 수" counts: published comments, private ones included, but not replies whose
        comment is no longer shown (a hidden thread hides its replies too)."""
        shown_thread = (
            Q(parent__isnull=True)
            | Q(parent__status=Comment.Status.PUBLISHED)
            | Q(parent__status=Comment.Status.DELETED)
        )
        return self.filter(shown_thread, status=Comment.Status.PUBLISHED)


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("게시")
        PENDING = "pending", _("검토 대기")
        HIDDEN = "hidden", _("숨김")
        DELETED = "deleted", _("삭제")

    MAX_LENGTH = 1000

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="comments", verbose_name=_("기사"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments", verbose_name=_("작성자")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies", verbose_name=_("원 댓글")
    )
    # The text's rules and what a reader is told: the comment forms (comments/forms.py) and post_comment take
    # both from here. A TextField checks no length of its own, hence the validator.
    body = models.TextField(
        _("내용"),
        max_length=MAX_LENGTH,
        validators=[MaxLengthValidator(MAX_LENGTH), ProhibitNullCharactersValidator(), validate_visible],
        error_messages={
            "blank": _("댓글 내용을 입력해 주세요."),
            "max_length": _("댓글은 %(limit_value)d자까지 쓸 수 있습니다. (지금 %(show_value)d자)"),
            "null_characters_not_allowed": _("댓글에 쓸 수 없는 문자가 들어 있습니다."),
        },
    )
    private = models.BooleanField(_("비밀 댓글"), default=False)
    status = models.CharField(_("상태"), max_length=10, choices=Status, default=Status.PUBLISHED)
    has_replies = models.BooleanField(default=False, editable=False)
    report_count = models.PositiveIntegerField(_("신고 수"), default=0, editable=False)
    # Reports that count toward hiding it: from trusted accounts (services.is_trusted), one per address.
    trusted_reports = models.PositiveIntegerField(_("반영된 신고 수"), default=0, db_default=0, editable=False)
    # A double click sends the same token twice; the unique constraint turns the second into the first.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("작성 시각"), default=timezone.now)
    moderated_at = models.DateTimeField(_("처리 시각"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("처리한 사람"),
    )
    moderation_note = models.CharField(_("처리 사유"), max_length=200, blank=True)
    # 공감 / 비공감: one Reaction row per (reader, comment); these counts move with it, in its transaction.
    up_count = models.PositiveIntegerField(_("공감"), default=0, db_default=0, editable=False)
    down_count = models.PositiveIntegerField(_("비공감"), default=0, db_default=0, editable=False)
    edited_at = models.DateTimeField(_("수정 시각"), null=True, blank=True, editable=False)  # shown as 수정됨

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("댓글")
        verbose_name_plural = _("댓글")
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", _("모든 댓글(비밀 댓글 포함)을 보고 숨기기·복구·삭제할 수 있음"))]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["author", "created_at"], name="comment_author_recent_idx"),
            models.Index(
                fields=["-report_count", "-created_at"], name="comment_reported_idx", condition=Q(report_count__gt=0)
            ),
            models.Index(fields=["status", "-created_at"], name="comment_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="comment_newest_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_token"], name="comment_one_per_submission"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.article_id}"


class Report(models.Model):
    """A reader's 신고 of someone else's comment; one per reader and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("댓글"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("신고한 사람")
    )
    reason = models.CharField(_("사유"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("신고 시각"), auto_now_add=True)
    address = models.CharField(max_length=32, blank=True, editable=False)  # a hash of the reporter's address
    counted = models.BooleanField(_("숨김에 반영"), default=False, editable=False)

    class Meta:
        verbose_name = _("신고")
        verbose_name_plural = _("신고")
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="report_once_per_reader")]

    def __str__(self) -> str:
        return f"{self.comment_id} ← {self.reporter_id}"


class Reaction(models.Model):
    """A reader's 공감 or 비공감 of a comment: one per reader and comment (taken back: the row goes)."""

    class Kind(models.TextChoices):
        UP = "up", _("공감")
        DOWN = "down", _("비공감")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions", verbose_name=_("댓글"))
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("독자")
    )
    kind = models.CharField(_("종류"), max_length=4, choices=Kind)
    counted = models.BooleanField(default=True, editable=False)  # in the comment's counts (a trusted reader)
    created_at = models.DateTimeField(_("시각"), auto_now=True)

    class Meta:
        verbose_name = _("공감")
        verbose_name_plural = _("공감")
        constraints = [models.UniqueConstraint(fields=["comment", "reader"], name="reaction_once_per_reader")]

    def __str__(self) -> str:
        return f"{self.comment_id} {self.kind} ← {self.reader_id}"


class BlockedWord(models.Model):
    """A word that sends a new comment to the moderation queue instead of the page."""

    word = models.CharField(_("금지어"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("금지어")
        verbose_name_plural = _("금지어")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class Revision(models.Model):
    """A comment's text before an edit by its author, kept for moderators (the comment's admin page)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("댓글"))
    body = models.TextField(_("이전 내용"))
    replaced_at = models.DateTimeField(_("수정 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("수정 전 내용")
        verbose_name_plural = _("수정 전 내용")
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.comment_id} {self.replaced_at:%Y-%m-%d %H:%M}"


class Rules(models.Model):
    """What editors set for the comments, in the admin (one row): how long an author may edit."""

    edit_minutes = models.PositiveSmallIntegerField(
        _("수정 가능 시간(분)"),
        default=30,
        help_text=_(
            "댓글을 쓴 뒤 이 시간 안에, 답글이 달리기 전까지 작성자가 고칠 수 있습니다. 0이면 수정할 수 없습니다."
        ),
    )

    class Meta:
        verbose_name = _("댓글 운영 설정")
        verbose_name_plural = _("댓글 운영 설정")

    def __str__(self) -> str:
        return str(_("댓글 운영 설정"))

    @classmethod
    def current(cls) -> Rules:
        """The saved row, or the defaults until editors save one."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
