from __future__ import annotations

from django import template

from news import edge
from news.models import Section
from news.rankings import most_viewed

register = template.Library()


@register.inclusion_tag("news/_most_viewed.html", takes_context=True)
def most_viewed_box(context):
    """The sidebar box: tabs 종합 and each menu section, ten titles each, all rendered (tabs work without JS)."""
    ranking = most_viewed()
    if request := context.get("request"):
        for items in ranking.values():
            edge.shows(request, items)  # a retitled or withdrawn story leaves the box at once
    # Keys "all" and "s-<slug>": a section whose slug is "all" cannot collide with the 종합 tab.
    tabs = [("all", None, ranking[None])] + [
        (f"s-{section.slug}", section, ranking.get(section.pk, [])) for section in Section.objects.menu()
    ]
    return {"tabs": tabs}


@register.filter
def headline_cut(title: str, length: int = 20) -> str:
    """Cut a long headline for the narrow box, as the reference page does ("..")."""
    return title if len(title) <= length else title[:length].rstrip() + ".."
