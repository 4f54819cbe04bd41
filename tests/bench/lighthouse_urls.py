"""The portal's URLs plus /media/ for tests/bench/bench_lighthouse.py.

In production the web server or object storage serves uploads (deploy/nginx); the measurement has neither,
and a page whose photos fail would be measured as a broken page. django.conf.urls.static adds nothing with
DEBUG off, so the pattern is written out.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from portal.urls import *  # noqa: F403  (handler400, handler500)
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *portal_urlpatterns,
]
