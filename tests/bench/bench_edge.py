"""Benchmark: the portal served through its edge (Varnish) as `make serve` serves it, against references
measured in the same run on the same machine.

Run: `.venv/bin/python tests/bench/bench_edge.py [--rounds N] [--duration S] [--articles N]` (PostgreSQL at
$BENCH_DATABASE_URL, database portal_bench_edge, seeded with `seed_scale --articles N` once and reused while
it holds N; Redis databases 9 (cache) and 10 (view buffer) at 127.0.0.1:6379, emptied first; ports
--port (8300: Varnish), +1 (granian), +2 (nginx)). The server's output and the portal's JSON access log
stay in $TMPDIR/bench_edge-<port>/server.log.

The server is `python -m portal.serve` (tests.bench.serving.served): varnishd with deploy/varnish/portal.vcl
on PORT in front of granian on APP_PORT, DEBUG off, REDIS_URL, VIEW_BUFFER_URL and EDGE_PURGE_URLS set,
DJANGO_SETTINGS_MODULE=tests.bench.settings (the portal's URLs plus the floor view /bench/floor/), and
EDGE_MAX_AGE=3600 (--edge-max-age) so that no page expires inside a measurement of warm pages. Every
measurement is wrk (tests/bench/edge.lua) for --duration seconds at --connections (32) after a short
warm-up; the Lua script counts statuses and the edge's X-Cache answers, so a page measured as a HIT is seen
to be one. Each round measures:

a. Public pages, anonymous and warm: the front page, a section's page 1, and articles round robin (200 of
   them) through Varnish, against nginx serving the SAME bytes (each page's body as saved from the edge)
   as static files over keep-alive. The ratio is the page's req/s as a share of nginx's.
b. The beacon (POST /beacon/ as navigator.sendBeacon sends it, round robin over the articles' signed
   values) against the Django floor (/bench/floor/: a fixed page through the whole middleware, no
   database), both straight at granian (APP_PORT) so that the two are compared like with like: a
   returning reader (a fixed `vid` cookie, inside the dedupe window: the usual beacon) and new readers
   (no cookie, a new User-Agent and X-Forwarded-For address each: counted, a cookie set). Also, as
   readers send it, the returning reader's beacon and the floor through Varnish.
c. A signed-in reader's article view: the page (through Varnish, a HIT: the edge drops the cookies) and
   its personal fragment (GET /fragment/?article=<id> with the session cookie, passed to the app: the
   request the page script makes on an article once it keeps the reader's parts, i.e. after the first
   page of a session), sent as one pipelined pair on a keep-alive connection; wrk times the pair. The page and the fragment are
   also timed apart by Varnish itself (varnishncsa's %D, from the request read to the response sent).
   Compared with the figure measured before the edge (bench_load's "article, signed in", rendered per
   request): 83 req/s, p99 ~650 ms.

Ratios are medians over rounds of the per-round ratios; the load generator shares the machine's cores
with the server, so compare figures within one run.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from portal.serve import varnishd  # noqa: E402
from tests.bench.bench_load import prepare, setup_django  # noqa: E402
from tests.bench.serving import FLOOR_FILE, bench_env, served  # noqa: E402

LUA = ROOT / "tests" / "bench" / "edge.lua"
NGINX = "/usr/sbin/nginx"
PASSWORD = os.environ.get("DEMO_PASSWORD") or "portal-demo-2026"
BEFORE_SIGNED_IN_RPS, BEFORE_SIGNED_IN_P99_MS = 83, 650  # bench_load's "article, signed in" before the edge
PAGE_SHARE_TARGET, BEACON_SHARE_TARGET, SIGNED_IN_P99_TARGET_MS, SIGNED_IN_SPEEDUP_TARGET = 0.4, 0.5, 100, 5
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds over every measurement; medians reported (2)")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured each time (10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each measurement (2)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument("--articles", type=int, default=20_000, help="seed_scale articles (20,000)")
    parser.add_argument("--database", default="portal_bench_edge", help="PostgreSQL database (portal_bench_edge)")
    parser.add_argument("--port", type=int, default=8300, help="Varnish's port; granian +1, nginx +2 (8300)")
    parser.add_argument(
        "--parts",
        default="pages,beacon,signed-in",
        help="what to measure, comma-separated: pages, beacon, signed-in (all three)",
    )
    parser.add_argument("--edge-max-age", type=int, default=3600, help="EDGE_MAX_AGE (3600; production 300)")
    return parser.parse_args()


# ----------------------------------------------------------------------------------------------- helpers


def get(port: int, path: str, cookie: str = "") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"User-Agent": BROWSER, **({"Cookie": cookie} if cookie else {})})
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, dict(answer.getheaders()), body


def beacon_of(body: bytes) -> str:
    """The page's signed beacon value (data-beacon, HTML-escaped in the attribute)."""
    return html.unescape(re.search(rb'data-beacon="([^"]+)"', body).group(1).decode())


