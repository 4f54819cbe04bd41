"""The Content-Security-Policy holds in Chromium: readers' pages need no inline style or script (their
style-src is our own stylesheets alone), and the admin, with its nonce and the body editor's one hashed
stylesheet, works under the same policy without the browser refusing anything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.ads.models import Ad, AdSlot
from portal.newsletter.models import Edition
from tests import factories
from tests.pagecheck import newsroom

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs, so every refusal of the page's life is kept.
RECORD_REFUSALS = """
window.cspRefusals = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.cspRefusals.push(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


def refusals(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.ok, url
    return page.evaluate("window.cspRefusals")


def test_reader_pages_have_no_inline_style_and_nothing_is_refused(live_server, page: Page):
    site = newsroom()
    page.add_init_script(RECORD_REFUSALS)
    visitor_pages = [
        "/",
        site["top"].get_absolute_url(),
        site["photo_story"].get_absolute_url(),
        reverse("news:photo-stories"),
        reverse("ads:directory"),
        reverse("signup"),
    ]
    found = {url: refusals(page, live_server.url + url) for url in visitor_pages}
    policy = page.request.get(live_server.url + "/").headers["content-security-policy"]
    style_src = policy.split("style-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in style_src and "nonce-" not in style_src

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("아이디").fill("alice")
    page.get_by_label("비밀번호").fill("pw-for-tests-1")
    page.get_by_role("button", name="로그인").click()
    expect(page.locator(".account-nav")).to_contain_text("앨리스")
    for url in [site["top"].get_absolute_url(), reverse("comments:thread", args=[site["top"].pk])]:
        found[f"{url} (signed in)"] = refusals(page, live_server.url + url)
        expect(page.get_by_label("댓글 내용")).to_be_visible()  # the reader's own parts are in place
    assert not any(found.values()), found


def admin_login(page: Page, base: str, username: str) -> None:
    page.add_init_script(RECORD_REFUSALS)
    page.goto(base + reverse("admin:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-for-tests-1")
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()


def test_the_admin_and_its_body_editor_work_under_the_policy(live_server, page: Page):
    article = factories.ArticleFactory(title="편집 중인 기사")
    factories.editor(username="desk")
    admin_login(page, live_server.url, "desk")
    found = {}
    for name in ["admin:news_article_changelist", "admin:news_article_add"]:
        found[name] = refusals(page, live_server.url + reverse(name))
    found["change"] = refusals(page, live_server.url + reverse("admin:news_article_change", args=[article.pk]))
    editor = page.locator(".tiptap.ProseMirror")
    expect(editor).to_contain_text("본문 첫 문단입니다")  # the editor is up, with the body
    assert editor.evaluate("el => getComputedStyle(el).whiteSpace") in ("pre-wrap", "break-spaces")
    assert not any(found.values()), found


def test_the_ad_warnings_and_the_newsletter_preview_work_under_the_policy(live_server, page: Page):
    now = timezone.now()
    slot = AdSlot.objects.create(code="sidebar-premium", name="프리미엄광고", width=300, height=250)
    AdSlot.objects.create(code="footer-banner", name="하단", width=970, height=90)  # no ad: 광고 없음
    ad = Ad.objects.create(
        advertiser="광고주",
        title="곧 끝나는 광고",
        text="문구",
        target_url="https://example.com/",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=2),
    )
    ad.slots.add(slot)
    edition = Edition.objects.create(day=timezone.localdate())
    factories.UserFactory(username="boss", is_superuser=True, is_staff=True)
    admin_login(page, live_server.url, "boss")
    found = {
        url: refusals(page, live_server.url + url)
        for url in [
            reverse("admin:ads_adslot_changelist"),
            reverse("admin:newsletter_edition_preview", args=[edition.pk]),  # a mail: its styles are inline
            reverse("admin:ads_ad_changelist"),
        ]
    }
    assert not any(found.values()), found
    warning = page.locator(".admin-warning")  # ⚠ 7일 안에 끝남, red by static/css/admin.css
    expect(warning).to_have_count(1)
    assert warning.evaluate("el => getComputedStyle(el).color") == "rgb(179, 38, 30)"


def test_the_error_pages_own_style_is_allowed(live_server, page: Page):
    """The 400, 500 and 503 pages carry one inline style, allowed by its hash, so that they show without any
    static file (a 500 may come from the very thing that failed)."""
    page.add_init_script(RECORD_REFUSALS)
    response = page.goto(live_server.url + "/?q=%00")  # a NUL in the query: the 400 page
    assert response.status == 400 and "잘못된 요청" in page.content()
    assert page.evaluate("window.cspRefusals") == []
    assert page.locator(".error-code").evaluate("e => getComputedStyle(e).fontSize") == "56px"  # styled
