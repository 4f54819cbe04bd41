"""Request checks that hold for every URL."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


def refuse_nul_in_query(get_response: Callable[[HttpRequest], HttpResponse]):
    """A NUL byte in the query string is a 400 page: PostgreSQL refuses NUL in text, so any filter that passed
    it on (the admin's choice filters do) would be a server error. Comment text handles NUL itself."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            raise BadRequest("NUL byte in the query string")
        return get_response(request)

    return middleware