def send_beacon(port: int, signed: str) -> tuple[int, str]:
    """One beacon as a browser sends it; (status, the `vid` cookie it set or "")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/beacon/",
        body=urllib.parse.urlencode({"b": signed}),
        headers={
            "User-Agent": BROWSER,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    answer = conn.getresponse()
    answer.read()
    vid = re.search(r"vid=([^;]+)", answer.getheader("Set-Cookie") or "")
    return answer.status, vid.group(1) if vid else ""


def concerns_reader(page: bytes, article_id: int, reader: dict) -> bool:
    """static/js/page.js's concernsReader on the page's bytes: whether this article's public block may hold
    something for this reader alone, so that the script asks for the article's fragment."""
    if article_id in reader["pending"]:
        return True
    hidden = re.findall(rb'<article class="comment[^"]*" id="comment-(\d+)"( data-parent="(\d+)")? data-private', page)
    if not hidden:
        return False
    reporter = re.search(rb'data-reporter="(\d+)"', page)
    if reader["moderator"] or (reporter and int(reporter.group(1)) == reader["id"]):
        return True
    mine = set(reader["mine"])
    return any(int(pk) in mine or (parent and int(parent) in mine) for pk, _, parent in hidden)


def sign_in(port: int, username: str) -> str:
    """Sign a reader in through the login form (through the edge); the browser's Cookie header after it."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    login = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form.encode(), headers={"Referer": base}))
    # One fragment as the signed-in browser's first page would ask it (it also sets the `signed_in` marker
    # where the login answer did not, as before commit a7778f6).
    opener.open(f"{base}/fragment/").read()
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies and cookies.get("signed_in"), f"{username} could not sign in: {cookies}"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def run_wrk(port: int, lines: list[str], seconds: int, connections: int, *options: str) -> dict:
    """wrk with edge.lua over these request lines; its JSON summary plus req/s and ms percentiles."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{port}",
                "--",
                f.name,
                *options,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    result = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    result["rps"] = result["requests"] / result["duration_us"] * 1e6
    for q in ("p50", "p90", "p99"):
        result[q + "_ms"] = result[q] / 1000
    result["errors"] = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return result


@contextmanager
def nginx(port: int, root: Path, workdir: Path):
    """nginx in the foreground on 127.0.0.1:port serving `root` (index.html for a path ending in /), with
    keep-alive and as many worker processes as cores: the static-file reference."""
    conf = workdir / "nginx.conf"
    temp = "".join(
        f"{kind}_temp_path {workdir}/{kind};\n  " for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf.write_text(f"""daemon off;
worker_processes {os.cpu_count() or 1};
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  default_type "text/html; charset=utf-8";
  {temp}server {{
    listen 127.0.0.1:{port};
    root {root};
    index index.html;
  }}
}}
""")
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-e", str(workdir / "nginx-error.log"), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if get(port, "/")[0] in (200, 403, 404):
                    break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nginx did not start: {(workdir / 'nginx-error.log').read_text()[-2000:]}"
                    ) from error
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(10)


def save_page(root: Path, path: str, body: bytes) -> None:
    """The page's bytes where nginx finds them for the same URL path (path/index.html)."""
    target = root / urllib.parse.unquote(path.split("?")[0]).lstrip("/") / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def varnish_times(log: Path) -> dict[str, list[float]]:
    """varnishncsa's lines ("<url> <µs> <handling> <status>"): ms per kind (page / fragment)."""
    times: dict[str, list[float]] = {"page": [], "fragment": []}
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[1].isdigit():
            times["fragment" if parts[0].startswith("/fragment/") else "page"].append(int(parts[1]) / 1000)
    return times


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


# ------------------------------------------------------------------------------------------------- the run


