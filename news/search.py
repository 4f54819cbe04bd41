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
- Readers space compounds as they like (창업지원센터, 창업 지원 센터). The same text is kept a second time
  with no spaces at all (`compact`, its own trigram index): a term of three or more letters is looked for
  there, so it is found however the text spaces it, and a query of several words is also looked for as
  one compound (국제 경제 finds 국제경제).
- A particle typed after a word (상하이에서, 센터를) is dropped from the query term when what is left is a
  known word or long enough to stand alone (`stem`); spellings of one thing (상하이, 상해, 上海) are one term,
  from the editors' `SpellingVariants`: any of them matches, and all are counted and marked.
- A database whose LC_CTYPE is C gives Hangul no trigrams, so search would silently find nothing:
  `news.checks` refuses to start on such a database, and the test database is made with an explicit locale.
- A word in a large share of the archive (경제) makes the index return most rows, which would all be
  re-read and sorted. So matches are first counted through the index, stopping at COMMON_AT. Fewer: the
  index finds them all, cheaply. As many: the word is common, and `NewestMatches` walks the newest
  articles in date order, testing a batch at a time, and stops at the page's twenty; only the newest
  COMMON_AT matches are paged ("1,000건 이상").
- "혹시 … 을(를) 찾으셨나요?" compares the query with known terms (`SearchTerm`: keywords, section names,
  spellings, frequent title words) by trigram similarity of their Hangul letters (jamo, Unicode NFD), so
  that a slip of one letter (센타 for 센터) keeps most trigrams; pg_trgm's `%` with a GIN index finds them.
On SQLite the same queries run as plain LIKE scans, and the closest term is found with difflib.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, Case, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.db.models.functions import Replace
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from news.richtext import PHOTO_MARK

RELEVANCE_WINDOW = 200  # a common word is ranked by relevance among its newest matches
MAX_LENGTH = 200
SHORT = 3  # terms shorter than this are matched at word starts
COMMON_AT = 1000  # results are counted, and paged, up to this many
FEW = 2  # this many results or fewer: a closer known term is offered ("혹시 … 찾으셨나요?")
SUGGESTIONS = 8  # suggestions while typing: keywords first, then the newest titles
VARIANTS_CACHE_KEY = "search:variants"
TITLE_WORDS = 5000  # the most frequent title words kept as known terms
NAME_WEIGHT = 1_000_000  # keywords, section names and spellings outrank title words of equal likeness
LIKENESS = 0.3  # pg_trgm's default threshold for `%`, used by the SQLite fallback too

# Particles a reader may type after a word. Longer ones first; a one-letter particle is dropped only when
# what is left is a known word or three letters or more (상하이 stays 상하이: 상하 is no word).
LONG_PARTICLES = (
    "에서는",
    "으로는",
    "에게서",
    "이라는",
    "에서",
    "에게",
    "으로",
    "까지",
    "부터",
    "에는",
    "처럼",
    "보다",
    "라는",
)
SHORT_PARTICLES = ("이", "가", "은", "는", "을", "를", "의", "와", "과", "도", "에", "로", "만")


def normalise(text: str) -> str:
    """NFKC, upper case, and every mark that is not a letter or digit made a space: words are then
    separated by single spaces in the stored text and in queries alike (마윈(马云) is "마윈 马云")."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def compact(text: str) -> str:
    """Normalised, with no spaces at all: how a term is compared whatever its spacing."""
    return normalise(text).replace(" ", "")


def letters(term: str) -> str:
    """The term in Hangul letters (jamo): 센터 and 센타 then differ in one letter of six, not one syllable of two."""
    return unicodedata.normalize("NFD", term)


def _plain(body_html: str) -> str:
    """The body as a reader reads it: no tags, no [사진 N] placement marks."""
    return unescape(strip_tags(PHOTO_MARK.sub(" ", body_html or "")))


def search_text(title: str, subtitle: str, body_html: str) -> str:
    """What `ArticleSearchText.text` holds: a leading space, so every word (the first too) follows a space."""
    return " " + normalise(f"{title} {subtitle} {_plain(body_html)}")


def search_fields(title: str, subtitle: str, body_html: str) -> dict[str, str]:
    """Every column of an article's `ArticleSearchText` row."""
    text = search_text(title, subtitle, body_html)
    return {"text": text, "compact": text.replace(" ", ""), "title": (" " + normalise(title))[:250]}


