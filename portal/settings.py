"""The portal's settings, read from the environment; docs/configuration.md lists each with its default."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    # A development machine may run without a configured key: keep one per checkout so sessions survive restarts.
    _dev_key_file = BASE_DIR / "var" / "dev-secret-key"
    if not env.str("SECRET_KEY", default="") and not _dev_key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _dev_key_file.parent.mkdir(exist_ok=True)
        _dev_key_file.write_text(get_random_secret_key())
    SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_key_file.read_text().strip()
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be set (at least 32 characters) when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host(s) when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",
    "portal.ads",
    "portal.tips",
    "portal.newsletter",
    "portal.policies",
    "news",
    "comments",
    "portal.apps.NewsroomAdminConfig",  # django.contrib.admin with the desk's dashboard
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_prose_editor",
    "axes",
]

MIDDLEWARE = [
    "portal.middleware.access_log",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.refuse_nul_in_query",
    "portal.middleware.AdminListGuard",  # a malformed admin list query is a 400, not a 500 (issue #19)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.signed_in_marker",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into our 429 page
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portal.context_processors.site",
            ],
        },
    },
]

# DATABASE_URL unset: an embedded SQLite file for a first run. Production and the test suite use PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
else:
    # Persistent connections: opening a PostgreSQL connection costs more than rendering a page.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No SQL statement of a web request runs longer than this (python -m portal.serve sets 30 s: the server
    # has no request timeout of its own); management commands, which may build indexes, set none.
    if _statement_timeout := env.int("DATABASE_STATEMENT_TIMEOUT", default=0):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={_statement_timeout * 1000}"
# Read replicas: each URL becomes an alias (replica1, replica2 …) that portal/replicas.py sends reads to;
# writes, and a writer's reads for REPLICA_PIN_SECONDS after, go to the primary. Empty: nothing is installed.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
DATABASE_REPLICAS = [f"replica{number}" for number in range(1, len(DATABASE_REPLICA_URLS) + 1)]
for _alias, _url in zip(DATABASE_REPLICAS, DATABASE_REPLICA_URLS, strict=True):
    DATABASES[_alias] = environ.Env.db_url_config(_url) | {
        key: DATABASES["default"][key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS") if key in DATABASES["default"]
    }
    if "options" in DATABASES["default"].get("OPTIONS", {}):
        DATABASES[_alias].setdefault("OPTIONS", {})["options"] = DATABASES["default"]["OPTIONS"]["options"]
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}  # a test run reads its own test database, never a real replica
    # A replica that stops answering fails its reads in seconds, not at the TCP timeout (and /healthz too).
    DATABASES[_alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["portal.replicas.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "portal.replicas.PinToPrimaryMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# What readers send in confidence (기사제보 photos): a folder no web server serves; staff read it through
# the admin. Several app servers share it (a network file system), as they would the media without S3.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Media on object storage (MEDIA_STORAGE=s3): uploads and renditions go to an S3-compatible bucket through
# django-storages; credentials come from the standard AWS variables or the machine's role. Rendition URLs
# are stored with the article, so they must not carry an expiring signature: objects are read publicly
# (the bucket's policy or a CDN allows it). A new upload never replaces a stored file of the same name.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
MEDIA_ORIGINS: list[str] = []  # where pages load photos from besides our own origin (the CSP's img-src)
if MEDIA_STORAGE == "s3":
    _bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not _bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _region = env.str("AWS_S3_REGION_NAME", default="") or None
    _endpoint = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    _domain = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "region_name": _region,
            "endpoint_url": _endpoint,
            "custom_domain": _domain,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
    if _domain:
        MEDIA_ORIGINS = [f"https://{_domain.split('/')[0]}"]
    elif _endpoint:
        MEDIA_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(_endpoint))]
    else:
        MEDIA_ORIGINS = [f"https://{_bucket}.s3.amazonaws.com"]
        if _region:
            MEDIA_ORIGINS.append(f"https://{_bucket}.s3.{_region}.amazonaws.com")
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}.")
# Uploads: Pillow refuses to decode images above this many pixels (decompression bombs).
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=50_000_000)
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 20

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Login throttling (django-axes): the axes backend refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be at least 1.")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# Keyed by account and address together. By account alone, anyone could lock a reader or a reporter (whose
# usernames are easy to guess) out of their own account from anywhere; by address alone, one guesser would lock
# out everyone behind the same carrier NAT, office or campus network (common for our readers). Together, one
# address gets LOGIN_FAILURE_LIMIT guesses per account per cool-off, and the owner elsewhere can still log in.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is decided as everywhere else in the portal: X-Forwarded-For only through TRUSTED_PROXY_COUNT.
AXES_CLIENT_IP_CALLABLE = "news.viewcount.client_ip"
AXES_RESET_ON_SUCCESS = True
# Retrying while locked does not restart the clock: the lock lifts LOGIN_COOLOFF_MINUTES after the last counted
# failure, as the lock-out page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "portal.accounts.locked_out"
# Failed attempts are kept (for the lock, cleaned after the cool-off); successful logins are not logged with
# their address: readers' IPs are not collected (the same choice as view counting).
AXES_DISABLE_ACCESS_LOG = True
# Mail (password reset): printed to the console in development, SMTP in production (Django 6.1's MAILERS).
MAIL_BACKEND = env.str(
    "MAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": MAIL_BACKEND}}
if MAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env.str("SMTP_HOST", default="localhost"),
        "port": env.int("SMTP_PORT", default=25),
        "username": env.str("SMTP_USER", default=""),
        "password": env.str("SMTP_PASSWORD", default=""),
        "use_tls": env.bool("SMTP_TLS", default=False),
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# View counting and rankings (가장 많이 본 뉴스). With a Redis URL here, views are buffered in Redis and
# `manage.py flush_views` writes them; give it its own Redis database (not the cache's, which may be
# cleared or evicted) with maxmemory-policy noeviction.
VIEW_BUFFER_URL = env.str("VIEW_BUFFER_URL", default="")
VIEW_COUNTING = env.bool("VIEW_COUNTING", default=True)
VIEW_DEDUPE_SECONDS = env.int("VIEW_DEDUPE_SECONDS", default=30 * 60)
# New visitors (no visitor cookie yet) one address may bring per VIEW_DEDUPE_SECONDS, for views and ad clicks:
# room for a shared office or carrier network, not for a script that changes its user agent on every request.
VIEW_NEW_VISITORS_PER_ADDRESS = env.int("VIEW_NEW_VISITORS_PER_ADDRESS", default=50)
# With VIEW_BUFFER_URL: how often the site flushes buffered views and ad impressions by itself (0: only
# `flush_views` does).
VIEW_FLUSH_SECONDS = env.int("VIEW_FLUSH_SECONDS", default=60)
RANKING_DAYS = env.int("RANKING_DAYS", default=7)
RANKING_CACHE_SECONDS = env.int("RANKING_CACHE_SECONDS", default=300)
# How many proxies in front of Django append to X-Forwarded-For; 0 trusts none (the socket address counts).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Ads: how long the choice of ads and businesses is cached.
AD_CACHE_SECONDS = env.int("AD_CACHE_SECONDS", default=60)

# Comments: limits per account, like Korea's big portals; reports that hide a comment until a moderator decides.
COMMENT_RATE_PER_MINUTE = env.int("COMMENT_RATE_PER_MINUTE", default=1)
COMMENT_RATE_PER_DAY = env.int("COMMENT_RATE_PER_DAY", default=20)
COMMENT_RATE_PER_ARTICLE = env.int("COMMENT_RATE_PER_ARTICLE", default=5)
COMMENT_AUTOHIDE_REPORTS = env.int("COMMENT_AUTOHIDE_REPORTS", default=3)
COMMENT_PREMODERATION = env.bool("COMMENT_PREMODERATION", default=False)
# Whose 신고 and 공감 count: accounts at least this many days old with a published comment, and one report
# per address toward hiding a comment (0: every account and address). Moderators see every report.
COMMENT_TRUSTED_AFTER_DAYS = env.int("COMMENT_TRUSTED_AFTER_DAYS", default=3)
# 기사제보: submissions an address, and a signed-in account, may send an hour (portal/tips).
TIP_RATE_PER_HOUR = env.int("TIP_RATE_PER_HOUR", default=5)
# The site operates as a registered 인터넷신문: its particulars (the site profile's 법정 고지) must be complete,
# and `manage.py check` warns (portal.W001) while any is empty.
REGISTERED_INTERNET_NEWSPAPER = env.bool("REGISTERED_INTERNET_NEWSPAPER", default=False)
# The password of the demo accounts seed_demo and seed_scale make (the README lists the accounts).
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="portal-demo-2026")  # nosec B105  # documented, demo only
# The site's own address, for links in mail (newsletter, password reset): never a request's Host header.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Password reset mails one address may be sent an hour, and one client may ask for (beyond: the same answer,
# no mail); the answer never tells whether an address has an account.
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=3)
PASSWORD_RESET_PER_CLIENT_PER_HOUR = env.int("PASSWORD_RESET_PER_CLIENT_PER_HOUR", default=10)
# Newsletter confirmation mails one client may ask for an hour (and one per address every ten minutes).
NEWSLETTER_RATE_PER_HOUR = env.int("NEWSLETTER_RATE_PER_HOUR", default=5)

# Cache: Redis when REDIS_URL is set (shared by every worker), else this process's memory.
# With Redis, a stopped or slow Redis turns into cache misses within half a second instead of failed pages.
# Every key the portal writes there has an expiry.
if REDIS_URL := env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Sessions read from Redis and fall back to their database row, so a Redis restart signs no one out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Room for the view-count dedupe marks (two per new visitor): the default 300 entries would evict them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env.int("LOCMEM_CACHE_ENTRIES", default=100_000)},
        }
    }

# The HTTP edge (deploy/varnish/): how long it may keep a public page (s-maxage; changes purge sooner), and
# where purges go: each URL is one edge (Varnish's address; make serve sets its own). Empty: no edge, no purge.
EDGE_MAX_AGE = env.int("EDGE_MAX_AGE", default=300)
EDGE_PURGE_URLS = env.list("EDGE_PURGE_URLS", default=[])
# The class that sends a purge (news/edge.py): Varnish's xkey here; a CDN with surrogate keys plugs in the same way.
EDGE_PURGE_BACKEND = env.str("EDGE_PURGE_BACKEND", default="news.edge.VarnishXkeyPurge")
# While this file exists, /healthz answers 503 "draining": the edge's probe takes this app server out of its
# director before it stops, so a rolling restart cuts no request (docs/deployment.md, Upgrades). One file per app server.
HEALTH_DRAIN_FILE = env.path("HEALTH_DRAIN_FILE", default=BASE_DIR / "var" / "draining")

# HTTPS: on by default in production; a site served over plain http (a local `make serve`) turns these off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script of ours reads the cookie
SECURE_SSL_REDIRECT = not DEBUG and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django 6's own): only our origin's scripts, styles, images and forms; an inline
# script or <style> must carry the per-request nonce. No third-party script is ever loaded. The nonce is in
# the header only where a template asked for it (the admin's changelist <style>): a public page, the same
# bytes for every reader, carries none, so its style-src is our own stylesheets alone, with no inline style
# (styles set from a script through element.style stay allowed, as CSP allows).
# The one inline stylesheet allowed by its hash is the article body editor's (django-prose-editor 0.28: its
# Tiptap core injects ProseMirror's base rules into the admin page); tests/e2e/test_csp.py fails,
# naming the new hash, when an upgrade changes it.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
# The error pages (400, 500, 503) carry their few styles inline: they must show without anything else of the
# site, static files included (a 500 may come from the very thing that failed).
ERROR_PAGE_STYLE_HASH = "'sha256-ld6EIhl4IMbUK/3qXv3RmJI94TXSOSLa1gopgsghIFM='"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE, PROSE_EDITOR_STYLE_HASH, ERROR_PAGE_STYLE_HASH],
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    # No reset or newsletter token in any line (portal/logscrub.py).
    "filters": {"scrub": {"()": "portal.logscrub.ScrubSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["scrub"]},
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "bare",
            "filters": ["scrub"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO").upper()},  # either case
    # A JSON line per request (portal.middleware.access_log); ACCESS_LOG=false leaves it out.
    "loggers": {
        "portal.access": {
            "handlers": ["access"],
            "propagate": False,
            "level": "INFO" if env.bool("ACCESS_LOG", default=True) else "WARNING",
        }
    },
}
