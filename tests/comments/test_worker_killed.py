"""A server worker killed with SIGKILL in the middle of a comment's request: the comment is either whole
or absent (never half-saved), nothing acknowledged is lost, and the reader's retry stores it once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from comments.models import Comment
from tests import factories
from tests.bench.serving import healthy, served

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


def _post(port: int, path: str, form: dict, cookies: dict) -> socket.socket:
    """Send a POST and return the open socket without waiting for the answer."""
    body = urllib.parse.urlencode(form).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nReferer: http://127.0.0.1:{port}/\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall(head.encode() + body)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """What the server sent before closing; a connection reset (its process killed) is no answer."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    sock.close()
    return b"".join(chunks)


@pytest.fixture
def server(request):
    """The portal's app server as `make serve` runs it, on the test database, with one worker, so the test
    knows which process holds the request. Without the edge (EDGE=none): granian is then the served process
    whose children are the workers, and a POST reaches it as it would through Varnish, which passes them."""
    port = _free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "1",
        "PORT": str(port),
        "EDGE": "none",
        "REDIS_URL": "",
        "LOG_LEVEL": "CRITICAL",
        **getattr(request, "param", {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with served(env) as master:

        def workers() -> list[int]:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True).stdout
            return [int(pid) for pid in out.split()]

        _wait_for(workers)
        yield port, workers


def test_a_worker_killed_inside_a_comments_transaction_leaves_it_whole_or_absent(server, alice, client):
    port, workers = server
    article = factories.ArticleFactory(section=factories.SectionFactory(), reporter=factories.reporter())
    client.force_login(alice)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": "k" * 32}
    form = {
        "body": "일꾼이 죽는 순간의 댓글",
        "csrfmiddlewaretoken": "k" * 32,
        "token": "6f1c2c5e-4f7e-4a43-9c1e-0d3a4d1c9e11",
    }
    path = reverse("comments:post", args=[article.pk])
    db = connection.settings_dict

    # Hold the author's row lock, as a concurrent post of theirs would: the worker's request stops inside
    # its transaction, and the test kills it exactly there.
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as blocker:
        blocker.execute("SELECT 1 FROM comments_commenter WHERE user_id = %s FOR UPDATE", [alice.pk])
        sock = _post(port, path, form, cookies)
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
        ) as watcher:  # autocommit: each look at pg_stat_activity is fresh
            _wait_for(
                lambda: watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    [db["NAME"]],
                ).fetchone()[0]
            )
        [worker] = workers()
        os.kill(worker, signal.SIGKILL)
        assert _answer(sock) == b""  # the reader got no answer: nothing was acknowledged
        blocker.rollback()

    assert not Comment.objects.filter(body=form["body"]).exists()  # rolled back with the worker, not half-saved
    _wait_for(lambda: workers() and workers() != [worker])  # the master started a new worker
    _wait_for(lambda: healthy(port))  # and it takes requests (until then, the only worker gone, none are)
    answer = _answer(_post(port, path, form, cookies))  # the reader presses 등록 again
    assert answer.startswith(b"HTTP/1.1 302")
    assert Comment.objects.filter(body=form["body"]).count() == 1


@pytest.mark.parametrize("server", [{"DATABASE_STATEMENT_TIMEOUT": "2"}], indirect=True)
def test_a_request_stuck_on_a_lock_ends_at_the_statement_timeout_with_the_korean_503(server, alice, client):
    port, _workers = server
    article = factories.ArticleFactory(section=factories.SectionFactory(), reporter=factories.reporter())
    client.force_login(alice)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": "k" * 32}
    form = {
        "body": "잠금에 걸린 댓글",
        "csrfmiddlewaretoken": "k" * 32,
        "token": "0b7e2c1a-5d3f-4e2a-9b1c-7a6d5e4f3c2b",
    }
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as blocker:
        blocker.execute("SELECT 1 FROM comments_commenter WHERE user_id = %s FOR UPDATE", [alice.pk])
        started = time.monotonic()
        answer = _answer(_post(port, reverse("comments:post", args=[article.pk]), form, cookies))
        waited = time.monotonic() - started
        blocker.rollback()
    assert answer.startswith(b"HTTP/1.1 503") and "잠시 뒤 다시" in answer.decode(errors="replace")
    assert 1.5 < waited < 10  # the server let go after the timeout instead of holding a thread for good
    assert not Comment.objects.filter(body=form["body"]).exists()
