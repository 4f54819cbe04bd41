"""Page metadata for sharing and search engines: JSON-LD NewsArticle."""

from __future__ import annotations

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Inside <script>, "</script>" or "<!--" in a headline must not end or bend the element.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    """A full URL: a path gets this site's scheme and host; a photo on object storage is absolute already."""
    return context["request"].build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def news_article_jsonld(context, article) -> SafeString:
    request, site = context["request"], context["site_profile"]
    absolute = request.build_absolute_uri
    og = article.lead_renditions.get("og")
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary(),
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "articleSection": article.section.name,
        "inLanguage": "ko",
        "author": [
            {"@type": "Person", "name": name, "url": absolute(reverse("news:reporter", args=[reporter_id]))}
            for reporter_id, name in article.bylines
        ],
        "publisher": {"@type": "Organization", "name": site.name, "url": site.url},
    }
    if og:
        data["image"] = [absolute(og["url"])]
    if corrections := context.get("corrections"):  # the published notes the page shows above the body
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": f"{note.get_kind_display()}: {note.body}",
                "datePublished": note.published_at,
            }
            for note in corrections
        ]
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE)
    # The JSON is escaped for a script element above; format_html would HTML-escape its quotes.
    script_safe = mark_safe(payload)  # nosec B308, B703  # JSON with <, > and & escaped above
    return format_html('<script type="application/ld+json">{}</script>', script_safe)
