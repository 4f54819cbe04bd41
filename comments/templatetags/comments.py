from __future__ import annotations

import uuid

from django import template
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.template.loader import render_to_string

from comments.forms import CommentForm
from comments.models import Comment, Reaction, can_moderate, commenter_of
from comments.threads import thread_for, unseen_replies
from news.models import Article

register = template.Library()


@register.inclusion_tag("comments/_block.html", takes_context=True)
def comment_block(context, article):
    """The article page's comment block: 전체의견 수, the thread and the 댓글 등록 폼. On a public page (the
    same for every reader) it is the thread as anyone sees it; the reader's own block comes with the
    page's fragment, or from the comments page without JavaScript."""
    request = context["request"]
    if getattr(request, "public_page", False):
        return {
            "request": request,
            "article": article,
            "public": True,
            "comment_form": CommentForm(),
            "thread": _thread(context, article, AnonymousUser()),
        }
    thread = _thread(context, article, request.user)
    block = _reader_context(request, article) | {"thread": thread}
    if csrf_token := context.get("csrf_token"):  # an inclusion tag's own context has none unless passed on
        block["csrf_token"] = csrf_token
    return block


def _thread(context, article, user):
    """The page of the thread the address asks for (?cpage=, ?order=), as `user` reads it."""
    request = context["request"]
    return thread_for(
        article,
        user,
        request.GET.get("cpage"),
        order=request.GET.get("order"),
        best_threshold=_best_threshold(context),
    )


def _best_threshold(context) -> int:
    """The 공감 a comment needs to be BEST, as editors set it on the site profile (the page's context)."""
    return getattr(context.get("site_profile"), "best_comment_min_up", 0)


@register.simple_tag
def new_replies(user) -> int:
    """Replies to the reader's comments they have not seen on 내 댓글 yet, for the count by their name."""
    return unseen_replies(user) if user.is_authenticated else 0


@register.filter
def reaction_of(reacted, comment_id) -> str:
    """The reader's 공감 ("up") or 비공감 ("down") of a comment, from {comment id: kind}; "" for none."""
    return (reacted or {}).get(comment_id, "")


SHOWN_AT_MOST = 200  # comments one fragment brings (a moderator on a thread full of private comments)


def personal_parts(request, article_id: int, *, page_path: str, with_form: bool = True) -> dict | None:
    """What turns the article page's public block (the same for everyone) into this reader's, for the page
    script (static/js/page.js): the comments they see otherwise than everyone does (private ones they may
    read, their own pending ones), through the one gate; which published ones are theirs (delete, not
    report); a fresh form token. With the form: also their form box, whether they may reply, and a refused
    comment to put back; without it, the script uses the reader's parts it keeps (reader_parts).
    None when the article is not published (checked whenever there is something to render)."""
    user = request.user
    if not with_form and Comment.objects.seen_as_by_everyone(user, article_id):
        return {"shown": [], "own": [], "token": str(uuid.uuid4())}  # the public block is theirs as it is
    # One read through the gate: the comments this reader sees otherwise than everyone (the gate decides
    # what they may read; private and pending only pick what differs from the public page), and their own.
    mine = Q(author=user, status=Comment.Status.PUBLISHED) if user.is_authenticated else Q(pk__in=[])
    rows = list(
        Comment.objects.filter(article_id=article_id)
        .listed_for(user, readable_only=True)
        .filter(Q(private=True) | Q(status=Comment.Status.PENDING) | mine)
        .order_by("created_at", "id")[:SHOWN_AT_MOST]
    )
    shown = [comment for comment in rows if comment.private or comment.status == Comment.Status.PENDING]
    parts = {
        "shown": [],
        "own": [
            comment.pk
            for comment in rows
            if comment.author_id == user.pk and comment.status == Comment.Status.PUBLISHED
        ],
        "token": str(uuid.uuid4()),
    }
    if not (shown or with_form):
        return parts  # the common case: nothing on this story for this reader alone; no template, no more query
    article = Article.objects.published().only("id", "reporter_id", "comments_enabled").filter(pk=article_id).first()
    if article is None:
        return None
    context = _reader_context(request, article, take_draft=with_form) | {
        "page_path": page_path,
        "token": parts["token"],
    }
    parts["shown"] = [
        {
            "id": comment.pk,
            "parent": comment.parent_id,
            "pending": comment.status == Comment.Status.PENDING,
            "html": render_to_string(
                "comments/_comment.html",
                context | {"comment": comment, "is_reply": bool(comment.parent_id)},
                request,
            ),
        }
        for comment in shown
    ]
    if with_form:
        commenter, draft = context["commenter"], context["draft"]
        parts |= {
            "form": render_to_string("comments/_form_box.html", context, request),
            "can_reply": bool(commenter and not commenter.is_blocked and article.comments_enabled),
            "draft": draft if draft and draft.get("parent") else None,
        }
    return parts


