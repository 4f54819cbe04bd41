from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from news import edge
from news.models import PendingPurge


class Command(BaseCommand):
    help = "엣지(Varnish) 캐시 퍼지 가운데 실패한 것을 다시 보냅니다. 키를 주면 그 키로 퍼지합니다 (예: site)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("keys", nargs="*", help="퍼지할 서로게이트 키 (예: site article-12)")

    def handle(self, *args, **options) -> None:
        if not settings.EDGE_PURGE_URLS:
            raise CommandError("EDGE_PURGE_URLS가 없습니다: 퍼지할 엣지가 없습니다.")
        waiting = PendingPurge.objects.count()
        if not edge.send_purge(set(options["keys"])):
            raise CommandError("퍼지하지 못했습니다. 엣지가 응답하는지 확인하세요 (로그에 자세한 내용이 있습니다).")
        self.stdout.write(f"퍼지했습니다 (다시 보낸 실패분 {waiting}건).")
