"""Uploads: what is refused (with a clear message), and what an accepted photo becomes."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from news.models import Article
from tests.factories import ArticleFactory, image_upload
from tests.news.test_roles import article_form

pytestmark = pytest.mark.django_db


def post_lead_image(client, editor, section, upload):
    client.force_login(editor)
    data = article_form(None, section=section.pk, title="사진 기사", reporter=editor.pk)
    data["lead_image"] = upload
    return client.post(reverse("admin:news_article_add"), data)


def form_errors(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.errors.get("lead_image", []))


def png_bytes(size, mode="1") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("note.jpg", "사진이 아닙니다".encode(), "image/jpeg"), "사진 파일이 아니거나"),
        (
            lambda: SimpleUploadedFile(
                "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"
            ),
            "SVG",
        ),
        (lambda: SimpleUploadedFile("bomb.png", png_bytes((8000, 7000)), "image/png"), "화소"),
        (lambda: SimpleUploadedFile("cut.jpg", image_upload().read()[:2000], "image/jpeg"), "손상된"),
        (
            lambda: SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 10), "image/jpeg"),
            "파일이 너무 큽니다",
        ),
        (
            lambda: SimpleUploadedFile("page.png", b"<html><script>alert(1)</script></html>", "image/png"),
            "사진 파일이 아니거나",
        ),
    ],
    ids=["not-an-image", "svg", "decompression-bomb", "truncated-jpeg", "over-10MB", "html-as-png"],
)
def test_rejected_uploads_get_a_clear_error(client, editor, section, upload, message):
    response = post_lead_image(client, editor, section, upload())

    assert response.status_code == 200
    assert message in form_errors(response)
    assert not Article.objects.filter(title="사진 기사").exists()


def test_accepted_photo_has_no_gps_and_is_upright_in_every_rendition(client, editor, section):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: display rotated 90°
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 0.0)
    upload = image_upload(size=(800, 600), exif=exif)
    assert ExifTags.IFD.GPSInfo in Image.open(io.BytesIO(upload.read())).getexif()
    upload.seek(0)

    response = post_lead_image(client, editor, section, upload)

    assert response.status_code == 302
    article = Article.objects.get(title="사진 기사")
    with default_storage.open(article.lead_image.name) as fh:
        original = Image.open(fh)
        assert original.size == (600, 800)  # orientation applied
        assert not original.getexif()
    assert set(article.lead_renditions) == {"thumb", "card", "page", "page_2x", "og"}
    for name, rendition in article.lead_renditions.items():
        path = rendition["url"].removeprefix("/media/")
        with default_storage.open(path) as fh:
            image = Image.open(fh)
            assert not image.getexif(), name
            assert image.size == (rendition["width"], rendition["height"]), name
    assert article.lead_renditions["og"]["width"] == 1200 and article.lead_renditions["og"]["height"] == 630


def test_article_page_serves_the_photo_with_its_size(client, section, reporter):
    article = ArticleFactory(
        section=section,
        reporter=reporter,
        lead_image=image_upload(size=(1200, 800)),
        lead_image_caption="푸둥 야경",
        lead_image_alt="불 켜진 빌딩들",
    )

    page = client.get(article.get_absolute_url()).content.decode()

    page_rendition = Article.objects.get(pk=article.pk).lead_renditions["page"]
    assert f'src="{page_rendition["url"]}" width="960" height="640"' in page
    assert 'alt="불 켜진 빌딩들"' in page
    assert "<figcaption>푸둥 야경</figcaption>" in page
    assert "srcset=" in page


def test_body_photo_goes_where_the_reporter_marked_it(client, section, reporter):
    article = ArticleFactory(section=section, reporter=reporter, body="<p>첫 문단</p><p>[사진 1]</p><p>끝 문단</p>")
    article.photos.create(image=image_upload(), caption="행사 현장", alt_text="사람들", position=1)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "[사진 1]" not in page
    first, rest = page.split("첫 문단", 1)
    figure, _ = rest.split("끝 문단", 1)
    assert '<figure class="body-photo">' in figure and "행사 현장" in figure
