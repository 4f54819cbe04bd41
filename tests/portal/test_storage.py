"""Media on object storage: MEDIA_STORAGE=s3 puts photos in a bucket (django-storages), configured only from
the environment; the photo pipeline and the pages never need a file on local disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.files.storage import InMemoryStorage, Storage, default_storage

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
MEDIA = "https://media.example.com/"

REPORT = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
s = storages["default"]
print(json.dumps({
    "backend": f"{type(s).__module__}.{type(s).__name__}",
    "bucket": getattr(s, "bucket_name", None), "region": getattr(s, "region_name", None),
    "endpoint": getattr(s, "endpoint_url", None), "querystring_auth": getattr(s, "querystring_auth", None),
    "file_overwrite": getattr(s, "file_overwrite", None), "access_key": getattr(s, "access_key", None),
    "url": s.url("renditions/ab/photo-page.jpg"), "img_src": settings.SECURE_CSP["img-src"],
}))
"""


def settings_with(**env) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter with this environment (no network is used)."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "MEDIA_")) and k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "news.example.com",
            **env,
        },
    )


def storage_report(**env) -> dict:
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_s3_storage_is_configured_from_the_environment_and_links_without_signatures():
    report = storage_report(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="portal-media",
        AWS_S3_REGION_NAME="ap-northeast-2",
        AWS_S3_ENDPOINT_URL="https://s3.ap-northeast-2.amazonaws.com",
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLEONLY",
        AWS_SECRET_ACCESS_KEY="not-a-real-secret",
    )
    assert report["backend"] == "storages.backends.s3.S3Storage"
    assert (report["bucket"], report["region"], report["endpoint"]) == (
        "portal-media",
        "ap-northeast-2",
        "https://s3.ap-northeast-2.amazonaws.com",
    )
    assert report["access_key"] == "AKIAEXAMPLEONLY"  # the standard AWS variable
    assert (report["querystring_auth"], report["file_overwrite"]) == (False, False)
    assert report["url"] == "https://media.example.com/renditions/ab/photo-page.jpg"
    assert report["img_src"] == ["'self'", "data:", "https://media.example.com"]  # the pages may load it


def test_s3_bucket_without_custom_domain_is_linked_directly_and_allowed_by_the_csp():
    report = storage_report(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="portal-media")
    assert report["url"] == "https://portal-media.s3.amazonaws.com/renditions/ab/photo-page.jpg"  # no ?X-Amz-…
    assert "https://portal-media.s3.amazonaws.com" in report["img_src"]


def test_s3_compatible_endpoint_is_allowed_by_the_csp():
    report = storage_report(
        MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="portal-media", AWS_S3_ENDPOINT_URL="https://minio.example.com:9000"
    )
    assert report["url"] == "https://minio.example.com:9000/portal-media/renditions/ab/photo-page.jpg"
    assert report["img_src"] == ["'self'", "data:", "https://minio.example.com:9000"]


def test_s3_without_a_bucket_refuses_to_start():
    result = settings_with(MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "ImproperlyConfigured: MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME." in result.stderr


def test_an_unknown_media_storage_refuses_to_start():
    result = settings_with(MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert "MEDIA_STORAGE must be local or s3" in result.stderr


def test_local_file_storage_is_the_default():
    report = storage_report()
    assert report["backend"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert report["url"] == "/media/renditions/ab/photo-page.jpg"
    assert report["img_src"] == ["'self'", "data:"]


class BucketLikeStorage(InMemoryStorage):
    """Files in memory behind absolute URLs and, like S3Storage, no local path for anyone to open."""

    path = Storage.path  # raises NotImplementedError, as S3Storage's does

    def _relative_path(self, name):  # InMemoryStorage finds its own files through path(): keep that inside
        return os.path.relpath(InMemoryStorage.path(self, name), self.location)


@pytest.fixture
def storage_without_local_paths(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.BucketLikeStorage", "OPTIONS": {"base_url": MEDIA}},
    }
    with pytest.raises(NotImplementedError):
        default_storage.path("anything.jpg")
    return default_storage


@pytest.mark.django_db
def test_photos_are_stored_and_shown_from_a_storage_without_local_paths(storage_without_local_paths, client):
    section = factories.SectionFactory(name="사회", slug="society")
    article = factories.ArticleFactory(
        section=section,
        title="사진 있는 기사",
        lead_image_alt="야경",
        lead_image=factories.image_upload(size=(1200, 800)),
    )
    photo = article.photos.create(image=factories.image_upload(), caption="현장", alt_text="사람들", position=1)
    page = client.get(article.get_absolute_url()).content.decode()
    enclosure = ElementTree.fromstring(client.get("/rss/").content).find("channel/item/enclosure")

    og = article.lead_renditions["og"]["url"]
    assert og.startswith(f"{MEDIA}renditions/")
    assert storage_without_local_paths.exists(og.removeprefix(MEDIA))
    assert photo.renditions["page"]["url"].startswith(f"{MEDIA}renditions/")
    assert f'src="{article.lead_renditions["page"]["url"]}"' in page
    assert f'<meta property="og:image" content="{og}">' in page  # absolute already: no host in front
    assert enclosure.get("url") == og
