"""How the portal is served: the server's command line, the access log, the Redis client it keeps."""

from __future__ import annotations

import itertools
import json
import logging
import os

import pytest

from portal import serve

pytestmark = pytest.mark.django_db


def test_the_server_takes_its_settings_from_the_environment():
    argv = serve.command({"BIND": "0.0.0.0:9000", "WEB_CONCURRENCY": "3", "WEB_THREADS": "4", "LOG_LEVEL": "WARNING"})
    pairs = dict(itertools.pairwise(argv))
    assert (pairs["--host"], pairs["--port"], pairs["--workers"], pairs["--blocking-threads"]) == (
        "0.0.0.0",
        "9000",
        "3",
        "4",
    )
    assert pairs["--interface"] == "wsgi" and pairs["--log-level"] == "warning"
    assert "--no-access-log" in argv and "--respawn-failed-workers" in argv  # the portal logs requests itself
    assert argv[-1] == "portal.wsgi:application"


def test_by_default_one_worker_per_core_on_localhost():
    pairs = dict(itertools.pairwise(serve.command({"PORT": "8123"})))
    assert (pairs["--host"], pairs["--port"], pairs["--workers"]) == ("127.0.0.1", "8123", str(os.cpu_count()))


def test_each_request_is_one_json_line_on_the_access_log(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.access")
    client.get("/?page=2", HTTP_USER_AGENT='Mozilla/5.0 "따옴표" 브라우저')
    client.get("/no-such-page/")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.access"]
    assert [(line["method"], line["path"], line["query"], line["status"]) for line in lines] == [
        ("GET", "/", "page=2", 200),
        ("GET", "/no-such-page/", "", 404),
    ]
    assert lines[0]["bytes"] > 1000 and lines[0]["ms"] >= 0
    assert lines[0]["agent"] == 'Mozilla/5.0 "따옴표" 브라우저'  # quotes in a header cannot break the line


def test_the_process_environment_never_reaches_a_request(monkeypatch):
    from portal import wsgi

    seen = {}
    monkeypatch.setattr(
        wsgi,
        "_PROCESS_ENVIRONMENT",
        {"SECRET_KEY": "s3cr3t", "HTTP_X_FORWARDED_FOR": "203.0.113.7", "GATEWAY_INTERFACE": "CGI/1.1"},
    )
    monkeypatch.setattr(wsgi, "_django", lambda environ, start_response: seen.update(environ) or [])
    # As granian builds a request's environ: the process environment, then what the request brought.
    wsgi.application(
        {
            "SECRET_KEY": "s3cr3t",
            "HTTP_X_FORWARDED_FOR": "203.0.113.7",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
        },
        None,
    )
    assert "SECRET_KEY" not in seen and "HTTP_X_FORWARDED_FOR" not in seen  # not a header anyone sent
    assert seen["REQUEST_METHOD"] == "GET" and seen["GATEWAY_INTERFACE"] == "CGI/1.1"
    wsgi.application({"HTTP_X_FORWARDED_FOR": "198.51.100.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/"}, None)
    assert seen["HTTP_X_FORWARDED_FOR"] == "198.51.100.1"  # one the client did send is kept


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_under_the_real_server_a_header_only_the_process_has_is_not_seen(tmp_path):
    import http.client
    import socket

    from django.db import connection

    from tests.bench.serving import served

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "serving-test-key-0123456789abcdefghij",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": "",
        "WEB_CONCURRENCY": "1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "HTTP_USER_AGENT": "from-the-process-environment",
        "EDGE": "none",
    }  # the app server itself: what granian hands Django
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "server.log"
    with served(env, log=log):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz?probe=1")  # http.client sends no User-Agent
        assert conn.getresponse().status == 200
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    [probe_line] = [line for line in lines if line["query"] == "probe=1"]
    assert probe_line["agent"] == ""
