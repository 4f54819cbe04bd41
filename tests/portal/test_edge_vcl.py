"""deploy/varnish/portal.vcl against a stub app: what is stored, what passes, what a purge removes.

No Django and no database here: the stub answers with the headers each test chooses and counts what
reaches it, so each test can tell a stored page (the stub saw one request) from a passed one.
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.varnish import Edge

PUBLIC = {"Cache-Control": "public, max-age=0, s-maxage=60"}


class Stub:
    """An app on a free loopback port. `answers[path]` = (status, headers) for that path (query aside);
    any other path is a public page. Every request but the health probe is kept in `requests`."""

    def __init__(self):
        self.answers: dict[str, tuple[int, dict]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.healthy = True
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self):
                path = self.path.split("?")[0]
                if path == "/healthz":
                    status, headers = (200 if stub.healthy else 503), {}
                else:
                    stub.requests.append((self.command, self.path, dict(self.headers)))
                    status, headers = stub.answers.get(path, (200, {**PUBLIC, "Surrogate-Key": "site"}))
                if length := int(self.headers.get("Content-Length") or 0):
                    self.rfile.read(length)
                body = f"{self.command} {self.path} #{len(stub.requests)}".encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def seen(self, path: str) -> list[tuple[str, str, dict]]:
        """Requests for this path (with any query)."""
        return [r for r in self.requests if r[1].split("?")[0] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def fetch(
    edge: Edge,
    path: str,
    method: str = "GET",
    headers: dict | None = None,
    source: str = "127.0.0.1",
    body: bytes | None = None,
    port: int | None = None,
) -> tuple[int, http.client.HTTPMessage, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port or edge.port, timeout=10, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def stub():
    stub = Stub()
    yield stub
    stub.close()


@pytest.fixture(scope="module")
def edge(stub, tmp_path_factory):
    with Edge(stub.port, tmp_path_factory.mktemp("edge")) as edge:
        yield edge


def test_a_public_page_is_stored_and_its_keys_are_not_shown(edge, stub):
    stub.answers["/article/1/"] = (200, {**PUBLIC, "Surrogate-Key": "site section-economy article-1"})
    first = fetch(edge, "/article/1/")
    second = fetch(edge, "/article/1/")
    assert (first[0], first[1]["X-Cache"], second[0], second[1]["X-Cache"]) == (200, "MISS", 200, "HIT")
    assert first[2] == second[2] and len(stub.seen("/article/1/")) == 1
    for _, headers, _ in (first, second):
        assert headers["xkey"] is None and headers["Surrogate-Key"] is None


def test_a_cacheable_page_reaches_the_app_without_cookie_or_language(edge, stub):
    fetch(edge, "/section/economy/", headers={"Cookie": "sessionid=abc; csrftoken=x", "Accept-Language": "en"})
    [(_, _, headers)] = stub.seen("/section/economy/")
    assert "Cookie" not in headers and "Accept-Language" not in headers
    # Another reader's cookie does not make another page.
    assert fetch(edge, "/section/economy/", headers={"Cookie": "sessionid=def"})[1]["X-Cache"] == "HIT"


@pytest.mark.parametrize(
    "path",
    [
        "/comments/article/3/",
        "/fragment/article/3/",
        "/beacon/",
        "/admin/",
        "/accounts/login/",
        "/ads/3/click/",
        "/admin",
        "/tips/correction/3/",  # a reader's 정정·반론보도 request (a form with a CSRF token)
        "/tips/correction/received/",
    ],
)
def test_personal_paths_pass_with_their_cookies_and_are_never_stored(edge, stub, path):
    stub.answers[path.split("?")[0]] = (200, {**PUBLIC, "Surrogate-Key": "site"})  # even if the app said public
    for _ in range(2):
        status, headers, _ = fetch(edge, path, headers={"Cookie": "sessionid=abc"})
        assert (status, headers["X-Cache"]) == (200, "PASS")
    assert [h.get("Cookie") for _, _, h in stub.seen(path)] == ["sessionid=abc", "sessionid=abc"]


def test_the_query_keeps_only_the_parameters_pages_read_in_one_order(edge, stub):
    q = "q=%EA%B2%BD%EC%A0%9C"  # 경제
    assert fetch(edge, f"/search/?utm_source=kakao&{q}&fbclid=1&page=2&zz=junk")[1]["X-Cache"] == "MISS"
    for query in (
        f"page=2&{q}",
        f"{q}&utm_medium=x&page=2",
        f"page=2&{q}&a=1&b",
        *(f"{q}&page=2&junk{i}={i}" for i in range(10)),
    ):
        assert fetch(edge, f"/search/?{query}")[1]["X-Cache"] == "HIT", query
    assert [path for _, path, _ in stub.seen("/search/")] == [f"/search/?page=2&{q}"]

    fetch(edge, "/ranking/?utm_source=x&gclid=y")  # nothing the page reads: no `?` at all
    for path in ("/ranking/", "/ranking/?", "/ranking/?fbclid=z"):
        assert fetch(edge, path)[1]["X-Cache"] == "HIT"
    assert [path for _, path, _ in stub.seen("/ranking/")] == ["/ranking/"]

    fetch(edge, "/section/it/?section=it&cpage=3&order=new&period=week&category=food&page=1")
    assert [path for _, path, _ in stub.seen("/section/it/")] == [
        "/section/it/?category=food&cpage=3&order=new&page=1&period=week&section=it"
    ]


def test_a_response_with_set_cookie_is_not_stored(edge, stub):
    stub.answers["/article/2/"] = (200, {**PUBLIC, "Surrogate-Key": "site article-2", "Set-Cookie": "a=b; Path=/"})
    assert [fetch(edge, "/article/2/")[1]["X-Cache"] for _ in range(2)] == ["MISS", "MISS"]
    assert len(stub.seen("/article/2/")) == 2
    stub.answers["/article/2/"] = (200, {**PUBLIC, "Surrogate-Key": "site article-2"})  # the app fixed it
    assert [fetch(edge, "/article/2/")[1]["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]


def test_errors_and_pages_without_a_lifetime_are_not_stored(edge, stub):
    stub.answers["/article/5/"] = (503, {**PUBLIC, "Surrogate-Key": "site article-5"})
    stub.answers["/article/6/"] = (500, PUBLIC)
    stub.answers["/robots.txt"] = (200, {})  # no Cache-Control: not Varnish's default 2 minutes
    for path in ("/article/5/", "/article/6/", "/robots.txt"):
        assert [fetch(edge, path)[1]["X-Cache"] for _ in range(2)] == ["MISS", "MISS"], path
        assert len(stub.seen(path)) == 2


def test_purge_by_key_removes_exactly_the_tagged_pages(edge, stub):
    stub.answers["/article/7/"] = (200, {**PUBLIC, "Surrogate-Key": "site7 article-7"})
    stub.answers["/article/8/"] = (200, {**PUBLIC, "Surrogate-Key": "site7 article-8"})
    stub.answers["/section/culture/"] = (200, {**PUBLIC, "Surrogate-Key": "site7 section-culture article-7"})
    pages = ("/article/7/", "/article/8/", "/section/culture/")
    for path in pages:
        fetch(edge, path)

    status, headers, body = fetch(edge, "/", "PURGE", {"xkey-purge": "article-7 no-such-key"}, port=edge.purge_port)
    assert (status, headers["X-Purged"], body.strip()) == (200, "2", "purged 2")
    assert [fetch(edge, path)[1]["X-Cache"] for path in pages] == ["MISS", "HIT", "MISS"]
    assert [len(stub.seen(path)) for path in pages] == [2, 1, 2]


def test_purge_from_another_address_or_on_the_readers_port_is_refused(edge, stub):
    stub.answers["/article/9/"] = (200, {**PUBLIC, "Surrogate-Key": "article-9"})
    assert fetch(edge, "/article/9/", source="127.0.0.2")[1]["X-Cache"] == "MISS"  # reading is for anyone
    status, _, _ = fetch(edge, "/", "PURGE", {"xkey-purge": "article-9"}, source="127.0.0.2", port=edge.purge_port)
    assert status == 403
    # The readers' port refuses a purge even from the machine itself: a TLS proxy there forwards readers' PURGEs.
    assert fetch(edge, "/", "PURGE", {"xkey-purge": "article-9"})[0] == 403
    assert fetch(edge, "/article/9/")[1]["X-Cache"] == "HIT"
    assert fetch(edge, "/", "PURGE", {}, port=edge.purge_port)[0] == 400  # allowed, but no keys


def test_post_and_other_methods_always_reach_the_app(edge, stub):
    assert fetch(edge, "/article/10/")[1]["X-Cache"] == "MISS"
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        status, headers, body = fetch(edge, "/article/10/", method, {"Cookie": "sessionid=abc"}, body=b"x=1")
        assert (status, headers["X-Cache"], body.split(" ")[0]) == (200, "PASS", method)
    assert [(m, h.get("Cookie")) for m, _, h in stub.seen("/article/10/")][1:2] == [("POST", "sessionid=abc")]
    assert fetch(edge, "/article/10/")[1]["X-Cache"] == "HIT"  # still the stored page


def test_grace_is_two_seconds_while_the_app_is_healthy_and_hours_while_it_is_sick(tmp_path):
    stub = Stub()
    stub.answers["/article/11/"] = (200, {"Cache-Control": "public, max-age=0, s-maxage=1", "Surrogate-Key": "a"})
    try:
        with Edge(stub.port, tmp_path) as edge:
            old = fetch(edge, "/article/11/")[2]
            time.sleep(1.3)  # past its s-maxage, within the 2 s of grace: served stale once, refreshed behind
            assert fetch(edge, "/article/11/")[2] == old
            time.sleep(0.2)
            fresh = fetch(edge, "/article/11/")[2]
            assert fresh != old and len(stub.seen("/article/11/")) == 2

            stub.healthy = False  # /healthz answers 503: the probe marks the app sick within a second
            time.sleep(3.5)  # past s-maxage + 2 s
            status, headers, body = fetch(edge, "/article/11/")
            assert (status, body) == (200, fresh) and len(stub.seen("/article/11/")) == 2
            status, headers, body = fetch(edge, "/article/12/")  # nothing stored to stand in
            assert status == 503 and "다시 시도해 주세요" in body and headers["Retry-After"] == "30"

            stub.healthy = True
            port = edge.port
            edge.restart()  # same address, an empty cache
            assert edge.port == port and fetch(edge, "/article/11/")[1]["X-Cache"] == "MISS"
    finally:
        stub.close()
