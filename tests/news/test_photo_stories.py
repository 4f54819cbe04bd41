"""포토뉴스 (#17): a story that is its photos in order, each with its caption; the /photo/ list with covers;
the sequence on the article page without JavaScript; who may make one; the purges; a fixed query budget."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from news import edge
from news.models import Article, ArticlePhoto
from tests.factories import ArticleFactory, image_upload
from tests.news.test_roles import article_form, change_url

pytestmark = pytest.mark.django_db

PHOTO = Article.Format.PHOTO_STORY


def fake_renditions(n: int) -> dict:
    """Renditions as make_renditions records them, without drawing files (list and budget tests)."""
    return {
        name: {"url": f"/media/renditions/x/{n}-{name}.jpg", "width": w, "height": h, "bytes": 1, "type": "image/jpeg"}
        for name, w, h in [("thumb", 240, 160), ("card", 480, 320), ("page", 960, 640), ("page_2x", 1600, 1067)]
    }


def photo_story(count: int = 3, *, real: bool = False, **fields) -> Article:
    story = ArticleFactory(format=PHOTO, **fields)
    for n in range(1, count + 1):
        photo = ArticlePhoto(article=story, position=n, caption=f"{n}번째 장면 설명", alt_text=f"장면 {n}")
        if real:
            photo.image = image_upload(name=f"scene{n}.jpg", colour=(40 * n, 90, 160))
        else:
            photo.image, photo.renditions = f"articles/fake/{story.pk}-{n}.jpg", fake_renditions(story.pk * 10 + n)
        photo.save()
    return story


# ------------------------------------------------------------------------------------------- the article page


def test_photo_story_page_shows_each_photo_with_its_caption_number_and_links(client):
    story = photo_story(3, real=True, body="<p>[사진 1]</p><p>가을 축제 현장을 사진으로 전합니다.</p>")

    page = client.get(story.get_absolute_url()).content.decode()

    slides = re.findall(r'<li class="photo-slide" id="photo-(\d)">', page)
    assert slides == ["1", "2", "3"]
    for n in (1, 2, 3):
        assert f'<span class="photo-number">{n} / 3</span> <span data-photo-caption>{n}번째 장면 설명</span>' in page
        assert f'alt="장면 {n}"' in page
    # Without a script: the previous and next photo are links, and every photo is a link in the index.
    assert page.count('href="#photo-2"') == 3  # from photo 1 (다음), photo 3 (이전) and the index
    assert "이전 사진" in page and "다음 사진" in page
    assert 'class="photo-strip" tabindex="0"' in page  # the strip takes focus, so arrow keys scroll it
    assert re.search(r'<script src="/static/js/photo-story[^"]*\.js" defer></script>', page)
    # The photos are the sequence, not placed in the body as well ("[사진 1]" is dropped there).
    assert "body-photo" not in page and "[사진 1]" not in page
    assert "가을 축제 현장을 사진으로 전합니다." in page


def test_a_standard_story_keeps_its_photos_in_the_body_and_has_no_sequence(client):
    story = photo_story(2, real=True, body="<p>[사진 2]</p>")
    Article.objects.filter(pk=story.pk).update(format=Article.Format.STANDARD)

    page = client.get(story.get_absolute_url()).content.decode()

    assert 'class="body-photo"' in page and "2번째 장면 설명" in page
    assert "photo-slide" not in page and "photo-story" not in page


def test_photo_story_page_keeps_the_article_query_budget(client, django_assert_num_queries):
    """The sequence reads the photos the page already read for the body: 7 + 2 like any article page."""
    story = photo_story(5)
    client.get(reverse("front"))  # warm caches as a running site has them
    with django_assert_num_queries(7 + 2):
        client.get(story.get_absolute_url())


# --------------------------------------------------------------------------------------------- the /photo/ list


def test_photo_list_shows_live_photo_stories_with_cover_and_count(client, section):
    live = photo_story(3, title="야경 사진 모음", section=section)
    photo_story(2, title="예약된 포토뉴스", published_at=timezone.now() + timedelta(hours=1))
    photo_story(2, title="작성 중인 포토뉴스", status=Article.Status.DRAFT, published_at=None)
    photo_story(0, title="사진 없는 포토뉴스")
    ArticlePhoto.objects.create(
        article=ArticleFactory(title="일반 기사"), position=1, image="x.jpg", renditions=fake_renditions(0)
    )

    response = client.get(reverse("news:photo-stories"))
    page = response.content.decode()

    assert re.findall(r'class="photo-card-title">([^<]+)<', page) == ["야경 사진 모음"]
    first = live.photos.get(position=1)
    assert f'src="{first.renditions["card"]["url"]}"' in page  # the cover is the first photo of the sequence
    assert "사진 3장" in page
    assert 'aria-current="page">포토</a>' in page  # the menu marks where the reader is


def test_photo_list_is_paged_newest_first(client, section):
    now = timezone.now()
    for i in range(21):
        photo_story(1, title=f"포토 {i:02d}", section=section, published_at=now - timedelta(hours=i + 1))

    first = client.get(reverse("news:photo-stories")).content.decode()
    second = client.get(reverse("news:photo-stories") + "?page=2").content.decode()

    titles = re.findall(r'class="photo-card-title">([^<]+)<', first)
    assert titles[:2] == ["포토 00", "포토 01"] and len(titles) == 20
    assert re.findall(r'class="photo-card-title">([^<]+)<', second) == ["포토 20"]
    assert 'href="?page=2"' in first


def test_photo_list_query_count_does_not_grow_with_the_archive(client, section, django_assert_num_queries):
    """The count and the page (covers and photo counts as subqueries of the page's one query)."""
    now = timezone.now()

    def fill(n: int, start: int) -> None:
        for i in range(n):
            photo_story(3, section=section, published_at=now - timedelta(hours=start + i))
            ArticleFactory(section=section, published_at=now - timedelta(hours=start + i))

    fill(3, 1)
    client.get(reverse("front"))  # warm the site profile and menu
    with django_assert_num_queries(2):
        client.get(reverse("news:photo-stories"))
    fill(25, 10)
    with django_assert_num_queries(2):
        client.get(reverse("news:photo-stories") + "?page=2")


def test_photo_list_is_a_public_page_keyed_by_its_stories(client):
    story = photo_story(2)

    response = client.get(reverse("news:photo-stories"))

    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
    keys = set(response["Surrogate-Key"].split())
    assert {edge.SITE, edge.PHOTO_STORIES, edge.article_key(story.pk)} <= keys


def test_site_navigation_and_footer_link_to_the_photo_list(client, section):
    page = client.get(reverse("front")).content.decode()
    assert page.count(f'href="{reverse("news:photo-stories")}"') == 2  # the 대메뉴 and the footer


def test_lists_label_a_photo_story(client, section):
    photo_story(1, title="강변 산책로 사진", section=section)
    page = client.get(section.get_absolute_url()).content.decode()
    assert re.search(r'<span class="kind-label kind-photo">포토</span> 강변 산책로 사진', page)


# ------------------------------------------------------------------------------------------------ purges


def test_publishing_a_photo_story_purges_the_photo_list(purged, section, reporter):
    story = ArticleFactory(format=PHOTO, status=Article.Status.SUBMITTED, published_at=None, section=section)
    story.status = Article.Status.PUBLISHED
    with purged() as keys:
        story.save()
    assert {edge.PHOTO_STORIES, edge.article_key(story.pk)} <= keys


def test_editing_or_withdrawing_a_photo_story_purges_the_list_it_is_on(purged, section):
    story = photo_story(1, section=section)
    with purged() as keys:
        story.title = "고친 제목"
        story.save()
    assert edge.PHOTO_STORIES in keys
    story.format = Article.Format.STANDARD  # it leaves /photo/, which lists it by its article key
    with purged() as keys:
        story.save()
    assert edge.article_key(story.pk) in keys


def test_a_standard_story_does_not_purge_the_photo_list(purged, section):
    story = ArticleFactory(section=section)
    with purged() as keys:
        story.save()
        ArticlePhoto.objects.create(article=story, position=1, image="x.jpg", renditions=fake_renditions(1))
    assert edge.PHOTO_STORIES not in keys


def test_a_photo_added_to_a_photo_story_purges_its_page_and_the_list(purged, section):
    story = photo_story(0, section=section)  # not on /photo/ yet: it has no photo
    with purged() as keys:
        ArticlePhoto.objects.create(
            article=story,
            position=1,
            image="x.jpg",
            caption="첫 사진",
            alt_text="첫 사진",
            renditions=fake_renditions(1),
        )
    assert {edge.PHOTO_STORIES, edge.article_key(story.pk)} <= keys


# ------------------------------------------------------------------------------ the admin: captions, uploads


def photo_rows(*rows: tuple[str, str, object]) -> dict:
    """The photo inline's fields, one form per (caption, alt text, upload)."""
    data = {"photos-TOTAL_FORMS": str(len(rows))}
    for i, (caption, alt, upload) in enumerate(rows):
        data |= {
            f"photos-{i}-id": "",
            f"photos-{i}-article": "",
            f"photos-{i}-position": str(i + 1),
            f"photos-{i}-caption": caption,
            f"photos-{i}-alt_text": alt,
            f"photos-{i}-image": upload,
        }
    return data


def test_reporter_makes_a_photo_story_with_photos_and_captions_in_the_admin(client, reporter, section):
    client.force_login(reporter)
    data = article_form(None, section=section.pk, title="단풍 든 공원", format=PHOTO) | photo_rows(
        ("공원 입구의 은행나무", "노랗게 물든 은행나무 길", image_upload("a.jpg")),
        ("호숫가 벤치", "호숫가 벤치에 앉은 시민들", image_upload("b.png", fmt="PNG")),
    )

    response = client.post(reverse("admin:news_article_add"), data)

    assert response.status_code == 302
    story = Article.objects.get(title="단풍 든 공원")
    assert story.is_photo_story and story.reporter == reporter
    assert [(p.position, p.caption, bool(p.renditions.get("card"))) for p in story.photos.all()] == [
        (1, "공원 입구의 은행나무", True),
        (2, "호숫가 벤치", True),
    ]


def test_each_photo_of_a_photo_story_needs_a_caption_and_a_description(client, reporter, section):
    client.force_login(reporter)
    data = article_form(None, section=section.pk, title="캡션 없는 포토뉴스", format=PHOTO) | photo_rows(
        ("", "", image_upload("a.jpg"))
    )

    response = client.post(reverse("admin:news_article_add"), data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "사진 설명" in str(errors["caption"]) and "대체 텍스트" in str(errors["alt_text"])
    assert not Article.objects.filter(title="캡션 없는 포토뉴스").exists()


def test_a_standard_story_photo_may_still_go_without_a_caption(client, reporter, section):
    client.force_login(reporter)
    data = article_form(None, section=section.pk, title="일반 사진 기사") | photo_rows(("", "", image_upload("a.jpg")))
    assert client.post(reverse("admin:news_article_add"), data).status_code == 302


def test_making_a_stored_story_a_photo_story_checks_its_photos_as_the_form_sets_it(client, editor, section):
    story = ArticleFactory(section=section, reporter=editor)
    ArticlePhoto.objects.create(article=story, position=1, image="x.jpg", renditions=fake_renditions(1))
    client.force_login(editor)
    photo = story.photos.get()
    data = article_form(story, format=PHOTO, **{"photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "1"}) | {
        "photos-0-id": photo.pk,
        "photos-0-article": story.pk,
        "photos-0-position": "1",
        "photos-0-caption": "",
        "photos-0-alt_text": "",
        "published_at_0": timezone.localtime(story.published_at).strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime(story.published_at).strftime("%H:%M:%S"),
    }

    response = client.post(change_url(story), data)

    assert response.status_code == 200
    story.refresh_from_db()
    assert not story.is_photo_story


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml"),
            "SVG",
        ),
        (lambda: SimpleUploadedFile("note.jpg", "사진이 아닙니다".encode(), "image/jpeg"), "사진 파일이 아니거나"),
    ],
    ids=["svg", "not-an-image"],
)
def test_photo_story_uploads_get_the_same_checks_as_every_photo(client, reporter, section, upload, message):
    client.force_login(reporter)
    data = article_form(None, section=section.pk, title="검사받는 포토뉴스", format=PHOTO) | photo_rows(
        ("설명", "대체 텍스트", upload())
    )

    response = client.post(reverse("admin:news_article_add"), data)

    assert response.status_code == 200
    assert message in str(response.context["inline_admin_formsets"][0].formset.errors[0]["image"])


