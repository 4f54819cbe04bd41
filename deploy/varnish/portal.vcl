# The portal's edge: Varnish 7 with varnish-modules' xkey (docs: deploy/varnish/README.md).
# A public page is one document for every reader; Django marks it with `Cache-Control: s-maxage=N`
# and `Surrogate-Key: site article-12 ...`, and purges those keys (PURGE + `xkey-purge`) when it changes.
# What is personal (comments, fragment, beacon, accounts, admin) is never stored and keeps its cookies.
vcl 4.1;

import std;
import xkey;

# Where the app is: a generated file (python -m portal.serve, tests/varnish.py) or a copy of
# backend.example.vcl, found on vcl_path ahead of this directory.
include "backend.vcl";

# Who may purge. The app purges from the machine it runs on; add app servers elsewhere here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    unset req.http.X-Edge-Pass;  # our own marker (vcl_pass); never taken from a client

    if (req.method == "PURGE") {
        # Only on the purge socket (varnishd -a purge=...), which no proxy forwards to, from the app's hosts.
        if (local.socket != "purge" || client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header missing"));
        }
        # A hard purge: the pages are gone at once, the next reader gets a fresh one.
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }

    # Anything that is not a read, and every personal or side-effect path, goes to the app as sent,
    # cookies included. `return` here also skips the builtin VCL, which would pipe unusual methods.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|accounts|comments|beacon|fragment|ads|tips|newsletter|policies/agree)(/|\?|$)" || req.url ~ "^/healthz(\?|$)") {
        return (pass);
    }
    # The newsroom's preview of a story not yet live (the admin's "사이트에서 보기"): its session decides.
    if (req.url ~ "^/article/[0-9]+/\?(.*&)?preview=1(&|$)") {
        return (pass);
    }

    # Everything else is the same page for everyone, in the site's one language.
    unset req.http.Cookie;
    unset req.http.Accept-Language;

    # Only the parameters a page reads make a different page: drop the rest (utm_*, fbclid, junk) and
    # sort what stays, so tracking links and reordered queries share one stored object.
    if (req.url ~ "\?") {
        set req.http.X-Query = regsuball("&" + regsub(req.url, "^[^?]*\?", ""),
            "&(?!(?:page|q|section|order|period|category|cpage)=)[^&]*", "");
        set req.url = regsub(req.url, "\?.*$", "");
        if (req.http.X-Query != "") {
            set req.url = std.querysort(req.url + "?" + regsub(req.http.X-Query, "^&", ""));
        }
        unset req.http.X-Query;
    }

    # Grace: while the app is healthy, a page past its s-maxage is served for at most 2 s more (as it is
    # fetched again in the background); while the probe says it is sick, the stored pages are served for
    # as long as they are kept (beresp.grace below).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 2s;
    }
    return (hash);
}

# The scheme is part of a page's identity: a page stored for https never answers plain http (which the
# app redirects). The builtin vcl_hash adds the URL and the host after this.
sub vcl_hash {
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_pass {
    set req.http.X-Edge-Pass = "1";
}

sub vcl_backend_fetch {
    unset bereq.http.X-Edge-Pass;
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);  # passed: never stored
    }
    if (beresp.status >= 500) {
        # An error is never stored. On a background refresh, keep serving the page we have.
        if (bereq.is_bgfetch) {
            return (abandon);
        }
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Only what the app marked as shared is stored: TTL from s-maxage (Varnish's default reading of
    # Cache-Control); no lifetime at all means not stored, not Varnish's default_ttl.
    if (beresp.http.Cache-Control !~ "(?i)(s-maxage|max-age)=" && !beresp.http.Expires) {
        set beresp.ttl = 0s;
    }
    # The app's keys, indexed by xkey for purging.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Kept long past the TTL, to be served only while the app is sick (see vcl_recv).
    set beresp.grace = 6h;
    # The builtin VCL follows: a Set-Cookie, private/no-store or ttl <= 0 is not stored (a 2-minute
    # hit-for-miss marker instead, which a later cacheable answer replaces).
}

# The app did not answer (down, or sick by its probe) and no stored page can stand in: a short Korean
# page instead of Varnish's own, never stored. A failed background refresh keeps the stale page.
sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    # A read whose app server is gone (killed, restarting) before its probe says so is tried once more: the
    # director picks again. Never a POST, which may have reached the app.
    if (bereq.retries == 0 && bereq.method ~ "^(GET|HEAD)$") {
        return (retry);
    }
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "30";
    set beresp.body = {"<!doctype html>
<html lang="ko"><meta charset="utf-8"><title>잠시 후 다시 시도해 주세요</title>
<h1>잠시 후 다시 시도해 주세요</h1><p>지금 페이지를 불러올 수 없습니다.</p></html>
"};
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else if (req.http.X-Edge-Pass) {
        set resp.http.X-Cache = "PASS";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.http.X-Cache = "PASS";
        if (resp.status == 200) {
            set resp.http.X-Purged = req.http.X-Purged;
            set resp.body = "purged " + req.http.X-Purged + {"
"};
        } else {
            set resp.body = resp.reason + {"
"};
        }
        return (deliver);
    }
}
