from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comments import services
from comments.models import Comment
from comments.threads import page_of
from news.models import Article


def _back_to(article: Article, page: int | None = None, anchor: str = "comments") -> HttpResponseRedirect:
    query = f"?cpage={page}" if page and page > 1 else ""
    return HttpResponseRedirect(f"{article.get_absolute_url()}{query}#{anchor}")


def _token(raw: str | None, parent: Comment | None) -> uuid.UUID | None:
    """The page's token, made distinct per form on it (the comment form and each reply form)."""
    try:
        return uuid.uuid5(uuid.UUID(raw or ""), str(parent.pk if parent else 0))
    except ValueError:
        return None


@require_POST
@login_required
def post(request: HttpRequest, article_id: int) -> HttpResponse:
    """Post a comment or a reply. Only body, private, parent and the submission token are read from the form."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    parent = None
    if parent_id := request.POST.get("parent"):
        parent = Comment.objects.filter(pk=parent_id if parent_id.isdigit() else 0, article=article).first()
        if parent is None:
            raise Http404
    try:
        comment = services.post_comment(
            article=article, author=request.user, body=request.POST.get("body", ""),
            private=request.POST.get("private") == "on", parent=parent, token=_token(request.POST.get("token"), parent),
        )
    except services.CommentRefused as refusal:
        # Keep what the reader typed: the form shows it again with the reason.
        request.session["comment_error"] = str(refusal)
        request.session["comment_draft"] = request.POST.get("body", "")[: Comment.MAX_LENGTH * 2]
        return _back_to(article, anchor="comment-form")
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("댓글이 접수되었습니다. 운영자 검토 뒤에 공개됩니다."))
    return _back_to(article, page_of(comment, request.user), f"comment-{comment.pk}")


@require_POST
@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk, author=request.user)
    services.delete_own_comment(comment=comment, user=request.user)
    messages.success(request, _("댓글을 삭제했습니다."))
    return _back_to(comment.article, page_of(comment, request.user))


@require_POST
@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    # Only a comment the reader can read can be reported: the gate decides, as everywhere.
    comment = get_object_or_404(Comment.objects.visible_to(request.user).filter(readable=True), pk=pk)
    try:
        created = services.report_comment(comment=comment, reporter=request.user, reason=request.POST.get("reason", ""))
    except services.CommentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("신고가 접수되었습니다.") if created else _("이미 신고한 댓글입니다."))
    return _back_to(comment.article, page_of(comment, request.user), f"comment-{comment.pk}")
