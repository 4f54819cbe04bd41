"""공감 / 비공감: one per reader and comment, given, taken back or switched; exact under concurrency; only on
comments the reader may read and did not write; counts on the public page, without purging it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment, Reaction
from news.models import PendingPurge
from portal.models import SiteProfile
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _many_comments_a_minute(settings):
    settings.COMMENT_RATE_PER_MINUTE = settings.COMMENT_RATE_PER_ARTICLE = 10


@pytest.fixture
def story(section, reporter):
    return factories.ArticleFactory(section=section, reporter=reporter)


def react(client: Client, comment, kind: str, **extra):
    return client.post(reverse("comments:react", args=[comment.pk]), {"kind": kind}, **extra)


def counts(comment) -> tuple[int, int]:
    return Comment.objects.filter(pk=comment.pk).values_list("up_count", "down_count").get()


def test_a_reaction_is_given_switched_and_taken_back(alice, bob, story):
    comment = services.post_comment(article=story, author=bob, body="밥의 의견")
    client = Client()
    client.force_login(alice)
    assert react(client, comment, "up", HTTP_ACCEPT="application/json").json() == {"up": 1, "down": 0, "mine": "up"}
    assert react(client, comment, "down", HTTP_ACCEPT="application/json").json() == {"up": 0, "down": 1, "mine": "down"}
    assert react(client, comment, "down", HTTP_ACCEPT="application/json").json() == {"up": 0, "down": 0, "mine": None}
    assert not Reaction.objects.exists()
    # Without the script: the same form, and back to the comment.
    response = react(client, comment, "up")
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    assert counts(comment) == (1, 0)


def test_no_reaction_to_ones_own_a_hidden_or_an_unreadable_comment(alice, bob, story):
    own = services.post_comment(article=story, author=alice, body="나의 의견")
    secret = services.post_comment(article=story, author=bob, body="밥의 비밀", private=True)
    hidden = services.post_comment(article=story, author=bob, body="숨겨진 의견")
    Comment.objects.filter(pk=hidden.pk).update(status=Comment.Status.HIDDEN)
    client = Client()
    client.force_login(alice)
    answer = react(client, own, "up", HTTP_ACCEPT="application/json")
    assert answer.status_code == 409 and answer.json()["error"] == "자신의 댓글에는 공감할 수 없습니다."
    assert react(client, secret, "up").status_code == 404  # through the gate: she may not read it
    assert react(client, hidden, "up", HTTP_ACCEPT="application/json").status_code == 409
    assert react(client, own, "sideways").status_code == 400
    assert Reaction.objects.count() == 0
    # Those who may read the private comment may react to it: its author's reporter here.
    newsroom = Client()
    newsroom.force_login(story.reporter)
    assert react(newsroom, secret, "up", HTTP_ACCEPT="application/json").json()["up"] == 1


def test_signed_out_readers_see_the_counts_and_are_offered_a_login(client, alice, bob, story):
    comment = services.post_comment(article=story, author=bob, body="밥의 의견")
    services.react(comment=comment, reader=alice, kind="up")
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'data-react-url="{reverse("comments:react", args=[comment.pk])}"' in page
    assert 'action="/accounts/login/"' in page and '<span data-count="up">1</span>' in page
    assert react(client, comment, "up").status_code == 302  # a post without a session: to the login


def test_a_reaction_does_not_purge_the_page_at_the_edge(
    alice, bob, story, settings, django_capture_on_commit_callbacks
):
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens: a purge would be kept to retry
    comment = services.post_comment(article=story, author=bob, body="밥의 의견")
    PendingPurge.objects.all().delete()
    client = Client()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        react(client, comment, "up")
    assert not PendingPurge.objects.exists()  # the counts on the stored page catch up within EDGE_MAX_AGE
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(article=story, author=alice, body="새 댓글")
    assert PendingPurge.objects.exists()  # whereas a new comment does purge


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_reactions_are_counted_exactly(section, reporter):
    story = factories.ArticleFactory(section=section, reporter=reporter)
    author = factories.commenter("작성자", username="author")
    comment = services.post_comment(article=story, author=author, body="모두가 공감할 의견")
    readers = [factories.UserFactory(username=f"reader{n}") for n in range(25)]

    def send(job):
        reader, kinds = job
        try:
            for kind in kinds:  # up, then down (a switch), or up twice (given and taken back) ...
                services.react(comment=comment, reader=reader, kind=kind)
        finally:
            close_old_connections()
            connection.close()

    plans = [["up", "down"], ["up", "up"], ["down", "down"], ["down", "up"], ["up", "down"]]
    jobs = [(reader, plans[n % len(plans)]) for n, reader in enumerate(readers)]
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(send, jobs))  # 50 reactions in all, from ten readers at a time
    ups = Reaction.objects.filter(comment=comment, kind="up").count()
    downs = Reaction.objects.filter(comment=comment, kind="down").count()
    assert (ups, downs) == (5, 10)  # "down, up": up; "up, down": down; twice the same: taken back
    assert counts(comment) == (ups, downs)


def test_best_shows_up_to_three_public_comments_with_the_most_likes_above_the_thread(client, alice, bob, story):
    SiteProfile(name="상하이방", best_comment_min_up=2).save()
    made = {}
    for name, ups, private in [
        ("하나", 5, False),
        ("둘", 9, False),
        ("셋", 2, False),
        ("넷", 7, False),
        ("비밀", 50, True),
        ("하나뿐", 1, False),
    ]:
        comment = services.post_comment(article=story, author=bob, body=f"의견 {name}", private=private)
        Comment.objects.filter(pk=comment.pk).update(up_count=ups)
        made[name] = comment
    hidden = services.post_comment(article=story, author=alice, body="숨겨진 인기 의견")
    Comment.objects.filter(pk=hidden.pk).update(up_count=99, status=Comment.Status.HIDDEN)
    page = client.get(story.get_absolute_url()).content.decode()
    best = page[page.index('class="best-comments"') : page.index("</section>", page.index('class="best-comments"'))]
    assert [m for m in ("의견 둘", "의견 넷", "의견 하나") if m in best] == ["의견 둘", "의견 넷", "의견 하나"]
    assert best.index("의견 둘") < best.index("의견 넷") < best.index("의견 하나")
    assert "의견 셋" not in best and "비밀" not in best and "숨겨진" not in best and best.count("badge-best") == 3
    assert page.index('class="best-comments"') < page.index('class="comment-list"')  # above the thread
    SiteProfile(name="상하이방", best_comment_min_up=10).save()
    cache.clear()
    assert 'class="best-comments"' not in client.get(story.get_absolute_url()).content.decode()
