"""Account mail that cannot be abused: a password reset says nothing about who has an account (by its
answer or its timing), is held back when flooded, and links to the site's configured address; no token of
a reset or newsletter link is ever written to a log."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import logging
import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.logscrub import ScrubSecrets
from tests import factories

pytestmark = pytest.mark.django_db
SITE = "https://news.example.kr"


class SlowInbox:
    """An SMTP server that takes its time over each message, as a distant one does."""

    def __init__(self, delay: float):
        self.delay, self.messages = delay, []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default).get_body(("plain",)).get_content()
        )
        return "250 OK"


@pytest.fixture
def slow_smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SlowInbox(delay=0.6)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    settings.SITE_URL = SITE
    yield inbox
    controller.stop()


def reset(client, email: str) -> float:
    started = time.perf_counter()
    response = client.post(reverse("password_reset"), {"email": email}, HTTP_HOST="127.0.0.1")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    return time.perf_counter() - started


def test_a_reset_answers_alike_and_as_fast_for_an_address_with_and_without_an_account(client, slow_smtp):
    factories.UserFactory(username="alice", email="alice@example.com")
    reset(client, "nobody@example.com")  # warm: the first request pays for imports
    with_account = [reset(client, "alice@example.com")]
    without = [reset(client, "nobody@example.com")]
    # The SMTP server takes 0.6 s a message: had the request waited for it, the answer would tell.
    assert max(with_account + without) < 0.3, (with_account, without)
    factories.mail_sent()
    [message] = slow_smtp.messages
    link = re.search(r"https://news\.example\.kr/accounts/reset/\S+/", message)
    assert link and "127.0.0.1" not in message  # the configured site, not the request's Host


def test_resets_are_held_back_per_address_and_per_client(client, slow_smtp, settings):
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 2
    slow_smtp.delay = 0
    factories.UserFactory(username="alice", email="alice@example.com")
    for _ in range(4):
        reset(client, "alice@example.com")  # the same answer each time
    factories.mail_sent()
    assert len(slow_smtp.messages) == 2


def test_no_reset_or_newsletter_token_reaches_a_log(client):
    """The site's own log handlers (LOGGING), written to a buffer here: the access log's line for each
    request and Django's warning for the 400 both name the path, with the token hidden."""
    user = factories.UserFactory(username="alice", email="alice@example.com")
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    signed = signing.dumps("reader@example.com", salt="newsletter.confirm") + "x"  # a bad one: a 400, logged
    access = logging.getLogger("portal.access")
    handlers = access.handlers + logging.getLogger().handlers
    ours = [
        h
        for h in handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, ScrubSecrets) for f in h.filters)
    ]
    assert len(ours) == 2  # the access log and the console
    buffer, level = io.StringIO(), access.level
    streams = [handler.setStream(buffer) for handler in ours]
    access.setLevel(logging.INFO)
    try:
        client.get(f"/accounts/reset/{uid}/{token}/")
        client.get(f"/newsletter/confirm/{signed}/")
    finally:
        access.setLevel(level)
        for handler, stream in zip(ours, streams, strict=True):
            handler.setStream(stream)
    logged = buffer.getvalue()
    assert f"/accounts/reset/{uid}/[hidden]" in logged and "/newsletter/confirm/[hidden]" in logged
    assert token not in logged and signed[:20] not in logged
