"""Writes on comments: posting, deleting one's own, reporting, and moderators' decisions.

Each function checks its rule and either does the whole write atomically or raises CommentRefused with a
message for the reader. Limits are settings (docs/configuration.md): COMMENT_RATE_PER_MINUTE, COMMENT_RATE_PER_DAY,
COMMENT_RATE_PER_ARTICLE, COMMENT_AUTOHIDE_REPORTS, COMMENT_PREMODERATION.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from comments.models import BlockedWord, Comment, Commenter, Reaction, Report, Revision, Rules
from news import edge
from news.models import Article


class CommentRefused(Exception):
    """A comment action the rules refuse; the message is for the reader."""


def _refuse_if_rate_limited(author, article: Article, now) -> None:
    recent = Comment.objects.filter(author=author)
    rules = [
        (
            recent.filter(created_at__gt=now - timedelta(minutes=1)),
            settings.COMMENT_RATE_PER_MINUTE,
            timedelta(minutes=1),
            _("댓글은 1분에 %(limit)d개까지 쓸 수 있습니다."),
        ),
        (
            recent.filter(created_at__gt=now - timedelta(days=1)),
            settings.COMMENT_RATE_PER_DAY,
            timedelta(days=1),
            _("댓글은 하루에 %(limit)d개까지 쓸 수 있습니다."),
        ),
        (
            recent.filter(article=article, created_at__gt=now - timedelta(days=1)),
            settings.COMMENT_RATE_PER_ARTICLE,
            timedelta(days=1),
            _("한 기사에는 하루에 %(limit)d개까지 댓글을 쓸 수 있습니다."),
        ),
    ]
    for window, limit, span, message in rules:
        if limit <= 0:  # a limit of 0 switches that rule off
            continue
        times = list(window.order_by("-created_at").values_list("created_at", flat=True)[:limit])
        if len(times) >= limit:
            again = timezone.localtime(times[-1] + span)
            raise CommentRefused(
                (message % {"limit": limit})
                + " "
                + _("%(when)s 이후에 다시 등록해 주세요.") % {"when": date_format(again, "n월 j일 H:i:s")}
            )


def _needs_review(body: str) -> bool:
    if settings.COMMENT_PREMODERATION:
        return True
    lowered = body.casefold()
    return any(word.casefold() in lowered for word in BlockedWord.objects.values_list("word", flat=True))


def post_comment(
    *,
    article: Article,
    author,
    body: str,
    private: bool = False,
    parent: Comment | None = None,
    token: uuid.UUID | None = None,
) -> Comment:
    """Accept a reader's comment or reply, or raise CommentRefused saying why. A repeated token returns the
    comment it already made (a double click on 등록)."""
    body = (body or "").strip()
    try:
        # The text's rules and messages are the model's (Comment.body), as in the comment forms.
        Comment._meta.get_field("body").clean(body, None)
    except ValidationError as invalid:
        raise CommentRefused(" ".join(invalid.messages)) from None
    if not author.is_authenticated:
        raise CommentRefused(_("댓글을 쓰려면 로그인해 주세요."))
    if not article.is_published():
        raise CommentRefused(_("이 기사에는 댓글을 쓸 수 없습니다."))
    if not article.comments_enabled:
        raise CommentRefused(_("이 기사는 댓글을 받지 않습니다."))
    if parent is not None:
        # One level of replies, and only to a published comment of this article.
        if parent.article_id != article.pk or parent.status != Comment.Status.PUBLISHED or parent.parent_id:
            raise CommentRefused(_("답글을 달 댓글을 찾을 수 없습니다."))
        # A reply to a private comment stays among the same people (plus the reply's author).
        private = private or parent.private

    with transaction.atomic():
        # One author's posts go one at a time: the rate limits below count what is really there.
        commenter = Commenter.objects.select_for_update().filter(user=author).first()
        if commenter is None:
            raise CommentRefused(_("댓글에 쓸 닉네임을 먼저 정해 주세요."))
        if commenter.is_blocked:
            raise CommentRefused(_("운영 원칙 위반으로 댓글 쓰기가 제한된 계정입니다."))
        if token and (existing := Comment.objects.filter(author=author, submission_token=token).first()):
            if (existing.article_id, existing.parent_id, existing.body) == (article.pk, parent and parent.pk, body):
                return existing  # the same submission again: a double click
            token = None  # a stale page's token reused for something new: an ordinary new comment
        now = timezone.now()
        _refuse_if_rate_limited(author, article, now)
        comment = Comment(
            article=article,
            author=author,
            parent=parent,
            body=body,
            private=private,
            submission_token=token,
            status=Comment.Status.PENDING if _needs_review(body) else Comment.Status.PUBLISHED,
            created_at=now,
        )
        comment.full_clean(exclude=["submission_token"])
        comment.save()
        if parent is not None and not parent.has_replies:
            Comment.objects.filter(pk=parent.pk).update(has_replies=True)
    return comment


def delete_own_comment(*, comment: Comment, user) -> None:
    """The author takes their comment down: soft, so replies keep their thread and moderators their record.
    A comment a moderator has already decided on stays as the moderator left it."""
    if comment.author_id != user.pk:
        raise PermissionDenied
    if comment.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING):
        raise CommentRefused(_("이미 처리된 댓글입니다."))
    Comment.objects.filter(pk=comment.pk).update(
        status=Comment.Status.DELETED,
        moderated_at=timezone.now(),
        moderated_by=user,
        moderation_note=_("작성자 삭제"),
    )
    edge.comments_changed(comment.article_id)


def editable_until(comment: Comment, rules: Rules | None = None):
    """When the author's time to edit `comment` ends (Rules.edit_minutes after it was written), or None when
    it cannot be edited at all: editing switched off, a reply already given, or no longer theirs to change."""
    minutes = (rules or Rules.current()).edit_minutes
    if not minutes or comment.has_replies or comment.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING):
        return None
    return comment.created_at + timedelta(minutes=minutes)


def edit_comment(*, comment: Comment, user, body: str) -> Comment:
    """The author changes their comment's text, with the checks of posting (length, blocked words and
    pre-moderation, the per-minute limit, a blocked account), until it has a reply or its time is up. The
    text it had is kept as a Revision for moderators; the comment shows 수정됨 with the time."""
    if comment.author_id != user.pk:
        raise PermissionDenied
    body = (body or "").strip()
    try:
        Comment._meta.get_field("body").clean(body, None)
    except ValidationError as invalid:
        raise CommentRefused(" ".join(invalid.messages)) from None
    now = timezone.now()
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)  # its state now, not the page's
        until = editable_until(comment)
        if comment.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING):
            raise CommentRefused(_("숨겨지거나 삭제된 댓글은 고칠 수 없습니다."))
        if until is None and comment.has_replies:
            raise CommentRefused(_("답글이 달린 댓글은 고칠 수 없습니다."))
        if until is None or now > until:
            raise CommentRefused(_("댓글을 고칠 수 있는 시간이 지났습니다."))
        commenter = Commenter.objects.filter(user=user).first()
        if commenter is None or commenter.is_blocked:
            raise CommentRefused(_("운영 원칙 위반으로 댓글 쓰기가 제한된 계정입니다."))
        if body == comment.body:
            return comment  # nothing changed: no revision, no 수정됨
        per_minute = settings.COMMENT_RATE_PER_MINUTE
        recent = Revision.objects.filter(comment__author=user, replaced_at__gt=now - timedelta(minutes=1))
        if per_minute > 0 and recent.count() >= per_minute:
            raise CommentRefused(
                _("댓글은 1분에 %(limit)d번까지 고칠 수 있습니다. 잠시 뒤에 다시 해 주세요.") % {"limit": per_minute}
            )
        Revision.objects.create(comment=comment, body=comment.body, replaced_at=now)
        comment.body, comment.edited_at = body, now
        if _needs_review(body):
            comment.status = Comment.Status.PENDING  # back to the moderators before the new text is shown
        comment.save(update_fields=["body", "edited_at", "status"])  # its post_save purges the article's pages
    return comment


def is_trusted(user) -> bool:
    """Whether this account's 신고 and 공감 count: old enough (COMMENT_TRUSTED_AFTER_DAYS) and with a
    published comment, so that a few throwaway accounts can neither hide a comment nor inflate one."""
    days = settings.COMMENT_TRUSTED_AFTER_DAYS
    if days <= 0:
        return True
    if user.date_joined > timezone.now() - timedelta(days=days):
        return False
    return Comment.objects.filter(author=user, status=Comment.Status.PUBLISHED).exists()


def report_comment(*, comment: Comment, reporter, reason: str = "", address: str = "") -> bool:
    """Record one reader's report; at COMMENT_AUTOHIDE_REPORTS counted reports (from trusted accounts, one
    per address) the comment is hidden until a moderator decides; moderators see every report. Returns
    False when this reader had reported it already."""
    if comment.author_id == reporter.pk:
        raise CommentRefused(_("자신의 댓글은 신고할 수 없습니다."))
    if comment.status != Comment.Status.PUBLISHED:
        raise CommentRefused(_("이미 처리된 댓글입니다."))
    threshold = settings.COMMENT_AUTOHIDE_REPORTS
    try:
        with transaction.atomic():
            # One counted report per address, while the trust rule is on (COMMENT_TRUSTED_AFTER_DAYS > 0).
            counted = is_trusted(reporter) and not (
                settings.COMMENT_TRUSTED_AFTER_DAYS > 0
                and Report.objects.filter(comment=comment, counted=True, address=address).exclude(address="").exists()
            )
            Report.objects.create(
                comment=comment, reporter=reporter, reason=reason[:200], address=address, counted=counted
            )
            Comment.objects.filter(pk=comment.pk).update(
                report_count=F("report_count") + 1, trusted_reports=F("trusted_reports") + int(counted)
            )
            Comment.objects.filter(
                pk=comment.pk, status=Comment.Status.PUBLISHED, trusted_reports__gte=threshold
            ).update(
                status=Comment.Status.HIDDEN,
                moderated_at=timezone.now(),
                moderated_by=None,
                moderation_note=_("신고 %(count)d건으로 자동 숨김") % {"count": threshold},
            )
    except IntegrityError:
        return False
    edge.comments_changed(comment.article_id)  # it may have been hidden just now
    return True


def react(*, comment: Comment, reader, kind: str) -> str | None:
    """The reader's 공감 or 비공감: given, taken back (the same again), or switched (the other one). Returns
    their reaction now (None: taken back). Exact under concurrency: the reader's row is locked, or made
    under its unique constraint, and the counts move with F() in the same transaction. `comment` must
    have come through the gate (visible_to(reader)) as readable: a private comment is reacted to only by
    those who may read it. No purge: the cached page's counts catch up within EDGE_MAX_AGE."""
    if comment.author_id == reader.pk:
        raise CommentRefused(_("자신의 댓글에는 공감할 수 없습니다."))
    if comment.status != Comment.Status.PUBLISHED:
        raise CommentRefused(_("공감할 수 없는 댓글입니다."))
    column = {Reaction.Kind.UP: "up_count", Reaction.Kind.DOWN: "down_count"}
    for _attempt in range(2):  # a first reaction racing another of the same reader: once more, as a change
        try:
            with transaction.atomic():
                mine = Reaction.objects.select_for_update().filter(comment=comment, reader=reader).first()
                counts = Comment.objects.filter(pk=comment.pk)
                if mine is None:
                    counted = is_trusted(reader)  # an untrusted reader's reaction is theirs, not counted
                    Reaction.objects.create(comment=comment, reader=reader, kind=kind, counted=counted)
                    if counted:
                        counts.update(**{column[kind]: F(column[kind]) + 1})
                    return kind
                if mine.kind == kind:
                    mine.delete()
                    if mine.counted:
                        counts.update(**{column[kind]: F(column[kind]) - 1})
                    return None
                if mine.counted:
                    counts.update(**{column[mine.kind]: F(column[mine.kind]) - 1, column[kind]: F(column[kind]) + 1})
                mine.kind = kind
                mine.save(update_fields=["kind", "created_at"])
                return kind
        except IntegrityError:
            continue
    raise CommentRefused(_("잠시 뒤에 다시 눌러 주세요."))


