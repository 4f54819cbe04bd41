"""Rebuild the known terms that "혹시 … 을(를) 찾으셨나요?" offers (news.search.refresh_terms): hourly by
deploy/systemd/portal-search-terms.timer, and at the end of seed_demo."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from news import search


class Command(BaseCommand):
    help = "검색어 제안(혹시 … 찾으셨나요?)에 쓰는 낱말 목록을 키워드·섹션·표기 변형·기사 제목에서 다시 만듭니다."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        count = search.refresh_terms()
        self.stdout.write(f"검색 낱말 {count:,}개 ({time.perf_counter() - started:.1f}초)")
