"""Revisions of live articles (#17): every save of a published story keeps what it said (title, subtitle,
body, keywords) and who saved it; editors compare any two and restore one, which is a save like any other
and so a new revision."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import unescape

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from news.models import Article, ArticleRevision, Keyword

# Where the body's blocks end: each paragraph, heading, list item or quote is one line of the comparison.
BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figcaption|pre)>|<br\s*/?>", re.IGNORECASE)


def record(article: Article, user, note: str = "") -> ArticleRevision | None:
    """Keep a revision of `article` as just saved (keywords included), if it is published."""
    if article.status != Article.Status.PUBLISHED:
        return None
    return ArticleRevision.objects.create(
        article=article,
        saved_by=user,
        title=article.title,
        subtitle=article.subtitle,
        body=article.body,
        keywords=list(article.keywords.order_by("name").values_list("name", flat=True)),
        note=note,
    )


@transaction.atomic
def restore(revision: ArticleRevision, user) -> ArticleRevision:
    """Put the revision's text and keywords back on its article; the save purges the edge as any save
    does, and the restore is kept as a new revision. A keyword deleted since is made again."""
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    article.title, article.subtitle, article.body = revision.title, revision.subtitle, revision.body
    article.save()
    article.keywords.set([Keyword.objects.get_or_create(name=name)[0] for name in revision.keywords])
    when = timezone.localtime(revision.saved_at).strftime("%Y-%m-%d %H:%M")
    return record(article, user, note=_("%(when)s 판을 되살림") % {"when": when})


@dataclass
class Change:
    """One compared field: its label and the pieces of text, each kept, taken out or put in."""

    label: str
    pieces: list[tuple[str, str]]  # ("same" | "del" | "ins", text)

    @property
    def changed(self) -> bool:
        return any(kind != "same" for kind, _text in self.pieces)


def compare(older: ArticleRevision, newer: ArticleRevision) -> list[Change]:
    """What changed from `older` to `newer`, field by field; the body paragraph by paragraph, and inside a
    rewritten paragraph word by word."""
    return [
        Change(_("제목"), _words(older.title, newer.title)),
        Change(_("부제"), _words(older.subtitle, newer.subtitle)),
        Change(_("키워드"), _words(", ".join(older.keywords), ", ".join(newer.keywords))),
        Change(_("본문"), _paragraphs(_blocks(older.body), _blocks(newer.body))),
    ]


def _blocks(body: str) -> list[str]:
    text = BLOCK_END.sub("\n", body)
    return [line for line in (" ".join(unescape(strip_tags(part)).split()) for part in text.split("\n")) if line]


def _paragraphs(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces += [("same", line + "\n") for line in old[i1:i2]]
        elif op == "replace":
            pieces += _words("\n".join(old[i1:i2]), "\n".join(new[j1:j2])) + [("same", "\n")]
        else:
            pieces += [("del", line + "\n") for line in old[i1:i2]] + [("ins", line + "\n") for line in new[j1:j2]]
    return pieces


def _words(old: str, new: str) -> list[tuple[str, str]]:
    # Each word with the space after it: spaces alone would match everywhere and cut a rewrite into crumbs.
    a, b = re.findall(r"\s*\S+\s*", old), re.findall(r"\s*\S+\s*", new)
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces
