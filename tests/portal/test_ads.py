"""Ad slots and 플러스업체: rotation by weight, scheduling on the clock, clicks that only go where stored,
impressions without a write per page, admin refusals, and a fixed query cost on every page."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.ads import selection
from portal.ads.models import Ad, AdDailyStats, AdSlot, Business
from tests import factories
from tests.beacon import beacon_of, read, send_beacon

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BROWSER = "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0"


@pytest.fixture
def slot(db):
    return AdSlot.objects.create(code="sidebar-premium", name="프리미엄광고", width=300, height=250)


def make_ad(slot, **fields) -> Ad:
    now = timezone.now()
    data = {
        "advertiser": "광고주",
        "title": "광고",
        "text": "텍스트 광고",
        "target_url": "https://example.com/landing",
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=10),
        **fields,
    }
    ad = Ad.objects.create(**data)
    ad.slots.add(slot)
    return ad


def test_rotation_follows_the_weights(slot):
    light = make_ad(slot, title="가벼운", weight=1)
    heavy = make_ad(slot, title="무거운", weight=3)
    rng = random.Random(7)
    picks = Counter(selection.pick("sidebar-premium", rng)[1].id for _ in range(20_000))
    share = picks[heavy.pk] / 20_000
    assert abs(share - 0.75) < 0.015, share
    assert picks[light.pk] + picks[heavy.pk] == 20_000


def test_scheduled_ads_appear_and_disappear_on_time_in_shanghai(slot):
    start = datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)  # midnight in Shanghai is 16:00 UTC the day before
    end = datetime(2026, 12, 8, 0, 0, tzinfo=SHANGHAI)
    make_ad(slot, starts_at=start, ends_at=end)
    cases = [(start - timedelta(seconds=1), False), (start, True), (end - timedelta(seconds=1), True), (end, False)]
    with time_machine.travel(start - timedelta(days=1)):
        selection._slots()  # the cache is filled before the ad starts: the clock still decides
    for moment, shown in cases:
        with time_machine.travel(moment, tick=False):
            assert (selection.pick("sidebar-premium")[1] is not None) is shown, moment


def test_empty_slot_shows_the_house_ad_or_nothing(client, slot):
    assert "ad-sidebar-premium" not in client.get("/").content.decode()
    house = make_ad(slot, title="자체", text="광고 문의는 여기로", ends_at=timezone.now() + timedelta(days=365))
    house.slots.clear()
    AdSlot.objects.filter(pk=slot.pk).update(house_ad=house)
    from django.core.cache import cache

    cache.clear()
    assert "광고 문의는 여기로" in client.get("/").content.decode()


def test_click_counts_and_goes_only_to_the_stored_address(slot):
    ad = make_ad(slot)
    client = Client(HTTP_USER_AGENT=BROWSER)
    response = client.get(reverse("ads:click", args=[ad.pk]) + "?next=https://evil.example/&url=//evil.example")
    assert response.status_code == 302 and response["Location"] == "https://example.com/landing"
    assert AdDailyStats.objects.get(ad=ad).clicks == 1


def test_tampered_click_ids_are_404(client, slot):
    ad = make_ad(slot)
    for path in (f"/ads/{ad.pk + 1}/click/", "/ads/999999/click/", "/ads/abc/click/", f"/ads/{ad.pk}%2F..%2F/click/"):
        assert client.get(path).status_code == 404, path


def test_ended_ads_do_not_redirect(slot):
    ad = make_ad(slot, starts_at=timezone.now() - timedelta(days=5), ends_at=timezone.now() - timedelta(days=1))
    assert Client().get(reverse("ads:click", args=[ad.pk])).status_code == 404


def test_bots_clicks_and_impressions_are_not_counted(slot):
    ad = make_ad(slot)
    bot = Client(HTTP_USER_AGENT="Googlebot/2.1")
    bot.get(reverse("ads:click", args=[ad.pk]))
    read(bot, "/")
    assert not AdDailyStats.objects.exists()


def test_an_impression_is_counted_by_the_pages_beacon_not_by_its_render(slot):
    ad = make_ad(slot)
    reader = Client(HTTP_USER_AGENT=BROWSER)
    page = reader.get("/")
    assert not AdDailyStats.objects.exists()  # a page stored at the edge is rendered once for many readers
    for _ in range(3):
        send_beacon(reader, beacon_of(page))
    assert AdDailyStats.objects.get(ad=ad).impressions == 3


def test_links_are_sponsored_and_ad_text_is_escaped(client, slot):
    make_ad(slot, text="<script>alert(1)</script>특가")
    page = client.get("/").content.decode()
    assert 'rel="sponsored noopener"' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "JaVaScRiPt:alert(1)",
        "ftp://example.com/",
        "//evil.example/",
    ],
)
def test_admin_refuses_non_web_target_urls_with_a_clear_error(client, slot, url):
    manager = factories.UserFactory(username="admanager", role="광고 관리자")
    client.force_login(manager)
    now = timezone.localtime()
    response = client.post(
        reverse("admin:ads_ad_add"),
        {
            "advertiser": "악성",
            "title": "t",
            "slots": [slot.pk],
            "target_url": url,
            "active": "on",
            "text": "문구",
            "starts_at_0": now.date().isoformat(),
            "starts_at_1": "00:00:00",
            "ends_at_0": (now + timedelta(days=3)).date().isoformat(),
            "ends_at_1": "00:00:00",
            "weight": "10",
        },
    )
    assert response.status_code == 200
    assert "http:// 또는 https:// 로 시작하는 웹 주소만" in response.content.decode()
    assert not Ad.objects.filter(advertiser="악성").exists()


def test_svg_ad_images_are_refused(client, slot):
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager = factories.UserFactory(username="admanager", role="광고 관리자")
    client.force_login(manager)
    now = timezone.localtime()
    response = client.post(
        reverse("admin:ads_ad_add"),
        {
            "advertiser": "그림",
            "title": "t",
            "slots": [slot.pk],
            "target_url": "https://example.com",
            "active": "on",
            "alt_text": "x",
            "image": SimpleUploadedFile("a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
            "starts_at_0": now.date().isoformat(),
            "starts_at_1": "00:00:00",
            "ends_at_0": (now + timedelta(days=3)).date().isoformat(),
            "ends_at_1": "00:00:00",
            "weight": "10",
        },
    )
    assert "SVG" in response.content.decode()
    assert not Ad.objects.exists()


def test_reporters_cannot_manage_ads(client, reporter, slot):
    client.force_login(reporter)
    assert client.get(reverse("admin:ads_ad_changelist")).status_code == 403
    assert client.get(reverse("admin:ads_business_add")).status_code == 403


def test_ad_stats_chart_and_csv_for_the_advertiser(client, slot):
    ad = make_ad(slot, advertiser='=HYPERLINK("x")', starts_at=timezone.now() - timedelta(days=2))
    today = timezone.localdate()
    AdDailyStats.objects.create(ad=ad, day=today - timedelta(days=1), impressions=200, clicks=3)
    AdDailyStats.objects.create(ad=ad, day=today, impressions=100, clicks=1)
    client.force_login(factories.UserFactory(username="admanager", role="광고 관리자"))

    page = client.get(reverse("admin:ads_ad_change", args=[ad.pk])).content.decode()
    csv_text = client.get(reverse("admin:ads_ad_csv", args=[ad.pk])).content.decode("utf-8-sig")

    assert page.count('<figure class="views-chart">') == 2 and "1.50%" in page
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("날짜,노출,클릭,클릭률")
    assert f"{(today - timedelta(days=1)).isoformat()},200,3,1.50%" in csv_text
    assert "\"'=HYPERLINK" in csv_text  # no formula runs in the advertiser's spreadsheet


def test_admin_warns_of_ads_ending_soon_and_empty_slots(client, slot):
    AdSlot.objects.create(code="footer-banner", name="하단", width=970, height=90)
    make_ad(slot, title="곧 끝나는 광고", ends_at=timezone.now() + timedelta(days=2))
    client.force_login(factories.UserFactory(username="admanager", role="광고 관리자"))
    make_ad(slot, title="한참 남은 광고", ends_at=timezone.now() + timedelta(days=30))
    listing = client.get(reverse("admin:ads_ad_changelist")).content.decode()
    assert listing.count("⚠ 7일 안에 끝남") == 1
    assert "광고 없음" in client.get(reverse("admin:ads_adslot_changelist")).content.decode()


def test_business_listing_expires_on_its_date(client):
    today = timezone.localdate()
    Business.objects.create(name="오늘까지 식당", category="restaurant", listed_until=today)
    Business.objects.create(name="어제 끝난 병원", category="clinic", listed_until=today - timedelta(days=1))
    page = client.get("/").content.decode()
    directory = client.get(reverse("ads:directory"), {"category": "restaurant"}).content.decode()
    assert "오늘까지 식당" in page and "어제 끝난 병원" not in page
    assert "오늘까지 식당" in directory
    assert client.get(reverse("ads:directory"), {"category": "<x>"}).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert "오늘까지 식당" not in Client().get("/").content.decode()


def test_three_slots_and_the_business_box_cost_no_query_when_warm(client, slot, section, reporter, settings):
    for code in ("header-banner", "footer-banner", "in-article"):
        make_ad(AdSlot.objects.create(code=code, name=code, width=970, height=90))
    make_ad(slot)
    Business.objects.create(name="업체", listed_until=timezone.localdate())
    article = factories.ArticleFactory(section=section, reporter=reporter)
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as warm:
        client.get(article.get_absolute_url())
    assert not [q for q in warm if "ads_" in q["sql"]]
    from django.core.cache import cache

    cache.delete_many([selection.SLOTS_KEY, selection.BUSINESS_KEY.format(day=timezone.localdate().isoformat())])
    with CaptureQueriesContext(connection) as cold:
        client.get(article.get_absolute_url())
    assert len([q for q in cold if "ads_" in q["sql"]]) == 3  # slots, their ads, the businesses


def test_reloading_an_ad_link_counts_one_click(slot):
    ad = make_ad(slot)
    client = Client(HTTP_USER_AGENT=BROWSER)
    for _ in range(20):
        client.get(reverse("ads:click", args=[ad.pk]))
    assert AdDailyStats.objects.get(ad=ad).clicks == 1


def test_staff_previews_are_not_counted(client, slot, editor):
    ad = make_ad(slot)
    staff = Client(HTTP_USER_AGENT=BROWSER)
    staff.force_login(editor)
    read(staff, "/")
    staff.get(reverse("ads:click", args=[ad.pk]))
    assert not AdDailyStats.objects.exists()


def test_a_house_ad_switched_off_in_admin_leaves_the_page(client, slot, django_capture_on_commit_callbacks):
    house = Ad.objects.create(
        advertiser="상하이방",
        title="자체",
        text="자체 광고 문구",
        target_url="https://example.com/",
        ends_at=timezone.now() + timedelta(days=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        slot.house_ad = house
        slot.save()
    page = client.get("/").content.decode()
    assert "자체 광고 문구" in page
    assert Client().get(reverse("ads:click", args=[house.pk])).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        house.active = False
        house.save()
    assert "자체 광고 문구" not in client.get("/").content.decode()


def test_an_ad_ending_at_midnight_reports_no_extra_day(slot):
    from portal.ads.admin import run_series

    start = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    ad = make_ad(slot, starts_at=start, ends_at=datetime(2026, 1, 8, tzinfo=SHANGHAI))
    assert [day.day for day, _i, _c in run_series(ad)] == [1, 2, 3, 4, 5, 6, 7]


def test_no_page_is_stored_past_an_ads_end_and_a_late_beacon_bills_nothing(slot):
    ending = make_ad(slot, text="곧 끝나는 광고", ends_at=timezone.now() + timedelta(seconds=30))
    reader = Client(HTTP_USER_AGENT=BROWSER)
    page = reader.get("/")
    assert "곧 끝나는 광고" in page.content.decode()
    assert int(page["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 31  # the edge drops it by then
    Ad.objects.filter(pk=ending.pk).update(
        starts_at=timezone.now() + timedelta(days=2), ends_at=timezone.now() + timedelta(days=3)
    )
    send_beacon(reader, beacon_of(page))  # a page kept from before: the ad does not run today
    assert not AdDailyStats.objects.filter(ad=ending).exists()
