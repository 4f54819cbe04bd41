"""WSGI entry point: `python -m portal.serve` runs `portal.wsgi:application` under granian."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
_django = get_wsgi_application()

# Granian starts every request's environ from a copy of the process environment (CGI style). Left there,
# secrets such as SECRET_KEY and DATABASE_URL would sit in every request.META (and so in any error report),
# and an HTTP_* variable of the process would pass for a header the client never sent.
_PROCESS_ENVIRONMENT = dict(os.environ)
_SERVER_KEYS = frozenset({"GATEWAY_INTERFACE", "SCRIPT_NAME", "SERVER_SOFTWARE"})


def application(environ, start_response):
    for name, value in _PROCESS_ENVIRONMENT.items():
        if name not in _SERVER_KEYS and environ.get(name) == value:
            del environ[name]
    return _django(environ, start_response)
