from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from news.viewcount import flush_buffers


class Command(BaseCommand):
    help = (
        "Redis에 쌓인 조회수와 광고 노출수를 데이터베이스로 옮깁니다 "
        "(여러 번 실행하거나 중간에 끊겨도 정확히 한 번만 반영)."
    )

    def handle(self, *args, **options) -> None:
        if not settings.VIEW_BUFFER_URL:
            raise CommandError("VIEW_BUFFER_URL이 없습니다: 조회수는 이미 데이터베이스에 바로 기록되고 있습니다.")
        moved = flush_buffers()
        self.stdout.write(f"조회수와 광고 노출 {moved}건을 옮겼습니다.")
