"""Request checks that hold for every URL."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.text import smart_split

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


class AdminListGuard:
    """A malformed query string on an admin list (a changelist) is the 400 page, never a server error.

    Django's admin redirects to the plain list (?e=1) when a filter cannot be built from the query string, but
    some values fail later, when the count or the rows are read: a date hierarchy drill-down past 9999 or before
    year 1 in UTC, a `__range` with one end, a pattern or a number the database refuses (DataError). This applies
    to every registered admin (ours, auth's, django-axes'), hence a middleware. Such an error on a GET of a
    changelist with a query string is the staff's input: a 400, whose log line keeps the error and its traceback.
    """

    # A search word is an OR over every search field: hundreds of them take PostgreSQL seconds to plan, and SQLite
    # refuses the query ("Expression tree is too large"), which would read as a lost database.
    MAX_SEARCH_WORDS = 32
    INPUT_ERRORS = (DataError, ValueError, OverflowError, IndexError)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    @staticmethod
    def _is_admin_list(request: HttpRequest) -> bool:
        match = request.resolver_match
        return (
            request.method in ("GET", "HEAD")
            and match is not None
            and match.app_name == "admin"
            and (match.url_name or "").endswith("_changelist")
            and bool(request.GET)
        )

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if not self._is_admin_list(request):
            return
        if len(list(smart_split(request.GET.get("q", "")))) > self.MAX_SEARCH_WORDS:
            raise BadRequest("too many words in an admin search")
        for key, value in request.GET.items():
            # SQLite runs regex lookups in Python: a bad pattern fails there as an OperationalError, which
            # portal.health answers as a lost database. PostgreSQL's own refusal is a DataError (below).
            if key.endswith(("__regex", "__iregex")):
                try:
                    re.compile(value)
                except re.error as error:
                    raise BadRequest(f"bad pattern in {key}") from error

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, self.INPUT_ERRORS) and self._is_admin_list(request):
            raise BadRequest("an admin list's query string the database or the date arithmetic refused") from exception


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
