"""manage.py send_newsletter: today's edition to every confirmed subscriber, in batches over the mailer.

Resumable: each subscriber's delivery is claimed in the database before the mail is handed to the SMTP
server and marked sent after. Run again after a crash, it sends to those not yet claimed; a claim left
without `sent` (the crash came in between) is not sent again, so nobody gets an edition twice, and the
run says how many such there are.
"""

from __future__ import annotations

import datetime

from django.core.mail import mailers
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.newsletter.editions import build
from portal.newsletter.mail import edition_message
from portal.newsletter.models import Delivery, Edition, Subscriber


class Command(BaseCommand):
    help = "오늘의 뉴스레터를 수신 동의한 구독자에게 보냅니다 (중단되면 다시 실행: 이미 보낸 사람에게는 보내지 않음)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="호의 날짜 YYYY-MM-DD (기본: 오늘)")
        parser.add_argument("--batch", type=int, default=100, help="한 번의 SMTP 연결로 보낼 메일 수 (100)")

    def handle(self, *args, day: str | None, batch: int, **options):
        try:
            on = datetime.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError:
            raise CommandError(f"날짜는 YYYY-MM-DD로 적어 주세요: {day!r}") from None
        edition, _created = Edition.objects.get_or_create(day=on)
        build(edition)
        interrupted = edition.deliveries.filter(sent_at__isnull=True).count()
        if interrupted:
            self.stderr.write(
                f"지난 실행이 보내는 중에 끊긴 {interrupted}명에게는 다시 보내지 않습니다 (두 번 받지 않도록)."
            )
        waiting = list(Subscriber.objects.receiving().exclude(pk__in=edition.deliveries.values("subscriber_id")))
        total, sent = len(waiting), 0
        for start in range(0, total, max(1, batch)):
            with mailers.default as connection:  # one SMTP session a batch
                for subscriber in waiting[start : start + batch]:
                    try:
                        with transaction.atomic():
                            delivery = Delivery.objects.create(edition=edition, subscriber=subscriber)
                    except IntegrityError:  # another run claimed this one
                        continue
                    connection.send_messages([edition_message(edition, subscriber.email)])
                    Delivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
                    sent += 1
            self.progress(sent, total)
        self.stdout.write(f"{edition.day} 호를 {sent}명에게 보냈습니다.")

    def progress(self, done: int, total: int, width: int = 30) -> None:
        filled = width * done // total if total else width
        self.stdout.write(f"발송 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
