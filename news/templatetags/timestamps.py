"""Moments written for machines: the `datetime` of a <time> element and the times in meta tags."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def machine_time(value: datetime | None) -> str:
    """ISO 8601 in the site's time zone, to the second: `date:"c"` keeps microseconds, which HTML's
    datetime syntax refuses (at most three digits of a second)."""
    if not isinstance(value, datetime):
        return ""
    return value.replace(microsecond=0).isoformat()
