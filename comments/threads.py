"""Reading an article's comment thread: which page, which comments, for whom."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator

from comments.models import Comment

PAGE_SIZE = 50


BEST_AT_MOST = 3


@dataclass
class Thread:
    total: int  # 전체의견 수: published comments, private ones included
    page: Page  # top-level comments of this page, each with .shown_replies
    best: list = field(default_factory=list)  # BEST 댓글: the public comments with the most 공감


def best_comments(article, threshold: int) -> list:
    """Up to BEST_AT_MOST comments with at least `threshold` 공감, most first (then the newer), read through
    the gate as anyone reads them: never a private, hidden, deleted or pending one."""
    return list(
        Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED, up_count__gte=max(1, threshold))
        .visible_to(AnonymousUser(), readable_only=True)
        .order_by("-up_count", "-created_at", "-id")[:BEST_AT_MOST]
    )


def thread_for(article, user, page_number, *, best_threshold: int = 0) -> Thread:
    """Oldest first, PAGE_SIZE first-level comments a page, each with its replies; every comment read
    through the gate."""
    listed = Comment.objects.filter(article=article).listed_for(user).select_related("author")
    page = Paginator(listed.filter(parent__isnull=True).order_by("created_at", "id"), PAGE_SIZE).get_page(page_number)
    page.elided_range = page.paginator.get_elided_page_range(page.number)
    parents = list(page.object_list)
    replies: dict[int, list] = {}
    if any(parent.has_replies for parent in parents):
        for reply in listed.filter(parent__in=[p.pk for p in parents]).order_by("created_at", "id"):
            replies.setdefault(reply.parent_id, []).append(reply)
    for parent in parents:
        parent.shown_replies = replies.get(parent.pk, [])
    page.object_list = parents
    # The total is the same for every reader (private comments count too) and reads no comment: no gate.
    total = Comment.objects.filter(article=article).counted().count()
    return Thread(total=total, page=page, best=best_comments(article, best_threshold) if total else [])


def page_of(comment: Comment, user) -> int:
    """The thread page on which `comment` (or, for a reply, its parent) appears for `user`."""
    anchor_id = comment.parent_id or comment.pk
    anchor_time = Comment.objects.filter(pk=anchor_id).values_list("created_at", flat=True).first()
    earlier = (
        Comment.objects.filter(article_id=comment.article_id, parent__isnull=True, created_at__lt=anchor_time)
        .listed_for(user)
        .count()
    )
    return earlier // PAGE_SIZE + 1
