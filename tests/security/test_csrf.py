"""CSRF: a forged cross-site POST (the session cookie rides along, the form's token does not) is refused with 403
and changes nothing, on every URL that takes a POST. The URLs come from walking the resolver, so a new view must
be listed here, as a POST endpoint, as GET-only or as an intended exemption, with its reason, before the suite passes.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from comments.models import Comment, Commenter, Report, Rules
from news.models import DailyViews
from portal.newsletter import mail as newsletter_mail
from portal.newsletter.models import Subscriber
from portal.policies.models import Consent, Policy
from portal.tips.models import Tip
from tests import factories
from tests.beacon import beacon_of
from tests.security.test_access import admin_form_post, admin_objects, newsroom, snapshot, superuser_request

pytestmark = pytest.mark.django_db

# Non-admin URL names that take no POST worth forging, each with the reason.
GET_ONLY = {
    "front": "front page: reads only",
    "feed": "RSS: reads only",
    "section-feed": "RSS of a section: reads only",
    "sitemap-index": "sitemap: reads only",
    "sitemap-news": "news sitemap: reads only",
    "sitemap-section": "sitemap page: reads only",
    "robots": "robots.txt: reads only",
    "healthz": "load balancer probe: reads only",
    "news:section": "section page: reads only",
    "news:article": "article page: public, the same for every reader (no token: its comment form goes to "
    "comments:draft); its beacon counts the view",
    "news:reporter": "reporter page: reads only",
    "news:ranking": "rankings: reads only",
    "news:search": "search: a GET form",
    "news:suggest": "search suggestions while typing, as JSON: reads only",
    "ads:click": "an ad's link: counts one click per visitor (never bots) and redirects to the stored address",
    "ads:directory": "플러스업체 directory: reads only",
    "password_change_done": "a confirmation page",
    "password_reset_done": "a confirmation page",
    "password_reset_complete": "a confirmation page",
    "fragment": "the reader's own parts of a public page, as JSON: reads only (require_GET)",
    "comments:thread": "the comments page: reads only (require_GET); its forms post to comments:post/delete/report",
    "comments:mine": "내 댓글: reads only (require_GET; opening it marks the reader's replies seen, nothing more); "
    "its buttons post to comments:delete",
    "tips:received": "the receipt of a tip just sent: reads only",
    "tips:correction-received": "the receipt of a 정정·반론보도 request just sent: reads only",
    "news:keyword": "keyword page: reads only",
    "news:series": "series page: reads only",
    "news:series-list": "the list of series: reads only",
    "news:corrections": "정정·반론·추후보도 list: reads only",
    "news:photo-stories": "포토뉴스 list: reads only",
    "newsletter:sent": "a page saying the confirmation mail went out: reads only",
    "policies:show": "a policy in effect: reads only",
    "policies:version": "a policy's earlier or later version: reads only",
}
# Non-admin URL names that take a POST without a CSRF token, on purpose, each with what stands in its place.
CSRF_EXEMPT = {
    "beacon": "the page's beacon (navigator.sendBeacon from a page the same for every reader, so no token): "
    "a same-origin check (Origin, Sec-Fetch-Site) replaces the token, and it only counts a view or an "
    "impression of a signed list, by the counters' own rules",
    "comments:draft": "the public comment form (on a page the same for every reader, so no token): it writes "
    "nothing but the sender's own session (the draft their own form shows them, to post with its token), "
    "and the same-origin check of the beacon refuses a post from another site",
    "newsletter:unsubscribe": "the one-click unsubscribe a mail program POSTs (RFC 8058), with no page and so no "
    "token: the signed link names the one address it unsubscribes, and it can only take mail away",
}
# Admin URL names (per-model ones by suffix) that take no POST.
ADMIN_GET_ONLY = {
    "index": "admin home",
    "app_list": "an app's model list",
    "jsi18n": "JavaScript translations",
    "autocomplete": "autocomplete JSON",
    "view_on_site": "a redirect to the object's page",
    "password_change_done": "a confirmation page",
    "_history": "a model's change history",
    "ads_ad_csv": "a CSV download",
    "tips_tip_photo": "a tip's photo, streamed to staff who may view tips",
    "newsletter_edition_preview": "an edition as subscribers will get it",
}
ADMIN_POSTED = {
    "login",
    "logout",
    "password_change",
    "_changelist",
    "_add",
    "_change",
    "_delete",
    "news_article_revisions",  # restores a revision
}


def url_names(patterns=None, namespace="") -> dict[str, object]:
    """Every named URL of the site, namespaced, with its view (the admin's under "admin:")."""
    found = {}
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[namespace + pattern.name] = pattern.callback
    return found


def _forged_client(user=None, prime: str = "/accounts/login/") -> Client:
    """A browser that holds the site's CSRF cookie (and maybe a session) but posts from elsewhere, without the token."""
    browser = Client(enforce_csrf_checks=True)
    if user is not None:
        browser.force_login(user)
    browser.get(prime)  # a page with a form sets the csrftoken cookie
    assert "csrftoken" in browser.cookies
    return browser


def _token(browser: Client) -> str:
    return browser.cookies["csrftoken"].value


# name -> (who posts, the URL and form, what it would change). The same post with the token changes it.
def _comment_post(room):
    return (
        room["alice"],
        reverse("comments:post", args=[room["live"].pk]),
        {"body": "교차 사이트 댓글"},
        lambda: Comment.objects.count(),
    )


def _comment_delete(room):
    return (
        room["alice"],
        reverse("comments:delete", args=[room["public"].pk]),
        {},
        lambda: Comment.objects.get(pk=room["public"].pk).status,
    )


def _comment_edit(room):
    Rules.objects.update_or_create(pk=1, defaults={"edit_minutes": 10_000})  # the room's comments are not new
    return (
        room["alice"],
        reverse("comments:edit", args=[room["public"].pk]),
        {"body": "교차 사이트에서 고친 내용"},
        lambda: Comment.objects.get(pk=room["public"].pk).body,
    )


def _leave(room):
    return (
        room["alice"],
        reverse("leave"),
        {"password": "pw-for-tests-1"},
        lambda: get_user_model().objects.get(pk=room["alice"].pk).is_active,
    )


def _comment_react(room):
    return (
        room["bob"],
        reverse("comments:react", args=[room["public"].pk]),
        {"kind": "up"},
        lambda: Comment.objects.get(pk=room["public"].pk).up_count,
    )


def _comment_report(room):
    return room["bob"], reverse("comments:report", args=[room["public"].pk]), {}, lambda: Report.objects.count()


def _signup(room):
    return (
        None,
        reverse("signup"),
        {
            "username": "newcomer",
            "nickname": "새독자",
            "email": "new@example.com",
            "password1": "Forged-pw-2026!",
            "password2": "Forged-pw-2026!",
            "agree_terms": "on",
            "agree_privacy": "on",
            "over_14": "on",
        },
        lambda: get_user_model().objects.count(),
    )


def _nickname(room):
    return room["lee"], reverse("nickname"), {"nickname": "이기자"}, lambda: Commenter.objects.count()


def _login(room):
    return None, reverse("login"), {"username": "alice", "password": "pw-for-tests-1"}, None  # state: the session


def _logout(room):
    return room["alice"], reverse("logout"), {}, None


def _password_change(room):
    return (
        room["alice"],
        reverse("password_change"),
        {"old_password": "pw-for-tests-1", "new_password1": "Forged-pw-2026!", "new_password2": "Forged-pw-2026!"},
        lambda: get_user_model().objects.get(pk=room["alice"].pk).password,
    )


def _tip(room):
    return (
        None,
        reverse("tips:submit"),
        {"kind": "tip", "name": "제보자", "email": "tipster@example.com", "body": "교차 사이트 제보"},
        lambda: Tip.objects.count(),
    )


def _correction_request(room):
    from news.models import CorrectionRequest

    return (
        None,
        reverse("tips:correction", args=[room["live"].pk]),
        {"kind": "correction", "name": "독자", "email": "dokja@example.com", "body": "교차 사이트 정정 요청"},
        lambda: CorrectionRequest.objects.count(),
    )


def _subscribe(room):
    return None, reverse("newsletter:subscribe"), {"email": "forged@example.com"}, lambda: Subscriber.objects.count()


def _confirm(room):
    token = newsletter_mail.token("forged@example.com", newsletter_mail.CONFIRM_SALT)
    return (
        None,
        reverse("newsletter:confirm", args=[token]),
        {},
        lambda: Subscriber.objects.filter(confirmed_at__isnull=False).count(),
    )


def _agree(room):
    Policy.objects.create(kind=Policy.Kind.TERMS, effective_on=timezone.localdate(), body="바뀐 약관")
    return room["alice"], reverse("policies:agree"), {"agree": "on"}, lambda: Consent.objects.count()


def _password_reset(room):
    return None, reverse("password_reset"), {"email": "alice@example.com"}, _mail_sent


def _mail_sent() -> int:
    return len(factories.mail_sent())


def _password_reset_confirm(room):
    return (
        None,
        "set-password",
        {"new_password1": "Forged-pw-2026!", "new_password2": "Forged-pw-2026!"},
        lambda: get_user_model().objects.get(pk=room["alice"].pk).password,
    )


POST_ENDPOINTS = {
    "comments:post": _comment_post,
    "comments:delete": _comment_delete,
    "comments:report": _comment_report,
    "comments:react": _comment_react,
    "comments:edit": _comment_edit,
    "leave": _leave,
    "signup": _signup,
    "nickname": _nickname,
    "login": _login,
    "logout": _logout,
    "password_change": _password_change,
    "password_reset": _password_reset,
    "password_reset_confirm": _password_reset_confirm,
    "tips:submit": _tip,
    "tips:correction": _correction_request,
    "newsletter:subscribe": _subscribe,
    "policies:agree": _agree,
    "newsletter:confirm": _confirm,
}


def test_every_url_is_either_csrf_tested_or_get_only():
    names = url_names()
    public = {name for name in names if not name.startswith("admin:")}
    assert public - set(POST_ENDPOINTS) - set(GET_ONLY) - set(CSRF_EXEMPT) == set(), (
        "new view: add it to POST_ENDPOINTS, GET_ONLY or CSRF_EXEMPT"
    )
    assert set(POST_ENDPOINTS) | set(GET_ONLY) | set(CSRF_EXEMPT) <= public, "a listed view is gone"
    assert set(POST_ENDPOINTS).isdisjoint(GET_ONLY) and set(CSRF_EXEMPT).isdisjoint(set(POST_ENDPOINTS) | set(GET_ONLY))
    admin_names = {name.removeprefix("admin:") for name in names if name.startswith("admin:")}
    unclassified = {
        name
        for name in admin_names
        if not any(
            name == known or (known.startswith("_") and name.endswith(known))
            for known in ADMIN_POSTED | set(ADMIN_GET_ONLY)
        )
    }
    assert unclassified == set(), "new admin view: classify it in ADMIN_POSTED or ADMIN_GET_ONLY"
    exempt = sorted(name for name, view in names.items() if getattr(view, "csrf_exempt", False))
    assert exempt == sorted(CSRF_EXEMPT), f"views exempt from CSRF: {exempt}"


@pytest.mark.parametrize("name", ["fragment", "comments:thread"])
def test_the_readers_own_views_take_no_post(name, section, reporter, alice):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    browser = _forged_client(alice)
    url = reverse(name, args=[article.pk]) if name == "comments:thread" else reverse(name)
    assert browser.post(url, {"article": article.pk}).status_code == 403  # forged: the token's check comes first
    assert browser.post(url, {"article": article.pk, "csrfmiddlewaretoken": _token(browser)}).status_code == 405


def test_the_beacon_takes_no_token_but_refuses_a_post_from_another_site(section, reporter):
    """What stands in for the token: a browser names the page that sends a beacon (Origin, Sec-Fetch-Site)."""
    article = factories.ArticleFactory(section=section, reporter=reporter)
    browser = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/130.0")
    signed = beacon_of(browser.get(article.get_absolute_url()))
    forged = browser.post(
        reverse("beacon"), {"b": signed}, HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert forged.status_code == 403 and not DailyViews.objects.exists()
    ours = browser.post(
        reverse("beacon"), {"b": signed}, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert ours.status_code == 204 and DailyViews.objects.get(article=article).views == 1  # no token needed


@pytest.mark.parametrize("name", list(POST_ENDPOINTS))
def test_a_forged_post_is_refused_and_changes_nothing(name):
    room = newsroom(admin_rows=False)
    user, url, data, state = POST_ENDPOINTS[name](room)
    if name == "password_reset_confirm":
        # The e-mailed link stores its token in the session and sends the browser on to the set-password form.
        user_id = urlsafe_base64_encode(force_bytes(room["alice"].pk))
        link = reverse("password_reset_confirm", args=[user_id, default_token_generator.make_token(room["alice"])])
        browser = _forged_client()
        url = browser.get(link)["Location"]
        assert url.endswith("/set-password/")
    else:
        browser = _forged_client(user)
    if state is None:  # login and logout change who the browser is
        state = lambda: browser.session.get("_auth_user_id")  # noqa: E731
    before = state()

    forged = browser.post(url, data)

    assert forged.status_code == 403, name
    assert "CSRF" in forged.content.decode(), name  # refused for the missing token, not for some other reason
    assert state() == before, name
    # The same post with the form's token goes through: the refusal above was the token's doing.
    genuine = browser.post(url, {**data, "csrfmiddlewaretoken": _token(browser)})
    assert genuine.status_code in (200, 302) and state() != before, (name, genuine.status_code)


def test_forged_admin_posts_and_actions_are_refused_and_change_nothing():
    """A superuser may do everything, so only the missing token stops these: add, change and delete of every
    registered model (the admin's own forms, filled in: see test_access), and every bulk action."""
    room = newsroom()
    superuser = superuser_request().user
    browser = _forged_client(superuser, prime=reverse("admin:index"))
    wrong, posted = [], 0

    for (label, _), (model, pk) in admin_objects(room).items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        model_admin = admin.site._registry[model]
        forms = {
            reverse(f"admin:{info}_add"): admin_form_post(model, pk, adding=True),
            reverse(f"admin:{info}_change", args=[pk]): admin_form_post(model, pk, adding=False),
            reverse(f"admin:{info}_delete", args=[pk]): {"post": "yes"},
        }
        forms |= {
            f"{reverse(f'admin:{info}_changelist')} {action}": {"action": action, "_selected_action": [pk]}
            for action in model_admin.get_actions(superuser_request())
        }
        for target, data in forms.items():
            before = snapshot(model)
            response = browser.post(target.split(" ")[0], data)
            posted += 1
            if response.status_code != 403 or "CSRF" not in response.content.decode():
                wrong.append(f"{target}: {response.status_code}")
            if snapshot(model) != before:
                wrong.append(f"{target} changed {label}")

    for target, data in (
        (reverse("admin:logout"), {}),
        (
            reverse("admin:password_change"),
            {"old_password": "pw-root-12345", "new_password1": "Forged-pw-2026!", "new_password2": "Forged-pw-2026!"},
        ),
    ):
        response = browser.post(target, data)
        posted += 1
        if response.status_code != 403:
            wrong.append(f"{target}: {response.status_code}")
    assert browser.session.get("_auth_user_id") == str(superuser.pk)  # still signed in
    assert get_user_model().objects.get(pk=superuser.pk).check_password("pw-root-12345")

    anonymous = _forged_client(prime=reverse("admin:login"))
    response = anonymous.post(reverse("admin:login"), {"username": "root", "password": "pw-root-12345"})
    assert response.status_code == 403 and "_auth_user_id" not in anonymous.session

    assert wrong == [], "\n".join(wrong)
    assert posted >= 3 * len(admin.site._registry)
