"""SQL injection probe: sqlmap against the portal's query-taking endpoints, served as `make serve` serves it.

Run: `.venv/bin/python tests/bench/security_sqlmap.py` (Debian's `sqlmap` on PATH; PostgreSQL at
$BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/). It creates, migrates and seeds the database
portal_bench_sqlmap with the demo newsroom, serves it on 127.0.0.1:$BENCH_PORT (default 8197), signs the demo
reader in for the comment form (session cookie and CSRF token), and runs sqlmap in batch mode on:

  search    /search/?q=&section=&order=&page=      all four parameters
  section   /section/<slug>/?page=
  ranking   /ranking/?period=
  comment   POST /comments/article/<id>/post/      body, private, token, parent (a reply to a public comment)

Each run is level 2 (SQLMAP_LEVEL), risk 2, PostgreSQL payloads only, every technique, 4 threads, a fresh
session; its output goes under /tmp/portal-sqlmap/, with the server's own log (any traceback) in server.log.
The scans share a time budget (SQLMAP_MINUTES, default 8), handed out by number of parameters and passed on
when a target finishes early, so the whole run stays under ten minutes. Prints one line per target; exits 1
if sqlmap found an injection or the server answered 500, 2 if a parameter got no verdict in time, else 0.
Comment rate limits are switched off for this server only: sqlmap posts hundreds of comments.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

os.environ.setdefault("BENCH_PORT", "8197")  # not the other benchmarks' port: they may run at the same time
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.bench.serving import PORT, bench_env, manage, prepare, served

DATABASE = "portal_bench_sqlmap"
OUTPUT = Path("/tmp/portal-sqlmap")
MINUTES = float(os.environ.get("SQLMAP_MINUTES", "8"))
LEVEL = int(os.environ.get("SQLMAP_LEVEL", "2"))  # 3 tests more boundaries: give it SQLMAP_MINUTES=15
READER, PASSWORD = "reader", os.environ.get("DEMO_PASSWORD", "portal-demo-2026")
BASE = f"http://127.0.0.1:{PORT}"


@dataclass
class Target:
    name: str
    url: str
    params: list[str]
    data: str | None = None
    cookie: str | None = None


@dataclass
class Verdict:
    name: str
    params: list[str]
    injectable: list[str]  # "param (technique, …)" as sqlmap summarised it
    clean: list[str]  # parameters sqlmap finished with "does not seem to be injectable"
    server_errors: int
    xss_hints: list[str]
    seconds: float = 0.0
    refused_all: bool = False  # a form target whose every post was refused (CSRF, session): nothing was tested

    @property
    def unfinished(self) -> list[str]:
        if self.refused_all:
            return self.params
        found = {item.split(" ")[0] for item in self.injectable}
        return [p for p in self.params if p not in self.clean and p not in found]

    def line(self) -> str:
        if self.injectable:
            text = "INJECTABLE: " + "; ".join(self.injectable)
        elif self.refused_all:
            text = "no verdict: the server accepted none of sqlmap's posts (session or CSRF token refused)"
        elif not self.unfinished:
            text = f"not injectable ({', '.join(self.clean)})"
        else:
            done = f"not injectable: {', '.join(self.clean)}; " if self.clean else ""
            text = f"{done}no verdict (time ran out) for {', '.join(self.unfinished)}"
        if self.server_errors:
            text += f"; the server answered 500 {self.server_errors} times"
        if self.xss_hints:
            text += f"; sqlmap's XSS heuristic flagged {', '.join(self.xss_hints)}"
        return f"{self.name:<8} {text}  ({self.seconds:.0f} s)"


def seeded_ids(env: dict) -> dict:
    """A live article with a public top-level comment (the reply target) and a section slug."""
    code = (
        "import json; from news.models import Article, Section; from comments.models import Comment\n"
        "c = Comment.objects.filter(private=False, parent=None, status='published',\n"
        "                           article__in=Article.objects.published()).order_by('pk').first()\n"
        "s = Section.objects.order_by('pk').first()\n"
        "print(json.dumps({'article': c.article_id, 'parent': c.pk, 'section': s.slug}))"
    )
    return json.loads(manage(env, "shell", "-v", "0", "-c", code, capture=True).strip().splitlines()[-1])


class Browser:
    """A tiny cookie-keeping HTTP client: enough to sign in through the real login form."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, text


def csrf_field(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def sign_in(article_path: str) -> tuple[str, str]:
    """Log the demo reader in; return (Cookie header, the comment form's CSRF token)."""
    browser = Browser()
    _status, page = browser.request("GET", "/accounts/login/")
    status, _ = browser.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_field(page), "username": READER, "password": PASSWORD, "next": "/"},
    )
    if status != 302 or "sessionid" not in browser.cookies:
        raise SystemExit(f"could not sign in as {READER} (login answered {status})")
    _status, page = browser.request("GET", article_path)  # the comment form, with a token for the new session
    if 'class="comment-form"' not in page:
        raise SystemExit("signed in, but the article page shows no comment form")
    cookie = "; ".join(f"{k}={browser.cookies[k]}" for k in ("csrftoken", "sessionid"))
    return cookie, csrf_field(page)