# ------------------------------------------------------------------------------------------- queries


@dataclass
class Term:
    """One word of a query: as typed (normalised), and every form that counts as it (its stem, its spellings)."""

    typed: str
    forms: list[str]

    @property
    def variants(self) -> list[str]:
        """Other spellings searched with it (for telling the reader)."""
        return [form for form in self.forms if form != self.typed and not self.typed.startswith(form)]


@dataclass
class Query:
    raw: str
    terms: list[Term] = field(default_factory=list)
    problem: str = ""
    known: set[str] = field(default_factory=set)  # which typed words (or stems) are known terms

    @property
    def marks(self) -> list[str]:
        """Every form to mark in titles and passages."""
        return [form for term in self.terms for form in term.forms]

    @property
    def variants(self) -> list[str]:
        return [variant for term in self.terms for variant in term.variants]


def spelling_groups() -> dict[str, list[str]]:
    """Each spelling editors listed, with the spellings of its group (cached until a group changes)."""
    groups = cache.get(VARIANTS_CACHE_KEY)
    if groups is None:
        from news.models import SpellingVariants

        groups = {}
        for row in SpellingVariants.objects.all():
            spellings = row.spellings()
            for spelling in spellings:
                groups.setdefault(spelling, spellings)
        cache.set(VARIANTS_CACHE_KEY, groups, 60 * 60)
    return groups


def stem(word: str, known) -> str:
    """The word without a particle typed after it, when what is left can stand alone."""
    for particle in LONG_PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    for particle in SHORT_PARTICLES:
        rest = word[: -len(particle)]
        if word.endswith(particle) and len(rest) >= 2 and word not in known and (rest in known or len(rest) >= 3):
            return rest
    return word


def _term(word: str, groups: dict[str, list[str]], known: set[str]) -> Term:
    if word in groups:
        return Term(word, list(groups[word]))
    base = stem(word, known | groups.keys())
    return Term(word, list(groups.get(base, [base])))


def _known_words(words: list[str]) -> set[str]:
    """Which of these words, or of them less a one-letter particle, are known terms (one indexed query)."""
    from news.models import SearchTerm

    candidates = set(words) | {w[: -len(p)] for w in words for p in SHORT_PARTICLES if w.endswith(p)}
    return set(SearchTerm.objects.filter(term__in=candidates).values_list("term", flat=True))


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
        words = list(dict.fromkeys(t for t in text.split() if len(t) >= 2))
        if not words:
            query.problem = _("두 글자 이상 입력해 주세요.")
        elif len(words) > 10:
            query.problem = _("검색어는 낱말 10개까지 입력할 수 있습니다.")
        else:
            groups, query.known = spelling_groups(), _known_words(words)
            query.terms = [_term(word, groups, query.known) for word in words]
    return query


def _form_matches(form: str, prefix: str) -> Q:
    # Three letters or more: anywhere, whatever the spacing; fewer: at the start of a word (see above).
    if len(form) >= SHORT:
        return Q(**{f"{prefix}compact__contains": form})
    return Q(**{f"{prefix}text__contains": " " + form})


def _where(query: Query, prefix: str = "") -> Q:
    """Every term (any of its forms) is in the text; or, for several words, they are one compound in it."""
    where = Q()
    for term in query.terms:
        either = Q()
        for form in term.forms:
            either |= _form_matches(form, prefix)
        where &= either
    if len(query.terms) > 1:
        where |= Q(**{f"{prefix}compact__contains": "".join(term.typed for term in query.terms)})
    return where


