"""Roles in the admin: a reporter works on their own articles and cannot publish; an editor can."""

from __future__ import annotations

import pytest
from django.urls import reverse

from news.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def article_form(article: Article | None = None, **changes) -> dict:
    """The POST an admin change form sends, inline management form included."""
    data = {
        "section": article.section_id if article else "",
        "title": article.title if article else "",
        "subtitle": "",
        "body": "<p>본문</p>",
        "lead_image_caption": "",
        "lead_image_alt": "",
        "byline": "",
        "byline_email": "",
        "status": article.status if article else Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "reporter": article.reporter_id if article else "",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "kind": article.kind if article else Article.Kind.REPORT,
        "format": article.format if article else Article.Format.STANDARD,
        "series": "",
        "series_number": "",
        # Editors' form carries the corrections inline (reporters' does not: the extra fields are ignored).
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def change_url(article: Article) -> str:
    return reverse("admin:news_article_change", args=[article.pk])


def test_reporter_sees_only_their_own_articles_in_the_list(client, reporter, other_reporter, section):
    ArticleFactory(title="내 기사", reporter=reporter, section=section)
    ArticleFactory(title="남의 기사", reporter=other_reporter, section=section)
    client.force_login(reporter)

    page = client.get(reverse("admin:news_article_changelist")).content.decode()

    assert "내 기사" in page
    assert "남의 기사" not in page


def test_reporter_gets_404_for_another_reporters_article(client, reporter, other_reporter, section):
    theirs = ArticleFactory(title="남의 기사", reporter=other_reporter, section=section, status=Article.Status.DRAFT)
    client.force_login(reporter)

    assert client.get(change_url(theirs)).status_code == 404
    response = client.post(change_url(theirs), article_form(theirs, title="바꿔치기"))
    assert response.status_code == 404
    assert client.get(reverse("admin:news_article_delete", args=[theirs.pk])).status_code == 404

    theirs.refresh_from_db()
    assert theirs.title == "남의 기사"


def test_reporter_cannot_publish_their_own_article(client, reporter, section):
    mine = ArticleFactory(reporter=reporter, section=section, status=Article.Status.DRAFT, published_at=None)
    client.force_login(reporter)

    response = client.post(change_url(mine), article_form(mine, status=Article.Status.PUBLISHED))

    assert response.status_code == 200  # the form comes back with an error: 발행 is not among a reporter's choices
    assert "status" in response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.status == Article.Status.DRAFT
    assert mine.published_at is None


def test_reporter_can_submit_their_own_article(client, reporter, section):
    mine = ArticleFactory(reporter=reporter, section=section, status=Article.Status.DRAFT, published_at=None)
    client.force_login(reporter)

    response = client.post(change_url(mine), article_form(mine, status=Article.Status.SUBMITTED, title="출고합니다"))

    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.title) == (Article.Status.SUBMITTED, "출고합니다")


