from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from comments import services
from comments.forms import CommentActionForm, EditCommentForm, PostCommentForm, ReactionForm
from comments.models import Comment, commenter_of
from comments.threads import my_comments, order_of, order_query, page_of
from news.beacon import from_our_site
from news.models import Article
from news.viewcount import address_key, client_ip


def _place(
    article: Article, *, thread: bool, page: int | None = None, anchor: str = "comments", order: str = ""
) -> str:
    """The article (whose script shows the reader's own block), or the comments page the form came from, at
    the page of the thread in the order it showed."""
    place = reverse("comments:thread", args=[article.pk]) if thread else article.get_absolute_url()
    return f"{place}{order_query(order_of(order), page)}#{anchor}"


def _came_from(request: HttpRequest) -> tuple[str, str]:
    """Where a delete or report button was: the comments page ("thread"), 내 댓글 ("mine") or the article
    (""), in which order."""
    form = CommentActionForm(request.POST)
    form.is_valid()  # its fields are never in error
    return form.cleaned_data["back"], form.cleaned_data["order"]


@require_GET
@never_cache
def thread(request: HttpRequest, article_id: int) -> HttpResponse:
    """The article's comments as this reader may see them, with the form: the page a signed-in reader
    without JavaScript uses (the article page itself is the same for every reader)."""
    article = get_object_or_404(Article.objects.published().select_related("section"), pk=article_id)
    request.comments_page = True
    return render(request, "comments/thread.html", {"article": article, "current_section_slug": article.section.slug})


# What the rest of the site may ask of a reader before they post (comments imports nothing of the shell):
# functions of the user that return the address of a page to visit first, or None. portal.policies adds one.
BEFORE_POSTING: list[Callable[[object], str | None]] = []


def _put_back(request: HttpRequest, form: PostCommentForm, *, error: str = "", note: str = "") -> str:
    """Keep what the reader typed in their session (nothing is lost), for their own form to show it again;
    return the place of that form: the reply form of its comment (on the comment's page) or the comment form."""
    draft = form.draft(error=error, note=note)
    request.session["comment_draft"] = draft
    if draft["parent"]:
        parent = form.cleaned_data["parent"]
        order = form.cleaned_data.get("order", "")
        page = page_of(parent, request.user, order_of(order))
        return _place(form.article, thread=form.to_thread(), page=page, anchor=f"comment-{parent.pk}", order=order)
    return _place(form.article, thread=form.to_thread(), anchor="comment-form")


_KEPT_NOTE = gettext_lazy("작성하던 댓글입니다. 확인한 뒤 등록해 주세요.")  # above a draft that was not refused


def _kept_until_login(request: HttpRequest, form: PostCommentForm) -> HttpResponse:
    # Log in (or sign up), then come back to the form with the draft in it: on the article, whose script
    # fetches the reader's own form, or on the comments page for a form used without the script.
    messages.info(request, _("작성하던 댓글을 보관했습니다. 로그인하면 이어서 등록할 수 있습니다."))
    return redirect_to_login(_put_back(request, form, error=form.refusal(), note=_KEPT_NOTE))


@require_POST
def post(request: HttpRequest, article_id: int) -> HttpResponse:
    """Post a comment or a reply from the reader's own form (with its CSRF token): PostCommentForm reads it."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = PostCommentForm(request.POST, reader=request.user, article=article)
    valid = form.is_valid()
    if not request.user.is_authenticated:
        return _kept_until_login(request, form)  # the session ran out while the form was open
    if form.has_error("parent"):
        raise Http404
    for check in BEFORE_POSTING:  # e.g. a new 이용약관 to agree to first: the draft waits, then back to it
        if page := check(request.user):
            place = _put_back(request, form, error=form.refusal() if not valid else "", note=_KEPT_NOTE)
            return redirect_to_login(place, login_url=page)
    if not valid:
        return HttpResponseRedirect(_put_back(request, form, error=form.refusal()))
    try:
        comment = services.post_comment(
            article=article,
            author=request.user,
            body=form.cleaned_data["body"],
            private=form.cleaned_data["private"],
            parent=form.cleaned_data["parent"],
            token=form.submission_token(),
        )
    except services.CommentRefused as refusal:
        return HttpResponseRedirect(_put_back(request, form, error=str(refusal)))
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("댓글이 접수되었습니다. 운영자 검토 뒤에 공개됩니다."))
    order = form.cleaned_data["order"]
    page = page_of(comment, request.user, order)
    return HttpResponseRedirect(
        _place(article, thread=form.to_thread(), page=page, anchor=f"comment-{comment.pk}", order=order)
    )


# The public comment form posts here. The article page is the same for every reader (stored at the edge), so
# its form carries no CSRF token; this view needs none because it writes nothing but the sender's own session
# (what they typed, which only their own form shows them again, to post with its token). A post that the
# browser says comes from another site is refused, so no other site can fill a reader's form for them.
@csrf_exempt
@require_POST
def keep_draft(request: HttpRequest, article_id: int) -> HttpResponse:
    """Keep what was typed in the public comment form and lead to the reader's own form: through login, or
    straight there for a reader already signed in (whose page script could not swap in their own form)."""
    if not from_our_site(request):
        return HttpResponseForbidden(_("다른 사이트에서 보낸 요청입니다."))
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = PostCommentForm(request.POST, reader=request.user, article=article)
    form.is_valid()  # kept either way: a text the rules refuse comes back with the reason
    if not request.user.is_authenticated:
        return _kept_until_login(request, form)
    return HttpResponseRedirect(_put_back(request, form, error=form.refusal(), note=_KEPT_NOTE))


@require_GET
@never_cache
def mine(request: HttpRequest) -> HttpResponse:
    """내 댓글: the reader's comments, newest first, with their articles, 공감 / 비공감 and the replies; opening
    it marks the replies so far as seen (the count next to their name starts again)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = my_comments(request.user, request.GET.get("page"))  # marks the new replies as they were
    if commenter := commenter_of(request.user):
        commenter.replies_seen_at = timezone.now()
        commenter.save(update_fields=["replies_seen_at"])  # the header on this page counts none any more
    return render(request, "comments/mine.html", {"page": page})


