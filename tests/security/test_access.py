"""Who may open and post what: every admin URL of every registered model, and every state-changing public
endpoint, for each role, against an explicit table. Forbidden posts leave the database as it was.

The admin URLs are built from `admin.site._registry` (and each ModelAdmin's own extra URLs), so a model
registered tomorrow is visited too, and fails here until its row is added to the table.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comments.models import BlockedWord, Comment, Commenter, Report, Rules
from news.models import Article, CorrectionRequest, EditorPick, Keyword, Series, SpellingVariants
from portal import roles
from portal.ads.models import Ad, AdSlot, Business
from portal.models import SiteProfile
from portal.newsletter.models import Edition, Subscriber
from portal.policies.models import Policy
from portal.tips.models import Tip, TipPhoto
from tests import factories
from tests.beacon import html_parts

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["reporter", "editor", "moderator", "ad manager"]
ROLES = ["anonymous", "reader"] + STAFF_ROLES
VIEWS = ["changelist", "add", "change", "delete", "history"]

# Statuses for the staff roles: GET changelist add change delete history | POST add change delete.
# "ok" = allowed (not posted here: the feature tests post it), "-" = not requested for this object.
# Anonymous visitors and readers (not staff) get 302 to the admin login on every admin URL, GET or POST.
D403 = "403 403 403 403 403 | 403 403 403"
ADMIN_TABLE: dict[tuple[str, str], dict[str, str]] = {
    ("news.article", "another reporter's draft"): {
        "reporter": "200 200 404 404 404 | ok 404 404",
        "editor": "200 200 200 200 200 | ok ok ok",
        # The article admin looks rows up among the user's own articles: to anyone else they do not exist.
        "moderator": "403 403 404 404 404 | 403 404 404",
        "ad manager": "403 403 404 404 404 | 403 404 404",
    },
    ("news.article", "the reporter's own draft"): {
        "reporter": "- - 200 403 200 | - ok 403",
        "editor": "- - 200 200 200 | - ok ok",
        "moderator": "- - 404 404 404 | - 404 404",
        "ad manager": "- - 404 404 404 | - 404 404",
    },
    ("news.section", "a section"): {
        "reporter": "200 403 200 403 200 | 403 403 403",  # may look, to pick one
        "editor": "200 200 200 200 200 | ok ok ok",
        "moderator": D403,
        "ad manager": D403,
    },
    ("portal.siteprofile", "the site profile"): {
        "reporter": D403,
        "editor": "200 403 200 403 200 | 403 ok 403",  # one profile: never added or deleted
        "moderator": D403,
        "ad manager": D403,
    },
    ("comments.comment", "a reader's comment"): {
        "reporter": D403,
        "editor": D403,
        "moderator": "200 403 200 403 200 | 403 ok 403",  # comments are written on the page, deleted softly
        "ad manager": D403,
    },
    ("comments.reportedcomment", "a reported comment"): {
        "reporter": D403,
        "editor": D403,
        "moderator": "200 403 200 403 200 | 403 ok 403",
        "ad manager": D403,
    },
    ("comments.commenter", "a reader's nickname"): {
        "reporter": D403,
        "editor": D403,
        "moderator": "200 403 200 403 200 | 403 ok 403",
        "ad manager": D403,
    },
    ("comments.blockedword", "a blocked word"): {
        "reporter": D403,
        "editor": D403,
        "moderator": "200 200 200 200 200 | ok ok ok",
        "ad manager": D403,
    },
    ("comments.rules", "the comment rules"): {
        "reporter": D403,
        "editor": "200 403 200 403 200 | 403 ok 403",  # one row: never added twice or deleted
        "moderator": "200 403 200 403 200 | 403 ok 403",
        "ad manager": D403,
    },
    ("comments.report", "a report"): {
        "reporter": D403,
        "editor": D403,
        "moderator": "200 403 200 403 200 | 403 403 403",  # a record: read only
        "ad manager": D403,
    },
    ("news.keyword", "a keyword"): {
        "reporter": "200 200 200 403 200 | ok 403 403",  # picks and adds keywords; never renames or deletes
        "editor": "200 200 200 200 200 | ok ok ok",
        "moderator": D403,
        "ad manager": D403,
    },
    ("news.series", "a series"): {
        "reporter": "200 403 200 403 200 | 403 403 403",  # may look, to place a story in one
        "editor": "200 200 200 200 200 | ok ok ok",
        "moderator": D403,
        "ad manager": D403,
    },
    ("news.spellingvariants", "a search variant"): {
        "reporter": D403,
        "editor": "200 200 200 200 200 | ok ok ok",
        "moderator": D403,
        "ad manager": D403,
    },
    ("news.editorpick", "a top-story place"): {
        "reporter": D403,
        "editor": "200 200 200 200 200 | ok ok ok",
        "moderator": D403,
        "ad manager": D403,
    },
    ("news.correctionrequest", "a reader's correction request"): {
        "reporter": D403,
        "editor": "200 403 200 403 200 | 403 ok 403",  # sent by readers, kept as a record
        "moderator": D403,
        "ad manager": D403,
    },
    ("tips.tip", "a reader's tip"): {
        "reporter": D403,
        "editor": "200 403 200 403 200 | 403 ok 403",  # sent by readers, kept as a record
        "moderator": D403,
        "ad manager": D403,
    },
    ("newsletter.edition", "a day's edition"): {
        "reporter": D403,
        "editor": "200 200 200 403 200 | ok ok 403",
        "moderator": D403,
        "ad manager": D403,
    },
    ("newsletter.subscriber", "a subscriber"): {
        "reporter": D403,
        "editor": "200 403 200 403 200 | 403 403 403",  # their consent, given by mail: read only
        "moderator": D403,
        "ad manager": D403,
    },
    ("policies.policy", "a policy version"): {
        "reporter": D403,
        "editor": "200 200 200 403 200 | ok ok 403",  # a saved version is read only: a change is a new one
        "moderator": D403,
        "ad manager": D403,
    },
    ("ads.adslot", "an ad slot"): {
        "reporter": D403,
        "editor": D403,
        "moderator": D403,
        "ad manager": "200 200 200 200 200 | ok ok ok",
    },
    ("ads.ad", "an ad"): {
        "reporter": D403,
        "editor": D403,
        "moderator": D403,
        "ad manager": "200 200 200 200 200 | ok ok ok",
    },
    ("ads.business", "a business"): {
        "reporter": D403,
        "editor": D403,
        "moderator": D403,
        "ad manager": "200 200 200 200 200 | ok ok ok",
    },
    ("auth.user", "an account"): {role: D403 for role in STAFF_ROLES},  # superusers only
    ("auth.group", "a role"): {role: D403 for role in STAFF_ROLES},
    ("axes.accessattempt", "a failed login"): {role: D403 for role in STAFF_ROLES},
    ("axes.accessfailurelog", "a failed login"): {role: D403 for role in STAFF_ROLES},
    ("axes.accesslog", "a login"): {role: D403 for role in STAFF_ROLES},
}
# The ModelAdmins' own extra URLs, by URL name.
EXTRA_TABLE = {
    "ads_ad_csv": {"reporter": 403, "editor": 403, "moderator": 403, "ad manager": 200},
    # The article's revisions, compared (GET) and restored (POST): those who may publish.
    "news_article_revisions": {"reporter": 403, "editor": 200, "moderator": 403, "ad manager": 403},
    "tips_tip_photo": {"reporter": 403, "editor": 200, "moderator": 403, "ad manager": 403},
    "newsletter_edition_preview": {"reporter": 404, "editor": 200, "moderator": 404, "ad manager": 404},
}
# The admin index and each app's page (404 when the role sees no model of the app).
APP_TABLE = {
    "": {"reporter": 200, "editor": 200, "moderator": 200, "ad manager": 200},
    "news": {"reporter": 200, "editor": 200, "moderator": 404, "ad manager": 404},
    "portal": {"reporter": 404, "editor": 200, "moderator": 404, "ad manager": 404},
    "comments": {"reporter": 404, "editor": 200, "moderator": 200, "ad manager": 404},  # editors: the rules
    "ads": {"reporter": 404, "editor": 404, "moderator": 404, "ad manager": 200},
    "tips": {"reporter": 404, "editor": 200, "moderator": 404, "ad manager": 404},
    "newsletter": {"reporter": 404, "editor": 200, "moderator": 404, "ad manager": 404},
    "policies": {"reporter": 404, "editor": 200, "moderator": 404, "ad manager": 404},
    "auth": {role: 404 for role in STAFF_ROLES},
    "axes": {role: 404 for role in STAFF_ROLES},
}


def newsroom(admin_rows: bool = True) -> dict:
    """One of everything the admin manages (or, without `admin_rows`, only the articles, people and comments the
    public endpoints need); the reporter role is `lee`, and `park` is another reporter."""
    section = factories.SectionFactory(name="경제", slug="economy")
    lee = factories.reporter(username="lee", first_name="이종실")
    park = factories.reporter(username="park", first_name="박지현")
    live = factories.ArticleFactory(title="발행된 기사", section=section, reporter=lee)
    theirs = factories.ArticleFactory(
        title="박 기자의 초안", section=section, reporter=park, status=Article.Status.DRAFT, published_at=None
    )
    own = factories.ArticleFactory(
        title="이 기자의 초안", section=section, reporter=lee, status=Article.Status.DRAFT, published_at=None
    )
    alice = factories.commenter("앨리스", username="alice")
    bob = factories.commenter("밥", username="bob")
    public = factories.CommentFactory(article=live, author=alice, body="앨리스의 공개 의견")
    private = factories.CommentFactory(article=live, author=alice, body="앨리스의 비밀 의견", private=True)
    room = {
        "section": section,
        "lee": lee,
        "park": park,
        "live": live,
        "theirs": theirs,
        "own": own,
        "alice": alice,
        "bob": bob,
        "public": public,
        "private": private,
    }
    if not admin_rows:
        return room
    report = Report.objects.create(comment=public, reporter=factories.commenter("캐럴", username="carol"))
    Comment.objects.filter(pk=public.pk).update(report_count=1)
    now = timezone.now()
    slot = AdSlot.objects.create(code="sidebar-premium", name="프리미엄광고", width=300, height=250)
    ad = Ad.objects.create(
        advertiser="광고주",
        title="봄 세일",
        text="세일",
        target_url="https://example.com/",
        starts_at=now - timezone.timedelta(days=1),
        ends_at=now + timezone.timedelta(days=3),
    )
    ad.slots.add(slot)
    business = Business.objects.create(
        name="한식당", listed_until=timezone.localdate() + timezone.timedelta(days=9), link="https://shop.example.com/"
    )
    SiteProfile(name="상하이방").save()
    tip = Tip.objects.create(name="제보자", email="tipster@example.com", body="시장 앞 공사 소식입니다.")
    TipPhoto.objects.create(tip=tip, image=factories.image_upload("tip.jpg"))
    edition = Edition.objects.create(day=timezone.localdate())
    subscriber = Subscriber.objects.create(email="subscriber@example.com", confirmed_at=timezone.now())
    policy = Policy.objects.create(kind=Policy.Kind.TERMS, effective_on=timezone.localdate(), body="제1조 (목적)")
    # What django-axes keeps of logins (the lock-out records of test_xss come from a real failed login).
    login = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "192.0.2.1",
        "username": "alice",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    room["objects"] = {
        ("news.article", "another reporter's draft"): theirs.pk,
        ("news.article", "the reporter's own draft"): own.pk,
        ("news.section", "a section"): section.pk,
        ("portal.siteprofile", "the site profile"): 1,
        ("comments.comment", "a reader's comment"): public.pk,
        ("comments.reportedcomment", "a reported comment"): public.pk,
        ("comments.commenter", "a reader's nickname"): alice.commenter.pk,
        ("comments.blockedword", "a blocked word"): BlockedWord.objects.create(word="광고문자").pk,
        ("comments.report", "a report"): report.pk,
        ("comments.rules", "the comment rules"): Rules.objects.create(pk=1).pk,
        ("ads.adslot", "an ad slot"): slot.pk,
        ("ads.ad", "an ad"): ad.pk,
        ("ads.business", "a business"): business.pk,
        ("tips.tip", "a reader's tip"): tip.pk,
        ("news.keyword", "a keyword"): Keyword.objects.create(name="푸둥").pk,
        ("news.series", "a series"): Series.objects.create(name="책읽는 상하이", slug="book-club").pk,
        ("news.editorpick", "a top-story place"): EditorPick.objects.create(position=1, article=live).pk,
        ("news.spellingvariants", "a search variant"): SpellingVariants.objects.create(terms="상하이, 상해").pk,
        ("news.correctionrequest", "a reader's correction request"): CorrectionRequest.objects.create(
            article=live, name="독자", email="dokja@example.com", body="날짜가 틀렸습니다."
        ).pk,
        ("newsletter.edition", "a day's edition"): edition.pk,
        ("newsletter.subscriber", "a subscriber"): subscriber.pk,
        ("policies.policy", "a policy version"): policy.pk,
        ("axes.accessattempt", "a failed login"): AccessAttempt.objects.create(
            **login, get_data="", post_data="username=alice", failures_since_start=1
        ).pk,
        ("axes.accessfailurelog", "a failed login"): AccessFailureLog.objects.create(**login).pk,
        ("axes.accesslog", "a login"): AccessLog.objects.create(**login).pk,
    }
    return room


def role_user(role: str, room: dict):
    return {
        "anonymous": lambda: None,
        "reader": lambda: factories.UserFactory(username="reader"),
        "reporter": lambda: room["lee"],
        "editor": lambda: factories.editor(username="desk"),
        "moderator": lambda: factories.moderator(username="mod"),
        "ad manager": lambda: factories.UserFactory(username="admanager", role=roles.AD_MANAGER),
    }[role]()


def admin_objects(room: dict) -> dict[tuple[str, str], tuple[type, object]]:
    """(model, pk) for each row of the table, and for every registered model (its first row, if it has one)."""
    found = {}
    for model in admin.site._registry:
        label = model._meta.label_lower
        keys = [key for key in ADMIN_TABLE if key[0] == label] or [(label, "?")]
        for key in keys:
            pk = room["objects"].get(key) or model._base_manager.values_list("pk", flat=True).order_by("pk").first()
            found[key] = (model, pk if pk is not None else 0)
    return found


def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-12345")
    return request


class FormFields(HTMLParser):
    """What a browser would submit for the fields of rendered HTML (files and buttons left out)."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""
        self.feed(source)
        self.close()

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        values = {name: value if value is not None else "" for name, value in attrs}
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in values:
                    self._add(name, values.get("value") or "on")
            elif kind == "password":  # rendered empty; a person types one
                self._add(name, "Forged-pw-2026!")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._add(name, values.get("value", ""))
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = (name, "multiple" in values), None, False
        elif tag == "option" and self._select:
            value = values.get("value", "")
            self._first_option = value if self._first_option is None else self._first_option
            if "selected" in values:
                self._add(self._select[0], value)
                self._selected = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            if not self._selected and not multiple and self._first_option is not None:
                self._add(name, self._first_option)
            self._select = None


