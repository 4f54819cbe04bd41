"""`make run` loads the demo newsroom of portal/demo/; running it twice adds nothing."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from comments.models import Comment, Commenter
from news.models import Article, Correction, DailyViews, Section, Series
from portal import demo, roles
from portal.ads.models import Ad, AdSlot, Business


@pytest.mark.django_db
def test_seed_demo_is_complete_and_idempotent(settings, capsys):
    settings.DEMO_PASSWORD = "demo-pass-for-test"
    call_command("seed_demo")
    first = capsys.readouterr().out

    def counts():
        return (
            Section.objects.count(),
            Article.objects.count(),
            get_user_model().objects.count(),
            Comment.objects.count(),
            DailyViews.objects.count(),
        )

    before = counts()
    call_command("seed_demo")

    assert counts() == before
    assert Comment.objects.filter(private=True).exists() and DailyViews.objects.count() > 60
    assert Section.objects.count() >= 6
    assert Article.objects.published().count() >= 60
    assert Article.objects.published().exclude(lead_renditions={}).count() >= 60
    assert Article.objects.exclude(status=Article.Status.PUBLISHED).exists()
    for username in ["editor", "reporter", "reporter2", "moderator", "reader", "reader2"]:
        # With the axes backend, authenticate needs the request (its address decides lock-outs).
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password="demo-pass-for-test"), username
        assert username in first
    assert "demo-pass-for-test" in first
    editor = get_user_model().objects.get(username="editor")
    assert editor.has_perm("news.publish_article")
    assert not get_user_model().objects.get(username="reporter").has_perm("news.publish_article")
    stores_what_the_data_files_say()  # one seeding for both: it takes seconds


def stores_what_the_data_files_say():
    newsroom, ads = demo.load("newsroom"), demo.load("ads")

    stored = {a.title: a for a in Article.objects.select_related("section", "reporter")}
    for item in demo.articles():
        article = stored[item["title"]]
        assert article.is_published(), item["title"]
        assert (article.section.slug, article.reporter.username) == (item["section"], item["reporter"])
        assert (article.subtitle, article.lead_image_caption) == (item.get("subtitle", ""), item["caption"])
        assert sorted(article.keywords.values_list("name", flat=True)) == sorted(item["keywords"]), item["title"]
        assert article.kind == item.get("kind", "report"), item["title"]
        assert article.series_label.startswith("[") == ("series" in item), item["title"]
        assert article.body == demo.body_html(item["body"])
    for item in newsroom["unpublished"]["articles"]:
        assert not stored[item["title"]].is_published(), item["title"]
    assert [(c.body, c.private, c.author.username) for c in Comment.objects.order_by("created_at")] == [
        (c["body"], c.get("private", False), c["author"]) for c in newsroom["comments"]
    ]
    assert dict(Commenter.objects.values_list("user__username", "nickname")) == newsroom["nicknames"]
    for username, account in newsroom["accounts"].items():
        user = get_user_model().objects.get(username=username)
        assert sorted(user.groups.values_list("name", flat=True)) == sorted(account["roles"]), username
    assert sorted(AdSlot.objects.values_list("code", flat=True)) == sorted(s["code"] for s in ads["slots"])
    assert sorted(Ad.objects.values_list("title", flat=True)) == sorted(a["title"] for a in ads["ads"])
    assert list(Business.objects.values_list("name", flat=True)) == [b["name"] for b in ads["businesses"]]
    # #17: a few series (a column among them) with their installments, a correction and an advertorial.
    assert Series.objects.filter(installments__isnull=False).distinct().count() >= 3
    assert Series.objects.exclude(writer="").exists()
    assert Correction.objects.count() == len(newsroom["corrections"]) >= 1
    assert Article.objects.published().filter(kind=Article.Kind.SPONSORED).exists()
    # The desk: its top stories lead the front page in order, a 속보 is up, and a story has two reporters.
    from django.core.cache import cache

    from news import frontpage

    cache.delete(frontpage.BREAKING_KEY)  # dropped on commit, which the test's transaction never makes
    picks = newsroom["desk"]["picks"]
    assert [story.title for story in frontpage.top_stories()[: len(picks)]] == picks
    assert frontpage.breaking_story()["title"] == newsroom["desk"]["breaking"]["article"]
    assert Article.objects.filter(co_reporters__isnull=False).count() == len(newsroom["desk"]["co_bylines"])
    # 포토뉴스: its photos in order with their captions, each with its renditions, listed at /photo/.
    for item in demo.articles():
        article = stored[item["title"]]
        assert article.format == item.get("format", "standard"), item["title"]
        photos = list(article.photos.all())
        assert [(p.caption, p.alt_text) for p in photos] == [(p["caption"], p["alt"]) for p in item.get("photos", [])]
        assert all(p.renditions.get("card") and p.renditions.get("thumb") for p in photos)
    assert 4 <= Article.objects.published().photo_stories().get().photo_count <= 6


def test_every_demo_article_has_what_the_seeder_needs():
    newsroom = demo.load("newsroom")
    sections = {s["slug"] for s in newsroom["sections"]}
    reporters = {name for name, account in newsroom["accounts"].items() if roles.REPORTER in account["roles"]}
    articles = demo.articles()

    assert len(articles) >= 60 and {a["section"] for a in articles} == sections
    assert len({a["title"] for a in articles}) == len(articles)  # the seeder knows a story by its title
    for article in articles:
        assert {"title", "reporter", "days_ago", "hour", "caption", "body", "keywords"} <= article.keys(), article[
            "title"
        ]
        assert article["keywords"] and article.get("kind", "report") in Article.Kind.values, article["title"]
        assert article.get("series") in {None, *(s["slug"] for s in newsroom["series"])}, article["title"]
        assert article["reporter"] in reporters and 0 <= article["hour"] < 24, article["title"]
        assert article["body"].strip(), article["title"]


def test_demo_accounts_sections_and_ads_refer_to_what_exists():
    newsroom, ads = demo.load("newsroom"), demo.load("ads")
    for account in newsroom["accounts"].values():
        assert set(account["roles"]) <= roles.ROLE_PERMISSIONS.keys()
    for section in newsroom["sections"]:
        assert len(section["photo_colours"]) == 2, section["slug"]
    assert set(newsroom["nicknames"]) <= newsroom["accounts"].keys()
    assert {c["author"] for c in newsroom["comments"]} <= newsroom["accounts"].keys()
    slots = {s["code"] for s in ads["slots"]}
    for ad in ads["ads"]:
        assert set(ad["slots"]) | set(ad.get("house_ad_of", [])) <= slots, ad["title"]
        assert ad.get("photo_colours") or ad.get("text"), ad["title"]
    assert {b["category"] for b in ads["businesses"]} <= set(Business.Category.values)


def test_article_body_markup_becomes_escaped_html():
    body = "첫 문단 <b>\n\n## 소제목\n\n> 인용 & 말\n\n- 하나\n- 둘\n"

    assert demo.body_html(body) == (
        "<p>첫 문단 &lt;b&gt;</p><h2>소제목</h2><blockquote><p>인용 &amp; 말</p></blockquote>"
        "<ul><li><p>하나</p></li><li><p>둘</p></li></ul>"
    )
