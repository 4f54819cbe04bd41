from __future__ import annotations

import uuid

from django import template

from comments.models import commenter_of
from comments.threads import thread_for

register = template.Library()


@register.inclusion_tag("comments/_block.html", takes_context=True)
def comment_block(context, article):
    """The article page's comment block: 전체의견 수, the thread and the 댓글 등록 폼."""
    request = context["request"]
    user = request.user
    thread = thread_for(article, user, request.GET.get("cpage"))
    commenter = commenter_of(user)
    return {
        "request": request,
        "article": article,
        "thread": thread,
        "user": user,
        "commenter": commenter,
        "token": uuid.uuid4(),
        "csrf_token": context.get("csrf_token"),
        # A refused comment comes back with its text, its private flag and its place (a reply form).
        "draft": request.session.pop("comment_draft", None) if hasattr(request, "session") else None,
    }
