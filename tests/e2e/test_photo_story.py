"""#17's 포토뉴스 in Chromium: a reporter writes a photo story with keywords, uploads its photos through the admin
inline, places it in a series and submits it; an editor adds a co-byline and schedules it (not public until its
time; re-scheduled to now, it appears), and later attaches a correction; a reader finds it at /photo/ and steps
through the photos with the keyboard, then without JavaScript by the links. Screenshots in
var/screenshots/photo-*.png."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from news.models import Article, Keyword, Series
from tests import factories
from tests.e2e.test_newsroom_context import SCREENSHOTS, admin_login, autocomplete

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def picture(folder: Path, name: str, sky: tuple[int, int, int]) -> Path:
    """A photo file as a reporter's camera would leave it on disk (a JPEG to upload)."""
    image = Image.new("RGB", (1200, 800), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 560, 1200, 800], fill=(40, 60, 50))
    draw.ellipse([820, 120, 980, 280], fill=(255, 230, 170))
    path = folder / name
    image.save(path, "JPEG", quality=85)
    return path


def lands_on(strip, slide: int) -> None:
    """The strip comes to rest exactly on the given photo (0-based), smooth scrolling and snapping done."""
    target = strip.evaluate(f"strip => strip.children[{slide}].offsetLeft")
    expect(strip).to_have_js_property("scrollLeft", target, timeout=15_000)  # a busy CI machine animates slowly


