"""manage.py restore BACKUP: put a `manage.py backup` folder back, into an empty database and media folder.

The manifest's checksums are checked first, so a damaged or partial copy is refused before anything is
written; a database or media folder that already holds something is refused too (restoring over live data
would mix two states of the site).
"""

from __future__ import annotations

import json
import subprocess  # nosec B404  # pg_dump / pg_restore with argv lists, never a shell
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portal.management.commands.backup import (
    DATABASE_FILE,
    MANIFEST,
    MEDIA_FILE,
    PRIVATE_FILE,
    engine,
    media_on_disk,
    postgres_environment,
    postgres_tool,
    sha256,
)


class Command(BaseCommand):
    help = "manage.py backup 으로 만든 백업을 빈 데이터베이스와 빈 미디어 폴더에 복원합니다."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="백업 폴더 (manifest.json이 있는 곳)")

    def handle(self, *args, backup: str, **options):
        source = Path(backup)
        try:
            manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{source}에서 manifest.json을 읽을 수 없습니다: {error}") from error
        for name, checksum in manifest["files"].items():
            if not (source / name).is_file() or sha256(source / name) != checksum:
                raise CommandError(
                    f"백업 파일 {name}이(가) 없거나 손상되었습니다 (체크섬 불일치). 복원하지 않았습니다."
                )
        if engine() != "postgresql":
            raise CommandError("복원은 PostgreSQL 데이터베이스에만 할 수 있습니다.")
        connection = connections["default"]
        if connection.introspection.table_names():
            raise CommandError("대상 데이터베이스가 비어 있지 않습니다. 빈 데이터베이스에 복원해 주세요.")
        media_root = Path(settings.MEDIA_ROOT)
        restore_media = MEDIA_FILE in manifest["files"] and media_on_disk()
        if restore_media and media_root.is_dir() and any(media_root.iterdir()):
            raise CommandError(f"미디어 폴더 {media_root}가 비어 있지 않습니다. 빈 폴더에 복원해 주세요.")
        private_root = Path(settings.PRIVATE_MEDIA_ROOT)
        restore_private = PRIVATE_FILE in manifest["files"]
        if restore_private and private_root.is_dir() and any(private_root.iterdir()):
            raise CommandError(f"비공개 폴더 {private_root}가 비어 있지 않습니다. 빈 폴더에 복원해 주세요.")

        command = [
            postgres_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            settings.DATABASES["default"]["NAME"],
            str(source / DATABASE_FILE),
        ]
        result = subprocess.run(  # nosec B603  # argv built here, no shell
            command, env=postgres_environment(settings.DATABASES["default"]), capture_output=True, text=True
        )
        if result.returncode:
            raise CommandError(f"pg_restore 실패: {result.stderr.strip()}")

        if restore_media:
            _extract(source / MEDIA_FILE, "media", media_root)
        if restore_private:
            _extract(source / PRIVATE_FILE, "private", private_root)
        self.stdout.write(f"복원 완료: {source} → 데이터베이스 {settings.DATABASES['default']['NAME']}")


def _extract(archive_path: Path, top: str, into: Path) -> None:
    """The archive's `top/` folder into `into`: no absolute path, link or ../ gets out of it."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name == top or not member.name.startswith(f"{top}/"):
                continue
            member.name = member.name.removeprefix(f"{top}/")
            archive.extract(member, into, filter="data")
