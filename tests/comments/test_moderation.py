"""Moderators in the admin: hide, restore, soft-delete, block; the reported queue; a list that stays fast."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment, Commenter
from tests import factories
from tests.beacon import seen_on_article

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


def act(client, action, *comments):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [c.pk for c in comments]})


@pytest.mark.parametrize(("action", "status"), [("hide", "hidden"), ("soft_delete", "deleted")])
def test_moderator_hides_or_deletes_and_the_record_stays(client, article, alice, moderator, action, status):
    comment = factories.CommentFactory(article=article, author=alice, body="문제 댓글")
    client.force_login(moderator)

    act(client, action, comment)

    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by, comment.body) == (status, moderator, "문제 댓글")
    assert comment.moderated_at is not None
    assert "문제 댓글" not in client.get(article.get_absolute_url()).content.decode().split('id="comments"')[1]
    # Nor in the moderator's own block (the page's fragment, the comments page): the admin is where they see it.
    assert "문제 댓글" not in seen_on_article(client, article)
    comments_page = client.get(reverse("comments:thread", args=[article.pk])).content.decode()
    assert "문제 댓글" not in comments_page.split('id="comments"')[1]


def test_moderator_restores_a_hidden_comment(client, article, alice, moderator):
    comment = factories.CommentFactory(article=article, author=alice, body="돌아온 댓글", status="hidden")
    client.force_login(moderator)
    act(client, "restore", comment)
    assert "돌아온 댓글" in seen_on_article(client, article)
    client.logout()
    assert "돌아온 댓글" in client.get(article.get_absolute_url()).content.decode()


def test_moderator_blocks_an_author_whose_comments_stay_as_left(client, article, alice, moderator):
    comment = factories.CommentFactory(article=article, author=alice, body="남는 댓글")
    client.force_login(moderator)
    act(client, "block_authors", comment)
    assert Commenter.objects.get(user=alice).blocked_by == moderator
    comment.refresh_from_db()
    assert comment.status == "published"


def test_reported_queue_lists_most_reported_first(client, article, alice, moderator):
    little = factories.CommentFactory(article=article, author=alice, body="신고 한 건", report_count=1)
    much = factories.CommentFactory(article=article, author=alice, body="신고 다섯 건", report_count=5, status="hidden")
    factories.CommentFactory(article=article, author=alice, body="신고 없음")
    client.force_login(moderator)

    page = client.get(reverse("admin:comments_reportedcomment_changelist")).content.decode()

    assert page.index("신고 다섯 건") < page.index("신고 한 건")
    assert "신고 없음" not in page
    assert little and much


@pytest.mark.parametrize("who", ["reporter", "editor", "reader"])
def test_non_moderators_cannot_run_moderation(client, article, alice, who, reporter, editor):
    comment = factories.CommentFactory(article=article, author=alice)
    client.force_login(
        {"reporter": reporter, "editor": editor, "reader": factories.commenter("구경꾼", username="x")}[who]
    )
    response = act(client, "hide", comment)
    assert response.status_code in (302, 403)
    comment.refresh_from_db()
    assert comment.status == "published"


def test_admin_list_runs_the_same_queries_whatever_the_number_of_comments(client, article, moderator):
    client.force_login(moderator)
    author = factories.commenter("다작", username="many")
    factories.CommentFactory.create_batch(3, article=article, author=author)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(CHANGELIST)).status_code == 200
        return [q["sql"] for q in captured]

    few = queries()
    factories.CommentFactory.create_batch(60, article=article, author=author)
    many = queries()
    assert len(few) == len(many)
    counts = [sql for sql in many if "COUNT(" in sql.upper() and "comments_comment" in sql]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)


def test_moderator_search_finds_text_and_nickname(client, article, alice, moderator):
    factories.CommentFactory(article=article, author=alice, body="푸둥 지하철 이야기")
    client.force_login(moderator)
    assert "푸둥 지하철 이야기" in client.get(reverse(CHANGELIST), {"q": "지하철"}).content.decode()
    assert "푸둥 지하철 이야기" in client.get(reverse(CHANGELIST), {"q": "앨리스"}).content.decode()
    assert "푸둥 지하철 이야기" in client.get(reverse(CHANGELIST), {"article": str(article.pk)}).content.decode()
    assert Comment.objects.count() == 1