# What an added row needs where a suffix would not make it new: each spelling is unique across all groups,
# and a story holds one top-story place (the room's draft is not placed yet).
ADDED_FIELDS = {
    "news.spellingvariants": lambda: {"terms": ["푸둥, 푸동"]},
    "news.editorpick": lambda: {"article": [str(Article.objects.get(title="이 기자의 초안").pk)]},
}


def admin_form_post(model, pk, *, adding: bool) -> dict:
    """The POST the admin's own form for this row would send (as a superuser sees it), with its text changed:
    the first text field when changing, every filled one when adding (so unique names stay unique).
    Valid as it stands: `test_the_forged_admin_posts_are_valid` checks that a superuser's identical post works."""
    request = superuser_request()
    model_admin = admin.site._registry[model]
    obj = model._base_manager.filter(pk=pk).first()
    form_class = model_admin.get_form(request, None if adding else obj, change=not adding)
    form = (
        form_class(instance=obj)
        if obj is not None and not adding
        else form_class(initial=forms.models.model_to_dict(obj) if obj is not None else None)
    )
    html = [str(form)]
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, None if adding else obj):
        html.append(
            str(
                formset_class(
                    instance=model() if adding else obj,
                    prefix=formset_class.get_default_prefix(),
                    queryset=inline.get_queryset(request),
                )
            )
        )
    data = FormFields("".join(html)).data
    texts = [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field, (forms.UUIDField, forms.GenericIPAddressField, forms.JSONField))
    ]
    if adding:  # a unique date (one newsletter edition a day) stays unique too: a year later
        for name, field in form.fields.items():
            if type(field) is forms.DateField and data.get(name, [""])[0][:4].isdigit():
                value = data[name][0]
                data[name] = [str(int(value[:4]) + 1) + value[4:]]
    for name in texts if adding else texts[:1]:
        if adding and data.get(name, [""])[0]:
            data[name] = [data[name][0] + "y"]
        elif not adding:
            data[name] = [data.get(name, [""])[0] + "x" + model._meta.model_name[:4]]  # proxies apart
    if adding:
        data.update(ADDED_FIELDS.get(model._meta.label_lower, dict)())
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def table_rows(model_label_and_object, role):
    row = ADMIN_TABLE.get(model_label_and_object)
    assert row is not None, f"add {model_label_and_object} to ADMIN_TABLE"
    gets, posts = row[role].split("|")
    return dict(zip(VIEWS, gets.split(), strict=True)), dict(
        zip(["add", "change", "delete"], posts.split(), strict=True)
    )


