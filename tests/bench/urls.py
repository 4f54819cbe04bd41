"""The portal's URLs plus /bench/floor/: the framework floor of tests/bench/bench_load.py.

The floor view returns a fixed HTML page (an article page rendered once and saved by the benchmark as
STATIC_ROOT/bench-floor.html) through the same middleware as every page, with no database or cache work:
what any Django page costs on this server before the portal does anything. The same file served by
WhiteNoise at /static/bench-floor.html is the second reference.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import *  # noqa: F403  (urlpatterns and handler500)
from portal.urls import urlpatterns as portal_urlpatterns
from tests.bench.serving import FLOOR_FILE


@functools.cache
def _floor_html() -> bytes:
    return (Path(settings.STATIC_ROOT) / FLOOR_FILE).read_bytes()


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_floor_html(), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *portal_urlpatterns]
