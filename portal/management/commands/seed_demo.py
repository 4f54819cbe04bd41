"""Load the demo newsroom: site profile, sections, accounts, and original Korean articles with photos.

Idempotent: everything is looked up by a natural key first, so a second run adds nothing.
"""

from __future__ import annotations

import io
import os
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from PIL import Image, ImageDraw, ImageFilter

from comments.models import Comment, Commenter
from news.models import Article, DailyViews, Section
from portal import demo_content, roles
from portal.ads.models import Ad, AdSlot, Business
from portal.models import SiteProfile

DEFAULT_DEMO_PASSWORD = "portal-demo-2026"  # nosec B105  # the documented demo password (README); DEMO_PASSWORD overrides

# username: (Korean name, e-mail, role group or None, is_staff)
ACCOUNTS = {
    "editor": ("김하늘", "editor@example.com", roles.EDITOR, True),
    "reporter": ("이서준", "reporter@example.com", roles.REPORTER, True),
    "reporter2": ("박지현", "reporter2@example.com", roles.REPORTER, True),
    "moderator": ("최민호", "moderator@example.com", roles.MODERATOR, True),
    "reader": ("정예린", "reader@example.com", None, False),
    "reader2": ("한도윤", "reader2@example.com", None, False),
}

SECTION_COLOURS = {
    "economy": ((11, 79, 138), (96, 165, 220)),
    "society": ((120, 40, 40), (230, 140, 110)),
    "culture": ((70, 40, 120), (190, 150, 230)),
    "opinion": ((40, 40, 50), (170, 170, 180)),
    "life": ((20, 110, 80), (140, 210, 170)),
    "education": ((150, 100, 10), (245, 205, 110)),
}