def test_reporter_cannot_set_another_reporter_or_publish_time_on_a_new_article(
    client, reporter, other_reporter, section
):
    client.force_login(reporter)
    data = article_form(
        None,
        section=section.pk,
        title="새 기사",
        reporter=other_reporter.pk,
        published_at_0="2026-01-01",
        published_at_1="09:00:00",
    )

    response = client.post(reverse("admin:news_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get(title="새 기사")
    assert article.reporter == reporter
    assert article.published_at is None
    assert article.byline == "이종실"


def test_reporter_cannot_change_their_live_article(client, reporter, section):
    live = ArticleFactory(reporter=reporter, section=section, title="발행된 기사")
    client.force_login(reporter)

    response = client.post(change_url(live), article_form(live, title="몰래 고침", status=Article.Status.SUBMITTED))

    assert response.status_code == 403
    live.refresh_from_db()
    assert (live.title, live.status) == ("발행된 기사", Article.Status.PUBLISHED)


def test_editor_sees_and_publishes_any_article(client, editor, reporter, section):
    submitted = ArticleFactory(reporter=reporter, section=section, status=Article.Status.SUBMITTED, published_at=None)
    client.force_login(editor)

    assert client.get(change_url(submitted)).status_code == 200
    response = client.post(change_url(submitted), article_form(submitted, status=Article.Status.PUBLISHED))

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Article.Status.PUBLISHED
    assert submitted.published_at is not None
    assert submitted.is_published()


def test_editor_schedules_an_article_for_later(client, editor, reporter, section):
    article = ArticleFactory(reporter=reporter, section=section, status=Article.Status.SUBMITTED, published_at=None)
    client.force_login(editor)

    client.post(
        change_url(article),
        article_form(
            article,
            status=Article.Status.PUBLISHED,
            published_at_0="2099-01-01",
            published_at_1="08:00:00",
        ),
    )

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert not article.is_published()
    assert Article.objects.published().filter(pk=article.pk).count() == 0


def test_publish_action_is_only_offered_to_editors(client, editor, reporter, section):
    ArticleFactory(reporter=reporter, section=section, status=Article.Status.SUBMITTED, published_at=None)
    changelist = reverse("admin:news_article_changelist")

    client.force_login(reporter)
    assert "publish_now" not in client.get(changelist).content.decode()
    client.force_login(editor)
    assert "publish_now" in client.get(changelist).content.decode()


def test_reporter_cannot_run_the_publish_action_by_posting_it(client, reporter, section):
    mine = ArticleFactory(reporter=reporter, section=section, status=Article.Status.SUBMITTED, published_at=None)
    client.force_login(reporter)

    client.post(reverse("admin:news_article_changelist"), {"action": "publish_now", "_selected_action": [mine.pk]})

    mine.refresh_from_db()
    assert mine.status == Article.Status.SUBMITTED


def test_article_form_refuses_publishing_for_a_reporter_even_if_the_choice_is_forced(rf, reporter, section):
    from news.admin import ArticleForm

    request = rf.post("/")
    request.user = reporter
    form = ArticleForm(request=request, data={"section": section.pk, "title": "t", "status": "published"})
    form.fields["status"].choices = Article.Status.choices  # as if the browser had offered it

    assert not form.is_valid()
    assert "편집자만" in str(form.errors["status"])


def test_reporter_cannot_set_the_byline_to_a_colleague(client, reporter, section):
    mine = ArticleFactory(reporter=reporter, section=section, status=Article.Status.DRAFT, published_at=None)
    client.force_login(reporter)

    client.post(change_url(mine), article_form(mine, byline="박지현", byline_email="park@example.com"))

    mine.refresh_from_db()
    assert mine.byline == "이종실"


def test_reporter_gets_404_for_another_reporters_history(client, reporter, other_reporter, section):
    theirs = ArticleFactory(reporter=other_reporter, section=section, status=Article.Status.DRAFT, published_at=None)
    client.force_login(reporter)
    assert client.get(reverse("admin:news_article_history", args=[theirs.pk])).status_code == 404


def test_editor_publish_action_publishes_submitted_stories_and_records_who(client, editor, reporter, section):
    from django.contrib.admin.models import LogEntry

    submitted = ArticleFactory(reporter=reporter, section=section, status=Article.Status.SUBMITTED, published_at=None)
    draft = ArticleFactory(reporter=reporter, section=section, status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)

    client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish_now", "_selected_action": [submitted.pk, draft.pk]},
    )

    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.is_published()
    assert draft.status == Article.Status.DRAFT
    assert LogEntry.objects.filter(object_id=str(submitted.pk), user=editor).exists()


def test_roles_are_created_by_migrate_with_their_permissions(db):
    from django.contrib.auth.models import Group

    reporter_perms = set(Group.objects.get(name="기자").permissions.values_list("codename", flat=True))
    editor_perms = set(Group.objects.get(name="편집자").permissions.values_list("codename", flat=True))
    assert "publish_article" not in reporter_perms
    assert {"publish_article", "delete_section", "change_article"} <= editor_perms
