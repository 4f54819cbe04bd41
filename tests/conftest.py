from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

from tests import factories


def pytest_collection_modifyitems(config, items):
    # On the embedded SQLite default, PostgreSQL-only tests are skipped with a visible reason.
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (this pass runs on SQLite)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
    if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
        if os.environ.get("CI"):
            raise pytest.UsageError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Uploads go to a throwaway folder, and no cached value or buffered count leaks into the next test.
    settings.MEDIA_ROOT = tmp_path / "media"
    from portal.ads import counting

    counting._pending.clear()
    counting._pending_total = 0
    from news import viewcount

    viewcount._buffer_down_until = 0.0  # a test that took the buffer away must not leave it "down"
    from django.core.cache import cache

    from news import pagecache

    cache.clear()
    pagecache.forget_local_pages()
    yield
    cache.clear()
    pagecache.forget_local_pages()


@pytest.fixture
def section(db):
    return factories.SectionFactory(name="경제", slug="economy")


@pytest.fixture
def reporter(db):
    return factories.reporter(username="lee", first_name="이종실")


@pytest.fixture
def other_reporter(db):
    return factories.reporter(username="park", first_name="박지현")


@pytest.fixture
def editor(db):
    return factories.editor(username="desk", first_name="김하늘")


@pytest.fixture
def reader(db):
    return factories.UserFactory(username="reader")


@pytest.fixture
def alice(db):
    return factories.commenter("앨리스", username="alice")


@pytest.fixture
def bob(db):
    return factories.commenter("밥", username="bob")


@pytest.fixture
def moderator(db):
    return factories.moderator(username="mod")
