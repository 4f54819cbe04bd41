"""Revisions (#17): every save of a live article keeps what it said and who saved it; editors compare any two
in the admin and restore one, which makes a new revision. Reporters see none of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from news import revisions
from news.models import Article, ArticleRevision, Keyword
from tests.factories import ArticleFactory
from tests.news.test_roles import article_form, change_url

pytestmark = pytest.mark.django_db


def revisions_url(article: Article) -> str:
    return reverse("admin:news_article_revisions", args=[article.pk])


@pytest.fixture
def story(section, reporter):
    return ArticleFactory(
        title="와이탄 야경 명소", section=section, reporter=reporter, body="<p>첫 문단입니다.</p><p>둘째 문단.</p>"
    )


def test_each_save_of_a_live_story_keeps_a_revision_with_its_keywords_and_saver(client, editor, story):
    night = Keyword.objects.create(name="야경")
    client.force_login(editor)

    client.post(
        change_url(story), article_form(story, title="와이탄 야경 명소 다섯 곳", body=story.body, keywords=[night.pk])
    )
    client.post(change_url(story), article_form(story, title="와이탄 야경 명소 여섯 곳", keywords=[night.pk]))

    kept = list(story.revisions.order_by("saved_at", "id"))
    assert [r.title for r in kept] == ["와이탄 야경 명소 다섯 곳", "와이탄 야경 명소 여섯 곳"]
    assert kept[0].keywords == ["야경"] and kept[0].saved_by == editor
    assert "<p>첫 문단입니다.</p>" in kept[0].body


def test_a_draft_keeps_no_revision_until_it_is_published(client, reporter, editor, section):
    draft = ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT, published_at=None)
    client.force_login(reporter)
    client.post(change_url(draft), article_form(draft, title="초안 고침"))
    assert not ArticleRevision.objects.exists()

    client.force_login(editor)
    client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )  # a draft is skipped by the action: only 출고 요청 stories go out
    draft.refresh_from_db()
    draft.status = Article.Status.SUBMITTED
    draft.save()
    client.post(reverse("admin:news_article_changelist"), {"action": "publish_now", "_selected_action": [draft.pk]})
    assert [r.title for r in draft.revisions.all()] == ["초안 고침"]


def test_editors_see_a_diff_of_any_two_revisions(client, editor, story):
    client.force_login(editor)
    client.post(change_url(story), article_form(story, body="<p>첫 문단입니다.</p><p>둘째 문단.</p>"))
    client.post(
        change_url(story), article_form(story, body="<p>첫 문단입니다.</p><p>고친 둘째 문단 &lt;b&gt;</p><p>셋째.</p>")
    )
    first, second = story.revisions.order_by("saved_at", "id")

    page = client.get(revisions_url(story), {"a": first.pk, "b": second.pk}).content.decode()

    assert "<ins>고친 </ins><span>둘째 </span><del>문단.</del>" in page  # word by word in a rewritten paragraph
    assert "<ins>문단 &lt;b&gt;\n셋째.</ins>" in page  # the typed text, escaped, and the new paragraph
    assert "<b>" not in page.split('class="revision-diff"')[1]
    assert "<span>첫 문단입니다.\n</span>" in page  # kept text is shown plain
    assert '제목 <span class="unchanged">(같음)</span>' in page


def test_restoring_a_revision_puts_it_back_and_records_a_new_one(client, editor, story):
    tram = Keyword.objects.create(name="트램")
    client.force_login(editor)
    client.post(change_url(story), article_form(story, title="원래 제목", body=story.body, keywords=[tram.pk]))
    client.post(change_url(story), article_form(story, title="잘못 고친 제목", body="<p>틀린 문장</p>", keywords=[]))
    original = story.revisions.get(title="원래 제목")

    response = client.post(revisions_url(story), {"restore": original.pk})

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "원래 제목" and "첫 문단입니다." in story.body
    assert list(story.keywords.values_list("name", flat=True)) == ["트램"]
    newest = story.revisions.order_by("-saved_at", "-id").first()
    assert newest.title == "원래 제목" and newest.saved_by == editor and "되살림" in newest.note
    assert story.revisions.count() == 3
    assert "원래 제목" in client.get(story.get_absolute_url()).content.decode()


def test_restoring_an_unknown_revision_says_so(client, editor, story, other_reporter, section):
    elsewhere = ArticleFactory(section=section, reporter=other_reporter)
    client.force_login(editor)
    client.post(change_url(elsewhere), article_form(elsewhere, title="다른 기사"))
    theirs = elsewhere.revisions.get()

    response = client.post(revisions_url(story), {"restore": theirs.pk}, follow=True)

    assert "되살릴 판을 찾을 수 없습니다." in response.content.decode()
    story.refresh_from_db()
    assert story.title == "와이탄 야경 명소"


def test_reporters_get_no_revision_history(client, reporter, story):
    client.force_login(reporter)
    assert client.get(revisions_url(story)).status_code == 403
    assert client.post(revisions_url(story), {"restore": "1"}).status_code == 403


def test_the_change_form_links_editors_to_the_history(client, editor, story):
    client.force_login(editor)
    client.post(change_url(story), article_form(story, title="한 번 고침"))
    page = client.get(change_url(story)).content.decode()
    assert "저장된 판 1개 비교·되살리기" in page and revisions_url(story) in page


def test_a_restore_without_the_forms_token_is_refused(editor, story):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    story.title = "되살릴 판"
    story.save()
    kept = revisions.record(story, editor)
    story.title = "지금 제목"
    story.save()

    assert browser.post(revisions_url(story), {"restore": kept.pk}).status_code == 403
    story.refresh_from_db()
    assert story.title == "지금 제목"
