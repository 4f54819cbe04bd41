"""manage.py backup DIRECTORY: a consistent copy of the database and the media, with a manifest to check it by.

The database first (pg_dump's custom format: one snapshot, whatever is being written meanwhile), then the
media files: an upload is stored before the row that names it, so every file the
dump refers to is already there (a file newer than the dump is merely unused). Media on object storage
(MEDIA_STORAGE=s3) is not copied: the bucket keeps its own versions (docs/deployment.md). PostgreSQL only:
the SQLite of a first run is one file, copied as it is. PRIVATE_MEDIA_ROOT (기사제보 photos) is always on
disk and always copied, as private.tar.gz.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess  # nosec B404  # pg_dump / pg_restore with argv lists, never a shell
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
PRIVATE_FILE = "private.tar.gz"  # PRIVATE_MEDIA_ROOT: the photos readers send with a 기사제보
MANIFEST = "manifest.json"


def engine() -> str:
    return connections["default"].vendor


def postgres_environment(database: dict) -> dict:
    """libpq's environment for pg_dump / pg_restore: the password never appears on a command line."""
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database["NAME"],
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore, as found on PATH (Debian's wrapper picks the server's major version)."""
    tool = shutil.which(name)
    if not tool:
        raise CommandError(f"{name}이(가) 없습니다. PostgreSQL 클라이언트를 설치해 주세요 (Debian: postgresql-client).")
    return tool


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_on_disk() -> bool:
    return settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


class Command(BaseCommand):
    help = "데이터베이스와 미디어 파일을 DIRECTORY/<시각>/ 에 백업합니다 (manifest.json에 확인용 체크섬)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="백업을 둘 디렉터리 (그 안에 시각 이름의 폴더를 만듭니다)")

    def handle(self, *args, directory: str, **options):
        if engine() != "postgresql":
            raise CommandError("백업은 PostgreSQL 데이터베이스만 지원합니다 (SQLite는 파일을 그대로 복사하세요).")
        target = Path(directory) / timezone.localtime().strftime("%Y%m%d-%H%M%S")
        try:
            target.mkdir(parents=True)
        except FileExistsError:
            raise CommandError(f"{target}이(가) 이미 있습니다. 잠시 뒤에 다시 실행해 주세요.") from None
        database_file = target / DATABASE_FILE
        dump = [
            postgres_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(database_file),
        ]
        result = subprocess.run(  # nosec B603  # argv built here, no shell
            dump, env=postgres_environment(settings.DATABASES["default"]), capture_output=True, text=True
        )
        if result.returncode:
            raise CommandError(f"pg_dump 실패: {result.stderr.strip()}")
        files = {database_file.name: sha256(database_file)}
        media = "object storage (not copied)"
        if media_on_disk():
            media_root = Path(settings.MEDIA_ROOT)
            with tarfile.open(target / MEDIA_FILE, "w:gz") as archive:
                if media_root.is_dir():
                    archive.add(media_root, arcname="media")
            files[MEDIA_FILE] = sha256(target / MEDIA_FILE)
            media = MEDIA_FILE
        private_root = Path(settings.PRIVATE_MEDIA_ROOT)
        with tarfile.open(target / PRIVATE_FILE, "w:gz") as archive:
            if private_root.is_dir():
                archive.add(private_root, arcname="private")
        files[PRIVATE_FILE] = sha256(target / PRIVATE_FILE)
        manifest = {
            "taken_at": timezone.now().isoformat(),
            "database": "postgresql",
            "media": media,
            "files": files,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(f"백업 완료: {target}")
