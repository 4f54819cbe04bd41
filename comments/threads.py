"""Reading an article's comment thread: which page, which comments, for whom."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, commenter_of

PAGE_SIZE = 50
BEST_AT_MOST = 3

# The thread's orders, as a link (?order=) names them. 최신순 is the default, as on the big Korean portals
# since 2018: the newest voices come first, and a first comment cannot sit on top for good by its 공감
# (the most liked are already shown above the thread, as BEST). Replies stay under their comment, oldest first.
ORDERS = {
    "newest": ("-created_at", "-id"),
    "likes": ("-up_count", "-created_at", "-id"),
    "oldest": ("created_at", "id"),
}
ORDER_NAMES = {"newest": _("최신순"), "likes": _("공감순"), "oldest": _("과거순")}
DEFAULT_ORDER = "newest"


def order_of(value) -> str:
    """The order a link asks for; anything unknown is the default."""
    return value if value in ORDERS else DEFAULT_ORDER


@dataclass
class Thread:
    total: int  # 전체의견 수: published comments, private ones included
    page: Page  # top-level comments of this page, each with .shown_replies
    best: list = field(default_factory=list)  # BEST 댓글: the public comments with the most 공감
    order: str = DEFAULT_ORDER

    @property
    def carried_order(self) -> str:
        """The order the page's forms carry back (none for the default)."""
        return "" if self.order == DEFAULT_ORDER else self.order

    def orders(self) -> list[tuple[str, str, str]]:
        """(name, label, query) of each order, for the links above the thread."""
        return [(name, label, order_query(name)) for name, label in ORDER_NAMES.items()]


def order_query(order: str, page: int | None = None) -> str:
    """The query string of a thread page: the order unless it is the default, the page after the first."""
    params = ([f"order={order}"] if order != DEFAULT_ORDER else []) + ([f"cpage={page}"] if page and page > 1 else [])
    return "?" + "&".join(params) if params else ""


def best_comments(article, threshold: int) -> list:
    """Up to BEST_AT_MOST comments with at least `threshold` 공감, most first (then the newer), read through
    the gate as anyone reads them: never a private, hidden, deleted or pending one."""
    return list(
        Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED, up_count__gte=max(1, threshold))
        .visible_to(AnonymousUser(), readable_only=True)
        .order_by("-up_count", "-created_at", "-id")[:BEST_AT_MOST]
    )


def thread_for(article, user, page_number, *, order: str = DEFAULT_ORDER, best_threshold: int = 0) -> Thread:
    """PAGE_SIZE first-level comments a page in the given order, each with its replies (oldest first); every
    comment read through the gate."""
    order = order_of(order)
    listed = Comment.objects.filter(article=article).listed_for(user).select_related("author")
    page = Paginator(listed.filter(parent__isnull=True).order_by(*ORDERS[order]), PAGE_SIZE).get_page(page_number)
    page.links = [(number, order_query(order, number)) for number in page.paginator.get_elided_page_range(page.number)]
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
    best = best_comments(article, best_threshold) if total else []
    return Thread(total=total, page=page, best=best, order=order)


def page_of(comment: Comment, user, order: str = DEFAULT_ORDER) -> int:
    """The thread page on which `comment` (or, for a reply, its parent) appears for `user` in `order`."""
    anchor_id = comment.parent_id or comment.pk
    anchor = Comment.objects.filter(pk=anchor_id).values("created_at", "up_count").first()
    if anchor is None:
        return 1
    at, pk = anchor["created_at"], anchor_id
    if order_of(order) == "oldest":
        before = Q(created_at__lt=at) | Q(created_at=at, id__lt=pk)
    else:
        before = Q(created_at__gt=at) | Q(created_at=at, id__gt=pk)  # newer
        if order == "likes":
            before = Q(up_count__gt=anchor["up_count"]) | (Q(up_count=anchor["up_count"]) & before)
    earlier = Comment.objects.filter(before, article_id=comment.article_id, parent__isnull=True).listed_for(user)
    return earlier.count() // PAGE_SIZE + 1


MINE_PAGE_SIZE = 20


def my_comments(user, page_number) -> Page:
    """내 댓글: the reader's comments, newest first (those deleted left out), each with its article and the
    replies they may read (`shown_replies`); a reply newer than when they last looked is marked `is_new`."""
    commenter = commenter_of(user)
    seen_at = commenter.replies_seen_at if commenter else None
    theirs = (
        Comment.objects.filter(author=user)
        .visible_to(user, readable_only=True)
        .select_related("article")
        .only("article__id", "article__title", *[f.name for f in Comment._meta.concrete_fields if f.name != "body"])
        .order_by("-created_at", "-id")
    )
    page = Paginator(theirs, MINE_PAGE_SIZE).get_page(page_number)
    comments = list(page.object_list)
    replies: dict[int, list] = {}
    if any(comment.has_replies for comment in comments):
        shown = (
            Comment.objects.filter(parent__in=[c.pk for c in comments], status=Comment.Status.PUBLISHED)
            .visible_to(user, readable_only=True)
            .order_by("created_at", "id")
        )
        for reply in shown:
            reply.is_new = bool(seen_at and reply.created_at > seen_at and reply.author_id != user.pk)
            replies.setdefault(reply.parent_id, []).append(reply)
    for comment in comments:
        comment.shown_replies = replies.get(comment.pk, [])
    page.object_list = comments
    page.elided_range = page.paginator.get_elided_page_range(page.number)  # for includes/_pagination.html
    return page


def unseen_replies(user) -> int:
    """How many published replies by others to the reader's comments came after they last opened 내 댓글
    (shown next to their name in the header), through the gate like every count."""
    commenter = commenter_of(user)
    if commenter is None:
        return 0
    return (
        Comment.objects.filter(
            parent__author=user, status=Comment.Status.PUBLISHED, created_at__gt=commenter.replies_seen_at
        )
        .exclude(author=user)
        .visible_to(user, readable_only=True)
        .count()
    )