@never_cache
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's own comment in a form to change its text (a page of its own: it works without the
    script), until it has a reply or the editors' time is up (services.edit_comment says why not)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # The reader's own comment, read through the gate (an author reads their own, unless it is deleted).
    comment = get_object_or_404(
        Comment.objects.visible_to(request.user).filter(readable=True, author=request.user).select_related("article"),
        pk=pk,
    )
    form = EditCommentForm(request.POST or None, initial={"body": comment.shown_body, **request.GET.dict()})
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.edit_comment(comment=comment, user=request.user, body=form.cleaned_data["body"])
        except services.CommentRefused as refusal:
            form.add_error(None, str(refusal))  # shown above the form, the text kept in it
        else:
            if comment.status == Comment.Status.PENDING:
                messages.info(request, _("고친 댓글은 운영자 검토 뒤에 공개됩니다."))
            else:
                messages.success(request, _("댓글을 고쳤습니다."))
            order = form.cleaned_data["order"]
            thread = form.cleaned_data["back"] == "thread"
            page = page_of(comment, request.user, order)
            return HttpResponseRedirect(
                _place(comment.article, thread=thread, page=page, anchor=f"comment-{comment.pk}", order=order)
            )
    until = services.editable_until(comment)
    context = {
        "comment": comment,
        "article": comment.article,
        "form": form,
        "until": until,
        "closed": until is None or until < timezone.now(),
    }
    return render(request, "comments/edit.html", context, status=400 if form.errors else 200)


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
    back, order = _came_from(request)
    if back == "mine":
        return HttpResponseRedirect(reverse("comments:mine"))
    page = page_of(comment, request.user, order)
    return HttpResponseRedirect(_place(comment.article, thread=back == "thread", page=page, order=order))


@require_POST
def react(request: HttpRequest, pk: int) -> HttpResponse:
    """공감 / 비공감 from a comment's buttons: in place for the page script (JSON: the counts and the
    reader's reaction now), else back to the comment. Only a comment the reader may read, through the gate."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.META.get("HTTP_REFERER") or "/")
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("잘못된 요청입니다."))
    comment = get_object_or_404(
        Comment.objects.visible_to(request.user).filter(readable=True).select_related("article"), pk=pk
    )
    try:
        mine = services.react(comment=comment, reader=request.user, kind=form.cleaned_data["kind"])
    except services.CommentRefused as refusal:
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": str(refusal)}, status=409, json_dumps_params={"ensure_ascii": False})
        messages.error(request, str(refusal))
        mine = None
    if "application/json" in request.headers.get("Accept", ""):
        up, down = Comment.objects.filter(pk=pk).values_list("up_count", "down_count").get()
        return JsonResponse({"up": up, "down": down, "mine": mine})
    order = form.cleaned_data["order"]
    page = page_of(comment, request.user, order)
    return HttpResponseRedirect(
        _place(
            comment.article,
            thread=form.cleaned_data["back"] == "thread",
            page=page,
            anchor=f"comment-{comment.pk}",
            order=order,
        )
    )


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    comment = get_object_or_404(
        Comment.objects.visible_to(request.user).filter(readable=True).select_related("article"), pk=pk
    )
    try:
        created = services.report_comment(
            comment=comment, reporter=request.user, address=address_key(client_ip(request))
        )
    except services.CommentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("신고가 접수되었습니다.") if created else _("이미 신고한 댓글입니다."))
    back, order = _came_from(request)
    page = page_of(comment, request.user, order)
    return HttpResponseRedirect(
        _place(comment.article, thread=back == "thread", page=page, anchor=f"comment-{comment.pk}", order=order)
    )
