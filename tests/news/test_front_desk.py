"""The desk's hold on the top of the site (#17): editor picks order the front page's top stories, with the
automatic order filling the places left; a 속보 banner shows on every page until its time, and the edge
drops it on time without a save."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from news import edge, frontpage
from news.models import Article, EditorPick
from tests.factories import ArticleFactory
from tests.news.test_roles import article_form, change_url

pytestmark = pytest.mark.django_db


def headline_order(page: str, titles: list[str]) -> list[str]:
    top = page.split('class="section-grid"')[0]
    return sorted((title for title in titles if title in top), key=top.index)


def test_editor_picks_lead_in_their_order_then_the_automatic_order(client, section, reporter, editor):
    now = timezone.now()
    stories = {
        title: ArticleFactory(title=title, section=section, reporter=reporter, published_at=now - timedelta(hours=h))
        for h, title in enumerate(["가장 새 기사", "둘째 새 기사", "셋째 새 기사", "넷째 새 기사", "오래된 기획"], 1)
    }
    old = ArticleFactory(
        title="지난주 심층 기획", section=section, reporter=reporter, published_at=now - timedelta(days=7)
    )
    EditorPick.objects.create(position=1, article=old, picked_by=editor)
    EditorPick.objects.create(position=2, article=stories["넷째 새 기사"], picked_by=editor)

    page = client.get("/").content.decode()

    titles = ["지난주 심층 기획", "넷째 새 기사", "가장 새 기사", "둘째 새 기사", "셋째 새 기사", "오래된 기획"]
    assert headline_order(page, titles) == titles[:5]  # 5 places: two picked, three automatic
    assert 'class="top-title"' in page and page.index("지난주 심층 기획") < page.index('class="headlines"')


def test_a_picked_story_that_is_not_live_gives_its_place_to_the_automatic_order(client, section, reporter, editor):
    ArticleFactory(title="공개된 기사", section=section, reporter=reporter)
    draft = ArticleFactory(
        title="아직 초안", section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None
    )
    EditorPick.objects.create(position=1, article=draft, picked_by=editor)

    page = client.get("/").content.decode()

    assert "아직 초안" not in page
    assert "공개된 기사" in page.split('class="top-title"')[1].split("</h1>")[0]


def test_only_editors_place_top_stories(client, section, reporter, editor):
    story = ArticleFactory(title="톱 후보", section=section, reporter=reporter)
    add = reverse("admin:news_editorpick_add")

    client.force_login(reporter)
    assert client.post(add, {"position": 1, "article": story.pk}).status_code == 403
    client.force_login(editor)
    assert client.post(add, {"position": 1, "article": story.pk}).status_code == 302
    assert EditorPick.objects.get().picked_by == editor


def test_swapping_two_places_in_the_list_saves(client, section, reporter, editor):
    a = EditorPick.objects.create(position=1, article=ArticleFactory(section=section, reporter=reporter))
    b = EditorPick.objects.create(position=2, article=ArticleFactory(section=section, reporter=reporter))
    client.force_login(editor)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": a.pk,
        "form-0-position": "2",
        "form-1-id": b.pk,
        "form-1-position": "1",
        "_save": "저장",
    }
    assert client.post(reverse("admin:news_editorpick_changelist"), data).status_code == 302
    assert list(EditorPick.objects.values_list("pk", flat=True)) == [b.pk, a.pk]


def test_a_pick_purges_the_front_page(section, reporter, purged):
    story = ArticleFactory(section=section, reporter=reporter)
    with purged() as keys:
        EditorPick.objects.create(position=1, article=story)
    assert {edge.ARTICLES, f"article-{story.pk}"} <= keys


# ---------------------------------------------------------------------------------------------- 속보


def banner(page: str) -> str:
    return page.split('class="breaking"')[1].split("</section>")[0] if 'class="breaking"' in page else ""


def test_a_breaking_story_is_on_every_page_until_its_time(client, section, reporter, time_machine):
    now = timezone.now()
    story = ArticleFactory(
        title="푸둥 공항 운항 중단", section=section, reporter=reporter, breaking_until=now + timedelta(hours=1)
    )
    other = ArticleFactory(title="다른 기사", section=section, reporter=reporter)
    for url in ("/", section.get_absolute_url(), other.get_absolute_url(), reverse("news:search") + "?q=공항"):
        assert "푸둥 공항 운항 중단" in banner(client.get(url).content.decode()), url
    assert f'href="{story.get_absolute_url()}"' in banner(client.get("/").content.decode())

    time_machine.move_to(now + timedelta(hours=1, seconds=1))
    assert banner(client.get("/").content.decode()) == ""


def test_the_edge_keeps_no_page_past_the_banners_end(client, section, reporter, settings):
    settings.EDGE_MAX_AGE = 300
    ArticleFactory(section=section, reporter=reporter, breaking_until=timezone.now() + timedelta(seconds=40))

    response = client.get("/")

    assert "s-maxage=" in response["Cache-Control"]
    assert int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 41


def test_a_scheduled_breaking_story_shows_when_it_goes_live(client, section, reporter, time_machine):
    now = timezone.now()
    ArticleFactory(
        title="예약된 속보",
        section=section,
        reporter=reporter,
        published_at=now + timedelta(minutes=10),
        breaking_until=now + timedelta(hours=2),
    )
    assert banner(client.get("/").content.decode()) == ""
    time_machine.move_to(now + timedelta(minutes=10, seconds=1))
    assert "예약된 속보" in banner(client.get("/").content.decode())


def test_only_editors_mark_a_story_breaking(client, section, reporter, editor):
    until = (timezone.localtime() + timedelta(hours=3)).replace(microsecond=0)
    fields = {"breaking_until_0": until.strftime("%Y-%m-%d"), "breaking_until_1": until.strftime("%H:%M:%S")}
    draft = ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None)

    client.force_login(reporter)
    client.post(change_url(draft), article_form(draft, **fields))
    draft.refresh_from_db()
    assert draft.breaking_until is None  # read only to a reporter: ignored

    client.force_login(editor)
    assert client.post(change_url(draft), article_form(draft, **fields)).status_code == 302
    draft.refresh_from_db()
    assert draft.breaking_until == until


def test_marking_or_ending_a_breaking_story_purges_every_page(section, reporter, purged):
    story = ArticleFactory(section=section, reporter=reporter)
    with purged() as keys:
        story.breaking_until = timezone.now() + timedelta(hours=1)
        story.save()
    assert edge.SITE in keys
    frontpage.breaking_stories()  # as a page render would have cached it
    with purged() as keys:
        story.breaking_until = None
        story.save()
    assert edge.SITE in keys
    with purged() as keys:
        story.title = "속보 아닌 기사의 제목 고침"
        story.save()
    assert edge.SITE not in keys