def test_a_photo_storys_lead_photo_is_its_cover_in_lists_not_a_second_picture_on_its_page(client, section):
    story = photo_story(2, real=True, section=section, lead_image=image_upload("cover.jpg", size=(1200, 800)))

    page = client.get(story.get_absolute_url()).content.decode()
    photos = client.get(reverse("news:photo-stories")).content.decode()
    listed = client.get(section.get_absolute_url()).content.decode()

    story.refresh_from_db()
    assert "lead-photo" not in page and page.count('class="photo-slide"') == 2
    assert f'src="{story.lead_renditions["card"]["url"]}"' in photos
    assert f'src="{story.lead_renditions["thumb"]["url"]}"' in listed


def test_a_photo_story_without_photos_stays_a_draft_until_it_has_one(client, reporter, section):
    client.force_login(reporter)
    data = article_form(None, section=section.pk, title="사진 없는 포토뉴스", format=PHOTO)

    response = client.post(reverse("admin:news_article_add"), data | {"status": Article.Status.SUBMITTED})

    assert response.status_code == 200
    assert "사진을 한 장 이상" in response.content.decode()
    assert not Article.objects.filter(title="사진 없는 포토뉴스").exists()
    assert client.post(reverse("admin:news_article_add"), data).status_code == 302  # a draft may wait
