from __future__ import annotations

import pytest


class RecordingPurge:
    """An edge that notes the keys it is asked to purge (EDGE_PURGE_BACKEND for tests)."""

    keys: list[set[str]] = []

    def __init__(self, urls: list[str]):
        self.urls = urls

    def purge(self, keys: list[str]) -> None:
        RecordingPurge.keys.append(set(keys))


@pytest.fixture
def purged(settings, django_capture_on_commit_callbacks):
    """Run a change and return the set of keys purged once it commits: `with purged() as keys: ...`."""
    import contextlib

    settings.EDGE_PURGE_URLS = ["http://edge.invalid/"]
    settings.EDGE_PURGE_BACKEND = "tests.news.conftest.RecordingPurge"

    @contextlib.contextmanager
    def capture():
        RecordingPurge.keys = []
        seen: set[str] = set()
        with django_capture_on_commit_callbacks(execute=True):
            yield seen
        seen.update(*RecordingPurge.keys)

    return capture
