"""Inflating the numbers from outside: comment limits, view counts and ad clicks hold against spoofed
X-Forwarded-For, forged or tampered visitor cookies, bots and made-up ids. What is already proven elsewhere
(tests/news/test_viewcount.py, tests/portal/test_ads.py, tests/comments/test_posting.py) is not repeated."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from news import viewcount
from news.models import DailyViews
from portal.ads.models import Ad, AdDailyStats, AdSlot
from tests import factories
from tests.beacon import comment_parts, read

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"


def browser(ip: str = "198.51.100.1") -> Client:
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip)


def views(article) -> int:
    return sum(DailyViews.objects.filter(article=article).values_list("views", flat=True))


def clicks(ad) -> int:
    return sum(AdDailyStats.objects.filter(ad=ad).values_list("clicks", flat=True))


@pytest.fixture
def article(section, reporter):
    return factories.ArticleFactory(section=section, reporter=reporter)


@pytest.fixture
def ad(db):
    slot = AdSlot.objects.create(code="sidebar-premium", name="프리미엄광고", width=300, height=250)
    now = timezone.now()
    ad = Ad.objects.create(
        advertiser="광고주",
        title="광고",
        text="텍스트 광고",
        target_url="https://example.com/landing",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=10),
    )
    ad.slots.add(slot)
    return ad


# Comments: the limits belong to the account, so no address, header or new session gets around them.


def post_comment(client, article, body, follow=False, **headers):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        {"body": body, "token": str(uuid.uuid4())},
        follow=follow,
        **headers,
    )


@pytest.mark.parametrize("proxies", [0, 1])
def test_comment_limits_hold_from_new_addresses_and_spoofed_forwarded_for(article, alice, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    for i in range(5):  # a new device, address and session each time, the forwarded address made up too
        device = browser(ip=f"198.51.100.{i}")
        device.force_login(alice)
        last = post_comment(
            device, article, f"{i}번째 시도", follow=i == 4, HTTP_X_FORWARDED_FOR=f"10.9.{i}.1, 203.0.113.{i}"
        )
    # Back on the article page, the refusal is in the reader's own block, which its script fetches.
    own = comment_parts(device.get(reverse("fragment"), {"reader": "1", "article": article.pk}).json())
    assert "1분에 1개까지" in own and "4번째 시도" in own  # the refused text is kept in the form
    assert last.redirect_chain[-1][0].startswith(article.get_absolute_url())
    assert Comment.objects.filter(author=alice).count() == 1


def test_the_daily_limit_holds_across_addresses(article, alice, settings, section, reporter):
    settings.COMMENT_RATE_PER_DAY = 3
    settings.COMMENT_RATE_PER_ARTICLE = 0
    start = timezone.now()
    for i in range(6):
        with time_machine.travel(start + timedelta(minutes=2 * i)):
            device = browser(ip=f"203.0.113.{i}")
            device.force_login(alice)
            post_comment(device, article, f"{i}번째", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert Comment.objects.filter(author=alice).count() == 3


def test_another_account_at_the_same_address_is_not_limited_by_the_first(article, alice, bob):
    first, second = browser(), browser()
    first.force_login(alice)
    second.force_login(bob)
    post_comment(first, article, "앨리스 첫 댓글")
    post_comment(first, article, "앨리스 두 번째")
    post_comment(second, article, "밥 첫 댓글")
    assert sorted(Comment.objects.values_list("author__username", flat=True)) == ["alice", "bob"]


# Views: one IP and browser is one visitor, whatever cookie or forwarded address it sends.


def tampered_cookies(genuine: str) -> list[str]:
    payload, signature = genuine.rsplit(":", 1)
    other_visitor = "h" + "0" * 24
    return [
        payload + ":" + signature[:-1] + ("A" if signature[-1] != "A" else "B"),  # signature altered
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + signature,  # payload altered
        signing.dumps(other_visitor),  # signed by us, but for another purpose (no salt)
        signing.dumps(other_visitor, key="an-attacker-key-" + "k" * 40, salt=viewcount.COOKIE_SALT),
        other_visitor,  # a bare visitor id
        ":".join([payload, payload, signature]),
        "x" * 3000,
        "",
    ]


def test_tampered_visitor_cookies_do_not_mint_new_visitors(article):
    first = browser()
    read(first, article.get_absolute_url())
    genuine = first.cookies[viewcount.COOKIE].value  # given by the beacon's answer
    for value in tampered_cookies(genuine):
        client = browser()
        client.cookies[viewcount.COOKIE] = value
        assert read(client, article.get_absolute_url()).status_code == 200
    assert views(article) == 1


def test_spoofed_forwarded_for_with_fresh_cookies_stays_one_visitor(article, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(30):
        read(browser(), article.get_absolute_url(), HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 192.0.2.{i}")
    assert views(article) == 1


def test_behind_a_trusted_proxy_the_right_most_address_is_the_visitor(article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(10):  # one reader forging the left-hand part, reaching us through different proxy nodes
        read(browser(ip=f"10.0.0.{i}"), article.get_absolute_url(), HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.7")
    assert views(article) == 1
    read(browser(ip="10.0.0.1"), article.get_absolute_url(), HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert views(article) == 2


def test_behind_a_trusted_proxy_junk_in_the_header_falls_back_to_the_socket(article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for junk in ("not-an-address", "203.0.113.7, <script>", "999.1.1.1", "203.0.113.7 junk"):
        assert read(browser(ip="10.0.0.1"), article.get_absolute_url(), HTTP_X_FORWARDED_FOR=junk).status_code == 200
    assert views(article) == 1  # all of them the proxy's own address: one visitor


# Ad clicks: the same rule as views.


def click(client, ad, **headers):
    return read(client, reverse("ads:click", args=[ad.pk]), **headers)


def test_clicks_from_fresh_clients_with_spoofed_forwarded_for_count_once(ad):
    for i in range(20):
        assert click(browser(), ad, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code == 302
    assert clicks(ad) == 1


def test_clicks_with_forged_or_tampered_cookies_count_once(ad, article):
    first = browser()
    read(first, article.get_absolute_url())
    genuine = first.cookies[viewcount.COOKIE].value  # given by the beacon's answer
    for value in tampered_cookies(genuine) + [f"forged-{i}" for i in range(5)]:
        client = browser()
        client.cookies[viewcount.COOKIE] = value
        click(client, ad)
    assert clicks(ad) == 1


def test_clicks_behind_a_trusted_proxy_count_the_right_most_address(ad, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(5):
        click(browser(ip="10.0.0.1"), ad, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.7")
    click(browser(ip="10.0.0.1"), ad, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert clicks(ad) == 2


@pytest.mark.parametrize(
    "ua",
    [
        "curl/8.5.0",
        "python-requests/2.32",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Mozilla/5.0 HeadlessChrome/130.0",
        "Go-http-client/2.0",
        "",
    ],
)
def test_bots_and_tools_clicking_count_zero_but_still_get_the_advertiser(ad, ua):
    for i in range(3):
        response = read(Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=f"203.0.113.{i}"), reverse("ads:click", args=[ad.pk]))
        assert response.status_code == 302 and response["Location"] == "https://example.com/landing"
    assert clicks(ad) == 0


def test_head_and_prefetched_clicks_count_zero(ad):
    browser(ip="203.0.113.1").head(reverse("ads:click", args=[ad.pk]))
    click(browser(ip="203.0.113.2"), ad, HTTP_SEC_PURPOSE="prefetch;prerender")
    assert clicks(ad) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/ads/0/click/",
        "/ads/-1/click/",
        "/ads/9223372036854775808/click/",
        "/ads/99999999999999999999999999/click/",
        "/ads/1e3/click/",
        "/ads/%201/click/",
    ],
)
def test_made_up_ad_ids_are_404_not_500(ad, path):
    assert browser().get(path).status_code == 404
    assert clicks(ad) == 0


def test_a_paused_ads_id_is_404_and_counts_nothing(ad):
    Ad.objects.filter(pk=ad.pk).update(active=False)
    assert click(browser(), ad).status_code == 404
    assert not AdDailyStats.objects.exists()