def reader_parts(request, *, page_path: str) -> dict:
    """What a signed-in reader's page script keeps for the session (static/js/page.js), so that an article
    page with nothing in it for this reader alone needs no request of its own: a form box for any article
    (its address set by the script), which comments are theirs (ids only: their own), on which articles they
    have comments waiting for review, and whether they read private comments they did not write."""
    user = request.user
    context = _reader_context(request, None, take_draft=False) | {"page_path": page_path}
    commenter = context["commenter"]
    theirs = list(
        Comment.objects.visible_to(user)
        .filter(author=user)
        .exclude(status=Comment.Status.DELETED)
        .order_by("-id")
        .values_list("pk", "article_id", "status")[:MINE_AT_MOST]
    )
    return {
        "id": user.pk,
        "moderator": can_moderate(user),
        "can_comment": bool(commenter and not commenter.is_blocked),
        "mine": [pk for pk, _article, _status in theirs],
        "pending": sorted({article for _pk, article, status in theirs if status == Comment.Status.PENDING}),
        "form": render_to_string("comments/_form_box.html", context, request),
        # Their latest 공감 / 비공감, so each page's buttons say which they pressed (kept, then updated in place).
        "reacted": dict(
            Reaction.objects.filter(reader=user)
            .order_by("-created_at")
            .values_list("comment_id", "kind")[:MINE_AT_MOST]
        ),
    }


MINE_AT_MOST = 500  # a reader's most recent comments the script knows as theirs


def _reader_context(request, article, *, take_draft: bool = True) -> dict:
    """Who is reading, for the block's forms: the reader, their commenting identity, a fresh form token, and
    a comment of theirs to put back (refused, or typed before logging in: its text, its private flag, its
    place, the comment form or a reply form)."""
    user = request.user
    commenter = commenter_of(user)
    draft = _take_draft(request, article) if take_draft else None
    in_comment_form = draft and not draft.get("parent")
    return {
        "request": request,
        "article": article,
        "user": user,
        "commenter": commenter,
        "token": uuid.uuid4(),
        "on_thread_page": getattr(request, "comments_page", False),
        "draft": draft,
        "reacted": dict(
            Reaction.objects.filter(reader=user, comment__article=article).values_list("comment_id", "kind")
        )
        if user.is_authenticated and article is not None
        else {},
        "comment_form": CommentForm(
            initial={"body": draft["body"], "private": draft["private"]} if in_comment_form else None,
            nickname=commenter.nickname if commenter else "",
        ),
    }


def _take_draft(request, article) -> dict | None:
    """The reader's comment kept in their session for this article, once (comments/views.py puts it there)."""
    session = getattr(request, "session", None)
    draft = session.get("comment_draft") if session is not None else None
    if not draft or draft.get("article", article.pk) != article.pk:
        return None  # kept for another story: it waits there
    return session.pop("comment_draft")
