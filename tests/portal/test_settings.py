"""Settings come from the environment and refuse to start unsafely."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE, s.USE_TZ)"],
        cwd=ROOT,
        env={**clean, "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,  # over any .env
    )


def test_missing_secret_key_with_debug_off_refuses_to_start():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_missing_allowed_hosts_with_debug_off_refuses_to_start():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    unset = {
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "SECURE_SSL_REDIRECT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }  # the last is set by e2e
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env |= {
        "SECRET_KEY": "a-production-like-secret-key-" + "k3y" * 12,
        "ALLOWED_HOSTS": "news.example.com",
        "DEBUG": "false",
    }  # explicit: a development checkout's .env says true
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_asked_and_locale_is_korean_in_shanghai():
    result = load_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Asia/Shanghai", "ko", "True"]


def test_postgres_connections_are_persistent():
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "h", "DATABASE_URL": "postgres://u@localhost/db"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert int(result.stdout.strip()) >= 60


def test_pages_carry_security_headers(client, db):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'self'" in script_src and "unsafe" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_foreign_host_is_refused(client, db):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_https_pages_send_hsts_and_cookies_are_secure_httponly_and_same_site(client, db, settings):
    from tests import factories

    factories.UserFactory(username="secure-reader").set_password("a-long-reader-password")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="secure-reader")
    user.set_password("a-long-reader-password")
    user.save()
    assert client.get("/", secure=True)["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/",
        {
            "username": "secure-reader",
            "password": "a-long-reader-password",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        secure=True,
    )
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax", name


def test_log_level_is_read_in_either_case():
    # portal/serve.py passes LOG_LEVEL to granian in lower case; Django's logging setup must take either case too.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup()",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "h",
            "DEBUG": "false",
            "LOG_LEVEL": "warning",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