def matching(articles, query: Query, order: str = "newest"):
    """Live articles matching the query; newest first, or by relevance: each term in the title counts ten,
    each term spelled in the text as the reader typed it (not only as a variant) one; among equals the newer."""
    articles = articles.filter(_where(query, prefix="search_doc__"))
    if order == "relevance":
        score = Value(0)
        articles = articles.annotate(heading=Replace(F("search_doc__title"), Value(" "), Value("")))
        for term in query.terms:
            either = Q()
            for form in term.forms:
                either |= Q(heading__contains=form)
            score = score + Case(When(either, then=Value(10)), default=Value(0), output_field=IntegerField())
            if term.variants:  # 상해 typed: the story that says 상해 before those that say 상하이
                exact = Q(search_doc__compact__contains=term.typed)
                score = score + Case(When(exact, then=Value(1)), default=Value(0), output_field=IntegerField())
        articles = articles.annotate(relevance=score).order_by("-relevance", "-published_at", "-id")
    return articles


def title_relevance(title: str, query: Query) -> int:
    """How many terms the title holds (the title part of the score above, for `NewestMatches`)."""
    heading = compact(title)
    return sum(any(form in heading for form in term.forms) for term in query.terms)


# --------------------------------------------------------------------------------- showing matches


def _pattern(forms: list[str]) -> re.Pattern | None:
    """A pattern for the forms whatever the spacing or punctuation between their letters (창업 지원센터)."""
    if not forms:
        return None
    spaced = [r"\W{0,3}".join(re.escape(ch) for ch in form) for form in sorted(set(forms), key=len, reverse=True)]
    return re.compile("|".join(spaced), re.IGNORECASE)


def highlight(text: str, forms: list[str]) -> SafeString:
    """Escape the text, then mark each form of each term (case-insensitive, NFKC) with <mark>."""
    pattern = _pattern(forms)
    if pattern is None:
        return escape(text)
    text = unicodedata.normalize("NFKC", text)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    highlighted = "".join(parts)
    return mark_safe(highlighted)  # nosec B308, B703  # every piece escaped above


