"""기사제보: a reader sends a tip with photos and gets a receipt; editors read it, and its photos, in the
admin; nobody else can reach the photos; robots and floods are turned away."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from portal.tips.models import Tip
from tests import factories

pytestmark = pytest.mark.django_db


def with_position() -> Image.Exif:
    """EXIF naming where the photo was taken: the sender's whereabouts, which must not be kept."""
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 0.0)
    return exif


def send(client: Client, **fields):
    data = {"kind": "tip", "name": "상하이 독자", "email": "reader@example.com", "phone": "", "body": "공사 소식"}
    return client.post(reverse("tips:submit"), data | fields, follow=True)


def test_a_reader_sends_a_tip_with_photos_and_gets_a_receipt(client):
    photos = [factories.image_upload(f"p{n}.jpg", exif=with_position() if n == 0 else None) for n in range(2)]
    response = send(client, body="푸둥 지하철역 앞에 새 한식당이 열었습니다.", photos=photos)
    tip = Tip.objects.get()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("tips:received")
    assert f'<strong class="receipt">{tip.receipt}</strong>' in page
    assert (
        tip.body == "푸둥 지하철역 앞에 새 한식당이 열었습니다." and tip.status == Tip.Status.NEW and tip.sender is None
    )
    stored = [Path(photo.image.path) for photo in tip.photos.all()]
    assert len(stored) == 2 and all(path.is_relative_to(settings.PRIVATE_MEDIA_ROOT) for path in stored)
    assert not any(Path(settings.MEDIA_ROOT).rglob("*"))  # nothing under the public media folder
    with Image.open(stored[0]) as image:
        assert ExifTags.IFD.GPSInfo not in image.getexif()  # the position is gone
    # The receipt is shown once, to the sender.
    assert tip.receipt not in client.get(reverse("tips:received")).content.decode()


def test_a_signed_in_reader_is_recorded_as_the_sender(client, alice):
    client.force_login(alice)
    send(client, phone="010-1234-5678", email="")
    assert Tip.objects.get().sender == alice


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "", "phone": ""}, "답변받을 이메일이나 전화번호 중 하나는 적어 주세요."),
        ({"body": ""}, "필수 항목입니다."),
        ({"body": "가" * 5001}, "5000"),
        ({"email": "not-an-address"}, "올바른 이메일 주소를 입력하세요."),
    ],
)
def test_what_cannot_be_sent_is_refused_with_a_message_and_kept_in_the_form(client, fields, message):
    response = send(client, **fields)
    page = response.content.decode()
    assert response.status_code == 200 and message in page and Tip.objects.count() == 0
    assert 'value="상하이 독자"' in page  # what was typed is still there


def test_photos_get_the_article_photo_checks_and_a_limit_of_five(client):
    svg = factories.SimpleUploadedFile("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml")
    page = send(client, photos=[svg]).content.decode()
    assert "SVG 파일은 올릴 수 없습니다" in page and Tip.objects.count() == 0
    page = send(client, photos=[factories.image_upload(f"{n}.jpg") for n in range(6)]).content.decode()
    assert "사진은 5장까지 올릴 수 있습니다." in page and Tip.objects.count() == 0


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(client):
    response = send(client, homepage="http://spam.example/")
    assert response.redirect_chain[-1][0] == reverse("tips:received") and Tip.objects.count() == 0
    assert 'class="receipt"' not in response.content.decode()


def test_tips_are_limited_per_address_and_per_account(client, settings, alice):
    settings.TIP_RATE_PER_HOUR = 2
    for _ in range(2):
        send(client)
    page = send(client).content.decode()
    assert "제보가 너무 잦습니다" in page and Tip.objects.count() == 2
    # Another address, the same account: the account's own count holds.
    settings.TRUSTED_PROXY_COUNT = 1
    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")
    other.force_login(alice)
    send(other)
    send(other)
    assert "제보가 너무 잦습니다" in send(other).content.decode() and Tip.objects.count() == 4


def test_editors_read_tips_and_their_photos_in_the_admin_and_nobody_else_can(client, alice):
    send(client, photos=[factories.image_upload("p.jpg")])
    tip = Tip.objects.get()
    photo_url = reverse("admin:tips_tip_photo", args=[tip.pk]) + "?n=1"
    editor = Client()
    editor.force_login(factories.editor(username="desk"))
    change = editor.get(reverse("admin:tips_tip_change", args=[tip.pk])).content.decode()
    assert "공사 소식" in change and "reader@example.com" in change and photo_url.replace("&", "&amp;") in change
    response = editor.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert editor.get(photo_url.replace("n=1", "n=2")).status_code == 404
    editor.post(reverse("admin:tips_tip_change", args=[tip.pk]), {"status": "in_review", "notes": "현장 확인 예정"})
    tip.refresh_from_db()
    assert (tip.status, tip.notes) == ("in_review", "현장 확인 예정")

    reader = Client()
    reader.force_login(alice)
    assert reader.get(photo_url).status_code == 302  # to the admin login
    assert Client().get(photo_url).status_code == 302
    reporter = Client()
    reporter.force_login(factories.reporter(username="lee"))
    assert reporter.get(photo_url).status_code == 403
