"""Who can read a private comment: its author, the article's reporters (its reporter and co-reporters) and
moderators. Nobody else, anywhere.

The article page is the same for every reader (stored at the edge): it shows the thread as anyone sees it. A
reader's own block, private comments they may read included, comes from the page's fragment (swapped in by
its script) or from the comments page (without JavaScript): both are checked for every viewer.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from comments.models import Comment
from tests import factories
from tests.beacon import html_parts, seen_on_article

pytestmark = pytest.mark.django_db

SECRET = "비밀번호는 상하이1234 입니다"
PUBLIC = "모두가 보는 공개 의견입니다"


def fragment(client, article, **params) -> dict[str, str]:
    """The article page's fragment for this reader: its parts (account, messages, comments) as HTML."""
    response = client.get(reverse("fragment"), {"reader": "1", "article": article.pk, **params})
    assert response.status_code == 200
    return response.json()  # decoded: the JSON itself spells Korean as \uXXXX escapes


def own_blocks(client, article) -> dict[str, str]:
    """Where a reader reads their own comment block: the article page made theirs by its fragment, and the
    comments page."""
    page = client.get(reverse("comments:thread", args=[article.pk]))
    assert page.status_code == 200
    return {"fragment": seen_on_article(client, article), "comments page": page.content.decode()}


@pytest.fixture
def thread(article, alice):
    factories.CommentFactory(article=article, author=alice, body=PUBLIC)
    return factories.CommentFactory(article=article, author=alice, body=SECRET, private=True)


def make_viewer(who, alice, reporter, other_reporter):
    return {
        "author": alice,
        "other reader": factories.commenter("다른독자", username="other"),
        "anonymous": None,
        "article's reporter": reporter,
        "co-reporter": _co_reporter(reporter),
        "another reporter": other_reporter,
        "moderator": factories.moderator(username="mod"),
        "superuser": get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-12345"),
        "staff with view_comment only": _viewer_without_moderation(),
    }[who]


def _co_reporter(reporter):
    """A second reporter in the byline of every story `reporter` wrote (the `article` fixture among them)."""
    co = factories.reporter(username="co", first_name="공동기자")
    for article in reporter.articles.all():
        article.co_reporters.add(co)
    return co


