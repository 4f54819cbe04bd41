"""What the page checks share: the checkers, and a site with one of every part a reader's page can show.

The checkers come from npm (package.json, installed by `make test` with `npm ci`): the Nu HTML Checker's
vnu.jar, run by Debian's Java, and axe-core, injected into Chromium. Without them a check is skipped, or
fails under CI, where `make deps` installs Java and npm and `make test` the packages.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from comments.models import Comment
from news.models import ArticlePhoto, DailyViews
from portal.ads.models import Ad, AdSlot, Business
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _missing(what: str, how: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what} ({how})")
    pytest.skip(f"{what} is not installed ({how})")


def require_vnu() -> list[str]:
    """The command line that runs the Nu HTML Checker."""
    java = shutil.which("java")
    if not java:
        _missing("Java", "make deps installs Debian's default-jre-headless")
    if not VNU_JAR.exists():
        _missing("vnu.jar", "make test runs npm ci; or run `npm ci --ignore-scripts`")
    # A short run: the JVM's quick compiler alone starts faster; its deeper stacks need more than the default.
    return [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR)]


def require_axe() -> Path:
    if not AXE_JS.exists():
        _missing("axe-core", "make test runs npm ci; or run `npm ci --ignore-scripts`")
    return AXE_JS


def newsroom() -> dict:
    """Sections, a photographed top story with a thread (public, private, deleted, a reply), an ad in every
    slot (pictures and text), 플러스업체 and a day of views, so each page shows every part it can."""
    economy = factories.SectionFactory(name="경제", slug="economy", menu_order=1)
    society = factories.SectionFactory(name="사회", slug="society", menu_order=2)
    reporter = factories.reporter(username="lee", first_name="이종실")
    alice = factories.commenter("앨리스", username="alice")
    bob = factories.commenter("밥", username="bob")
    top = factories.ArticleFactory(
        title="상하이 한인 창업센터 문 열어",
        subtitle="입주 기업 서른 곳 모집",
        section=economy,
        reporter=reporter,
        byline="이종실",
        byline_email="js@example.com",
        featured=True,
        body="<h2>입주 조건</h2><p>창업 5년 이내 기업이 신청할 수 있다.</p><ul><li>서류 심사</li><li>발표</li></ul>",
        lead_image=factories.image_upload(size=(1200, 800)),
        lead_image_caption="개소식 모습",
        lead_image_alt="창업센터 개소식에서 테이프를 자르는 참석자들",
    )
    others = [
        factories.ArticleFactory(title=f"상하이 교민 소식 {n}", section=section, reporter=reporter)
        for n, section in enumerate([economy, economy, society, society], start=1)
    ]
    photo_story = factories.ArticleFactory(
        title="강변 산책로의 가을",
        section=society,
        reporter=reporter,
        format="photo",
        body="<p>강변 산책로에 단풍이 들었다.</p>",
    )
    for n, caption in enumerate(["산책로 입구의 은행나무", "강변 벤치에서 쉬는 시민들", "해 질 녘의 강물"], start=1):
        ArticlePhoto(
            article=photo_story,
            position=n,
            caption=caption,
            alt_text=caption,
            image=factories.image_upload(name=f"walk{n}.jpg", size=(900, 600), colour=(60 * n, 120, 90)),
        ).save()
    now = timezone.now()
    # A 속보, so that its banner is on every page checked.
    others[0].breaking_until = now + timedelta(hours=6)
    others[0].save()
    first = Comment.objects.create(
        article=top, author=bob, body="공개 의견입니다.", created_at=now - timedelta(hours=3), has_replies=True
    )
    Comment.objects.create(
        article=top, author=alice, parent=first, body="답글입니다.", created_at=now - timedelta(hours=2)
    )
    Comment.objects.create(
        article=top, author=bob, private=True, body="밥의 비밀 의견", created_at=now - timedelta(hours=2)
    )
    Comment.objects.create(
        article=top, author=alice, private=True, body="앨리스의 비밀 의견", created_at=now - timedelta(hours=1)
    )
    deleted = Comment.objects.create(
        article=top, author=bob, body="지운 의견", created_at=now - timedelta(minutes=90), has_replies=True
    )
    Comment.objects.create(
        article=top, author=alice, parent=deleted, body="지운 의견의 답글", created_at=now - timedelta(hours=1)
    )
    Comment.objects.filter(pk=deleted.pk).update(status=Comment.Status.DELETED)

    slots = {
        code: AdSlot.objects.create(code=code, name=code, width=width, height=height)
        for code, width, height in [
            ("header-banner", 970, 90),
            ("sidebar-premium", 300, 250),
            ("in-article", 640, 120),
            ("footer-banner", 970, 90),
        ]
    }
    picture = Ad(
        advertiser="푸둥 한인치과",
        title="스케일링",
        alt_text="푸둥 한인치과 연말 스케일링 안내",
        target_url="https://example.com/",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
        image=factories.image_upload(name="ad.jpg", size=(600, 500)),  # not the banner's shape: it is cropped
    )
    picture.save()
    picture.slots.set([slots["header-banner"], slots["sidebar-premium"]])
    text = Ad.objects.create(
        advertiser="상하이방",
        title="광고 문의",
        text="이 자리에 광고하세요",
        target_url="https://example.com/ads",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
    )
    text.slots.set([slots["in-article"], slots["footer-banner"]])
    Business.objects.create(
        name="한식당 온기",
        category="restaurant",
        phone="021-5555-0101",
        address="민항구 홍췐루 1호",
        description="칼국수와 보쌈",
        link="https://example.com/",
        listed_until=timezone.localdate() + timedelta(days=30),
    )
    today = timezone.localdate()
    DailyViews.objects.bulk_create(
        DailyViews(article=article, day=today, views=10 * (n + 1)) for n, article in enumerate([top, *others])
    )
    return {
        "top": top,
        "section": economy,
        "reporter": reporter,
        "alice": alice,
        "bob": bob,
        "photo_story": photo_story,
    }