def demo_photo(seed: int, colours: tuple[tuple[int, int, int], tuple[int, int, int]], size=(1200, 800)) -> bytes:
    """An abstract city-at-dusk picture: a gradient sky, a sun and a skyline of towers."""
    rng = random.Random(seed)  # nosec B311  # repeatable demo pictures, no secret
    width, height = size
    top, bottom = colours
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    r = max(10, min(width, height) // 8)
    sun_x, sun_y = rng.randint(r, width - r), rng.randint(r, max(r + 1, height // 2))
    draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=(255, 236, 190))
    image = image.filter(ImageFilter.GaussianBlur(2))
    draw = ImageDraw.Draw(image)
    x = 0
    while x < width:
        w, h = rng.randint(40, 120), rng.randint(height // 5, height * 2 // 3)
        shade = rng.randint(15, 55)
        draw.rectangle([x, height - h, x + w, height], fill=(shade, shade + 5, shade + 15))
        for wy in range(height - h + 14, height - 10, 22):
            for wx in range(x + 8, x + w - 8, 16):
                if rng.random() < 0.35:
                    draw.rectangle([wx, wy, wx + 6, wy + 9], fill=(255, 220, 140))
        x += w + rng.randint(0, 12)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def body_html(paragraphs: list) -> str:
    parts = []
    for block in paragraphs:
        if isinstance(block, str):
            parts.append(f"<p>{escape(block)}</p>")
        elif block[0] == "h":
            parts.append(f"<h2>{escape(block[1])}</h2>")
        elif block[0] == "quote":
            parts.append(f"<blockquote><p>{escape(block[1])}</p></blockquote>")
        elif block[0] == "list":
            parts.append("<ul>" + "".join(f"<li><p>{escape(item)}</p></li>" for item in block[1]) + "</ul>")
    return "".join(parts)


class Command(BaseCommand):
    help = "데모 사이트 정보, 섹션, 계정, 기사를 넣습니다 (여러 번 실행해도 중복이 생기지 않습니다)."

    def handle(self, *args, **options) -> None:
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            if not SiteProfile.objects.exists():
                SiteProfile(description="상하이 한인 사회의 소식을 매일 전하는 커뮤니티 포털").save()
            sections = self.seed_sections()
            users = self.seed_accounts(password)
        created = self.seed_articles(sections, users)
        self.seed_comments(users)
        self.seed_views()
        self.seed_ads()
        self.stdout.write(self.style.SUCCESS(f"데모 콘텐츠 준비 완료: 섹션 {len(sections)}개, 새 기사 {created}건."))
        self.stdout.write(f"데모 계정 (비밀번호 모두 동일: {password})")
        for username, (name, _email, group, is_staff) in ACCOUNTS.items():
            role = {"moderator": f"{roles.MODERATOR}, {roles.AD_MANAGER}"}.get(username) or group or "독자"
            self.stdout.write(f"  {username:<10} {name}  {role}{'  (관리 화면 /admin/)' if is_staff else ''}")

    def seed_sections(self) -> dict[str, Section]:
        sections = {}
        for order, (slug, name) in enumerate(demo_content.SECTIONS, start=1):
            sections[slug], _ = Section.objects.get_or_create(slug=slug, defaults={"name": name, "menu_order": order})
        return sections

    def seed_accounts(self, password: str) -> dict:
        groups = roles.ensure_roles()
        users = {}
        for username, (name, email, group, is_staff) in ACCOUNTS.items():
            user, _ = get_user_model().objects.get_or_create(
                username=username, defaults={"first_name": name, "email": email, "is_staff": is_staff}
            )
            user.set_password(password)
            user.save()
            if group:
                user.groups.add(groups[group])
            users[username] = user
        users["moderator"].groups.add(groups[roles.AD_MANAGER])  # moderators may run the ads too
        return users

    def seed_articles(self, sections: dict[str, Section], users: dict) -> int:
        now = timezone.now()
        created = 0
        existing = set(Article.objects.values_list("title", flat=True))
        items = list(enumerate(demo_content.ARTICLES))
        for index, item in items:
            if item["title"] in existing:
                continue
            published_at = timezone.localtime(now - timedelta(days=item["days_ago"])).replace(
                hour=item["hour"], minute=(index * 7) % 60, second=(index * 13) % 60
            )
            article = Article(
                section=sections[item["section"]],
                title=item["title"],
                subtitle=item.get("subtitle", ""),
                body=body_html(item["paragraphs"]),
                reporter=users[item["reporter"]],
                status=Article.Status.PUBLISHED,
                published_at=min(published_at, now - timedelta(minutes=5)),
                featured=bool(item.get("featured")),
                lead_image_caption=item.get("caption", ""),
                lead_image_alt=item.get("caption", ""),
            )
            colours = SECTION_COLOURS.get(item["section"], ((30, 30, 30), (200, 200, 200)))
            article.lead_image = ContentFile(demo_photo(index, colours), name=f"demo-{index:03d}.jpg")
            article.save()
            created += 1
            if created % 10 == 0:
                self.stdout.write(f"  기사 {created}건 …")
        created += self.seed_unpublished(sections, users, now, existing)
        return created

    def seed_comments(self, users) -> None:
        """Nicknames for the readers and a short discussion, with one private comment, under the top story."""
        for username, nickname in [("reader", "푸둥주민"), ("reader2", "홍차오러버"), ("moderator", "운영자")]:
            Commenter.objects.get_or_create(user=users[username], defaults={"nickname": nickname})
        top = Article.objects.published().filter(featured=True).first() or Article.objects.published().first()
        if top is None or top.comments.exists():
            return
        # Written a while ago, so the demo readers' own rate limits leave them free to comment now.
        at = timezone.now() - timedelta(hours=3)
        first = Comment.objects.create(
            article=top,
            author=users["reader"],
            created_at=at,
            has_replies=True,
            body="입주 조건이 궁금했는데 자세히 정리해 주셔서 도움이 됐습니다.",
        )
        Comment.objects.create(
            article=top,
            author=users["reader2"],
            parent=first,
            created_at=at + timedelta(minutes=20),
            body="저도 신청해 보려고요. 설명회 날짜도 나오면 좋겠네요.",
        )
        Comment.objects.create(
            article=top,
            author=users["reader2"],
            private=True,
            created_at=at + timedelta(minutes=40),
            body="기자님, 센터 담당자 연락처를 따로 알 수 있을까요? (비밀 댓글)",
        )

    def seed_views(self) -> None:
        """Daily view counts since each demo article appeared, so 가장 많이 본 뉴스 has something to rank."""
        if DailyViews.objects.exists():
            return
        today = timezone.localdate()
        rows = []
        for article in Article.objects.published().only("id", "published_at"):
            rng = random.Random(article.pk)  # nosec B311  # repeatable demo view counts, no secret
            popularity = rng.choice([5, 20, 60, 150, 400])
            start = timezone.localdate(article.published_at)
            for offset in range((today - start).days + 1):
                fading = popularity / (1 + offset)  # a story is read most in its first days
                rows.append(
                    DailyViews(
                        article=article,
                        day=start + timedelta(days=offset),
                        views=max(1, int(fading * rng.uniform(0.6, 1.4))),
                    )
                )
        DailyViews.objects.bulk_create(rows, batch_size=1000)

    def seed_ads(self) -> None:
        """The page's ad slots, two image ads and a text ad, a house ad, and fictional 플러스업체."""
        slots = {}
        for code, name, width, height in [
            ("header-banner", "상단 배너", 970, 90),
            ("sidebar-premium", "프리미엄광고", 300, 250),
            ("in-article", "기사 중간", 640, 120),
            ("footer-banner", "하단 배너", 970, 90),
        ]:
            slots[code], _ = AdSlot.objects.get_or_create(
                code=code, defaults={"name": name, "width": width, "height": height}
            )
        if not Ad.objects.exists():
            now = timezone.now()
            colours = [((20, 90, 160), (120, 190, 240)), ((160, 60, 30), (250, 180, 120))]
            for i, (advertiser, title, codes, colour) in enumerate(
                [
                    ("푸둥 한인치과", "연말 스케일링 안내", ["sidebar-premium", "in-article"], colours[0]),
                    ("홍차오 한식당 ‘온기’", "겨울 점심 특선", ["sidebar-premium", "header-banner"], colours[1]),
                ]
            ):
                width, height = (300, 250) if codes[0] == "sidebar-premium" else (970, 90)
                ad = Ad(
                    advertiser=advertiser,
                    title=title,
                    alt_text=f"{advertiser} {title}",
                    weight=10 + 10 * i,
                    target_url="https://example.com/",
                    starts_at=now - timedelta(days=3),
                    ends_at=now + timedelta(days=30 - 25 * i),
                )
                ad.image = ContentFile(demo_photo(100 + i, colour, size=(width * 2, height * 2)), name=f"ad-{i}.jpg")
                ad.save()
                ad.slots.set([slots[c] for c in codes])
            text_ad = Ad.objects.create(
                advertiser="상하이방",
                title="광고 문의",
                text="이 자리에 광고하세요 · 광고 문의 안내",
                target_url="https://example.com/ads",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=365),
            )
            text_ad.slots.set([slots["footer-banner"]])
            AdSlot.objects.filter(code="in-article").update(house_ad=text_ad)
        if not Business.objects.exists():
            until = timezone.localdate() + timedelta(days=90)
            for order, (name, category, phone, address, description) in enumerate(
                [
                    ("한식당 온기", "restaurant", "021-5555-0101", "민항구 홍췐루 1호", "칼국수와 보쌈, 단체석 있음"),
                    ("푸둥 한인치과", "clinic", "021-5555-0102", "푸둥신구 장양루 2호", "한국어 상담, 주말 진료"),
                    ("구베이 부동산", "realty", "021-5555-0103", "창닝구 구베이루 3호", "주재원 임대 전문"),
                    ("상하이 수학교실", "academy", "021-5555-0104", "민항구 진후이루 4호", "초·중등 수학, 소수 정예"),
                    ("한빛 여행사", "travel", "021-5555-0105", "징안구 난징서루 5호", "항공권·비자 대행"),
                    ("다온 세탁", "living", "021-5555-0106", "민항구 훙쉬루 6호", "수거·배달 세탁"),
                ],
                start=1,
            ):
                Business.objects.create(
                    name=name,
                    category=category,
                    phone=phone,
                    address=address,
                    description=description,
                    display_order=order,
                    listed_until=until,
                    link="https://example.com/",
                )

    def seed_unpublished(self, sections, users, now, existing) -> int:
        """A draft, a submitted story and a scheduled one: what editors work on and readers never see."""
        samples = [
            ("[작성 중] 푸둥 새 도서관 개관 준비 현장", Article.Status.DRAFT, None, "reporter"),
            ("[출고 요청] 한인 청소년 오케스트라 겨울 연주회 예고", Article.Status.SUBMITTED, None, "reporter2"),
            (
                "[예약] 다음 주 월요일 시행되는 거주증 온라인 신청 안내",
                Article.Status.PUBLISHED,
                now + timedelta(days=3),
                "reporter",
            ),
        ]
        count = 0
        for title, status, when, who in samples:
            if title in existing:
                continue
            Article.objects.create(
                section=sections["society"],
                title=title,
                status=status,
                published_at=when,
                reporter=users[who],
                body="<p>데모용으로 준비 중인 기사입니다. 편집자의 확인을 기다리고 있습니다.</p>",
            )
            count += 1
        return count
