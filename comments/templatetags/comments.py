from __future__ import annotations

import uuid

from django import template
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string

from comments.models import commenter_of
from comments.threads import thread_for

register = template.Library()


@register.inclusion_tag("comments/_block.html", takes_context=True)
def comment_block(context, article):
    """The article page's comment block: 전체의견 수, the thread and the 댓글 등록 폼. On a public page (the
    same for every reader) it is the thread as anyone sees it; the reader's own block comes with the
    page's fragment, or from the comments page without JavaScript."""
    request = context["request"]
    if getattr(request, "public_page", False):
        return {"request": request, "article": article, "public": True,
                "thread": thread_for(article, AnonymousUser(), request.GET.get("cpage"))}
    return _personal_context(request, article, context.get("csrf_token"))


def personal_block(request, article, *, page_path: str) -> str:
    """The comment block as this reader may see it, as HTML (for the fragment shown on page_path)."""
    context = _personal_context(request, article, None) | {"page_path": page_path}
    return render_to_string("comments/_block.html", context, request)


def _personal_context(request, article, csrf_token) -> dict:
    user = request.user
    context = {
        "request": request,
        "article": article,
        "thread": thread_for(article, user, request.GET.get("cpage")),
        "user": user,
        "commenter": commenter_of(user),
        "token": uuid.uuid4(),
        "on_thread_page": getattr(request, "comments_page", False),
        # A refused comment comes back with its text, its private flag and its place (a reply form).
        "draft": request.session.pop("comment_draft", None) if hasattr(request, "session") else None,
    }
    if csrf_token is not None:  # an inclusion tag's own context has no csrf_token unless it is passed on
        context["csrf_token"] = csrf_token
    return context
