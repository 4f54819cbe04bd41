"""Request checks that hold for every URL."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

access_logger = logging.getLogger("portal.access")


def access_log(get_response: Callable[[HttpRequest], HttpResponse]):
    """One JSON object per request on stdout (logger `portal.access`), so any log shipper can read it
    without a pattern: the server's own access log is off (portal/serve.py). First in MIDDLEWARE, so it
    times and sees every response Django gives, static files and error pages included."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        if access_logger.isEnabledFor(logging.INFO):
            access_logger.info(
                json.dumps(
                    {
                        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        "remote": request.META.get("REMOTE_ADDR", ""),
                        "method": request.method,
                        "path": request.path,
                        "query": request.META.get("QUERY_STRING", ""),
                        "status": response.status_code,
                        "bytes": None if response.streaming else len(response.content),
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "agent": request.headers.get("User-Agent", ""),
                    },
                    ensure_ascii=False,
                )
            )
        return response

    return middleware


def refuse_nul_in_query(get_response: Callable[[HttpRequest], HttpResponse]):
    """A NUL byte in the query string is a 400 page: PostgreSQL refuses NUL in text, so any filter that passed
    it on (the admin's choice filters do) would be a server error. Comment text handles NUL itself."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            raise BadRequest("NUL byte in the query string")
        return get_response(request)

    return middleware


SIGNED_IN_COOKIE = "signed_in"


def signed_in_marker(get_response: Callable[[HttpRequest], HttpResponse]):
    """Keep a cookie that page scripts can read, saying only that a reader is signed in, with a value new at
    each login (the session cookie is HttpOnly): static/js/page.js fetches the personal fragment only then,
    so an anonymous reader's page costs the app nothing, and keeps what it fetched under that value. Never
    on a public page, which must set no cookie."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        marked = request.COOKIES.get(SIGNED_IN_COOKIE)
        session = getattr(request, "session", None)
        # Only where a session exists or has just changed (a login, a logout): nobody else can be signed in.
        if getattr(request, "public_page", False) or not (
            marked or settings.SESSION_COOKIE_NAME in request.COOKIES or (session is not None and session.modified)
        ):
            return response
        if request.user.is_authenticated and session.session_key:
            # Derived from the session key, which a login replaces: a new value, nothing learnt from it.
            value = salted_hmac("portal.signed_in", session.session_key, algorithm="sha256").hexdigest()[:16]
            if marked != value:
                response.set_cookie(
                    SIGNED_IN_COOKIE,
                    value,
                    max_age=session.get_expiry_age(),
                    samesite="Lax",
                    domain=settings.SESSION_COOKIE_DOMAIN,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=False,
                )  # nosec B604  # read by the page script; no secret in it
        elif marked:
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax", domain=settings.SESSION_COOKIE_DOMAIN)
        return response

    return middleware
