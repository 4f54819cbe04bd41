# Where portal.vcl finds the app servers. Copy this file as backend.vcl into a directory ahead of
# deploy/varnish on vcl_path (varnishd -p vcl_path=/etc/varnish/portal:/srv/portal/deploy/varnish), then
# set each server's address. `python -m portal.serve` and the tests write their own (portal.serve.backend_vcl).
#
# Each app server is probed on /healthz: 503 when its database does not answer, and 503 "draining" while
# its HEALTH_DRAIN_FILE exists (a release takes it out this way before stopping it). The director sends
# readers to the healthy ones; while none is, portal.vcl serves stored pages for hours instead of 2 s.
# .host_header must be one of the app's ALLOWED_HOSTS, or the probe gets a 400.

import directors;

backend app1 {
    .host = "10.0.0.11";
    .port = "8001";
    .host_header = "news.example.kr";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 2s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

backend app2 {
    .host = "10.0.0.12";
    .port = "8001";
    .host_header = "news.example.kr";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 2s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

sub vcl_init {
    new apps = directors.round_robin();
    apps.add_backend(app1);
    apps.add_backend(app2);
}

# Runs before portal.vcl's vcl_recv (this file is included first), so its grace check sees the director:
# healthy while any app server is.
sub vcl_recv {
    set req.backend_hint = apps.backend();
}