def snippet(body_html: str, forms: list[str], width: int = 70) -> SafeString:
    """A short passage of the body around the first match, highlighted."""
    text = " ".join(unicodedata.normalize("NFKC", _plain(body_html)).split())
    pattern = _pattern(forms)
    first = pattern.search(text) if pattern else None
    at = first.start() if first else 0  # the first match, else the start
    start = max(0, at - width // 2)
    piece = text[start : start + width * 2]
    return highlight(("…" if start else "") + piece + ("…" if start + width * 2 < len(text) else ""), forms)


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
            # The test is in the SELECT list, not the WHERE: these rows are read by primary key. As a WHERE
            # clause the planner (which cannot estimate LIKE on long text) chose the trigram index and
            # re-read every match of a common word (경제: 53,000 rows, 414 ms) to keep 400.
            texts = ArticleSearchText.objects.filter(article_id__in=[pk for pk, _ in batch])
            tested = texts.annotate(hit=ExpressionWrapper(_where(self.query), output_field=BooleanField()))
            hits = {pk for pk, hit in tested.values_list("article_id", "hit") if hit}
            self._ids.extend(pk for pk, _ in batch if pk in hits)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        if self.relevance:
            # Relevance among the newest matches only: more terms in the title first, then the newer.
            self._walk(RELEVANCE_WINDOW)
            articles = self._fetch(self._ids[:RELEVANCE_WINDOW])
            articles.sort(key=lambda a: -title_relevance(a.title, self.query))  # stable: newest first within
            return articles[index]
        self._walk(index.stop or self.found)
        return self._fetch(self._ids[index])

    def _fetch(self, ids: list[int]) -> list:
        found = self.articles.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


# ------------------------------------------------------------------ "혹시 … 을(를) 찾으셨나요?"


def object_particle(word: str) -> str:
    """을 after a final consonant, 를 after a vowel, 을(를) when the word does not end in Hangul."""
    last = word[-1:] if word else ""
    if "가" <= last <= "힣":
        return "을" if (ord(last) - 0xAC00) % 28 else "를"
    return "을(를)"


def _closest(word: str, exclude: set[str]) -> tuple[str, float] | None:
    """The known term most like this word, with how alike (0 to 1), or None below LIKENESS."""
    from news.models import SearchTerm

    wanted = letters(word)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        row = (
            SearchTerm.objects.filter(letters__trigram_similar=wanted)
            .exclude(term__in=exclude)
            .annotate(likeness=TrigramSimilarity("letters", wanted))
            .order_by("-likeness", "-weight", "term")
            .values_list("term", "likeness")
            .first()
        )
        return row
    # SQLite (a first run's small archive): every known term, compared by difflib.
    best = None
    for term, spelled, weight in SearchTerm.objects.exclude(term__in=exclude).values_list("term", "letters", "weight"):
        likeness = difflib.SequenceMatcher(None, wanted, spelled).ratio()
        if likeness >= LIKENESS + 0.3 and (best is None or (likeness, weight) > best[1:]):
            best = (term, likeness, weight)
    return best[:2] if best else None


def did_you_mean(query: Query, articles, found: int) -> str:
    """A query of known terms close to the reader's that finds more than its `found` articles; else ''."""
    known = query.known | spelling_groups().keys()
    unknown = [term for term in query.terms if not {term.typed, *term.forms} & known]
    if not unknown:
        return ""  # every word is one we know: a spelling slip is not why little was found
    typed = [term.typed for term in query.terms]
    choices = []
    if len(typed) > 1 and (whole := _closest("".join(typed), set())) and whole[1] >= 0.5:
        choices.append(whole[0])
    words = []
    for term in query.terms:
        close = _closest(term.typed, {term.typed, *term.forms}) if term in unknown else None
        words.append(close[0] if close else term.typed)
    choices.append(" ".join(words))
    for choice in choices:
        if compact(choice) != "".join(typed):
            candidate = parse(choice)
            if not candidate.problem and matching(articles, candidate).order_by()[: found + 1].count() > found:
                return choice.lower() if choice.isascii() else choice
    return ""


def refresh_terms() -> int:
    """Rebuild the known terms from keywords, section names, spellings and the most frequent title words."""
    from news.models import Article, Keyword, SearchTerm, Section, SpellingVariants

    names = Counter()
    for name in [*Keyword.objects.values_list("name", flat=True), *Section.objects.values_list("name", flat=True)]:
        names[compact(name)] += NAME_WEIGHT
    for row in SpellingVariants.objects.all():
        for spelling in row.spellings():
            names[spelling] += NAME_WEIGHT
    known = set(names)
    words = Counter()
    titles = Article.objects.published().values_list("search_doc__title", flat=True)
    for title in titles.iterator(chunk_size=2000):
        words.update({stem(word, known) for word in (title or "").split() if len(word) >= 2})
    for word, count in words.most_common(TITLE_WORDS):
        names[word] += count
    rows = [
        SearchTerm(term=term, letters=letters(term), weight=weight)
        for term, weight in names.items()
        if 2 <= len(term) <= 60 and not term.isdigit()
    ]
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# ----------------------------------------------------------------------- suggestions while typing


def suggestions(raw: str) -> tuple[list, list]:
    """Up to SUGGESTIONS keywords whose name starts with the typed text, then live articles whose title has
    words starting with the typed words, newest first: (keywords, articles)."""
    from news.models import Article, Keyword

    typed = (raw or "").strip()[:MAX_LENGTH]
    words = normalise(typed).split()
    if not words or not any(len(word) >= 2 for word in words):
        return [], []
    keywords = list(Keyword.objects.filter(name__istartswith=typed).order_by("name")[: SUGGESTIONS // 2])
    titles = Article.objects.published()
    for word in words:
        if len(word) >= 2:  # a lone letter has no trigram to look up
            titles = titles.filter(search_doc__title__contains=" " + word)
    articles = list(titles.only("id", "title").order_by("-published_at", "-id")[: SUGGESTIONS - len(keywords)])
    return keywords, articles
