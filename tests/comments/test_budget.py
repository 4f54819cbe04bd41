"""The comment block costs the same number of queries for 3 comments or 120, with replies: on the article page
(public, the same for every reader) and in a reader's own block (the page's fragment, the comments page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from tests import factories

pytestmark = pytest.mark.django_db


def fill(article, authors, n):
    for i in range(n):
        parent = factories.CommentFactory(
            article=article, author=authors[i % 2], private=bool(i % 3 == 0), has_replies=True
        )
        factories.CommentFactory(article=article, author=authors[(i + 1) % 2], parent=parent)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The article page is public, the same for every reader, rendered as for an anonymous one without reading the
# session: article, photos, keywords, corrections, co-reporters, reporter's list and 관련기사 (7), then the
# thread: comment page count, the page, its replies, 전체의견 수, BEST 댓글 (5).
PUBLIC_PAGE = 12
# The comments page (the reader's own block without JavaScript): the article (1), then the thread as this
# reader may see it (5).
ANONYMOUS = 6
# The fragment does not render the thread again: the article (1), and in one read through the gate the
# comments this reader sees otherwise than everyone and which published ones are theirs (1).
FRAGMENT = 2
# A signed-in reader adds the session, the user and their nickname, and where comments are rendered for them
# their 공감 / 비공감 on this article (1); a reader's permissions are not loaded (only staff can moderate), a
# moderator's are (user's, groups').
SIGNED_IN, MODERATOR = 4, 6
# A page rendered for the reader (not the public one) counts in its header the replies they have not seen (1).
NEW_REPLIES = 1
BUDGET = {
    "article page": {"anonymous": PUBLIC_PAGE, "signed in": PUBLIC_PAGE, "moderator": PUBLIC_PAGE},
    # A reader with comments on the story: first whether it holds anything of theirs (1; for most readers the
    # answer is no, and the gate is not asked: tests/portal/test_fragment.py).
    "fragment": {"anonymous": FRAGMENT, "signed in": FRAGMENT + SIGNED_IN + 1, "moderator": FRAGMENT + MODERATOR},
    "comments page": {
        "anonymous": ANONYMOUS,
        "signed in": ANONYMOUS + SIGNED_IN + NEW_REPLIES,
        "moderator": ANONYMOUS + MODERATOR,  # staff have no nickname, hence no replies to count
    },
}


def address(place, article) -> str:
    return {
        "article page": article.get_absolute_url(),
        "fragment": reverse("fragment") + f"?article={article.pk}",
        "comments page": reverse("comments:thread", args=[article.pk]),
    }[place]


@pytest.mark.parametrize("place", list(BUDGET))
@pytest.mark.parametrize("reader", ["anonymous", "signed in", "moderator"])
def test_comment_block_query_count_is_fixed(
    client, article, alice, bob, moderator, reader, place, django_assert_num_queries
):
    if reader != "anonymous":
        client.force_login(alice if reader == "signed in" else moderator)
    fill(article, [alice, bob], 3)
    client.get("/")  # warm the site-profile and menu caches as a running site has them
    url = address(place, article)
    small = queries(client, url)
    fill(article, [alice, bob], 60)
    with django_assert_num_queries(BUDGET[place][reader]):
        client.get(url)
    assert queries(client, url) == small
    assert Comment.objects.count() == 126


def test_comments_are_paged_fifty_at_a_time_newest_first(client, article, alice, bob):
    fill(article, [alice, bob], 55)
    first = client.get(article.get_absolute_url()).content.decode()
    second = client.get(article.get_absolute_url() + "?cpage=2").content.decode()
    assert first.count('class="comment"') == 50 and second.count('class="comment"') == 5
    newest = Comment.objects.filter(parent=None).order_by("-created_at", "-id").first()
    assert (
        first.index(f'id="comment-{newest.pk}"') < first.index('class="comment"', first.index("comment-list") + 1) + 200
    )
    assert "전체의견 수 <strong>110</strong>" in first
    assert 'href="?cpage=2#comments"' in first
    assert client.get(article.get_absolute_url() + "?cpage=abc").status_code == 200
