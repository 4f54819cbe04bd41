"""Reading a page as a reader's browser does: the page, the beacon its script sends, the fragment it fetches (static/js/page.js)."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse

_BEACON = re.compile(r'data-beacon="([^"]+)"')


def beacon_of(response) -> str | None:
    """The signed list the page asks its beacon to count, if any."""
    found = _BEACON.search(response.content.decode()) if response.status_code == 200 else None
    return html.unescape(found.group(1)) if found else None


def send_beacon(client: Client, signed: str, **extra):
    """What navigator.sendBeacon sends from one of our pages: a same-origin POST."""
    headers = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"} | extra
    return client.post(reverse("beacon"), {"b": signed}, **headers)


def read(client: Client, url: str, **extra):
    """GET the page and, when it carries a beacon, send it with the same headers; return the page."""
    response = client.get(url, **extra)
    if signed := beacon_of(response):
        answer = send_beacon(client, signed, **extra)
        assert answer.status_code == 204, answer.content
    return response


def comment_parts(parts: dict) -> str:
    """The HTML a fragment brings for the comment block: the form box and the comments only this reader sees."""
    comments = parts.get("comments")
    if not comments:
        return ""
    return comments.get("form", "") + "".join(comment["html"] for comment in comments["shown"])


def composed(page: str, parts: dict) -> str:
    """The public page as its script makes it this reader's (in the spirit of static/js/page.js, on text):
    the fragment's account menu, messages and form box in place of the public ones, each comment the
    reader sees otherwise in place of its placeholder (or added at the end of the block)."""
    page = re.sub(r'<nav class="account-nav".*?</nav>', lambda _m: parts["account"], page, count=1, flags=re.S)
    if "messages" in parts:  # only when some are waiting
        page = page.replace('<div class="messages-box" data-personal="messages"></div>', parts["messages"], 1)
    comments = parts.get("comments")
    if comments:
        page = re.sub(
            # the whole box, nested <div>s included: it ends the comment block
            r'<div class="comment-form-box" id="comment-form" data-personal="comment-form">.*?</div>(?=\s*</section>)',
            lambda _m: comments["form"],
            page,
            count=1,
            flags=re.S,
        )
        for comment in comments["shown"]:
            placeholder = re.compile(
                rf'<article class="comment[^"]*" id="comment-{comment["id"]}"[^>]*>.*?</article>', re.S
            )
            page, found = placeholder.subn(lambda _m, html=comment["html"]: html, page, count=1)
            if not found and (start := page.find('id="comments"')) >= 0:  # their own pending comment: added
                end = page.index("</section>", start)
                page = page[:end] + comment["html"] + page[end:]
    return page


def seen_on_article(client: Client, article, cpage: int | None = None) -> str:
    """What a signed-in reader's browser shows of the article page: the public page, made theirs."""
    query = {"cpage": cpage} if cpage else {}
    page = client.get(article.get_absolute_url(), query).content.decode()
    parts = client.get(reverse("fragment"), {"reader": "1", "article": article.pk, **query}).json()
    return composed(page, parts)


def html_parts(parts: dict) -> dict[str, str]:
    """Every piece of HTML a fragment brings, by name: the account menu, messages, the comment form box,
    each comment this reader sees otherwise ("comment <id>"), and the form box the script keeps."""
    pieces = {"account": parts.get("account", ""), "messages": parts.get("messages", "")}
    if comments := parts.get("comments"):
        pieces["comment form"] = comments.get("form", "")
        pieces |= {f"comment {comment['id']}": comment["html"] for comment in comments["shown"]}
    if reader := parts.get("reader"):
        pieces["kept form"] = reader["form"]
    return pieces
