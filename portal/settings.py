"""The portal's settings: one module, read from the environment (see the README's table)."""

from __future__ import annotations

from pathlib import Path

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
    "news",
    "comments",
    "django.contrib.admin",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads: Pillow refuses to decode images above this many pixels (decompression bombs).
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=50_000_000)
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 20

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Mail (password reset): printed to the console in development, SMTP in production (Django 6.1's MAILERS).
MAIL_BACKEND = env.str(
    "MAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
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
RANKING_DAYS = env.int("RANKING_DAYS", default=7)
RANKING_CACHE_SECONDS = env.int("RANKING_CACHE_SECONDS", default=300)
# How many proxies in front of Django append to X-Forwarded-For; 0 trusts none (the socket address counts).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Ads: how long the choice of ads and businesses is cached, how often buffered impressions are written.
AD_CACHE_SECONDS = env.int("AD_CACHE_SECONDS", default=60)
AD_STATS_FLUSH_SECONDS = env.int("AD_STATS_FLUSH_SECONDS", default=10)

# Comments: limits per account, like Korea's big portals; reports that hide a comment until a moderator decides.
COMMENT_RATE_PER_MINUTE = env.int("COMMENT_RATE_PER_MINUTE", default=1)
COMMENT_RATE_PER_DAY = env.int("COMMENT_RATE_PER_DAY", default=20)
COMMENT_RATE_PER_ARTICLE = env.int("COMMENT_RATE_PER_ARTICLE", default=5)
COMMENT_AUTOHIDE_REPORTS = env.int("COMMENT_AUTOHIDE_REPORTS", default=3)
COMMENT_PREMODERATION = env.bool("COMMENT_PREMODERATION", default=False)

# Cache: Redis when REDIS_URL is set (shared by every worker), else this process's memory.
if REDIS_URL := env.str("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Room for the view-count dedupe marks (two per new visitor): the default 300 entries would evict them.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": env.int("LOCMEM_CACHE_ENTRIES", default=100_000)}}}

# HTTPS: on by default in production; a site served over plain http (a local `make serve`) turns these off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env.bool("SECURE_COOKIES", default=True)
SECURE_SSL_REDIRECT = not DEBUG and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django 6's own): only our origin's scripts, styles, images and forms; an inline
# script must carry the per-request nonce. No third-party script is ever loaded.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],  # the body editor sets style attributes; scripts stay strict
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
