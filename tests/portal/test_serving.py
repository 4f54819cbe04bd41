"""How the portal is served: the server's command line, the access log, the Redis client it keeps."""

from __future__ import annotations

import json
import logging
import os

import pytest

from portal import serve

pytestmark = pytest.mark.django_db


def test_the_server_takes_its_settings_from_the_environment():
    argv = serve.command({"BIND": "0.0.0.0:9000", "WEB_CONCURRENCY": "3", "WEB_THREADS": "4", "LOG_LEVEL": "WARNING"})
    pairs = dict(zip(argv, argv[1:]))
    assert (pairs["--host"], pairs["--port"], pairs["--workers"], pairs["--blocking-threads"]) == ("0.0.0.0", "9000", "3", "4")
    assert pairs["--interface"] == "wsgi" and pairs["--log-level"] == "warning"
    assert "--no-access-log" in argv and "--respawn-failed-workers" in argv  # the portal logs requests itself
    assert argv[-1] == "portal.wsgi:application"


def test_by_default_one_worker_per_core_on_localhost():
    pairs = dict(zip(argv := serve.command({"PORT": "8123"}), argv[1:]))
    assert (pairs["--host"], pairs["--port"], pairs["--workers"]) == ("127.0.0.1", "8123", str(os.cpu_count()))


def test_each_request_is_one_json_line_on_the_access_log(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.access")
    client.get("/?page=2", HTTP_USER_AGENT="Mozilla/5.0 \"따옴표\" 브라우저")
    client.get("/no-such-page/")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.access"]
    assert [(line["method"], line["path"], line["query"], line["status"]) for line in lines] == [
        ("GET", "/", "page=2", 200), ("GET", "/no-such-page/", "", 404)]
    assert lines[0]["cache"] == "MISS" and lines[0]["bytes"] > 1000 and lines[0]["ms"] >= 0
    assert lines[0]["agent"] == "Mozilla/5.0 \"따옴표\" 브라우저"  # quotes in a header cannot break the line


def test_the_redis_cache_keeps_one_client_per_connection_pool():
    from portal.cache import ResilientRedisCache

    cache = ResilientRedisCache("redis://127.0.0.1:6379/14", {})
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client(write=True) is cache._cache.get_client("any-key", write=True)
