# Where portal.vcl finds the app. Copy this file as backend.vcl into a directory ahead of
# deploy/varnish on vcl_path (varnishd -p vcl_path=/etc/varnish/portal:/srv/portal/deploy/varnish).
# `python -m portal.serve` and the tests write their own (portal.serve.backend_vcl).
#
# The probe asks /healthz, which answers 503 when the database does not (a Redis down is "degraded", 200): while the app is
# sick, Varnish serves the pages it keeps for hours instead of its usual 2 s of grace.
# .host_header must be one of the app's ALLOWED_HOSTS, or the probe gets a 400.

backend app {
    .host = "127.0.0.1";
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

# Several app servers: one backend each (app1, app2, ... with the same probe), then a director, and
# point requests at it. portal.vcl's vcl_recv runs after this one, so its grace check sees the director
# (healthy while any server is).
#
#   import directors;
#
#   sub vcl_init {
#       new apps = directors.round_robin();
#       apps.add_backend(app1);
#       apps.add_backend(app2);
#   }
#
#   sub vcl_recv {
#       set req.backend_hint = apps.backend();
#   }
