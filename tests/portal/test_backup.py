"""manage.py backup and restore: the demo newsroom round-trips into an empty database and media folder."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from comments.models import Comment
from news.models import DailyViews
from portal.ads.models import Ad, AdDailyStats
from portal.tips.models import Tip, TipPhoto
from tests import factories

# In the group of the replica tests: dropping a database forces a checkpoint, which can cut a base backup short.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("many_pg_connections"),
]

ROOT = Path(__file__).resolve().parents[2]

# What must come back identical: every article, comment (its private flag too), view count, ad and its stats.
FINGERPRINTS = {
    "articles": "SELECT id, title, md5(body), status, extract(epoch FROM published_at), lead_image FROM news_article ORDER BY id",
    "comments": "SELECT id, article_id, author_id, parent_id, md5(body), private, status FROM comments_comment ORDER BY id",
    "views": "SELECT article_id, day, views FROM news_dailyviews ORDER BY article_id, day",
    "ads": "SELECT id, title, image, extract(epoch FROM starts_at), extract(epoch FROM ends_at) FROM ads_ad ORDER BY id",
    "ad stats": "SELECT ad_id, day, impressions, clicks FROM ads_addailystats ORDER BY ad_id, day",
    "users": "SELECT id, username, password, is_staff FROM auth_user ORDER BY id",
    "tips": "SELECT id, name, email, md5(body), status FROM tips_tip ORDER BY id",
    "tip photos": "SELECT id, tip_id, image FROM tips_tipphoto ORDER BY id",
}


def fingerprint(rows_of) -> dict[str, tuple[int, str]]:
    """Per table: how many rows, and a checksum of them all."""
    result = {}
    for name, sql in FINGERPRINTS.items():
        rows = rows_of(sql)
        result[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def media_files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def empty_database():
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(backup: Path, database: str, media_root: Path, private: Path | None = None) -> subprocess.CompletedProcess:
    """`manage.py restore` as an operator runs it, against another database and media folder."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(database).replace("postgresql://", "postgres://"),
        "MEDIA_ROOT": str(media_root),
        "PRIVATE_MEDIA_ROOT": str(private or media_root.parent / "restored-private-unused"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup)], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_demo_round_trips_through_backup_and_restore(tmp_path, settings, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    DailyViews.objects.update(views=7)  # counts of its own, so that a restore of stale rows would show
    ad = Ad.objects.first()
    AdDailyStats.objects.create(ad=ad, day=timezone.localdate(), impressions=120, clicks=3)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    tip = Tip.objects.create(name="제보자", email="tipster@example.com", body="제보 내용")
    TipPhoto.objects.create(tip=tip, image=factories.image_upload("tip.jpg"))
    private_before = media_files(settings.PRIVATE_MEDIA_ROOT)
    assert len(private_before) == 1
    assert Comment.objects.filter(private=True).exists() and AdDailyStats.objects.exists()
    before = fingerprint(lambda sql: _rows(connection, sql))
    files_before = media_files(settings.MEDIA_ROOT)
    assert any(name.startswith("articles/") for name in files_before)  # the demo's photos are in the copy

    call_command("backup", str(tmp_path / "backups"))
    [backup] = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz", "private.tar.gz"}

    restored_media = tmp_path / "restored-media"
    result = restore(backup, empty_database, restored_media, private=tmp_path / "restored-private")
    assert result.returncode == 0, result.stderr
    with psycopg.connect(database_url(empty_database)) as restored:
        after = fingerprint(lambda sql: restored.execute(sql).fetchall())
    assert after == before
    assert media_files(restored_media) == files_before
    assert media_files(tmp_path / "restored-private") == private_before  # the 기사제보 photos too


def test_restore_refuses_a_damaged_copy_and_a_database_in_use(tmp_path, settings, empty_database, section, reporter):
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.ArticleFactory(section=section, reporter=reporter)
    call_command("backup", str(tmp_path / "backups"))
    [backup] = (tmp_path / "backups").iterdir()

    with pytest.raises(CommandError, match="비어 있지 않습니다"):
        call_command("restore", str(backup))  # the suite's own database holds the site

    with (backup / "database.dump").open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\0" * 16)
    result = restore(backup, empty_database, tmp_path / "restored-media")
    assert result.returncode != 0 and "손상" in result.stderr
    with psycopg.connect(database_url(empty_database)) as untouched:
        assert untouched.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def _rows(conn, sql: str) -> list[tuple]:
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()
