"""Stored and reflected XSS: each payload through every field a reader, reporter, editor or advertiser fills,
on every page that shows that field, public and admin.

Pages are inspected with html.parser, as a browser would build them: no script element we did not write,
no on* attribute, no javascript:/data: address in a link or source. And every probe must be on the page as
text or as an attribute value (after parsing), so a field that stopped being rendered fails the test too.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from html import escape
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import BlockedWord, Comment, Commenter
from news.models import ArticlePhoto, DailyViews
from portal.ads.models import Ad, AdSlot, Business
from portal.models import SiteProfile
from tests import factories
from tests.beacon import html_parts, seen_on_article

# What these attack (template escaping) does not depend on the database: they run in the PostgreSQL pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.any_database]

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '"><img src=x onerror=alert(1)>',
    "javascript-url": "javascript:alert(1)",
    "tab-javascript-url": "jav&#x09;ascript:alert(1)",
    "data-url": "data:text/html,<script>alert(1)</script>",
    "svg-onload": "<svg onload=alert(1)>",
}
# The same attacks in at most 18 characters, for fields too short for the full one (a nickname has 20).
SHORT = {
    "script": "<script>alert(1)",
    "img-onerror": '"><img onerror=f>',
    "javascript-url": "javascript:f()",
    "tab-javascript-url": "jav&#x09;ascript:f",
    "data-url": "data:text/html,<b>",
    "svg-onload": "<svg onload=f()>",
}

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "background",
    "cite",
    "xlink:href",
    "ping",
}
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json", "importmap"}  # data, never run
OUR_SCRIPTS = ("/static/", "/admin/jsi18n/")  # the only script files our pages and the admin load
FORBIDDEN_ELEMENTS = {"iframe", "frame", "object", "embed", "base", "applet"}


def dangerous_url(value: str) -> bool:
    # Browsers drop tabs and newlines anywhere in a URL and ignore leading spaces and controls.
    squeezed = "".join(ch for ch in value if ch > " ").lower()
    return squeezed.startswith(("javascript:", "data:", "vbscript:"))


class ParsedPage(HTMLParser):
    """A page as the browser's tree would hold it: its text, its attribute values, and what could run."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.attribute_values: list[str] = []
        self.problems: list[str] = []
        self.json_scripts: list[str] = []
        self._script_type: str | None = None
        self.feed(source)
        self.close()
        self.text = "".join(self.chunks)

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            self.attribute_values.append(value)
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and any(dangerous_url(part) for part in value.split(",")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "script":
            self._script_type = values.get("type", "")
            if self._script_type not in DATA_SCRIPT_TYPES and not values.get("src", "").startswith(OUR_SCRIPTS):
                self.problems.append(f"<script {values}> that we did not write")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._script_type = None

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None

    def handle_data(self, data):
        if self._script_type is None:
            self.chunks.append(data)
        elif self._script_type == "application/ld+json":
            self.json_scripts.append(data)

    def shows(self, value: str) -> bool:
        return value in self.text or any(value in attribute for attribute in self.attribute_values)


def assert_harmless_and_shown(source: str, probes: dict[str, str], expected: set[str], where: str) -> ParsedPage:
    page = ParsedPage(source)
    assert page.problems == [], f"{where}: {page.problems}"
    missing = sorted(name for name in expected if not page.shows(probes[name]))
    assert missing == [], f"{where} does not show {missing}"
    return page


def probe(tag: str, name: str, limit: int) -> str:
    """A field's value: a two-letter tag naming the field, then the attack (the short one if the field is short)."""
    full = tag + PAYLOADS[name]
    return full if len(full) <= limit else tag + SHORT[name]


def hostile_newsroom(name: str, n: int = 0, images: bool = True) -> dict:
    """Everything readers, reporters, editors and advertisers can fill, each field carrying the attack `name`.

    Built as each role builds it: the comment and its report through the reader's forms, the rest as the
    admin saves it (model save, so the body goes through nh3). `n` keeps several newsrooms apart in one test.
    """
    p = {
        "site_name": probe("이름", name, 60),
        "tagline": probe("문구", name, 120),
        "copyright": probe("저작", name, 120),
        "site_description": probe("사설", name, 300),
        "section": probe("섹션", name, 40),
        "title": probe("제목", name, 200),
        "subtitle": probe("부제", name, 300),
        "body": probe("본문", name, 10_000),
        "byline": probe("기자", name, 60),
        "lead_caption": probe("캡션", name, 300),
        "lead_alt": probe("대체", name, 300),
        "photo_caption": probe("사캡", name, 300),
        "photo_alt": probe("사대", name, 300),
        "title2": probe("둘째", name, 200),
        "summary2": probe("요약", name, 10_000),
        "comment": probe("댓글", name, 1000),
        "nickname": probe("닉네", name, 20),
        "ad_text": probe("광문", name, 80),
        "ad_alt": probe("광대", name, 120),
        "advertiser": probe("광주", name, 100),
        "ad_title": probe("광제", name, 100),
        "slot_name": probe("자리", name, 60),
        "biz_name": probe("상호", name, 60),
        "biz_description": probe("소개", name, 160),
        "biz_phone": probe("전화", name, 30),
        "biz_address": probe("주소", name, 200),
        "blocked_word": probe("금지", name, 50),
    }
    site_profile(p)
    section = factories.SectionFactory(name=p["section"], slug=f"hostile{n}")
    reporter = factories.reporter(username=f"writer{n}", first_name="필자")
    raw = PAYLOADS[name]
    # What the editor sends when a reporter types the attack as text, plus the attack as raw HTML and as a link.
    body = f'<p>{escape(p["body"], quote=False)}</p><p>[사진 1]</p><p>{raw}<a href="{escape(raw)}">링크</a></p>'
    photo = {"lead_image": factories.image_upload(size=(240, 160))} if images else {}
    article = factories.ArticleFactory(
        title=p["title"],
        subtitle=p["subtitle"],
        body=body,
        section=section,
        reporter=reporter,
        byline=p["byline"],
        featured=True,
        lead_image_caption=p["lead_caption"],
        lead_image_alt=p["lead_alt"],
        **photo,
    )
    ArticlePhoto.objects.create(
        article=article,
        position=1,
        caption=p["photo_caption"],
        alt_text=p["photo_alt"],
        image=factories.image_upload(size=(240, 160)) if images else f"articles/photo{n}.jpg",
    )
    # No subtitle: feeds and meta descriptions take the summary from the body's text.
    second = factories.ArticleFactory(
        title=p["title2"],
        subtitle="",
        body=f"<p>{escape(p['summary2'], quote=False)}</p>",
        section=section,
        reporter=reporter,
        byline=p["byline"],
        published_at=timezone.now() - timedelta(hours=2),
    )
    for story in (article, second):
        DailyViews.objects.create(article=story, day=timezone.localdate(), views=10)

    now = timezone.now()
    suffix = f"-{n}" if n else ""
    slot = AdSlot.objects.create(code=f"header-banner{suffix}", name=p["slot_name"], width=728, height=90)
    side = AdSlot.objects.create(code=f"sidebar-premium{suffix}", name="프리미엄광고", width=300, height=250)
    text_ad = Ad.objects.create(
        advertiser=p["advertiser"],
        title=p["ad_title"],
        text=p["ad_text"],
        target_url="https://example.com/landing",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    text_ad.slots.add(slot)
    image_ad = Ad.objects.create(
        advertiser="광고주",
        title=f"이미지 광고 {n}",
        alt_text=p["ad_alt"],
        image=factories.image_upload(size=(300, 250)) if images else f"ads/ad{n}.jpg",
        target_url="https://example.com/image",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    image_ad.slots.add(side)
    business = Business.objects.create(
        name=p["biz_name"],
        description=p["biz_description"],
        phone=p["biz_phone"],
        address=p["biz_address"],
        link="https://shop.example.com/",
        category="restaurant",
        listed_until=timezone.localdate() + timedelta(days=30),
    )
    blocked = BlockedWord.objects.create(word=p["blocked_word"])

    author = factories.UserFactory(username=f"hostile-reader{n}")
    commenter = Commenter.objects.create(user=author, nickname=p["nickname"])
    reader = Client()
    reader.force_login(author)
    reader.post(reverse("comments:post", args=[article.pk]), {"body": p["comment"]})
    comment = Comment.objects.get(author=author)
    assert comment.body == p["comment"]  # stored as typed: escaping is the page's job
    reader.force_login(factories.commenter(f"신고자{n}", username=f"witness{n}"))
    reader.post(reverse("comments:report", args=[comment.pk]))  # puts it in the moderators' queue
    return {
        "probes": p,
        "article": article,
        "second": second,
        "section": section,
        "reporter": reporter,
        "comment": comment,
        "commenter": commenter,
        "business": business,
        "blocked": blocked,
        "slot": slot,
        "text_ad": text_ad,
    }


def site_profile(p: dict) -> None:
    SiteProfile(
        name=p["site_name"],
        tagline=p["tagline"],
        copyright_holder=p["copyright"],
        description=p["site_description"],
        url="https://news.example.com",
    ).save()


# Which probes each public page must show (it may show more). The frame is on every page of base.html.
FRAME = {"site_name", "tagline", "copyright", "section", "ad_text", "ad_alt", "biz_name", "biz_phone"}
LISTING = {"title", "subtitle", "title2"}
PUBLIC_PAGES = {
    "front": (lambda n: "/", FRAME | LISTING | {"site_description"}),
    "section": (lambda n: n["section"].get_absolute_url(), FRAME | LISTING),
    "article": (
        lambda n: n["article"].get_absolute_url(),
        FRAME
        | {
            "title",
            "subtitle",
            "body",
            "byline",
            "lead_caption",
            "lead_alt",
            "photo_caption",
            "photo_alt",
            "comment",
            "nickname",
        },
    ),
    "article without subtitle": (lambda n: n["second"].get_absolute_url(), FRAME | {"title2", "summary2"}),
    "comments page": (
        lambda n: reverse("comments:thread", args=[n["article"].pk]),
        FRAME | {"title", "comment", "nickname"},
    ),
    "reporter": (lambda n: reverse("news:reporter", args=[n["reporter"].pk]), FRAME | LISTING | {"byline"}),
    # Highlighting marks the words inside the escaped title and the body's snippet (checked in the results).
    "search": (lambda n: reverse("news:search") + "?q=제목+본문+alert", FRAME | {"title", "body"}),
    "search in a section by relevance": (
        lambda n: reverse("news:search") + "?q=둘째&section=hostile0&order=relevance",
        FRAME | {"title2"},
    ),
    "ranking": (lambda n: reverse("news:ranking") + "?period=day", FRAME | {"title", "title2"}),
    "businesses": (
        lambda n: reverse("ads:directory") + "?category=restaurant",
        FRAME | {"biz_description", "biz_address"},
    ),
    "login": (lambda n: reverse("login"), FRAME),
}
RSS_DC = "{http://purl.org/dc/elements/1.1/}"
NEWS_NS = {"news": "http://www.google.com/schemas/sitemap-news/0.9"}


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_every_public_page_shows_the_attack_as_text(client, payload):
    newsroom = hostile_newsroom(payload)
    probes = newsroom["probes"]

    for page, (url, expected) in PUBLIC_PAGES.items():
        response = client.get(url(newsroom))
        assert response.status_code == 200, page
        parsed = assert_harmless_and_shown(response.content.decode(), probes, expected, page)
        if page.startswith("search"):
            results = response.content.decode().split('class="list list-wide search-results">')[1].split("</ul>")[0]
            assert_harmless_and_shown(results, probes, expected - FRAME, f"{page} results")
        elif page == "article":
            assert_head_keeps_the_attack_as_data(response.content.decode(), parsed, probes)
        elif page == "article without subtitle":
            head = HeadTags(response.content.decode())
            assert head.meta["description"] == head.meta["og:description"] == probes["summary2"]

    for url in (reverse("feed"), reverse("section-feed", args=["hostile0"])):
        assert_feed_carries_text(client.get(url).content.decode(), probes, url)
    news = client.get(reverse("sitemap-news")).content.decode()
    assert ParsedPage(news).problems == []
    tree = ET.fromstring(news)
    assert {e.text for e in tree.iterfind(".//news:title", NEWS_NS)} == {probes["title"], probes["title2"]}
    assert {e.text for e in tree.iterfind(".//news:name", NEWS_NS)} == {probes["site_name"]}


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_a_readers_own_parts_show_the_attack_as_text(client, payload):
    """What the article page's script swaps in (the fragment's HTML) and the comments page, for the reader whose
    nickname and comment carry the attack: their name in the account menu, their comment in their own block."""
    newsroom = hostile_newsroom(payload)
    probes, article = newsroom["probes"], newsroom["article"]
    client.force_login(newsroom["commenter"].user)

    parts = client.get(reverse("fragment"), {"reader": "1", "article": article.pk}).json()
    assert set(parts) == {"account", "comments", "csrf", "reader"}
    expected = {"account": {"nickname"}, "messages": set(), "comment form": {"nickname"}, "kept form": {"nickname"}}
    for part, html in html_parts(parts).items():  # "comment <id>": a comment only this reader sees
        assert_harmless_and_shown(html, probes, expected.get(part, {"comment", "nickname"}), f"fragment {part}")
    page = seen_on_article(client, article)  # the public page with the fragment's parts in place
    assert_harmless_and_shown(page, probes, FRAME | {"title", "comment", "nickname"}, "article page, signed in")
    page = client.get(reverse("comments:thread", args=[article.pk])).content.decode()
    assert_harmless_and_shown(page, probes, FRAME | {"title", "comment", "nickname"}, "comments page, signed in")


def assert_head_keeps_the_attack_as_data(source: str, page: ParsedPage, probes: dict) -> None:
    """OpenGraph, Twitter and description tags hold the text as attribute values; JSON-LD holds it as JSON."""
    head = HeadTags(source)
    assert head.meta["og:title"] == head.meta["twitter:title"] == probes["title"]
    assert head.meta["og:description"] == head.meta["description"] == probes["subtitle"]
    assert head.meta["og:site_name"] == probes["site_name"]
    assert head.meta["article:section"] == probes["section"]
    assert head.title == f"{probes['title']} - {probes['site_name']}"
    (json_ld,) = page.json_scripts
    assert "<" not in json_ld  # nothing inside the script element can close or bend it
    data = json.loads(json_ld)
    assert data["headline"] == probes["title"]
    assert data["description"] == probes["subtitle"]
    assert data["articleSection"] == probes["section"]
    assert data["author"][0]["name"] == probes["byline"]
    assert data["publisher"]["name"] == probes["site_name"]


def assert_feed_carries_text(source: str, probes: dict, url: str) -> None:
    assert ParsedPage(source).problems == [], url
    channel = ET.fromstring(source).find("channel")
    assert channel.findtext("title").startswith(probes["site_name"]), url
    assert channel.findtext("description") == probes["tagline"], url
    items = {item.findtext("title"): item for item in channel.iter("item")}
    assert set(items) == {probes["title"], probes["title2"]}, url
    for title, summary in ((probes["title"], probes["subtitle"]), (probes["title2"], probes["summary2"])):
        item = items[title]
        assert item.findtext("category") == probes["section"], url
        assert item.findtext(f"{RSS_DC}creator") == f"{probes['byline']} 기자", url
        # A feed reader renders <description> as HTML: what it gets must still be text there.
        description = ParsedPage(item.findtext("description"))
        assert description.problems == [], (url, title)
        assert description.text == summary, (url, title)


class HeadTags(HTMLParser):
    """The <title> and the <meta> tags of a page's head, by property or name."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False
        self.feed(source.split("</head>")[0])
        self.close()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and "content" in values:
            self.meta[values.get("property") or values.get("name") or ""] = values["content"]
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


# What each admin list and change form must show of one newsroom's rows, by model. Every registered model's
# list is visited (a new one is at least checked for harm); these are the ones that hold what users typed.
ADMIN_SHOWS = {
    "news.article": (
        lambda n: n["article"].pk,
        {"title", "byline"},
        {"title", "subtitle", "byline", "lead_caption", "lead_alt", "photo_caption", "photo_alt"},
    ),
    "news.section": (lambda n: n["section"].pk, {"section"}, {"section"}),
    "comments.comment": (lambda n: n["comment"].pk, {"comment", "nickname"}, {"comment"}),
    "comments.reportedcomment": (lambda n: n["comment"].pk, {"comment", "nickname"}, set()),  # CommentAdmin's form
    "comments.commenter": (lambda n: n["commenter"].pk, {"nickname"}, {"nickname"}),
    "comments.blockedword": (lambda n: n["blocked"].pk, {"blocked_word"}, {"blocked_word"}),
    "ads.adslot": (lambda n: n["slot"].pk, {"slot_name"}, {"slot_name"}),
    "ads.ad": (
        lambda n: n["text_ad"].pk,
        {"ad_title", "advertiser", "slot_name"},
        {"ad_title", "advertiser", "ad_text"},
    ),
    "ads.business": (
        lambda n: n["business"].pk,
        {"biz_name", "biz_phone"},
        {"biz_name", "biz_description", "biz_phone", "biz_address"},
    ),
}
SITE_PROFILE_SHOWS = {"site_name", "tagline", "copyright", "site_description"}


def test_admin_lists_and_forms_show_every_attack_as_text(client):
    """One newsroom per attack, side by side: each list is read once with all six, each form once per row."""
    newsrooms = {name: hostile_newsroom(name, n, images=False) for n, name in enumerate(PAYLOADS)}
    for name in PAYLOADS:  # a failed login leaves what the attacker typed in the lock-out records
        Client(HTTP_USER_AGENT=PAYLOADS[name]).post(
            reverse("login"), {"username": "침입" + PAYLOADS[name], "password": "wrong-password"}
        )
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-12345"))
    every = {f"{name}:{key}": value for name, room in newsrooms.items() for key, value in room["probes"].items()}
    every |= {f"{name}:login": "침입" + PAYLOADS[name] for name in PAYLOADS}
    every |= {f"{name}:agent": PAYLOADS[name] for name in PAYLOADS}

    for model in admin.site._registry:
        label, info = model._meta.label_lower, (model._meta.app_label, model._meta.model_name)
        listed = ADMIN_SHOWS.get(label, (None, set(), set()))[1]
        if label == "axes.accessattempt":
            listed = {"login", "agent"}
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, label
        expected = {f"{name}:{key}" for name in PAYLOADS for key in listed}
        assert_harmless_and_shown(response.content.decode(), every, expected, f"{label} list")

    for label, (pk_of, _listed, in_form) in ADMIN_SHOWS.items():
        app_label, model_name = label.split(".")
        for name, room in newsrooms.items() if in_form else ():
            response = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[pk_of(room)]))
            assert response.status_code == 200, (label, name)
            assert_harmless_and_shown(response.content.decode(), room["probes"], in_form, f"{label} form, {name}")

    for name, room in newsrooms.items():  # one site profile: each attack in turn (the list shows the last one)
        site_profile(room["probes"])
        form = client.get(reverse("admin:portal_siteprofile_change", args=[1])).content.decode()
        assert_harmless_and_shown(form, room["probes"], SITE_PROFILE_SHOWS, f"site profile form, {name}")

    combined = "".join(PAYLOADS.values())
    for url in (reverse("admin:news_article_changelist"), reverse("admin:comments_comment_changelist")):
        searched = client.get(url, {"q": combined})
        assert_harmless_and_shown(searched.content.decode(), {"q": combined}, {"q"}, f"{url} searched")


# Every query parameter a public page reads, all at once, each carrying every attack.
REFLECTED = "".join(PAYLOADS.values())
REFLECTING_PAGES = {
    "search": (lambda a: reverse("news:search"), ["q", "section", "order", "page"]),
    "front": (lambda a: "/", ["q"]),  # the masthead's search box echoes q on every page
    "section": (lambda a: a.section.get_absolute_url(), ["page", "q"]),
    "article": (lambda a: a.get_absolute_url(), ["cpage", "q"]),
    "comments page": (lambda a: reverse("comments:thread", args=[a.pk]), ["cpage", "q"]),
    "ranking": (lambda a: reverse("news:ranking"), ["period", "q"]),
    "reporter": (lambda a: reverse("news:reporter", args=[a.reporter_id]), ["page", "q"]),
    "businesses": (lambda a: reverse("ads:directory"), ["category", "q"]),
    # As a next address the attack is a relative path on our site: kept, as text in the hidden field.
    "login": (lambda a: reverse("login"), ["next"]),
    "signup": (lambda a: reverse("signup"), ["next"]),
    "password reset": (lambda a: reverse("password_reset"), ["q"]),
}


def test_query_parameters_are_echoed_only_as_text(client, section, reporter):
    article = factories.ArticleFactory(title="검색될 기사", section=section, reporter=reporter)

    for page, (url, params) in REFLECTING_PAGES.items():
        response = client.get(url(article), {param: REFLECTED for param in params})
        assert response.status_code == 200, page
        source = response.content.decode()
        assert_harmless_and_shown(source, {"q": REFLECTED}, {"q"}, page)

    # The fragment's parts are HTML swapped into the page: its parameters may come back only as harmless text.
    for params in (
        {"reader": "1", "article": article.pk, "cpage": REFLECTED, "q": REFLECTED},
        {"reader": "1", "article": REFLECTED},
    ):
        response = client.get(reverse("fragment"), params)
        assert response.status_code == 200, params
        for part, html in html_parts(response.json()).items():
            assert ParsedPage(html).problems == [], (part, params)

    for url in (reverse("login"), reverse("signup")):  # a next address of another scheme is dropped
        for address in SCRIPT_ADDRESSES:
            source = client.get(url, {"next": address}).content.decode()
            assert ParsedPage(source).problems == [], (url, address)
            # Django keeps only a next address on this site: at most a relative path, never another scheme.
            assert not any(dangerous_url(value) for value in HiddenNext(source).values), (url, address)


SCRIPT_ADDRESSES = [
    "javascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav\tascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def _ad_form(url: str) -> dict:
    now = timezone.localtime()
    return {
        "advertiser": "악성",
        "title": "주소 시험",
        "target_url": url,
        "active": "on",
        "text": "문구",
        "starts_at_0": now.date().isoformat(),
        "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=3)).date().isoformat(),
        "ends_at_1": "00:00:00",
        "weight": "10",
    }


def _business_form(url: str) -> dict:
    return {
        "name": "악성 업체",
        "category": "other",
        "link": url,
        "display_order": "100",
        "active": "on",
        "listed_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }


def _site_form(url: str) -> dict:
    return {
        "name": "상하이방",
        "tagline": "소개",
        "url": url,
        "copyright_holder": "",
        "description": "",
        "best_comment_min_up": "10",
    }


ADDRESS_FORMS = {
    "ad target": ("admin:ads_ad_add", "광고 관리자", _ad_form, lambda: Ad.objects.filter(advertiser="악성")),
    "business homepage": (
        "admin:ads_business_add",
        "광고 관리자",
        _business_form,
        lambda: Business.objects.filter(name="악성 업체"),
    ),
    "site address": (
        "admin:portal_siteprofile_change",
        "편집자",
        _site_form,
        lambda: SiteProfile.objects.exclude(url="https://first.example.com"),
    ),
}


@pytest.mark.parametrize("form", list(ADDRESS_FORMS))
def test_admin_forms_refuse_script_addresses(client, form):
    url_name, role, data, saved = ADDRESS_FORMS[form]
    client.force_login(factories.UserFactory(username="manager", role=role))
    if form == "site address":
        SiteProfile(url="https://first.example.com").save()
    url = reverse(url_name, args=[1] if form == "site address" else [])

    for address in SCRIPT_ADDRESSES:
        response = client.post(url, data(address))
        assert response.status_code == 200, address  # the form again, with its error
        assert "errorlist" in response.content.decode(), address
        assert not saved().exists(), address
    response = client.post(url, data("https://example.com/ok"))
    assert response.status_code == 302 and saved().exists()  # the same form with a web address is saved


def test_script_addresses_written_around_the_admin_never_reach_a_link(client):
    """An import or a shell can skip the form's validation: the click and the directory refuse all the same."""
    now = timezone.now()
    ad = Ad.objects.create(
        advertiser="a",
        title="t",
        text="문구",
        target_url="https://example.com/",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    shop = Business.objects.create(
        name="가게", listed_until=timezone.localdate() + timedelta(days=3), link="https://shop.example.com/"
    )
    for address in SCRIPT_ADDRESSES:
        Ad.objects.filter(pk=ad.pk).update(target_url=address)
        Business.objects.filter(pk=shop.pk).update(link=address)
        cache.clear()  # as the admin's save would

        click = client.get(reverse("ads:click", args=[ad.pk]))
        # Refused (400), or at most a relative path on our site ("jav&#x09;…" is no entity in a header).
        assert click.status_code == 400 or not dangerous_url(click["Location"]), address
        assert click.status_code == 400 or click["Location"] == address.strip(), address
        directory = client.get(reverse("ads:directory"))
        assert_harmless_and_shown(directory.content.decode(), {"name": "가게"}, {"name"}, address)

    Business.objects.filter(pk=shop.pk).update(link="https://shop.example.com/")
    cache.clear()
    directory = ParsedPage(client.get(reverse("ads:directory")).content.decode())
    assert "https://shop.example.com/" in directory.attribute_values  # a web address is still linked


class HiddenNext(HTMLParser):
    """The values of the forms' hidden next fields."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "input" and values.get("name") == "next":
            self.values.append(values.get("value") or "")
