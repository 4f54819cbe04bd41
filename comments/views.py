from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from comments import services
from comments.models import Comment
from comments.threads import page_of
from news.models import Article


def _back_to(
    request: HttpRequest, article: Article, page: int | None = None, anchor: str = "comments"
) -> HttpResponseRedirect:
    """To the article (whose script shows the reader's own block), or to the comments page the form came from."""
    query = f"?cpage={page}" if page and page > 1 else ""
    place = (
        reverse("comments:thread", args=[article.pk])
        if request.POST.get("back") == "thread"
        else article.get_absolute_url()
    )
    return HttpResponseRedirect(f"{place}{query}#{anchor}")


@require_GET
@never_cache
def thread(request: HttpRequest, article_id: int) -> HttpResponse:
    """The article's comments as this reader may see them, with the form: the page a signed-in reader
    without JavaScript uses (the article page itself is the same for every reader)."""
    article = get_object_or_404(Article.objects.published().select_related("section"), pk=article_id)
    request.comments_page = True
    return render(request, "comments/thread.html", {"article": article, "current_section_slug": article.section.slug})


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and re.fullmatch(r"[0-9]{1,18}", raw) else None


def _token(raw: str | None, parent: Comment | None) -> uuid.UUID | None:
    """The page's token, made distinct per form on it (the comment form and each reply form)."""
    try:
        return uuid.uuid5(uuid.UUID(raw or ""), str(parent.pk if parent else 0))
    except ValueError:
        return None


def _signed_in_or_to_login(request: HttpRequest, article: Article) -> HttpResponse | None:
    # A form posted after the session ran out: log in, then come back to the article's form (not to this
    # POST-only address, which a browser would fetch with GET).
    if request.user.is_authenticated:
        return None
    return redirect_to_login(f"{reverse('comments:thread', args=[article.pk])}#comment-form")


@require_POST
def post(request: HttpRequest, article_id: int) -> HttpResponse:
    """Post a comment or a reply. Only body, private, parent and the submission token are read from the form."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    if to_login := _signed_in_or_to_login(request, article):
        return to_login
    parent = None
    if "parent" in request.POST:
        # Only a comment this reader can read can be answered: the gate decides, as everywhere.
        parent = (
            Comment.objects.visible_to(request.user)
            .filter(readable=True, article=article, pk=_id(request.POST["parent"]))
            .first()
        )
        if parent is None:
            raise Http404
    private = request.POST.get("private") == "on"
    body = request.POST.get("body", "")
    try:
        comment = services.post_comment(
            article=article,
            author=request.user,
            body=body,
            private=private,
            parent=parent,
            token=_token(request.POST.get("token"), parent),
        )
    except services.CommentRefused as refusal:
        # Keep what the reader typed, where they typed it, private flag included: nothing is lost. Only a
        # first-level comment has a reply form to put it back in; otherwise it goes to the main form.
        in_reply_form = parent if parent and not parent.parent_id else None
        request.session["comment_draft"] = {
            "error": str(refusal),
            "body": body[: Comment.MAX_LENGTH * 2],
            "private": private,
            "parent": in_reply_form.pk if in_reply_form else None,
        }
        if in_reply_form:
            return _back_to(request, article, page_of(in_reply_form, request.user), f"comment-{in_reply_form.pk}")
        return _back_to(request, article, anchor="comment-form")
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("댓글이 접수되었습니다. 운영자 검토 뒤에 공개됩니다."))
    return _back_to(request, article, page_of(comment, request.user), f"comment-{comment.pk}")


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    comment = get_object_or_404(Comment.objects.defer("body").select_related("article"), pk=pk, author=request.user)
    try:
        services.delete_own_comment(comment=comment, user=request.user)
    except services.CommentRefused:
        raise Http404 from None
    messages.success(request, _("댓글을 삭제했습니다."))
    return _back_to(request, comment.article, page_of(comment, request.user))


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    comment = get_object_or_404(
        Comment.objects.visible_to(request.user).filter(readable=True).select_related("article"), pk=pk
    )
    try:
        created = services.report_comment(comment=comment, reporter=request.user)
    except services.CommentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("신고가 접수되었습니다.") if created else _("이미 신고한 댓글입니다."))
    return _back_to(request, comment.article, page_of(comment, request.user), f"comment-{comment.pk}")
