"""Load the demo newsroom of portal/demo/: site profile, sections, accounts, and original Korean articles with photos.

Idempotent: everything is looked up by a natural key first, so a second run adds nothing.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from comments.models import Comment, Commenter
from news import search
from news.models import (
    Article,
    ArticlePhoto,
    Correction,
    DailyViews,
    EditorPick,
    Keyword,
    Section,
    Series,
    SpellingVariants,
)
from portal import demo, roles
from portal.ads.models import Ad, AdSlot, Business
from portal.models import SiteProfile
from portal.policies.models import Policy, agree


def demo_photo(seed: int, colours: Sequence[Sequence[int]], size=(1200, 800)) -> bytes:
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


class Command(BaseCommand):
    help = "데모 사이트 정보, 섹션, 계정, 기사를 넣습니다 (여러 번 실행해도 중복이 생기지 않습니다)."

    def handle(self, *args, **options) -> None:
        password = settings.DEMO_PASSWORD
        newsroom = demo.load("newsroom")
        with transaction.atomic():
            if not SiteProfile.objects.exists():
                SiteProfile(description=newsroom["site"]["description"], **newsroom["site"]["particulars"]).save()
            sections = self.seed_sections(newsroom["sections"])
            users = self.seed_accounts(newsroom["accounts"], password)
            self.seed_policies(newsroom["policies"], users)
        series = self.seed_series(newsroom["series"])
        created = self.seed_articles(newsroom, sections, users, series)
        self.seed_corrections(newsroom["corrections"], users)
        self.seed_desk(newsroom["desk"], users)
        self.seed_comments(newsroom, users)
        self.seed_views()
        self.seed_ads(demo.load("ads"))
        self.seed_spellings(demo.load("search")["spellings"])
        search.refresh_terms()  # the known terms "혹시 … 찾으셨나요?" offers, from what was just loaded
        self.stdout.write(self.style.SUCCESS(f"데모 콘텐츠 준비 완료: 섹션 {len(sections)}개, 새 기사 {created}건."))
        self.stdout.write(f"데모 계정 (비밀번호 모두 동일: {password})")
        for username, account in newsroom["accounts"].items():
            role = ", ".join(account["roles"]) or "독자"
            staff = "  (관리 화면 /admin/)" if account["is_staff"] else ""
            self.stdout.write(f"  {username:<10} {account['name']}  {role}{staff}")

    def seed_spellings(self, rows: list[dict]) -> None:
        """The spellings search treats as one (상하이, 상해, 上海 …), each group once."""
        for row in rows:
            SpellingVariants.objects.get_or_create(terms=row["terms"], defaults={"note": row.get("note", "")})

    def seed_sections(self, rows: list[dict]) -> dict[str, Section]:
        sections = {}
        for order, row in enumerate(rows, start=1):
            sections[row["slug"]], _ = Section.objects.get_or_create(
                slug=row["slug"], defaults={"name": row["name"], "menu_order": order}
            )
        return sections

    def seed_accounts(self, accounts: dict[str, dict], password: str) -> dict:
        groups = roles.ensure_roles()
        users = {}
        for username, account in accounts.items():
            user, _ = get_user_model().objects.get_or_create(
                username=username,
                defaults={"first_name": account["name"], "email": account["email"], "is_staff": account["is_staff"]},
            )
            user.set_password(password)
            user.save()
            for role in account["roles"]:
                user.groups.add(groups[role])
            users[username] = user
        return users

    def seed_policies(self, rows: list[dict], users: dict) -> None:
        """Version 1 of each policy, and the demo accounts' agreement to it (as at their sign-up)."""
        for row in rows:
            if not Policy.objects.filter(kind=row["kind"]).exists():
                Policy.objects.create(kind=row["kind"], effective_on=row["effective_on"], body=row["body"].strip())
        for user in users.values():
            agree(user, [p for kind in Policy.AGREED if (p := Policy.objects.in_effect(kind))])

    def seed_series(self, rows: list[dict]) -> dict[str, Series]:
        """The 연재 of the demo (a writer's column among them), by slug."""
        series = {}
        for row in rows:
            fields = {key: value for key, value in row.items() if key != "slug"}
            series[row["slug"]], _ = Series.objects.get_or_create(slug=row["slug"], defaults=fields)
        return series

    def seed_corrections(self, rows: list[dict], users: dict) -> None:
        """The editor's 정정·반론·추후보도 on published stories, each once."""
        now = timezone.now()
        for row in rows:
            article = Article.objects.filter(title=row["article"]).first()
            if article is None or article.corrections.filter(body=row["body"]).exists():
                continue
            Correction.objects.create(
                article=article,
                kind=row["kind"],
                body=row["body"],
                published_at=now - timedelta(days=row["days_ago"]),
                created_by=users["editor"],
            )

    def seed_desk(self, desk: dict, users: dict) -> None:
        """The editors' top stories (set anew each run), the 속보 (from now), and co-bylines."""
        live = Article.objects.published()
        EditorPick.objects.all().delete()
        for position, title in enumerate(desk["picks"], start=1):
            if article := live.filter(title=title).first():
                EditorPick.objects.create(position=position, article=article, picked_by=users["editor"])
        if article := live.filter(title=desk["breaking"]["article"]).first():
            article.breaking_until = timezone.now() + timedelta(hours=desk["breaking"]["hours"])
            article.save()
        for row in desk["co_bylines"]:
            if article := Article.objects.filter(title=row["article"]).first():
                article.co_reporters.add(*(users[username] for username in row["reporters"]))

    def seed_articles(self, newsroom: dict, sections: dict[str, Section], users: dict, series: dict) -> int:
        now = timezone.now()
        created = 0
        existing = set(Article.objects.values_list("title", flat=True))
        colours = {row["slug"]: row["photo_colours"] for row in newsroom["sections"]}
        for index, item in enumerate(demo.articles()):
            if item["title"] in existing:
                continue
            # Spread the stories over the hour so that no two share a timestamp.
            published_at = timezone.localtime(now - timedelta(days=item["days_ago"])).replace(
                hour=item["hour"], minute=(index * 7) % 60, second=(index * 13) % 60
            )
            article = Article(
                section=sections[item["section"]],
                title=item["title"],
                subtitle=item.get("subtitle", ""),
                body=demo.body_html(item["body"]),
                reporter=users[item["reporter"]],
                status=Article.Status.PUBLISHED,
                published_at=min(published_at, now - timedelta(minutes=5)),
                featured=item.get("featured", False),
                lead_image_caption=item["caption"],
                lead_image_alt=item["caption"],
                kind=item.get("kind", Article.Kind.REPORT),
                format=item.get("format", Article.Format.STANDARD),
                series=series[item["series"]] if "series" in item else None,
                series_number=item.get("installment"),
            )
            sequence = [demo_photo(1000 + index * 10 + n, p["colours"]) for n, p in enumerate(item.get("photos", []))]
            # A 포토뉴스's cover is its first photo; any other story gets a picture in its section's colours.
            photo = sequence[0] if sequence else demo_photo(index, colours[item["section"]])
            article.lead_image = ContentFile(photo, name=f"demo-{index:03d}.jpg")
            article.save()
            for position, (data, row) in enumerate(zip(sequence, item.get("photos", []), strict=True), start=1):
                ArticlePhoto(
                    article=article,
                    position=position,
                    caption=row["caption"],
                    alt_text=row["alt"],
                    image=ContentFile(data, name=f"demo-{index:03d}-{position}.jpg"),
                ).save()
            article.keywords.set([Keyword.objects.get_or_create(name=name)[0] for name in item["keywords"]])
            created += 1
            if created % 10 == 0:
                self.stdout.write(f"  기사 {created}건 …")
        created += self.seed_unpublished(newsroom["unpublished"], sections, users, now, existing)
        return created

    def seed_unpublished(self, unpublished: dict, sections, users, now, existing) -> int:
        """A draft, a submitted story and a scheduled one: what editors work on and readers never see."""
        count = 0
        for item in unpublished["articles"]:
            if item["title"] in existing:
                continue
            Article.objects.create(
                section=sections[unpublished["section"]],
                title=item["title"],
                status=Article.Status(item["status"]),
                published_at=now + timedelta(days=item["days_ahead"]) if "days_ahead" in item else None,
                reporter=users[item["reporter"]],
                body=demo.body_html(unpublished["body"]),
            )
            count += 1
        return count

    def seed_comments(self, newsroom: dict, users: dict) -> None:
        """Nicknames for the readers and a short discussion, with one private comment, under the top story."""
        for username, nickname in newsroom["nicknames"].items():
            Commenter.objects.get_or_create(user=users[username], defaults={"nickname": nickname})
        top = Article.objects.published().filter(featured=True).first() or Article.objects.published().first()
        if top is None or top.comments.exists():
            return
        # Written a while ago, so the demo readers' own rate limits leave them free to comment now.
        at = timezone.now() - timedelta(hours=3)
        thread = newsroom["comments"]
        posted = []
        for position, item in enumerate(thread, start=1):
            posted.append(
                Comment.objects.create(
                    article=top,
                    author=users[item["author"]],
                    parent=posted[item["reply_to"] - 1] if "reply_to" in item else None,
                    private=item.get("private", False),
                    has_replies=any(other.get("reply_to") == position for other in thread),
                    created_at=at + timedelta(minutes=item["minutes"]),
                    body=item["body"],
                )
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

    def seed_ads(self, data: dict) -> None:
        """The page's ad slots, image and text ads with a house ad, and the fictional 플러스업체."""
        slots = {}
        for fields in data["slots"]:
            code = fields.pop("code")
            slots[code], _ = AdSlot.objects.get_or_create(code=code, defaults=fields)
        if not Ad.objects.exists():
            now = timezone.now()
            for i, fields in enumerate(data["ads"]):
                codes = fields.pop("slots")
                house_ad_of = fields.pop("house_ad_of", [])
                colours = fields.pop("photo_colours", None)
                starts_at = now - timedelta(days=fields.pop("starts_days_ago"))
                ends_at = now + timedelta(days=fields.pop("ends_in_days"))
                ad = Ad(starts_at=starts_at, ends_at=ends_at, **fields)
                if colours:
                    first = slots[codes[0]]
                    photo = demo_photo(100 + i, colours, size=(first.width * 2, first.height * 2))
                    ad.image = ContentFile(photo, name=f"ad-{i}.jpg")
                ad.save()
                ad.slots.set([slots[code] for code in codes])
                if house_ad_of:
                    AdSlot.objects.filter(code__in=house_ad_of).update(house_ad=ad)
        if not Business.objects.exists():
            until = timezone.localdate() + timedelta(days=90)
            for order, fields in enumerate(data["businesses"], start=1):
                Business.objects.create(display_order=order, listed_until=until, **fields)
