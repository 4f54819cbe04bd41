"""Reading a page as a reader's browser does: the page, then the beacon its script sends (static/js/page.js)."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse

_BEACON = re.compile(r'data-beacon="([^"]+)"')


def beacon_of(response) -> str | None:
    """The signed list the page asks its beacon to count, if any."""
    found = _BEACON.search(response.content.decode()) if response.status_code == 200 else None
    return html.unescape(found.group(1)) if found else None


def send_beacon(client: Client, signed: str, **extra):
    """What navigator.sendBeacon sends from one of our pages: a same-origin POST."""
    headers = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"} | extra
    return client.post(reverse("beacon"), {"b": signed}, **headers)


def read(client: Client, url: str, **extra):
    """GET the page and, when it carries a beacon, send it with the same headers; return the page."""
    response = client.get(url, **extra)
    if signed := beacon_of(response):
        answer = send_beacon(client, signed, **extra)
        assert answer.status_code == 204, answer.content
    return response
