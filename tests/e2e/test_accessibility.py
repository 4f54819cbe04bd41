"""No WCAG 2.2 A or AA failure that axe-core finds in Chromium, on the pages readers use, signed in and not
(KWCAG 2.2 follows WCAG 2.x). The pages are checked as a reader gets them: after the page scripts have run
(tabs, article tools, a signed-in reader's own parts from the fragment)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.pagecheck import newsroom, require_axe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core goes in as a script element, which our CSP rightly refuses; tests/e2e/test_csp.py checks
    # the same pages with the policy enforced.
    return {**browser_context_args, "bypass_csp": True}


def reader_pages(site: dict) -> dict[str, str]:
    # 내 댓글 (a reader's own comments) is not a page yet: add it here when it is.
    return {
        "front": "/",
        "section": site["section"].get_absolute_url(),
        "article": site["top"].get_absolute_url(),
        "photo story": site["photo_story"].get_absolute_url(),
        "photo stories": reverse("news:photo-stories"),
        "search": reverse("news:search") + "?q=상하이",
        "ranking": reverse("news:ranking"),
        "login": reverse("login"),
        "signup": reverse("signup"),
        "businesses": reverse("ads:directory"),
    }


def violations(page: Page, url: str, signed_in_as: str | None) -> list[str]:
    page.goto(url)  # by its load event the deferred page scripts have run
    if signed_in_as:  # and the reader's own parts have come from the fragment
        expect(page.locator(".account-nav")).to_contain_text(signed_in_as)
        if page.locator("#comments").count():
            expect(page.get_by_label("댓글 내용")).to_be_visible()
    page.add_script_tag(path=str(require_axe()))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_22_AA
    )
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']} at {', '.join(str(node['target']) for node in rule['nodes'])}"
        for rule in result["violations"]
    ]


def check(page: Page, base: str, pages: dict[str, str], signed_in_as: str | None = None) -> None:
    found = {name: violations(page, base + url, signed_in_as) for name, url in pages.items()}
    assert not any(found.values()), "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)


def test_reader_pages_have_no_wcag_violation_for_a_visitor(live_server, page: Page):
    require_axe()
    check(page, live_server.url, reader_pages(newsroom()))


def test_reader_pages_have_no_wcag_violation_for_a_signed_in_reader(live_server, page: Page):
    require_axe()
    site = newsroom()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("아이디").fill("alice")
    page.get_by_label("비밀번호").fill("pw-for-tests-1")
    page.get_by_role("button", name="로그인").click()
    expect(page.locator(".account-nav")).to_contain_text("앨리스")
    pages = reader_pages(site)
    pages["comments"] = reverse("comments:thread", args=[site["top"].pk])  # with the forms a reader fills in
    own = factories.CommentFactory(article=site["top"], author=site["alice"], created_at=timezone.now())
    pages["my comments"] = reverse("comments:mine")
    pages["edit a comment"] = reverse("comments:edit", args=[own.pk])
    pages["leave"] = reverse("leave")
    check(page, live_server.url, pages, signed_in_as="앨리스")
