"""What deploy/ gives an operator is accepted by the programs that read it: Varnish compiles the VCL with the
example backends and with a generated director, nginx accepts the TLS example, Redis starts with each
configuration and keeps the policy it promises."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from portal.serve import backend_vcl, varnishd

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def compile_vcl(backend: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "backend.vcl").write_text(backend)
    return subprocess.run(
        [varnishd(), "-C", "-j", "none", "-n", str(tmp_path / "n"), "-p", f"vcl_path={tmp_path}:{DEPLOY / 'varnish'}",
         "-f", str(DEPLOY / "varnish" / "portal.vcl")],
        capture_output=True, text=True,
    )  # fmt: skip


@pytest.fixture
def needs_varnish():
    if not varnishd():
        pytest.skip("varnishd is not installed (make deps installs it)")


def test_the_example_director_and_a_generated_one_compile(tmp_path, needs_varnish):
    example = compile_vcl((DEPLOY / "varnish" / "backend.example.vcl").read_text(), tmp_path)
    assert example.returncode == 0, example.stderr
    assert "apps.backend()" in (DEPLOY / "varnish" / "backend.example.vcl").read_text()
    generated = backend_vcl(8001, 8002, 8003, host_header="news.example.kr")
    assert generated.count('.url = "/healthz";') == 3 and "apps.add_backend(app3);" in generated
    result = compile_vcl(generated, tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_nginx_example_is_accepted(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed")
    # The certificates it names do not exist here: point them at a throwaway pair, keep everything else.
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=news.example.kr",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "portal.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/news.example.kr/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/news.example.kr/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "policy", "append_only"), [("cache", "allkeys-lru", "no"), ("views", "noeviction", "yes")]
)
def test_each_redis_configuration_starts_with_the_policy_it_promises(tmp_path, name, policy, append_only):
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The file as shipped, with this test's port and folder in place of the production ones.
    server = subprocess.Popen(
        [binary, str(DEPLOY / "redis" / f"{name}.conf"), "--port", str(port), "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, f"redis with {name}.conf did not start"
                time.sleep(0.1)
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == policy
        assert client.config_get("appendonly")["appendonly"] == append_only
    finally:
        server.terminate()
        server.wait(10)
