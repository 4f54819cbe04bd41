"""Small server-drawn SVG charts for editors (no JavaScript, no chart library): daily views over 30 days."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from news.models import DailyViews

WIDTH, HEIGHT, PAD = 600, 140, 24


def daily_series(days: int = 30, **filters) -> list[tuple[date, int]]:
    """Views per day for the last `days` Shanghai days (zeros included), for rows matching `filters`."""
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    counts = dict(
        DailyViews.objects.filter(day__gte=start, **filters)
        .values("day")
        .annotate(n=Sum("views"))
        .values_list("day", "n")
    )
    return [(start + timedelta(days=i), counts.get(start + timedelta(days=i), 0)) for i in range(days)]


def bar_chart(series: list[tuple[date, int]], title: str) -> SafeString:
    """A bar per day with the peak labelled; each bar's tooltip gives the date and the count."""
    peak = max((n for _, n in series), default=0) or 1
    slot = (WIDTH - 2 * PAD) / max(len(series), 1)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#0b4f8a"><title>{} · {}</title></rect>',
        (
            # format_html escapes its arguments into strings, so numbers are formatted here first
            (
                f"{PAD + i * slot + 1:.1f}",
                f"{HEIGHT - PAD - (n / peak) * (HEIGHT - 2 * PAD):.1f}",
                f"{max(slot - 2, 1):.1f}",
                f"{(n / peak) * (HEIGHT - 2 * PAD):.1f}",
                day.isoformat(),
                _("%(n)s회") % {"n": f"{n:,}"},
            )
            for i, (day, n) in enumerate(series)
        ),
    )
    total = sum(n for _, n in series)
    return format_html(
        '<figure class="views-chart"><figcaption><strong>{}</strong> · {} {}</figcaption>'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c3c9d2"/>{}'
        '<text x="{}" y="14" font-size="11" fill="#5f6672">{} {}</text>'
        '<text x="{}" y="{}" font-size="11" fill="#5f6672">{}</text>'
        '<text x="{}" y="{}" font-size="11" fill="#5f6672" text-anchor="end">{}</text></svg></figure>',
        title,
        _("합계"),
        f"{total:,}",
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        title,
        PAD,
        HEIGHT - PAD,
        WIDTH - PAD,
        HEIGHT - PAD,
        bars,
        PAD,
        _("최고"),
        f"{peak if total else 0:,}",
        PAD,
        HEIGHT - 6,
        series[0][0].isoformat() if series else "",
        WIDTH - PAD,
        HEIGHT - 6,
        series[-1][0].isoformat() if series else "",
    )


def sparkline(values: list[int], width: int = 90, height: int = 24) -> SafeString:
    """A small line of a story's daily views (oldest to newest), its last value marked; the numbers in its
    label for screen readers."""
    peak = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - v / peak * (height - 4):.1f}" for i, v in enumerate(values))
    last_x, last_y = (len(values) - 1) * step, height - 2 - (values[-1] if values else 0) / peak * (height - 4)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}"><polyline points="{}" fill="none" stroke="#0b4f8a" stroke-width="1.5"/>'
        '<circle cx="{}" cy="{}" r="2" fill="#0b4f8a"/></svg>',
        width,
        height,
        width,
        height,
        _("최근 %(days)d일 조회수: %(values)s") % {"days": len(values), "values": ", ".join(f"{v:,}" for v in values)},
        points,
        f"{last_x:.1f}",
        f"{last_y:.1f}",
    )