def choose(connections: int) -> dict:
    """The pages: a section (the menu section with the most stories) and 200 articles (the 100 newest seeded
    ones and 100 spread over the archive)."""
    from news.models import Article, Section

    live = Article.objects.published()
    section = max(Section.objects.menu(), key=lambda s: live.filter(section=s).count())
    seeded = live.filter(reporter__username__startswith="scale-")
    recent = list(seeded.order_by("-published_at").values_list("pk", flat=True)[:100])
    everything = list(seeded.order_by("pk").values_list("pk", flat=True))
    ids = list(dict.fromkeys(recent + everything[:: max(1, len(everything) // 100)][:100]))
    return {
        "live": live.count(),
        "section": section.get_absolute_url(),
        "ids": ids,
        "articles": {pk: Article(pk=pk).get_absolute_url() for pk in ids},
        "readers": [f"scale-reader-{n:05d}" for n in range(1, connections + 1)],
    }


def main() -> int:
    args = parse_args()
    parts = set(args.parts.split(","))
    for tool, found in (("wrk", shutil.which("wrk")), ("nginx", os.path.exists(NGINX)), ("varnishd", varnishd())):
        if not found:
            raise SystemExit(f"{tool} is needed (Debian: apt-get install wrk nginx varnish varnish-modules)")
    edge_port, app_port, nginx_port = args.port, args.port + 1, args.port + 2
    env = bench_env(args.database)
    prepare(env, args.articles)
    setup_django(env)
    site = choose(args.connections)
    import redis
    from django.conf import settings

    cache_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    buffer_url = os.environ.get("BENCH_VIEW_BUFFER_URL", "redis://127.0.0.1:6379/10")
    for url in (cache_url, buffer_url):
        redis.Redis.from_url(url).flushdb()
    workdir = Path(tempfile.gettempdir()) / f"bench_edge-{edge_port}"
    shutil.rmtree(workdir, ignore_errors=True)
    (static_root := workdir / "static").mkdir(parents=True)
    os.chmod(workdir, 0o755)  # nginx's workers (another user when run as root) read the saved pages
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "PORT": str(edge_port),
        "APP_PORT": str(app_port),
        "EDGE": "varnish",
        "VARNISH_WORKDIR": str(workdir / "varnish"),
        "REDIS_URL": cache_url,
        "VIEW_BUFFER_URL": buffer_url,
        "PURGE_PORT": str(args.port + 3),  # + 2 is nginx's
        "EDGE_MAX_AGE": str(args.edge_max_age),
        "LOG_LEVEL": "WARNING",
    }
    (Path(settings.STATIC_ROOT) / FLOOR_FILE).unlink(missing_ok=True)  # written below, before the first floor
    results: dict[str, list[dict]] = {}
    ncsa: dict[str, list[float]] = {"page": [], "fragment": []}
    started, load_before = time.time(), os.getloadavg()

    def measure(label: str, port: int, lines: list[str], *options: str) -> dict:
        run_wrk(port, lines, args.warmup, args.connections, *options)
        result = run_wrk(port, lines, args.duration, args.connections, *options)
        results.setdefault(label, []).append(result)
        print(
            f"  {label:<40} {result['rps']:9.1f} req/s  p99 {result['p99_ms']:7.1f} ms  "
            f"hit {result['hit']} miss {result['miss']} pass {result['pass']}  "
            f"5xx {result['s5xx']} 4xx {result['s4xx']} errors {result['errors']}",
            flush=True,
        )
        return result

    with served(server_env, log=workdir / "server.log"):
        # Warm every page through the edge and keep its bytes for nginx and the floor.
        pages = {"front page": ["/"], "section page 1": [site["section"]], "articles": list(site["articles"].values())}
        beacons = []
        for name, paths in pages.items():
            for path in paths:
                status, headers, body = get(edge_port, path)
                assert status == 200, (path, status)
                save_page(static_root, path, body)
                if name == "articles":
                    beacons.append(beacon_of(body))
        article_bytes = len((static_root / pages["articles"][0].lstrip("/") / "index.html").read_bytes())
        shutil.copy(
            static_root / pages["articles"][0].lstrip("/") / "index.html", Path(settings.STATIC_ROOT) / FLOOR_FILE
        )
        # A returning reader: the `vid` cookie of their first beacon; then every article seen once by them.
        status, vid = send_beacon(app_port, beacons[0])
        assert status == 204 and vid, (status, vid)
        sessions = [sign_in(edge_port, reader) for reader in site["readers"]]
        beacon_body = ["b=" + urllib.parse.quote(b, safe="") for b in beacons]
        returning = [f"POST\t/beacon/\tvid={vid}\t{body}" for body in beacon_body]
        fresh = [f"POST\t/beacon/\t\t{body}" for body in beacon_body]
        floor = ["GET\t/bench/floor/\t\t"]
        page_views = []  # page, then its fragment: one pipelined pair
        for i, (pk, path) in enumerate(site["articles"].items()):
            cookie = sessions[i % len(sessions)]
            page_views += [f"GET\t{path}\t{cookie}\t", f"GET\t/fragment/?article={pk}\t{cookie}\t"]
        status, _, body = get(edge_port, f"/fragment/?article={site['ids'][0]}", sessions[0])
        assert status == 200 and b"comments" in body, (status, body[:200])
        # The same page views as the script makes them: what a reader's session keeps (GET /fragment/ once)
        # decides, page by page, whether the article's fragment is asked for too.
        kept = [json.loads(get(edge_port, "/fragment/", cookie)[2])["reader"] for cookie in sessions]
        scripted, with_fragment = [], 0
        for i, (pk, path) in enumerate(site["articles"].items()):
            cookie = sessions[i % len(sessions)]
            scripted.append(f"GET\t{path}\t{cookie}\t")
            if concerns_reader(get(edge_port, path)[2], pk, kept[i % len(sessions)]):
                scripted.append(f"GET\t/fragment/?article={pk}\t{cookie}\t")
                with_fragment += 1
        scripted_share = with_fragment / len(site["articles"])

        with nginx(nginx_port, static_root, workdir):
            for round_number in range(1, args.rounds + 1):
                print(f"round {round_number}", flush=True)
                for name, paths in pages.items() if "pages" in parts else ():
                    lines = [f"GET\t{p}\t\t" for p in paths]
                    measure(f"{name}: Varnish", edge_port, lines)
                    measure(f"{name}: nginx, same bytes", nginx_port, lines)
                if "beacon" in parts:
                    measure("floor: Django view (app)", app_port, floor)
                    measure("beacon, returning reader (app)", app_port, returning)
                    measure("beacon, new readers (app)", app_port, fresh, "new-visitors")
                    measure("floor: Django view (Varnish)", edge_port, floor)
                    measure("beacon, returning reader (Varnish)", edge_port, returning)
                if "signed-in" not in parts:
                    continue
                # The signed-in reader's page views, timed by Varnish too (varnishncsa from now on).
                run_wrk(edge_port, page_views, args.warmup, args.connections, "pipeline=2")
                log = workdir / f"ncsa-{round_number}.log"
                with open(log, "w") as out:
                    reader = subprocess.Popen(
                        ["varnishncsa", "-n", str(workdir / "varnish" / "n"), "-F", "%U%q %D %{Varnish:handling}x %s"],
                        stdout=out,
                    )
                    time.sleep(0.5)
                    result = run_wrk(edge_port, page_views, args.duration, args.connections, "pipeline=2")
                    reader.terminate()
                    reader.wait(10)
                result["views"] = result["rps"] / 2
                for kind, ms in varnish_times(log).items():
                    ncsa[kind] += ms
                results.setdefault("signed-in page view", []).append(result)
                print(
                    f"  {'signed-in page view (page + fragment)':<40} {result['views']:9.1f} views/s  "
                    f"p99 {result['p99_ms']:7.1f} ms  hit {result['hit']} pass {result['pass']}  "
                    f"5xx {result['s5xx']} errors {result['errors']}",
                    flush=True,
                )
                # As the script makes them: each request timed alone; views/s from requests/s.
                result = measure("signed-in, as the script asks", edge_port, scripted)
                result["views"] = result["rps"] / (1 + scripted_share)
                print(
                    f"  {'  = page views':<40} {result['views']:9.1f} views/s  ({scripted_share:.1%} of them with "
                    f"the article's fragment)",
                    flush=True,
                )
        views_buffered = sum(int(v) for v in redis.Redis.from_url(buffer_url).hvals("views:pending"))
    report(args, site, results, ncsa, article_bytes, views_buffered, load_before, time.time() - started)
    return 0


def signed_in_row(med, cache, bad) -> None:
    views, p99 = med("signed-in page view", "views"), med("signed-in page view", "p99_ms")
    print(
        f"{'signed-in page view (page + fragment)':<40}{views:10.1f}{med('signed-in page view', 'p50_ms'):9.1f}"
        f"{p99:9.1f}{views / BEFORE_SIGNED_IN_RPS:7.1f}x  {'before: 83 req/s, p99 ~650':<28}"
        f"{cache('signed-in page view'):>11}  >= {SIGNED_IN_SPEEDUP_TARGET}x and p99 < {SIGNED_IN_P99_TARGET_MS} ms: "
        + (
            "met"
            if views >= SIGNED_IN_SPEEDUP_TARGET * BEFORE_SIGNED_IN_RPS and p99 < SIGNED_IN_P99_TARGET_MS
            else "NOT met"
        )
        + bad("signed-in page view")
    )


def report(
    args, site: dict, results: dict, ncsa: dict, article_bytes: int, views_buffered: int, load_before, seconds: float
) -> None:
    def med(label: str, key: str) -> float:
        return statistics.median(r[key] for r in results[label])

    def share(label: str, reference: str) -> float:
        return statistics.median(
            r["rps"] / ref["rps"] for r, ref in zip(results[label], results[reference], strict=True)
        )

    def cache(label: str) -> str:
        rs = results[label]
        total = sum(r["hit"] + r["miss"] + r["pass"] for r in rs)
        return f"{sum(r['hit'] for r in rs) / total:.1%} HIT" if total else "-"

    def bad(label: str) -> str:
        n = sum(r["s5xx"] + r["s4xx"] + r["s3xx"] + r["errors"] for r in results[label])
        return f"  ({n} non-2xx/errors)" if n else ""

    print()
    print(
        f"bench_edge: {site['live']:,} live articles (seed_scale --articles {args.articles:,} in {args.database}), "
        f"article page {article_bytes:,} bytes, {args.connections} connections, {args.duration} s each x "
        f"{args.rounds} round(s), {os.cpu_count()} cores shared with wrk (load {load_before[0]:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after; {seconds:.0f} s)"
    )
    header = (
        f"{'measurement':<40}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}  {'reference':<28}{'edge':>11}  target"
    )
    print(header)
    print("-" * len(header))

    def row(label: str, reference: str = "", target: float | None = None) -> None:
        if label not in results:  # not measured this run (--parts)
            return
        ratio = share(label, reference) if reference else None
        verdict = ""
        if target is not None:
            verdict = f">= {target:.0%}: " + ("met" if ratio >= target else "NOT met")
        print(
            f"{label:<40}{med(label, 'rps'):10.1f}{med(label, 'p50_ms'):9.1f}{med(label, 'p99_ms'):9.1f}"
            f"{(f'{ratio:.0%}' if ratio is not None else ''):>8}  {reference:<28}{cache(label):>11}  {verdict}"
            + bad(label)
        )

    for name in ("front page", "section page 1", "articles"):
        row(f"{name}: Varnish", f"{name}: nginx, same bytes", PAGE_SHARE_TARGET)
        row(f"{name}: nginx, same bytes")
    row("floor: Django view (app)")
    row("beacon, returning reader (app)", "floor: Django view (app)", BEACON_SHARE_TARGET)
    row("beacon, new readers (app)", "floor: Django view (app)", BEACON_SHARE_TARGET)
    row("floor: Django view (Varnish)")
    row("beacon, returning reader (Varnish)", "floor: Django view (Varnish)", BEACON_SHARE_TARGET)
    if "signed-in page view" in results:
        signed_in_row(med, cache, bad)
        row("signed-in, as the script asks")
        print(
            f"{'  = signed-in page views':<40}{med('signed-in, as the script asks', 'views'):10.1f}  "
            f"(requests/s over 1 + the share of views that also ask for the article's fragment; "
            f"{med('signed-in, as the script asks', 'views') / BEFORE_SIGNED_IN_RPS:.1f}x the 83 req/s before)"
        )
    for kind in ("page", "fragment"):
        ms = ncsa[kind]
        if ms:
            print(
                f"  its {kind:<9} timed by Varnish: {len(ms):,} requests, p50 {percentile(ms, 50):.1f} ms, "
                f"p99 {percentile(ms, 99):.1f} ms"
            )
    fresh = results.get("beacon, new readers (app)", [])
    print(
        f"new-reader beacons: {sum(r['cookies'] for r in fresh):,} of {sum(r['s204'] for r in fresh):,} answers "
        f"set a vid cookie (a new reader admitted and counted); views waiting in the buffer at the end: "
        f"{views_buffered:,}"
    )
    print(
        "ratio: req/s as a share of the reference's in the same round (median over rounds); the signed-in page "
        "view's ratio is page views/s over the 83 req/s before the edge; its p50/p99 are of the pipelined pair "
        "(page + fragment on one connection). edge: share of answers with X-Cache: HIT. Target ratios: pages "
        f">= {PAGE_SHARE_TARGET:.0%} of nginx (aim 50%), beacon >= {BEACON_SHARE_TARGET:.0%} of the floor."
    )


if __name__ == "__main__":
    sys.exit(main())
