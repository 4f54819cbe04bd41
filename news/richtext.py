"""The article body: what reporters may write, and the one sanitiser that decides what reaches the page.

The same extension list configures django-prose-editor's buttons and its nh3 allow-list, so the editor
can never produce something the sanitiser strips, and hand-made HTML cannot pass what the editor can't make.
Photos inside the body are not <img> tags (no hot-linked or unvalidated images): the reporter uploads
them as 기사 사진 and writes a paragraph "[사진 1]" where the first one goes.
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Heading": {"levels": [2, 3]},
    "Blockquote": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}


def _body_cleaner() -> nh3.Cleaner:
    """The editor's own allow-list, except that links always get our rel (a pasted rel= is dropped)."""
    allow = allowlist_from_extensions(expand_extensions(BODY_EXTENSIONS))
    allow["attributes"] = {tag: set(attrs) - {"rel"} for tag, attrs in allow["attributes"].items()}
    allow["link_rel"] = "noopener noreferrer nofollow"
    return nh3.Cleaner(**allow)


_cleaner = _body_cleaner()


def sanitize_body(html: str) -> str:
    clean = _cleaner.clean(html or "")
    # The editor always leaves one empty paragraph; an empty body should be empty.
    return "" if re.fullmatch(r"<(\w+)></\1>", clean) else clean


PHOTO_MARK = re.compile(r"<p>\s*\[\s*사진\s*(\d{1,2})\s*\]\s*</p>")


def render_body(html: str, photos) -> SafeString:
    """Sanitise the body and put the article's photos where the reporter wrote "[사진 N]"."""

    by_number = {photo.position: photo for photo in photos}

    def figure(match: re.Match) -> str:
        photo = by_number.get(int(match.group(1)))
        page = photo and photo.rendition("page")
        if not page:
            return ""
        return format_html(
            '<figure class="body-photo"><img src="{}" width="{}" height="{}" alt="{}" loading="lazy">'
            "<figcaption>{}</figcaption></figure>",
            page["url"],
            page["width"],
            page["height"],
            photo.alt_text,
            photo.caption,
        )

    # Sanitised again at render (nh3 is fast): rows written around the admin form (imports, SQL) are safe too.
    # Every inserted part is escaped by format_html.
    with_photos = PHOTO_MARK.sub(figure, sanitize_body(html))
    return mark_safe(with_photos)  # nosec B308, B703  # nh3's allow-listed output plus format_html parts