def set_published_at(page: Page, moment) -> None:
    local = timezone.localtime(moment)
    page.locator("#id_published_at_0").fill(local.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(local.strftime("%H:%M:%S"))


def test_a_photo_story_from_the_reporter_through_the_editor_to_a_reader_with_the_keyboard(
    live_server, page: Page, browser: Browser, section, reporter, other_reporter, editor, tmp_path
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    Keyword.objects.create(name="와이탄")
    walks = Series.objects.create(name="상하이 산책", slug="city-walks", description="걸어서 만나는 상하이")
    factories.ArticleFactory(
        title="첫 산책: 옛 프랑스 조계의 플라타너스 길",
        section=section,
        reporter=reporter,
        series=walks,
        published_at=timezone.now() - timedelta(days=7),
    )
    files = [picture(tmp_path, "bund-1.jpg", (40, 70, 140)), picture(tmp_path, "bund-2.jpg", (180, 90, 60))]

    # The reporter: a 포토뉴스 with a keyword and two photos uploaded in the inline, in the series, submitted.
    admin_login(page, base, reporter.username)
    page.goto(f"{base}/admin/news/article/add/")
    page.locator("#id_section").select_option(label=section.name)
    page.locator("#id_format").select_option(label="포토뉴스")
    page.locator("#id_title").fill("와이탄의 밤, 강 건너 불빛이 켜질 때")
    autocomplete(page, "keywords", "와이", "와이탄")
    autocomplete(page, "series", "산책", "상하이 산책")
    page.locator("#id_photos-0-image").set_input_files(files[0])
    page.locator("#id_photos-0-caption").fill("해가 지자 와이탄 산책로에 사람들이 모여들었다.")
    page.locator("#id_photos-0-alt_text").fill("노을 진 강변 산책로를 걷는 사람들")
    page.locator("#photos-group .add-row a").click()
    page.locator("#id_photos-1-position").fill("2")
    page.locator("#id_photos-1-image").set_input_files(files[1])
    page.locator("#id_photos-1-caption").fill("강 건너 푸둥의 고층 빌딩에 하나둘 불이 켜졌다.")
    page.locator("#id_photos-1-alt_text").fill("강 건너편 고층 빌딩의 불빛")
    page.locator("#id_status").select_option(label="출고 요청")
    page.screenshot(path=str(SCREENSHOTS / "photo-reporter-form.png"), full_page=True)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    story = Article.objects.get(title="와이탄의 밤, 강 건너 불빛이 켜질 때")
    assert (story.format, story.status, story.series_label) == ("photo", "submitted", "[상하이 산책 2]")
    assert list(story.keywords.values_list("name", flat=True)) == ["와이탄"]
    photos = list(story.photos.all())
    assert [p.position for p in photos] == [1, 2] and all(p.renditions.get("page") for p in photos)

    # The editor: a co-byline, then publication scheduled two hours ahead.
    admin_login(page, base, editor.username)
    page.goto(f"{base}/admin/news/article/{story.pk}/change/")
    page.locator("#id_co_reporters").select_option(label=other_reporter.username)
    page.locator("#id_status").select_option(label="발행")
    set_published_at(page, timezone.now() + timedelta(hours=2))
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    story.refresh_from_db()
    assert list(story.co_reporters.all()) == [other_reporter]
    assert story.status == "published" and not story.is_published()

    reader = browser.new_context()
    reading = reader.new_page()
    assert reading.goto(base + story.get_absolute_url()).status == 404  # not before its time
    reading.goto(base + reverse("news:photo-stories"))
    expect(reading.locator("main .empty")).to_have_text("아직 포토뉴스가 없습니다.")

    # Re-scheduled to now, it is live; later the editor attaches a correction.
    set_published_at(page, timezone.now() - timedelta(minutes=1))
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    story.refresh_from_db()
    assert story.is_published()
    page.locator("#corrections-group .add-row a").click()
    page.locator("#id_corrections-0-kind").select_option(label="정정보도")
    page.locator("#id_corrections-0-body").fill("두 번째 사진의 설명 중 ‘푸둥’을 ‘루자쭈이’로 바로잡습니다.")
    page.screenshot(path=str(SCREENSHOTS / "photo-editor-schedule-correction.png"), full_page=True)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert story.corrections.get().created_by == editor

    # A reader finds it at /photo/ and steps through it with the keyboard.
    reading.goto(base + "/")
    reading.get_by_role("navigation", name="대메뉴").get_by_role("link", name="포토").click()
    expect(reading.locator(".photo-card-title")).to_have_text("[상하이 산책 2] 와이탄의 밤, 강 건너 불빛이 켜질 때")
    expect(reading.locator(".photo-card-count")).to_have_text("사진 2장")
    reading.screenshot(path=str(SCREENSHOTS / "photo-list.png"), full_page=True)
    reading.locator(".photo-card a").click()
    expect(reading.locator(".corrections")).to_contain_text("루자쭈이")
    expect(reading.locator(".byline")).to_contain_text(f"{other_reporter.first_name} 기자")
    strip = reading.locator("[data-photo-strip]")
    status = reading.locator("[data-photo-status]")
    # The keys are the script's once it has run (deferred: later on a busy machine than the click's page load).
    expect(reading.locator(".photo-story")).to_have_class(re.compile(r"\bphoto-story-ready\b"))
    strip.focus()
    reading.keyboard.press("ArrowRight")
    expect(status).to_have_text("사진 2 / 2: 강 건너 푸둥의 고층 빌딩에 하나둘 불이 켜졌다.")
    expect(reading.locator(".photo-index a").nth(1)).to_have_attribute("aria-current", "true")
    # In view means not clipped away by the strip (an IntersectionObserver, which the strip's overflow clips).
    expect(reading.locator("#photo-2 img")).to_be_in_viewport(ratio=0.9)
    expect(reading.locator("#photo-1 img")).not_to_be_in_viewport()
    lands_on(strip, 1)
    reading.locator(".photo-story").screenshot(path=str(SCREENSHOTS / "photo-article-second.png"))
    # Not full_page: Chromium widens the viewport for that capture and paints before the strip re-snaps.
    reading.screenshot(path=str(SCREENSHOTS / "photo-article-page.png"))
    reading.keyboard.press("ArrowRight")  # the last photo stays
    expect(status).to_have_text(re.compile(r"^사진 2 / 2"))
    reading.keyboard.press("Home")
    expect(status).to_have_text("사진 1 / 2: 해가 지자 와이탄 산책로에 사람들이 모여들었다.")
    lands_on(strip, 0)
    expect(reading.locator("#photo-1 img")).to_be_in_viewport(ratio=0.9)
    reader.close()

    # Without JavaScript the links step through the same photos.
    plain = browser.new_context(java_script_enabled=False)
    still = plain.new_page()
    still.goto(base + story.get_absolute_url())
    still.locator("#photo-1").get_by_role("link", name="다음 사진 ›").click()
    expect(still).to_have_url(re.compile(r"#photo-2$"))
    expect(still.locator("#photo-2 img")).to_be_in_viewport(ratio=0.9)
    expect(still.locator("#photo-1 img")).not_to_be_in_viewport()
    lands_on(still.locator("[data-photo-strip]"), 1)
    still.screenshot(path=str(SCREENSHOTS / "photo-article-without-script.png"))
    plain.close()
