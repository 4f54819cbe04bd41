"""Searching live articles in Korean.

Facts this is built on (PostgreSQL with pg_trgm):
- Django's icontains is UPPER(col) LIKE UPPER(...), which a trigram index on the column cannot serve. So
  each article keeps its search text (`ArticleSearchText`, a narrow table): title, subtitle and body as
  plain text, NFKC-normalised and upper-cased once on save; a query is normalised the same way and
  matched with a case-sensitive `contains` (LIKE '%…%'), which the GIN trigram index on it serves.
- pg_trgm makes no trigram out of a two-syllable word (경제, 뉴스), so LIKE '%경제%' would read every row.
  A short term is matched at the start of a word instead (LIKE '% 경제%', which has the word-start
  trigram " 경제"): Korean attaches particles at the end (경제가, 경제는), so the word still matches.
  A short term inside a compound (국제경제) needs three or more letters to be found.
- A database whose LC_CTYPE is C gives Hangul no trigrams, so search would silently find nothing:
  `news.checks` refuses to start on such a database, and the test database is made with an explicit locale.
- A word in a large share of the archive (경제) makes the index return most rows, which would all be
  re-read and sorted. So matches are first counted through the index, stopping at COMMON_AT. Fewer: the
  index finds them all, cheaply. As many: the word is common, and `NewestMatches` walks the newest
  articles in date order, testing a batch at a time, and stops at the page's twenty; only the newest
  COMMON_AT matches are paged ("1,000건 이상").
On SQLite the same queries run as plain LIKE scans.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from news.richtext import PHOTO_MARK

RELEVANCE_WINDOW = 200  # a common word is ranked by relevance among its newest matches
MAX_LENGTH = 200
SHORT = 3  # terms shorter than this are matched at word starts
COMMON_AT = 1000  # results are counted, and paged, up to this many


def normalise(text: str) -> str:
    """NFKC, upper case, and every mark that is not a letter or digit made a space: words are then
    separated by single spaces in the stored text and in queries alike (마윈(马云) is "마윈 马云")."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def _plain(body_html: str) -> str:
    """The body as a reader reads it: no tags, no [사진 N] placement marks."""
    return unescape(strip_tags(PHOTO_MARK.sub(" ", body_html or "")))


def search_text(title: str, subtitle: str, body_html: str) -> str:
    """What `ArticleSearchText.text` holds: a leading space, so every word (the first too) follows a space."""
    return " " + normalise(f"{title} {subtitle} {_plain(body_html)}")


@dataclass
class Query:
    raw: str
    terms: list[str] = field(default_factory=list)
    problem: str = ""


def parse(raw: str | None) -> Query:
    """The reader's words as search terms, or the reason we cannot search for them."""
    raw = (raw or "").replace("\x00", "")
    query = Query(raw=raw.strip()[: MAX_LENGTH + 1])  # never echo back more than the limit
    if len(raw.strip()) > MAX_LENGTH:
        query.problem = _("검색어는 %(max)d자 이내로 입력해 주세요.") % {"max": MAX_LENGTH}
        return query
    text = normalise(raw)
    if not query.raw:
        query.problem = _("검색어를 입력해 주세요.")
    elif not text:
        query.problem = _("글자나 숫자가 들어간 검색어를 입력해 주세요.")
    elif len(text) > MAX_LENGTH:
        query.problem = _("검색어는 %(max)d자 이내로 입력해 주세요.") % {"max": MAX_LENGTH}
    else:
        query.terms = [t for t in text.split() if len(t) >= 2]
        if not query.terms:
            query.problem = _("두 글자 이상 입력해 주세요.")
    return query


def _matching_texts(texts, query: Query, prefix: str = ""):
    for term in query.terms:
        texts = texts.filter(**{f"{prefix}text__contains": term if len(term) >= SHORT else " " + term})
    return texts


def matching(articles, query: Query, order: str = "newest"):
    """Live articles containing every term; newest first, or by relevance (title, then subtitle, then body)."""
    articles = _matching_texts(articles, query, prefix="search_doc__")
    if order == "relevance":
        first = query.terms[0]
        articles = articles.annotate(
            relevance=Case(
                When(title__icontains=first, then=Value(2)),
                When(subtitle__icontains=first, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).order_by("-relevance", "-published_at", "-id")
    return articles


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape the text, then mark each term (case-insensitive, NFKC) with <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    text = unicodedata.normalize("NFKC", text)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    highlighted = "".join(parts)
    return mark_safe(highlighted)  # nosec B308, B703  # every piece escaped above


def snippet(body_html: str, terms: list[str], width: int = 70) -> SafeString:
    """A short passage of the body around the first match, highlighted."""
    text = " ".join(unicodedata.normalize("NFKC", _plain(body_html)).split())
    first = re.search("|".join(re.escape(t) for t in terms), text, re.IGNORECASE) if terms else None
    at = first.start() if first else 0  # the first match, else the start
    start = max(0, at - width // 2)
    piece = text[start : start + width * 2]
    return highlight(("…" if start else "") + piece + ("…" if start + width * 2 < len(text) else ""), terms)


class NewestMatches(Sequence):
    """The newest live articles matching a common query, found by walking the archive in date order a
    batch at a time (each batch tested by primary key in the narrow search table) until a slice is full.
    Paginator slices it like a queryset; `found` is the bounded count the view already took."""

    BATCH = 400

    def __init__(self, articles, query: Query, found: int, relevance: bool = False):
        self.articles, self.query, self.found, self.relevance = articles, query, found, relevance
        self._ids: list[int] = []
        self._after = None  # (published_at, id) of the last article walked
        self._done = False

    def __len__(self) -> int:
        return self.found

    def _walk(self, upto: int) -> None:
        from news.models import ArticleSearchText

        newest = self.articles.order_by("-published_at", "-id").values_list("id", "published_at")
        while len(self._ids) < upto and not self._done:
            batch = newest
            if self._after:
                at, pk = self._after
                batch = batch.filter(Q(published_at__lt=at) | Q(published_at=at, id__lt=pk))
            batch = list(batch[: self.BATCH])
            if len(batch) < self.BATCH:
                self._done = True
            if not batch:
                break
            self._after = (batch[-1][1], batch[-1][0])
            texts = ArticleSearchText.objects.filter(article_id__in=[pk for pk, _ in batch])
            hits = set(_matching_texts(texts, self.query).values_list("article_id", flat=True))
            self._ids.extend(pk for pk, _ in batch if pk in hits)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        if self.relevance:
            # Relevance among the newest matches only: a title match first, then the newer.
            self._walk(RELEVANCE_WINDOW)
            articles = self._fetch(self._ids[:RELEVANCE_WINDOW])
            first = self.query.terms[0]
            articles.sort(key=lambda a: 0 if first in normalise(a.title) else 1)  # stable: newest first within
            return articles[index]
        self._walk(index.stop or self.found)
        return self._fetch(self._ids[index])

    def _fetch(self, ids: list[int]) -> list:
        found = self.articles.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]
