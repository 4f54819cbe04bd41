from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

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
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of our own on a free port, which the test may stop, freeze, kill and start again (with
    redis-server options of its choosing, e.g. an append-only file that survives a restart)."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self, *options: str):
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                    *options,
                ],
                stdout=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.02)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            self.process.terminate()
            self.process.wait(10)

        def freeze(self):
            """Stopped mid-flight: it reads nothing more and answers nothing until killed."""
            self.process.send_signal(signal.SIGSTOP)

        def kill(self):
            self.process.kill()
            self.process.wait(10)

    server = Server()
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


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
