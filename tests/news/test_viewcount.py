"""Counting a view: once per visitor per article per 30 minutes, never bots, previews or prefetches."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from news.models import Article, DailyViews
from tests import factories
from tests.beacon import beacon_of, read, send_beacon

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def views(article) -> int:
    return sum(DailyViews.objects.filter(article=article).values_list("views", flat=True))


def reader(ip="10.0.0.1", ua=BROWSER) -> Client:
    return Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)


@pytest.fixture
def live(section, reporter):
    return factories.ArticleFactory(section=section, reporter=reporter)


def test_a_hundred_reloads_by_one_visitor_count_once(live):
    visitor = reader()
    for _ in range(100):
        assert read(visitor, live.get_absolute_url()).status_code == 200
    assert views(live) == 1


def test_a_visitor_without_cookies_is_still_one_visitor(live):
    for _ in range(20):
        read(reader(), live.get_absolute_url())  # a fresh client each time: no cookie is ever sent back
    assert views(live) == 1


def test_two_visitors_count_twice(live):
    read(reader(ip="10.0.0.1"), live.get_absolute_url())
    read(reader(ip="10.0.0.2"), live.get_absolute_url())
    assert views(live) == 2


def test_the_same_visitor_counts_again_after_thirty_minutes(live):
    visitor = reader()
    read(visitor, live.get_absolute_url())
    with time_machine.travel(datetime.now(SHANGHAI) + timedelta(minutes=31)):
        read(visitor, live.get_absolute_url())
    assert views(live) == 2


@pytest.mark.parametrize(
    "ua",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Yeti/1.1)",
        "Mozilla/5.0 (compatible; Daumoa/4.0)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
        "Mozilla/5.0 HeadlessChrome/130.0",
    ],
)
def test_bots_and_tools_count_zero(live, ua):
    for i in range(3):
        read(reader(ip=f"10.0.1.{i}", ua=ua), live.get_absolute_url())
    assert views(live) == 0


def test_head_and_prefetch_requests_count_zero(live):
    reader().head(live.get_absolute_url())
    read(reader(ip="10.0.0.3"), live.get_absolute_url(), HTTP_SEC_PURPOSE="prefetch")
    read(reader(ip="10.0.0.4"), live.get_absolute_url(), HTTP_PURPOSE="prefetch")
    read(reader(ip="10.0.0.5"), live.get_absolute_url(), HTTP_X_PURPOSE="preview")
    read(reader(ip="10.0.0.6"), live.get_absolute_url(), HTTP_X_MOZ="prefetch")
    assert views(live) == 0


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (Linux; Android 12; CUBOT KINGKONG 9) Chrome/120.0 Mobile",
        "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 DaumApps/8.0.0",
    ],
)
def test_real_phones_and_the_daum_app_count(live, ua):
    read(reader(ua=ua), live.get_absolute_url())
    assert views(live) == 1


def test_collecting_fresh_cookies_does_not_make_new_visitors(live, section, reporter):
    other = factories.ArticleFactory(section=section, reporter=reporter)
    cookies = []
    for _ in range(10):
        client = reader()
        read(client, live.get_absolute_url())
        cookies.append(client.cookies["vid"].value)  # given by the beacon's answer
    for value in cookies:
        client = reader()
        client.cookies["vid"] = value
        read(client, other.get_absolute_url())
    assert views(live) == 1 and views(other) == 1


def test_staff_reading_live_articles_do_not_count(live, reporter):
    staff = reader()
    staff.force_login(reporter)
    read(staff, live.get_absolute_url())
    assert views(live) == 0


def test_a_preview_by_staff_counts_zero(section, reporter):
    draft = factories.ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None)
    staff = reader()
    staff.force_login(reporter)
    assert read(staff, draft.get_absolute_url()).status_code == 200
    assert not DailyViews.objects.exists()


def test_missing_article_counts_zero(db):
    assert read(reader(), reverse("news:article", args=[424242])).status_code == 404
    assert not DailyViews.objects.exists()


def test_forged_visitor_cookies_do_not_make_new_visitors(live):
    for i in range(10):
        client = reader()
        client.cookies["vid"] = f"forged-{i}"
        read(client, live.get_absolute_url())
    assert views(live) == 1


def test_spoofed_forwarded_for_does_not_make_new_visitors(live):
    for i in range(10):
        read(reader(), live.get_absolute_url(), HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert views(live) == 1


def test_no_raw_ip_is_stored(live):
    read(reader(ip="198.51.100.77"), live.get_absolute_url())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM news_dailyviews")
        assert "198.51.100.77" not in str(cursor.fetchall())


def test_day_buckets_roll_over_at_midnight_in_shanghai(live):
    Article.objects.filter(pk=live.pk).update(published_at=datetime(2026, 2, 1, tzinfo=SHANGHAI))
    with time_machine.travel(datetime(2026, 3, 1, 23, 59, 30, tzinfo=SHANGHAI), tick=False):
        read(reader(ip="10.0.0.1"), live.get_absolute_url())
    with time_machine.travel(datetime(2026, 3, 2, 0, 0, 30, tzinfo=SHANGHAI), tick=False):
        read(reader(ip="10.0.0.2"), live.get_absolute_url())
    days = dict(DailyViews.objects.filter(article=live).values_list("day", "views"))
    assert days == {datetime(2026, 3, 1).date(): 1, datetime(2026, 3, 2).date(): 1}


def test_a_page_counts_nothing_and_its_beacon_is_one_write(live):
    client = reader()
    with CaptureQueriesContext(connection) as rendering:
        page = client.get(live.get_absolute_url())
    with CaptureQueriesContext(connection) as counted:
        send_beacon(client, beacon_of(page))
    with CaptureQueriesContext(connection) as reload:
        send_beacon(client, beacon_of(page))
    assert not [q for q in rendering if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    writes = [q["sql"] for q in counted if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0]
    assert len(reload) == 0  # a reload within the window is refused by its dedupe mark alone
    assert views(live) == 1


def test_a_beacon_from_another_site_is_refused(live):
    client = reader()
    signed = beacon_of(client.get(live.get_absolute_url()))
    assert (
        send_beacon(client, signed, HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site").status_code
        == 403
    )
    assert send_beacon(client, signed, HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="").status_code == 403
    headers = {"HTTP_USER_AGENT": BROWSER}  # neither header: not a browser's beacon from our page
    assert client.post(reverse("beacon"), {"b": signed}, **headers).status_code == 403
    assert views(live) == 0


@pytest.mark.parametrize("forged", ["a999999.ads", "", "x" * 500])
def test_a_forged_beacon_is_refused(live, forged):
    client = reader()
    signed = beacon_of(client.get(live.get_absolute_url()))
    tampered = signed.replace(f"a{live.pk}.", "a999999.") if forged == "a999999.ads" else forged
    assert send_beacon(client, tampered).status_code == 400
    assert client.get(reverse("beacon")).status_code == 405
    assert views(live) == 0


def test_a_withdrawn_article_is_not_counted_by_a_page_loaded_before(live):
    client = reader()
    signed = beacon_of(client.get(live.get_absolute_url()))
    Article.objects.filter(pk=live.pk).update(status=Article.Status.DRAFT)
    assert send_beacon(client, signed).status_code == 204
    assert views(live) == 0


def test_one_address_cannot_mint_visitors_without_end(live, settings):
    settings.VIEW_NEW_VISITORS_PER_ADDRESS = 5
    for i in range(12):  # a script dropping its cookie and changing its user agent each time, asking twice
        for _ in range(2):
            client = reader(ua=f"{BROWSER} build/{i}")
            read(client, live.get_absolute_url())
            refused = i >= 5
            assert ("vid" in client.cookies) is not refused  # a refused one is not handed a cookie either
    assert views(live) == 5
    read(reader(ip="10.0.0.99"), live.get_absolute_url())  # another address is not held back
    assert views(live) == 6


def test_counting_can_be_switched_off(live, settings):
    settings.VIEW_COUNTING = False
    read(reader(), live.get_absolute_url())
    assert views(live) == 0


def test_a_visitor_cookie_given_in_the_earlier_form_still_names_one_visitor(live, section, reporter):
    from django.core import signing

    from news import viewcount

    earlier = signing.dumps("h" + "5" * 24, salt=viewcount.COOKIE_SALT)  # how cookies were signed until 2026-11-28
    other = factories.ArticleFactory(section=section, reporter=reporter)
    for article, address in ((live, "10.8.0.1"), (live, "10.8.0.2"), (other, "10.8.0.3")):
        client = reader(ip=address)  # a phone changing networks
        client.cookies["vid"] = earlier
        answer = send_beacon(client, beacon_of(client.get(article.get_absolute_url())))
        assert answer.status_code == 204 and "vid" not in answer.cookies  # kept, not replaced
    assert views(live) == 1 and views(other) == 1