def comment_count(env: dict) -> int:
    code = "from comments.models import Comment; print(Comment.objects.count())"
    return int(manage(env, "shell", "-v", "0", "-c", code, capture=True).split()[-1])


def targets(ids: dict, cookie: str, csrf: str) -> list[Target]:
    comment_form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "body": "좋은 기사 잘 읽었습니다",
            "private": "on",
            "token": "3f1c2a4e-8d6b-4c1e-9a77-0b5d2e6f1a93",
            "parent": ids["parent"],
        }
    )
    return [
        Target(
            "search",
            f"{BASE}/search/?q=%EA%B2%BD%EC%A0%9C&section={ids['section']}&order=newest&page=1",
            ["q", "section", "order", "page"],
        ),
        Target("section", f"{BASE}/section/{ids['section']}/?page=2", ["page"]),
        Target("ranking", f"{BASE}/ranking/?period=week", ["period"]),
        Target(
            "comment",
            f"{BASE}/comments/article/{ids['article']}/post/",
            ["body", "private", "token", "parent"],
            data=comment_form,
            cookie=cookie,
        ),
    ]


def run_sqlmap(target: Target, seconds: float) -> Verdict:
    command = [
        "sqlmap",
        "-u",
        target.url,
        "-p",
        ",".join(target.params),
        "--batch",
        f"--level={LEVEL}",
        "--risk=2",
        "--dbms=PostgreSQL",
        "--technique=BEUSTQ",
        "--threads=4",
        "--time-sec=2",
        "--timeout=15",
        "--retries=1",
        "--flush-session",
        f"--output-dir={OUTPUT}",
        "--disable-coloring",
        "--drop-set-cookie",
        "--user-agent=Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 portal-sqlmap",
    ]
    if target.data:
        command += ["--data", target.data]
    if target.cookie:
        command += ["--cookie", target.cookie]
    log = OUTPUT / f"{target.name}.log"
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "TERM": "dumb"},
            start_new_session=True,
        )
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:  # the parameters it has not cleared stay without a verdict
            process.terminate()
            process.wait(10)
    verdict = parse(target, log.read_text(errors="replace"))
    verdict.seconds = time.monotonic() - started
    return verdict


def parse(target: Target, output: str) -> Verdict:
    """Read sqlmap's console output: injection points, parameters it cleared, the 500s it counted."""
    injectable = []
    if "identified the following injection point" in output or "resumed the following injection point" in output:
        for summary in re.findall(r"^---$(.*?)^---$", output, re.S | re.M):  # sqlmap's injection-point block
            for chunk in re.split(r"\n(?=Parameter: )", summary.strip()):
                if param := re.match(r"Parameter: (\S+)", chunk):
                    kinds = sorted(set(re.findall(r"Type: (.+)", chunk)))
                    injectable.append(f"{param.group(1)} ({', '.join(kinds)})")
        injectable = injectable or ["(see the log)"]
    clean = [
        p for p in target.params if re.search(rf"parameter '{re.escape(p)}' does not seem to be injectable", output)
    ]
    errors = sum(int(n) for n in re.findall(r"500 \(Internal Server Error\) - (\d+) times", output))
    xss = re.findall(r"parameter '([^']+)' might be vulnerable to cross-site scripting", output)
    return Verdict(target.name, target.params, injectable, clean, errors, sorted(set(xss)))


def port_is_free() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) != 0


def main() -> int:
    if not shutil.which("sqlmap"):
        print("sqlmap is not installed (apt-get install sqlmap)", file=sys.stderr)
        return 2
    if not port_is_free():
        print(f"port {PORT} is taken; set BENCH_PORT to a free one", file=sys.stderr)
        return 2
    env = bench_env(DATABASE)
    prepare(env)
    ids = seeded_ids(env)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    server_env = {
        **env,
        "COMMENT_RATE_PER_MINUTE": "1000000",
        "COMMENT_RATE_PER_DAY": "1000000",
        "COMMENT_RATE_PER_ARTICLE": "1000000",
        "LOG_LEVEL": "ERROR",
    }
    started = time.monotonic()
    verdicts = []
    # sqlmap's probes make the server log thousands of 404s: they go to a file.
    with served(server_env, log=OUTPUT / "server.log"):
        cookie, csrf = sign_in(f"/article/{ids['article']}/")
        queue = targets(ids, cookie, csrf)
        deadline = time.monotonic() + MINUTES * 60
        for index, target in enumerate(queue):
            params_left = sum(len(t.params) for t in queue[index:])
            share = (deadline - time.monotonic()) * len(target.params) / params_left
            before = comment_count(env) if target.data else 0
            verdict = run_sqlmap(target, max(share, 30))
            verdict.refused_all = bool(target.data) and comment_count(env) == before
            verdicts.append(verdict)
            print(verdict.line(), flush=True)
    print(f"{len(verdicts)} targets in {(time.monotonic() - started) / 60:.1f} min; sqlmap logs in {OUTPUT}/")
    if tracebacks := (OUTPUT / "server.log").read_text(errors="replace").count("Traceback (most recent call last)"):
        print(f"note: the server logged {tracebacks} traceback(s) meanwhile: see {OUTPUT}/server.log")
    if any(v.injectable or v.server_errors for v in verdicts):
        return 1
    return 2 if any(v.unfinished for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
