from __future__ import annotations

from django import template

from news import frontpage

register = template.Library()


@register.inclusion_tag("news/_breaking.html")
def breaking_banner() -> dict:
    """The 속보 banner on every page while a story is breaking (news.frontpage.breaking_story)."""
    return {"story": frontpage.breaking_story()}
