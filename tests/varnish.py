"""Varnish for the suite: deploy/varnish/portal.vcl in front of a backend the test runs, started as
`python -m portal.serve` starts it (portal.serve.backend_vcl, portal.serve.varnish_command).

    with Edge(backend_port, tmp_path) as edge:   # or the `edge_factory` fixture
        urllib.request.urlopen(edge.url + "/")

Without varnishd the test is skipped, or fails under CI (where .ci/run installs varnish).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from portal.serve import backend_vcl, varnish_command, varnishd

# Small and quick for a test: few threads, a small log, the app probed often.
TEST_PARAMS = ("-p", "thread_pools=1", "-p", "thread_pool_min=10", "-p", "vsl_space=4m")
PROBE_INTERVAL = 0.3


def require_varnishd() -> None:
    if not varnishd():
        if os.environ.get("CI"):
            pytest.fail("CI needs varnishd with varnish-modules (.ci/run installs varnish and varnish-modules)")
        pytest.skip("Varnish is not installed (apt-get install varnish varnish-modules)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Edge:
    """varnishd -F on 127.0.0.1:<a free port> (kept across restart) with the backend on backend_port."""

    def __init__(self, backend_port: int, workdir: Path, *, probe_interval: float = PROBE_INTERVAL):
        self.backend_port = backend_port
        self.workdir = Path(workdir).resolve()
        self.probe_interval = probe_interval
        self.port = free_port()
        self.purge_port = free_port()  # the purge socket: PURGE is refused on the readers' port
        self.url = f"http://127.0.0.1:{self.port}"
        self.purge_url = f"http://127.0.0.1:{self.purge_port}/"  # what the app's EDGE_PURGE_URLS names
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Edge:
        require_varnishd()
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "backend.vcl").write_text(
            backend_vcl(self.backend_port, host_header="127.0.0.1", probe_interval=self.probe_interval)
        )
        log = self.workdir / "varnishd.log"
        argv = varnish_command(
            f"127.0.0.1:{self.port}", self.workdir, "64m", *TEST_PARAMS, purge_listen=f"127.0.0.1:{self.purge_port}"
        )
        with open(log, "ab") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"varnishd did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)
        return self

    def _answers(self) -> bool:
        # A PURGE without keys is answered by the VCL itself (400): the backend sees nothing.
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.purge_port, timeout=2)
            conn.request("PURGE", "/")
            return conn.getresponse().status == 400
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> Edge:
        self.stop()
        return self.start()

    def __enter__(self) -> Edge:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def edge_factory(tmp_path):
    """`edge_factory(backend_port)` starts an Edge; every one started is stopped after the test."""
    edges: list[Edge] = []

    def start(backend_port: int) -> Edge:
        edges.append(edge := Edge(backend_port, tmp_path / f"edge{len(edges)}"))
        return edge.start()

    yield start
    for edge in edges:
        edge.stop()