def forget_author(user) -> None:
    """What leaving (회원 탈퇴) does to a reader's comments: their public comments stay in their threads,
    shown as by "탈퇴한 회원" (their nickname goes); their private ones are deleted, text and all (a deleted
    comment with replies stays a "삭제된 댓글입니다." line); their 공감 / 비공감 are taken back from the
    counts and removed. Moderators' records (who decided what, reports) stay."""
    with transaction.atomic():
        articles = set(Comment.objects.filter(author=user).values_list("article_id", flat=True))
        Comment.objects.filter(author=user, private=True).update(status=Comment.Status.DELETED, body="")
        for reaction in Reaction.objects.select_for_update().filter(reader=user).select_related("comment"):
            articles.add(reaction.comment.article_id)
            if reaction.counted:
                column = "up_count" if reaction.kind == Reaction.Kind.UP else "down_count"
                Comment.objects.filter(pk=reaction.comment_id).update(**{column: F(column) - 1})
        Reaction.objects.filter(reader=user).delete()
        Commenter.objects.filter(user=user).delete()
    edge.comments_changed(*articles)  # the nickname and the counts on the stored pages


def moderate(*, comments, status: str, moderator, note: str = "") -> int:
    """A moderator's decision on many comments at once: hide, restore/approve (publish) or delete (soft).

    The decision settles the reports so far: the count starts again from zero (the Report rows stay, so the
    same readers cannot report it twice), and the comment leaves the queue."""
    decided = dict(comments.values_list("pk", "article_id"))  # the same rows are updated and invalidated
    changed = Comment.objects.filter(pk__in=decided).update(
        status=status,
        moderated_at=timezone.now(),
        moderated_by=moderator,
        moderation_note=note,
        report_count=0,
        trusted_reports=0,
    )
    edge.comments_changed(*set(decided.values()))
    return changed


def block_authors(*, user_ids, moderator) -> int:
    """Stop these readers from commenting; what they wrote stays as moderators left it."""
    return Commenter.objects.filter(user_id__in=user_ids, blocked_at__isnull=True).update(
        blocked_at=timezone.now(), blocked_by=moderator
    )