def _viewer_without_moderation():
    from django.contrib.auth.models import Permission

    user = factories.UserFactory(username="viewonly", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    return user


READERS = {
    "author": True,
    "other reader": False,
    "anonymous": False,
    "article's reporter": True,
    "co-reporter": True,
    "another reporter": False,
    "moderator": True,
    "superuser": True,
    "staff with view_comment only": False,
}


@pytest.mark.parametrize("who", list(READERS))
def test_private_comment_on_the_article_page(client, thread, article, who, alice, reporter, other_reporter):
    viewer = make_viewer(who, alice, reporter, other_reporter)
    if viewer:
        client.force_login(viewer)

    public = client.get(article.get_absolute_url()).content.decode()
    pages = {"article page": public} | own_blocks(client, article)

    for where, page in pages.items():
        assert PUBLIC in page, where
        assert "전체의견 수 <strong>2</strong>" in page, where  # private ones are counted for everyone
        if READERS[who] and where != "article page":
            assert SECRET in page, where
        else:  # the article page is everyone's: nobody reads a private comment there
            assert SECRET not in page, where
            assert "비밀 댓글입니다." in page, where
            block = page.split(f'id="comment-{thread.pk}"')[1].split("</article>")[0]
            assert "앨리스" not in block, where  # no nickname on the placeholder either


@pytest.mark.parametrize("who", list(READERS))
def test_private_comment_in_the_admin(client, thread, who, alice, reporter, other_reporter):
    viewer = make_viewer(who, alice, reporter, other_reporter)
    if viewer:
        client.force_login(viewer)

    urls = [
        reverse("admin:comments_comment_changelist"),
        reverse("admin:comments_comment_changelist") + "?q=상하이1234",  # a search hit would betray the text
        reverse("admin:comments_comment_changelist") + "?o=3",
        reverse("admin:comments_comment_change", args=[thread.pk]),
        reverse("admin:comments_reportedcomment_changelist"),
        reverse("admin:comments_report_changelist"),
        reverse("admin:index"),
    ]
    responses = [client.get(url) for url in urls]

    text = "".join(r.content.decode() for r in responses)
    if who in ("moderator", "superuser"):
        assert SECRET in text
    else:
        # readers go to the login page; staff without the moderation permission are refused outright
        assert all(r.status_code in (302, 403) for r in responses[:-1]), [r.status_code for r in responses]
        assert SECRET not in text and "앨리스" not in text


@pytest.mark.parametrize("who", list(READERS))
def test_gate_gives_text_only_to_those_who_may_read(thread, who, alice, reporter, other_reporter):
    from django.contrib.auth.models import AnonymousUser

    viewer = make_viewer(who, alice, reporter, other_reporter) or AnonymousUser()
    row = Comment.objects.visible_to(viewer).get(pk=thread.pk)

    assert (row.shown_body == SECRET) is READERS[who]
    assert row.readable is READERS[who]
    assert "body" in row.get_deferred_fields()  # the real column is never loaded through the gate


def test_reply_to_a_private_comment_is_private_and_readable_by_the_first_author(client, article, alice, bob):
    secret = factories.CommentFactory(article=article, author=alice, body=SECRET, private=True)
    client.force_login(alice)
    client.post(reverse("comments:post", args=[article.pk]), {"body": "비밀 답변", "parent": secret.pk})
    # alice posted; now bob (who cannot read the private comment) may not see alice's private reply either
    reply = Comment.objects.get(parent=secret)
    assert reply.private

    assert "비밀 답변" in own_blocks(client, article)["fragment"]
    assert "비밀 답변" not in client.get(article.get_absolute_url()).content.decode()

    client.force_login(bob)
    assert "비밀 답변" not in client.get(article.get_absolute_url()).content.decode()
    for where, page in own_blocks(client, article).items():
        assert "비밀 답변" not in page, where


def test_private_reply_to_a_public_comment_is_readable_by_the_comment_it_answers(client, article, alice, bob):
    public = factories.CommentFactory(article=article, author=alice, body=PUBLIC)
    factories.CommentFactory(
        article=article,
        author=bob,
        body="앨리스님께만 드리는 답",
        private=True,
        parent=public,
        created_at=public.created_at,
    )
    Comment.objects.filter(pk=public.pk).update(has_replies=True)
    stranger = factories.commenter("행인", username="stranger")

    client.force_login(alice)
    for where, page in own_blocks(client, article).items():
        assert "앨리스님께만 드리는 답" in page, where
    assert "앨리스님께만 드리는 답" not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(stranger)
    assert "앨리스님께만 드리는 답" not in client.get(article.get_absolute_url()).content.decode()
    for where, page in own_blocks(client, article).items():
        assert "앨리스님께만 드리는 답" not in page, where


@pytest.mark.parametrize("who", [who for who, reads in READERS.items() if not reads])
def test_private_text_is_nowhere_in_the_page_source_for_others(
    client, thread, article, who, alice, reporter, other_reporter
):
    viewer = make_viewer(who, alice, reporter, other_reporter)
    if viewer:
        client.force_login(viewer)
    comments_page = reverse("comments:thread", args=[article.pk])
    for url in (
        article.get_absolute_url(),
        article.get_absolute_url() + "?cpage=1",
        "/",
        reverse("news:ranking"),
        comments_page,
        comments_page + "?cpage=1",
    ):
        source = client.get(url).content.decode()
        assert SECRET not in source, url  # not in text, attributes, title, meta or HTML comments
    for cpage in (None, "1"):
        parts = fragment(client, article, **({"cpage": cpage} if cpage else {}))
        assert SECRET not in "".join(html_parts(parts).values()), cpage


def test_a_third_readers_private_reply_is_read_by_the_comment_author_and_reporter_only(
    client, article, alice, bob, reporter
):
    question = factories.CommentFactory(article=article, author=alice, body="공개 질문", has_replies=True)
    factories.CommentFactory(article=article, author=bob, parent=question, private=True, body="밥의 비밀 답")
    carol = factories.commenter("캐럴", username="carol")
    expected = {alice: True, bob: True, reporter: True, carol: False}
    for user, reads in expected.items():
        client.force_login(user)
        assert "밥의 비밀 답" not in client.get(article.get_absolute_url()).content.decode(), user
        for where, page in own_blocks(client, article).items():
            assert ("밥의 비밀 답" in page) is reads, (user, where)


def test_private_text_reaches_no_feed_search_sitemap_cached_page_or_mail(
    client, thread, article, alice, bob, mailoutbox
):
    from comments import services

    services.post_comment(article=article, author=bob, body="답글입니다", parent=Comment.objects.get(body=PUBLIC))
    urls = [
        reverse("feed"),
        reverse("section-feed", args=[article.section.slug]),
        reverse("sitemap-index"),
        reverse("sitemap-news"),
        reverse("news:search") + "?q=상하이1234",
        reverse("news:ranking"),
        reverse("front"),
        article.get_absolute_url(),
    ]
    responses = [client.get(url) for url in urls]
    assert "에 맞는 기사가 없습니다" in responses[4].content.decode()  # comments are not searchable at all
    # The edge stores the article page for everyone, whoever asked first: asked by the private comment's
    # author, who may read it, the page it may store still carries no private text.
    client.force_login(alice)
    urls.append(article.get_absolute_url() + " (asked by the author)")
    responses.append(client.get(article.get_absolute_url()))
    assert "public" in responses[-1]["Cache-Control"] and "s-maxage" in responses[-1]["Cache-Control"]
    for url, response in zip(urls, responses, strict=True):
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    # No path sends mail about comments (no reply or moderation notices exist), so none can carry the text.
    assert all(SECRET not in message.body and SECRET not in message.subject for message in mailoutbox)


def test_the_public_article_page_is_the_same_for_every_reader(client, article, alice, bob):
    factories.CommentFactory(article=article, author=alice, body=PUBLIC)
    hider = factories.commenter("숨은작성자", username="hider")
    factories.CommentFactory(article=article, author=hider, body=SECRET, private=True)
    waiter = factories.commenter("대기작성자", username="waiter")
    factories.CommentFactory(article=article, author=waiter, body="검토를 기다리는 의견", status="pending")
    viewers = {
        "anonymous": None,
        "the private comment's author": hider,
        "another reader": bob,
        "moderator": factories.moderator(username="mod"),
    }

    bodies = {}
    for who, viewer in viewers.items():
        client.logout()
        if viewer:
            client.force_login(viewer)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200, who
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert "public" in cache_control and any(part.startswith("s-maxage=") for part in cache_control), who
        assert {f"article-{article.pk}", f"comments-{article.pk}"} <= set(response["Surrogate-Key"].split()), who
        assert not response.cookies and not response.has_header("Set-Cookie"), who
        bodies[who] = response.content

    assert len(set(bodies.values())) == 1, "the article page differs between readers"
    page = bodies["anonymous"].decode()
    assert PUBLIC in page and "앨리스" in page and "비밀 댓글입니다." in page
    for personal in (
        SECRET,
        "숨은작성자",
        "검토를 기다리는 의견",
        "대기작성자",
        "csrfmiddlewaretoken",
        f'action="{reverse("logout")}"',
        "님의 의견을 남겨 주세요",  # a reader's own form names them
    ):
        assert personal not in page, personal


@pytest.mark.parametrize("who", ["anonymous", "author", "moderator"])
def test_a_readers_own_block_is_never_stored_at_the_edge(client, thread, article, who, alice, reporter, other_reporter):
    viewer = make_viewer(who, alice, reporter, other_reporter)
    if viewer:
        client.force_login(viewer)
    for response in (
        client.get(reverse("fragment"), {"reader": "1", "article": article.pk}),
        client.get(reverse("comments:thread", args=[article.pk])),
    ):
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control and "public" not in cache_control, response.request
        assert not response.has_header("Surrogate-Key"), response.request


EDITED_SECRET = "고쳐 쓴 비밀: 계좌번호 9876"


@pytest.mark.parametrize("who", list(READERS))
def test_private_comment_in_every_order_edit_reaction_best_and_my_comments(
    client, thread, article, who, alice, reporter, other_reporter, settings
):
    """The matrix over what #16 added: the sorted orders, BEST, an edited private comment (its new text and
    its old one), 공감 on it, 내 댓글 and the edit page. Only those who may read it ever see its text."""
    from comments import services
    from comments.models import Revision, Rules
    from comments.threads import ORDERS

    settings.COMMENT_RATE_PER_MINUTE = 0
    Rules.objects.create(pk=1, edit_minutes=600)  # the factory's comments are two hours old
    services.edit_comment(comment=thread, user=alice, body=EDITED_SECRET)
    Comment.objects.filter(pk=thread.pk).update(up_count=99)  # the most liked: BEST if anything private could be
    assert Revision.objects.filter(comment=thread, body=SECRET).exists()
    viewer = make_viewer(who, alice, reporter, other_reporter)
    if viewer:
        client.force_login(viewer)
    reads = READERS[who]

    pages = {}
    for order in ORDERS:
        pages[f"article ?order={order}"] = client.get(article.get_absolute_url() + f"?order={order}").content.decode()
        thread_page = reverse("comments:thread", args=[article.pk]) + f"?order={order}"
        pages[f"comments page ?order={order}"] = client.get(thread_page).content.decode()
    pages["내 댓글"] = client.get(reverse("comments:mine")).content.decode()
    edit_page = client.get(reverse("comments:edit", args=[thread.pk]))
    pages["edit page"] = edit_page.content.decode()

    for where, page in pages.items():
        assert SECRET not in page, where  # the text before the edit: moderators' admin only
        shown = EDITED_SECRET in page
        expected = (
            reads and where.startswith("comments page") or (who == "author" and where in ("내 댓글", "edit page"))
        )
        assert shown is expected, where
    for where in [w for w in pages if w.startswith("article")]:
        best = pages[where].split('class="best-comments"')[1] if 'class="best-comments"' in pages[where] else ""
        assert EDITED_SECRET not in best and "앨리스" not in best, where  # never BEST
    assert edit_page.status_code == (200 if who == "author" else 404 if viewer else 302)

    # 공감 on it: only those who may read it (the author may not react to their own).
    response = client.post(reverse("comments:react", args=[thread.pk]), {"kind": "up"})
    if not viewer:
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif not reads:
        assert response.status_code == 404
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("who", list(READERS) + ["replied to", "pending author"])
def test_the_gates_shortcut_agrees_with_the_gate(thread, article, who, alice, reporter, other_reporter, bob):
    """seen_as_by_everyone (the reader's fragment skips the gate with it) is true exactly when the gate gives
    this reader nothing beyond the public thread: no private comment they may read, none of their own."""
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Q

    factories.CommentFactory(article=article, author=bob, body="밥의 비밀 답글", private=True, parent=thread)
    if who == "replied to":
        viewer = factories.commenter("답글받은독자", username="replied")
        public = factories.CommentFactory(article=article, author=viewer, body="공개 의견")
        factories.CommentFactory(article=article, author=bob, body="비밀 답글", private=True, parent=public)
    elif who == "pending author":
        viewer = factories.commenter("대기독자", username="pending")
        factories.CommentFactory(article=article, author=viewer, status=Comment.Status.PENDING)
    else:
        viewer = make_viewer(who, alice, reporter, other_reporter) or AnonymousUser()
    beyond_public = (
        Comment.objects.filter(article=article)
        .listed_for(viewer, readable_only=True)
        .filter(Q(private=True) | Q(status=Comment.Status.PENDING) | Q(author_id=viewer.pk))
        .exists()
    )
    assert Comment.objects.seen_as_by_everyone(viewer, article.pk) is not beyond_public
    assert beyond_public is (
        who in ("author", "article's reporter", "co-reporter", "moderator", "superuser", "replied to", "pending author")
    )


@pytest.mark.parametrize("who", [w for w in READERS if w != "author"])
def test_after_the_author_leaves_their_private_text_is_gone_for_everyone(
    client, thread, article, who, alice, reporter, other_reporter
):
    """회원 탈퇴 in the matrix: the private comment's text reaches nobody any more (moderators included: it is
    erased), and the public one stays, by "탈퇴한 회원", for every viewer."""
    from portal.accounts import forget_reader

    forget_reader(alice)
    viewer = make_viewer(who, alice, reporter, other_reporter)
    if viewer:
        client.force_login(viewer)
    pages = {"article page": client.get(article.get_absolute_url()).content.decode()}
    pages["comments page"] = client.get(reverse("comments:thread", args=[article.pk])).content.decode()
    if who in ("moderator", "superuser"):
        pages["admin"] = client.get(reverse("admin:comments_comment_change", args=[thread.pk])).content.decode()
    for where, page in pages.items():
        assert SECRET not in page and "앨리스" not in page, where
    for where in ("article page", "comments page"):
        assert PUBLIC in pages[where] and "탈퇴한 회원" in pages[where], where
