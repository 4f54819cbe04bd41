"""Test configuration: the production settings module with test-only switches on top."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-used-in-production-0123456789")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # the test client and live server speak plain http

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

LOGGING["loggers"]["portal.access"]["level"] = "WARNING"  # noqa: F405  # a line per request is noise here
COMMENT_TRUSTED_AFTER_DAYS = 0  # the suite's readers are new accounts; tests/comments/test_trust.py turns it on
VIEW_FLUSH_SECONDS = 0  # a background flush would race the tests' own; tests/news/test_viewcount_redis.py turns it on
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Serve static files from the app folders as DEBUG would: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The live server's thread must not keep a connection open past a test: the test database is dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Copied from a template with an explicit UTF-8 locale (made by `python -m portal.dbcheck`, which
    # `make test` runs): on a C-locale cluster Hangul would get no trigrams and search would find nothing.
    DATABASES["default"]["TEST"] = {"TEMPLATE": os.environ.get("TEST_DB_TEMPLATE", "portal_test_template")}  # noqa: F405
