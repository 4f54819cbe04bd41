"""Login brute force: django-axes locks an account at one address after LOGIN_FAILURE_LIMIT wrong passwords
for LOGIN_COOLOFF_MINUTES, on the readers' login and the admin's, by the portal's one rule for client addresses."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-1"  # tests/factories.py
LIMIT, COOLOFF = 5, 15


@pytest.fixture(autouse=True)
def _throttle(settings):
    # The defaults, pinned: a checkout's .env must not change what these tests prove.
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = LIMIT
    settings.LOGIN_COOLOFF_MINUTES = COOLOFF
    settings.AXES_COOLOFF_TIME = timedelta(minutes=COOLOFF)
    settings.TRUSTED_PROXY_COUNT = 0


def log_in(client, username, password, door="login", **headers):
    return client.post(reverse(door), {"username": username, "password": password, "next": "/"}, **headers)


def fail(client, username, times, door="login", **headers) -> list[int]:
    return [log_in(client, username, "wrong-password", door, **headers).status_code for _ in range(times)]


def is_locked_page(response) -> bool:
    page = response.content.decode()
    return (
        response.status_code == 429
        and "로그인 제한" in page
        and f"{COOLOFF}분 뒤에 다시 시도해 주세요" in page
        and response["Retry-After"] == str(COOLOFF * 60)
    )


def signed_in(client) -> bool:
    # The account menu comes from the page's fragment: public pages are the same for everyone.
    return "로그아웃" in client.get(reverse("fragment")).json()["account"]


def test_wrong_passwords_up_to_the_limit_end_on_a_korean_lock_page(client, alice):
    answers = [log_in(client, "alice", "wrong-password") for _ in range(LIMIT)]
    assert [a.status_code for a in answers[:-1]] == [200] * (LIMIT - 1)
    assert "아이디 또는 비밀번호가 맞지 않습니다" in answers[0].content.decode()
    assert is_locked_page(answers[-1])
    assert AccessAttempt.objects.get(username="alice").failures_since_start == LIMIT


def test_the_right_password_is_refused_while_locked(client, alice):
    fail(client, "alice", LIMIT)
    assert is_locked_page(log_in(client, "alice", PASSWORD))
    assert not signed_in(client)


def test_the_lock_lifts_after_the_cool_off_and_retrying_does_not_extend_it(client, alice):
    fail(client, "alice", LIMIT)
    locked_at = timezone.now()
    with time_machine.travel(locked_at + timedelta(minutes=COOLOFF - 1)):
        assert is_locked_page(log_in(client, "alice", PASSWORD))
        assert is_locked_page(log_in(client, "alice", "wrong-again"))
    with time_machine.travel(locked_at + timedelta(minutes=COOLOFF, seconds=5)):
        response = log_in(client, "alice", PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/"
        assert signed_in(client)


def test_a_successful_login_resets_the_count(client, alice):
    fail(client, "alice", LIMIT - 1)
    assert log_in(client, "alice", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    client.post(reverse("logout"))
    assert fail(client, "alice", LIMIT - 1) == [200] * (LIMIT - 1)
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_lock_holds_one_account_at_one_address(alice, bob):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    fail(attacker, "alice", LIMIT)
    owner_elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    neighbour_same_address = Client(REMOTE_ADDR="198.51.100.7")
    assert log_in(owner_elsewhere, "alice", PASSWORD).status_code == 302
    assert log_in(neighbour_same_address, "bob", PASSWORD).status_code == 302
    assert is_locked_page(log_in(attacker, "alice", PASSWORD))


def test_the_admin_login_is_locked_the_same_way(client, editor):
    assert fail(client, "desk", LIMIT - 1, door="admin:login") == [200] * (LIMIT - 1)
    assert is_locked_page(log_in(client, "desk", "wrong-password", door="admin:login"))
    assert is_locked_page(log_in(client, "desk", PASSWORD, door="admin:login"))
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to the login form
    with time_machine.travel(timezone.now() + timedelta(minutes=COOLOFF, seconds=5)):
        response = log_in(client, "desk", PASSWORD, door="admin:login")
        assert response.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_failures_at_either_door_count_together(client, editor):
    fail(client, "desk", LIMIT - 1, door="login")
    assert is_locked_page(log_in(client, "desk", "wrong-password", door="admin:login"))
    assert is_locked_page(log_in(client, "desk", PASSWORD, door="admin:login"))


def test_a_spoofed_forwarded_for_does_not_escape_the_lock(alice):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for i in range(LIMIT - 1):
        log_in(attacker, "alice", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert is_locked_page(log_in(attacker, "alice", "wrong-password", HTTP_X_FORWARDED_FOR="192.0.2.99"))
    assert is_locked_page(log_in(attacker, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.100"))
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_behind_one_trusted_proxy_the_address_it_saw_is_locked(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker, other_reader = Client(**proxy), Client(**proxy)
    for i in range(LIMIT):  # the client's own left-hand entries change; the proxy appends what it saw
        last = log_in(attacker, "alice", "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.5")
    assert is_locked_page(last)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]
    assert log_in(other_reader, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


def test_junk_in_forwarded_for_behind_a_proxy_is_a_failed_login_not_an_error(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = log_in(client, "alice", "wrong-password", HTTP_X_FORWARDED_FOR="<script>, not-an-address")
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]


def test_successful_logins_are_not_logged_with_the_readers_address(client, alice):
    assert log_in(client, "alice", PASSWORD).status_code == 302
    assert not AccessLog.objects.exists()


def test_failed_attempts_and_their_address_are_deleted_after_the_cool_off(alice, bob):
    fail(Client(REMOTE_ADDR="198.51.100.7"), "alice", 2)
    with time_machine.travel(timezone.now() + timedelta(minutes=COOLOFF, seconds=5)):
        log_in(Client(REMOTE_ADDR="203.0.113.9"), "bob", PASSWORD)  # any later login sweeps expired attempts
    assert not AccessAttempt.objects.filter(ip_address="198.51.100.7").exists()


def load_settings(**env) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("LOGIN_") and k != "DJANGO_SETTINGS_MODULE"}
    code = "import portal.settings as s; print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**keep, "DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "h", **env},
    )


def test_limit_and_cool_off_come_from_the_environment():
    assert load_settings().stdout.split() == ["5", "900"]
    assert load_settings(LOGIN_FAILURE_LIMIT="3", LOGIN_COOLOFF_MINUTES="60").stdout.split() == ["3", "3600"]


def test_a_zero_limit_refuses_to_start():
    result = load_settings(LOGIN_FAILURE_LIMIT="0")
    assert result.returncode != 0 and "LOGIN_FAILURE_LIMIT" in result.stderr