def snapshot(model) -> list[dict]:
    return list(model._base_manager.order_by("pk").values())


def _status(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
        return "login"
    return str(response.status_code)


def _expectations(key, role) -> tuple[dict[str, str], dict[str, str]]:
    """The table's GET and POST statuses for a role; not being staff, anonymous visitors and readers are sent
    to the admin login everywhere."""
    gets, posts = table_rows(key, "editor" if role in ("anonymous", "reader") else role)
    if role in ("anonymous", "reader"):
        gets = {view: "-" if status == "-" else "login" for view, status in gets.items()}
        posts = {action: "-" if status == "-" else "login" for action, status in posts.items()}
    return gets, posts


def _admin_urls(model, pk) -> dict[str, str]:
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    return {
        "changelist": reverse(f"admin:{info}_changelist"),
        "add": reverse(f"admin:{info}_add"),
        "change": reverse(f"admin:{info}_change", args=[pk]),
        "delete": reverse(f"admin:{info}_delete", args=[pk]),
        "history": reverse(f"admin:{info}_history", args=[pk]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_by_role(client, role):
    room = newsroom()
    user = role_user(role, room)
    if user:
        client.force_login(user)
    objects = admin_objects(room)
    wrong: list[str] = []
    cases = 0

    for key, (model, pk) in objects.items():
        urls = _admin_urls(model, pk)
        for view, expected in _expectations(key, role)[0].items():
            if expected == "-":
                continue
            cases += 1
            if (got := _status(client.get(urls[view]))) != expected:
                wrong.append(f"GET {view} of {key}: {got}, expected {expected}")
    for model, model_admin in admin.site._registry.items():  # the ModelAdmins' own pages
        for pattern in model_admin.get_urls():
            if pattern.name and not pattern.name.endswith(tuple(f"_{view}" for view in VIEWS)):
                assert pattern.name in EXTRA_TABLE, f"add {pattern.name} to EXTRA_TABLE"
                pk = next(pk for (label, _), (_, pk) in objects.items() if label == model._meta.label_lower)
                expected = "login" if role in ("anonymous", "reader") else str(EXTRA_TABLE[pattern.name][role])
                cases += 1
                if (got := _status(client.get(reverse(f"admin:{pattern.name}", args=[pk])))) != expected:
                    wrong.append(f"GET {pattern.name}: {got}, expected {expected}")
    apps = {model._meta.app_label for model in admin.site._registry}
    assert apps <= set(APP_TABLE), f"add {apps - set(APP_TABLE)} to APP_TABLE"
    for app in sorted(apps | {""}):
        url = reverse("admin:app_list", args=[app]) if app else reverse("admin:index")
        expected = "login" if role in ("anonymous", "reader") else str(APP_TABLE[app][role])
        cases += 1
        if (got := _status(client.get(url))) != expected:
            wrong.append(f"GET {url}: {got}, expected {expected}")

    assert wrong == [], "\n".join(wrong)
    assert cases >= 5 * len(admin.site._registry)


def test_forbidden_admin_posts_change_nothing(client):
    """Each role's forbidden add, change and delete posts are refused and leave the table as it was. The posts
    are the admin's own forms, filled in and changed: the same posts from a superuser do change the rows."""
    room = newsroom()
    objects = admin_objects(room)
    forged = {
        key: (admin_form_post(model, pk, adding=True), admin_form_post(model, pk, adding=False))
        for key, (model, pk) in objects.items()
    }
    wrong: list[str] = []

    for role in ROLES:
        user = role_user(role, room)
        client.logout()
        if user:
            client.force_login(user)
        for key, (model, pk) in objects.items():
            urls = _admin_urls(model, pk)
            for action, expected in _expectations(key, role)[1].items():
                if expected in ("ok", "-"):
                    continue
                data = {"add": forged[key][0], "change": forged[key][1], "delete": {"post": "yes"}}[action]
                before = snapshot(model)
                if (got := _status(client.post(urls[action], data))) != expected:
                    wrong.append(f"{role}: POST {action} of {key}: {got}, expected {expected}")
                if snapshot(model) != before:
                    wrong.append(f"{role}: POST {action} of {key} changed the table")
    assert wrong == [], "\n".join(wrong)

    client.force_login(superuser_request().user)
    changed = set()
    for key, (model, pk) in objects.items():
        model_admin, request, urls = admin.site._registry[model], superuser_request(), _admin_urls(model, pk)
        obj = model._base_manager.get(pk=pk)
        if model_admin.has_change_permission(request, obj):
            before = snapshot(model)
            response = client.post(urls["change"], forged[key][1])
            assert response.status_code == 302, (key, response.context and response.context["errors"])
            if snapshot(model) != before:
                changed.add(key)
        if model_admin.has_add_permission(request):
            count = model._base_manager.count()
            response = client.post(urls["add"], forged[key][0])
            assert response.status_code == 302, (key, "add", response.context and response.context["errors"])
            assert model._base_manager.count() == count + 1, (key, "add")
    # Every form with a text field changed its row: the comment's moderation note, the profile's name ...
    read_only = {
        key
        for key in objects
        if key[0].startswith("axes.")
        or key[0] in ("comments.report", "newsletter.subscriber", "policies.policy")
        or key[0] == "comments.rules"  # a number, no text to change: its own test sets it (test_editing)
    }
    assert changed == set(objects) - read_only, sorted(set(objects) - read_only - changed)


# The state-changing public endpoints: (how to call it, what it changes), and per role the status and
# whether the database changed. "author" is alice, whose comments these are; the reporter wrote the article.
def _post_comment(room):
    return reverse("comments:post", args=[room["live"].pk]), {"body": "새 의견입니다"}


def _post_on_draft(room):
    return reverse("comments:post", args=[room["own"].pk]), {"body": "초안에 다는 의견"}


def _reply_to_private(room):
    return reverse("comments:post", args=[room["live"].pk]), {
        "body": "비밀 글에 답합니다",
        "parent": room["private"].pk,
    }


PUBLIC_ENDPOINTS = {
    "post a comment on a live article": (
        _post_comment,
        lambda room: Comment.objects.filter(article=room["live"]).count(),
        {
            "anonymous": ("login", False),
            "reader": (302, True),
            "reporter": (302, False),
            "editor": (302, False),
            "moderator": (302, False),
            "ad manager": (302, False),
            "author": (302, True),
        },
    ),  # staff without a nickname are sent back to choose one
    "post a comment on an unpublished article": (
        _post_on_draft,
        lambda room: Comment.objects.filter(article=room["own"]).count(),
        {role: (404, False) for role in ROLES + ["author"]},
    ),
    "answer a private comment": (
        _reply_to_private,
        lambda room: Comment.objects.filter(parent=room["private"]).count(),
        {
            "anonymous": ("login", False),
            "reader": (404, False),
            "reporter": (302, False),
            "editor": (404, False),
            "moderator": (302, False),
            "ad manager": (404, False),
            "author": (302, True),
        },
    ),  # only who can read it may answer (the reporter and moderators can, but have no nickname)
    "report a public comment": (
        lambda room: (reverse("comments:report", args=[room["public"].pk]), {}),
        lambda room: Report.objects.filter(comment=room["public"]).count(),
        {
            "anonymous": ("login", False),
            "reader": (302, True),
            "reporter": (302, True),
            "editor": (302, True),
            "moderator": (302, True),
            "ad manager": (302, True),
            "author": (302, False),
        },
    ),  # any signed-in user who can read it, but nobody their own
    "report a private comment": (
        lambda room: (reverse("comments:report", args=[room["private"].pk]), {}),
        lambda room: Report.objects.filter(comment=room["private"]).count(),
        {
            "anonymous": ("login", False),
            "reader": (404, False),
            "reporter": (302, True),
            "editor": (404, False),
            "moderator": (302, True),
            "ad manager": (404, False),
            "author": (302, False),
        },
    ),
    "delete someone's comment": (
        lambda room: (reverse("comments:delete", args=[room["public"].pk]), {}),
        lambda room: Comment.objects.filter(pk=room["public"].pk).values_list("status", flat=True).get(),
        {
            "anonymous": ("login", False),
            "reader": (404, False),
            "reporter": (404, False),
            "editor": (404, False),
            "moderator": (404, False),
            "ad manager": (404, False),
            "author": (302, True),
        },
    ),  # moderators delete in the admin, softly; the page's delete is the author's own
    "change one's nickname": (
        lambda room: (reverse("nickname"), {"nickname": "새별명"}),
        lambda room: sorted(Commenter.objects.values_list("user_id", "nickname")),
        {
            "anonymous": ("login", False),
            "reader": (302, False),
            "reporter": (302, True),
            "editor": (302, True),
            "moderator": (302, True),
            "ad manager": (302, True),
            "author": (302, False),
        },
    ),  # a nickname, once chosen, stays; staff choose one the first time
    "change the password": (
        lambda room: (
            reverse("password_change"),
            {
                "old_password": "pw-for-tests-1",
                "new_password1": "새-비밀번호-2026",
                "new_password2": "새-비밀번호-2026",
            },
        ),
        lambda room: sorted(get_user_model().objects.values_list("pk", "password")),
        {
            "anonymous": ("login", False),
            "reader": (302, True),
            "reporter": (302, True),
            "editor": (302, True),
            "moderator": (302, True),
            "ad manager": (302, True),
            "author": (302, True),
        },
    ),
}


def _public_status(response) -> str | int:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    return response.status_code


@pytest.mark.parametrize("role", ROLES + ["author"])
def test_public_post_matrix(client, role, settings):
    settings.COMMENT_RATE_PER_MINUTE = 0  # the author posts twice in a row here
    room = newsroom(admin_rows=False)
    user = room["bob"] if role == "reader" else room["alice"] if role == "author" else role_user(role, room)
    if user:
        client.force_login(user)
    wrong = []

    for name, (request_for, state, expected) in PUBLIC_ENDPOINTS.items():
        url, data = request_for(room)
        before = state(room)
        got = _public_status(client.post(url, data))
        changed = state(room) != before
        if (got, changed) != expected[role]:
            wrong.append(f"{name}: {got}, {'changed' if changed else 'unchanged'}; expected {expected[role]}")

    assert wrong == [], "\n".join(wrong)


# Who reads the live article's private comment where a reader reads their own block (the page's fragment, the
# comments page): the same people who may answer it above. The article page is the same for everyone and never
# shows it. An unpublished article's comments are nobody's, not even its reporter's (who may preview the story).
READS_PRIVATE = {
    "anonymous": False,
    "reader": False,
    "reporter": True,
    "editor": False,
    "moderator": True,
    "ad manager": False,
    "author": True,
}


@pytest.mark.parametrize("role", ROLES + ["author"])
def test_who_reads_a_private_comment_and_an_unpublished_articles_comments(client, role):
    room = newsroom(admin_rows=False)
    user = room["bob"] if role == "reader" else room["alice"] if role == "author" else role_user(role, room)
    if user:
        client.force_login(user)
    secret, live = "앨리스의 비밀 의견", room["live"]

    article_page = client.get(live.get_absolute_url()).content.decode()
    assert secret not in article_page and "비밀 댓글입니다." in article_page
    parts = client.get(reverse("fragment"), {"reader": "1", "article": live.pk}).json()
    comments_page = client.get(reverse("comments:thread", args=[live.pk])).content.decode()
    for where, source in {"fragment": "".join(html_parts(parts).values()), "comments page": comments_page}.items():
        assert (secret in source) is READS_PRIVATE[role], where

    for draft in (room["own"], room["theirs"]):
        assert client.get(reverse("comments:thread", args=[draft.pk])).status_code == 404
        assert "comments" not in client.get(reverse("fragment"), {"reader": "1", "article": draft.pk}).json()
