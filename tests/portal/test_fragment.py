"""A signed-in reader on the public page: the marker cookie the page script reads, the personal fragment it
swaps in, and the comments page for readers without JavaScript."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from news.models import Article
from tests import factories
from tests.beacon import comment_parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(section, reporter):
    return factories.ArticleFactory(section=section, reporter=reporter)


def fragment(client: Client, article=None) -> dict:
    response = client.get(reverse("fragment"), {"reader": "1", "article": article.pk} if article else {})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    return response.json()


def test_logging_in_sets_the_marker_the_page_script_reads_and_logging_out_removes_it(alice):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-1"})
    first = response.cookies["signed_in"].value
    assert response.status_code == 302 and len(first) == 16
    assert not response.cookies["signed_in"]["httponly"]  # the script must read it; it says nothing else
    again = Client()
    again.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-1"})
    assert again.cookies["signed_in"].value not in ("", first)  # a new value each login: what is kept goes
    response = client.post(reverse("logout"))
    assert response.cookies["signed_in"].value == ""  # deleted


def test_a_public_page_never_sets_the_marker_or_any_cookie(alice, story):
    client = Client()
    client.force_login(alice)
    response = client.get(story.get_absolute_url())
    assert not response.cookies and "public" in response["Cache-Control"]


def test_the_fragment_carries_the_readers_name_form_and_private_comments(alice, bob, story):
    services.post_comment(article=story, author=alice, body="앨리스의 비밀 제보", private=True)
    client = Client()
    client.force_login(alice)
    parts = fragment(client, story)
    assert "앨리스" in parts["account"] and "로그아웃" in parts["account"]
    personal = comment_parts(parts)
    assert "앨리스의 비밀 제보" in personal and 'name="csrfmiddlewaretoken"' in parts["comments"]["form"]
    assert 'action="' + reverse("comments:post", args=[story.pk]) + '"' in parts["comments"]["form"]
    assert parts["csrf"] and parts["comments"]["token"] and parts["comments"]["can_reply"]

    other = Client()
    other.force_login(bob)
    assert "앨리스의 비밀 제보" not in str(fragment(other, story))
    assert "앨리스의 비밀 제보" not in str(fragment(Client(), story))


def test_a_reader_whose_parts_are_kept_gets_only_what_differs_on_the_article(
    alice, bob, story, django_assert_num_queries
):
    """Without ?reader the script already keeps the reader's menu, form box and token: the article's fragment
    brings only the comments this reader sees otherwise and which are theirs, in two queries (the user and
    one read through the gate) and no template when there is nothing to show."""
    secret = services.post_comment(article=story, author=alice, body="앨리스의 비밀 제보", private=True)
    mine = services.post_comment(article=story, author=bob, body="밥의 공개 의견")
    client = Client()
    client.force_login(alice)
    response = client.get(reverse("fragment"), {"article": story.pk})
    parts = response.json()
    assert set(parts) == {"comments"} and "form" not in parts["comments"]
    assert [c["id"] for c in parts["comments"]["shown"]] == [secret.pk] and "앨리스의 비밀 제보" in comment_parts(parts)
    assert parts["comments"]["own"] == [secret.pk] and parts["comments"]["token"]

    other = Client()
    other.force_login(bob)
    other.get(reverse("fragment"), {"article": story.pk})  # the session and the user loaded once
    with django_assert_num_queries(4):  # the session, the user, whether the story holds any of theirs, the gate
        parts = other.get(reverse("fragment"), {"article": story.pk}).json()
    assert parts["comments"] == {"shown": [], "own": [mine.pk], "token": parts["comments"]["token"]}
    assert "앨리스의 비밀 제보" not in str(parts)

    # Most readers have nothing on a story: the gate is not asked at all.
    third = Client()
    third.force_login(factories.commenter("지나가는독자"))
    third.get(reverse("fragment"), {"article": story.pk})
    with django_assert_num_queries(3):  # the session, the user, whether the story holds any of theirs
        parts = third.get(reverse("fragment"), {"article": story.pk}).json()
    assert parts["comments"] == {"shown": [], "own": [], "token": parts["comments"]["token"]}


def test_messages_come_with_the_fragment_once(alice, story, settings):
    settings.COMMENT_PREMODERATION = True
    client = Client()
    client.force_login(alice)
    client.post(reverse("comments:post", args=[story.pk]), {"body": "검토를 기다릴 댓글"})
    assert "운영자 검토 뒤에 공개됩니다" in fragment(client)["messages"]
    assert "messages" not in fragment(client)  # shown once: none waiting now


@pytest.mark.parametrize("article_id", ["999999", "abc", "1" * 40, "", "²", "١٢"])
def test_the_fragment_of_a_missing_or_odd_article_has_no_comment_block(alice, article_id):
    client = Client()
    client.force_login(alice)
    response = client.get(reverse("fragment"), {"reader": "1", "article": article_id})
    assert response.status_code == 200 and "comments" not in response.json()


def test_the_fragment_of_an_unpublished_article_has_no_comment_block(alice, section, reporter):
    draft = factories.ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT)
    client = Client()
    client.force_login(alice)
    assert "comments" not in fragment(client, draft)


def test_without_javascript_the_comments_page_has_the_form_and_the_gate(alice, bob, story):
    services.post_comment(article=story, author=alice, body="앨리스의 비밀 제보", private=True)
    public = Client().get(story.get_absolute_url()).content.decode()
    thread_url = reverse("comments:thread", args=[story.pk])
    assert f'href="{thread_url}"' in public  # the public page links to it

    client = Client()
    client.force_login(alice)
    page = client.get(thread_url)
    assert page.status_code == 200 and "private" in page["Cache-Control"]
    assert "앨리스의 비밀 제보" in page.content.decode() and 'name="back" value="thread"' in page.content.decode()
    response = client.post(
        reverse("comments:post", args=[story.pk]), {"body": "자바스크립트 없이 쓴 댓글", "back": "thread"}
    )
    assert response.status_code == 302 and response["Location"].startswith(thread_url)

    other = Client()
    other.force_login(bob)
    assert "앨리스의 비밀 제보" not in other.get(thread_url).content.decode()
    anonymous = Client().get(thread_url).content.decode()
    assert "앨리스의 비밀 제보" not in anonymous and "댓글을 쓰려면 로그인해 주세요." in anonymous


def test_the_comments_page_of_an_unpublished_article_is_404(alice, section, reporter):
    draft = factories.ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT)
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("comments:thread", args=[draft.pk])).status_code == 404


def test_the_fragments_links_lead_back_to_the_page_not_to_the_fragment(db, story):
    reader = factories.UserFactory(username="no-nickname-yet")
    client = Client()
    client.force_login(reader)
    parts = client.get(
        reverse("fragment"), {"reader": "1", "article": story.pk, "next": story.get_absolute_url() + "?cpage=2"}
    ).json()
    assert f"next=/article/{story.pk}/%3Fcpage%3D2" in comment_parts(parts)  # 닉네임 정하기, then back
    assert "/fragment/" not in comment_parts(parts) + parts["account"]
    for elsewhere in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        parts = client.get(reverse("fragment"), {"reader": "1", "article": story.pk, "next": elsewhere}).json()
        assert "evil" not in comment_parts(parts) and "javascript" not in comment_parts(parts)
