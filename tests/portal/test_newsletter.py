"""The newsletter against a real SMTP server (aiosmtpd, started here): double opt-in with a signed link,
each edition with its one-click unsubscribe, and a send that resumes after a crash without doubles."""

from __future__ import annotations

import datetime
import email
import email.policy
import re
import socket
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.models import DailyViews
from portal.newsletter.models import Delivery, Edition, Subscriber
from tests import factories

pytestmark = pytest.mark.django_db
SITE = "https://news.example.kr"


class Inbox:
    """What the SMTP server accepted; `refuse_after` makes it refuse every message past that many."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_after: int | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
            return "554 refused for the test"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def inbox(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    settings.SITE_URL = SITE
    yield received
    controller.stop()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_subscribing_takes_a_confirmation_by_mail_and_records_the_consent(client, inbox):
    client.post(reverse("newsletter:subscribe"), {"email": "Reader@Example.com"}, HTTP_HOST="127.0.0.1")
    [mail] = inbox.to("reader@example.com")
    assert "구독을 확인해 주세요" in mail["Subject"]
    link = re.search(rf"{re.escape(SITE)}(/newsletter/confirm/\S+/)", text_of(mail)).group(1)  # SITE_URL, not Host
    assert Subscriber.objects.get().confirmed_at is None
    page = client.get(link)
    assert page.status_code == 200 and "구독하기" in page.content.decode()
    assert Subscriber.objects.get().confirmed_at is None  # opening the link (a mail scanner does) is not consent
    before = timezone.now()
    client.post(link)
    assert Subscriber.objects.get().confirmed_at >= before
    assert client.get(link[:-5] + "xxxx/").status_code == 400  # a link tampered with


def test_the_edition_goes_to_confirmed_subscribers_with_a_one_click_unsubscribe(inbox, section, reporter):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    top = factories.ArticleFactory(section=section, reporter=reporter, title="어제 가장 많이 본 기사")
    DailyViews.objects.create(article=top, day=yesterday, views=50)
    pick = factories.ArticleFactory(section=section, reporter=reporter, title="편집자가 고른 기사")
    Edition.objects.create(day=timezone.localdate()).picks.add(pick)
    Subscriber.objects.create(email="a@example.com", confirmed_at=timezone.now())
    Subscriber.objects.create(email="b@example.com", confirmed_at=timezone.now())
    Subscriber.objects.create(email="pending@example.com")
    Subscriber.objects.create(email="gone@example.com", confirmed_at=timezone.now(), unsubscribed_at=timezone.now())
    out = StringIO()
    call_command("send_newsletter", "--batch", "1", stdout=out)
    assert sorted(message["To"] for message in inbox.messages) == ["a@example.com", "b@example.com"]
    assert "발송 [" in out.getvalue() and "2명에게 보냈습니다" in out.getvalue()
    [mail] = inbox.to("a@example.com")
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "어제 가장 많이 본 기사" in html and "편집자가 고른 기사" in html and f"{SITE}/article/{top.pk}/" in html
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(rf"<{re.escape(SITE)}(/newsletter/unsubscribe/\S+/)>", mail["List-Unsubscribe"]).group(1)
    assert unsubscribe in text_of(mail) and unsubscribe in html
    assert unsubscribe not in inbox.to("b@example.com")[0]["List-Unsubscribe"]  # each their own
    # The mail program's one-click POST: no form, no CSRF token, the signed link is the proof.
    response = Client(enforce_csrf_checks=True).post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and Subscriber.objects.get(email="a@example.com").unsubscribed_at
    assert Subscriber.objects.get(email="b@example.com").unsubscribed_at is None


def test_a_send_cut_off_resumes_without_sending_anyone_the_edition_twice(inbox):
    for n in range(4):
        Subscriber.objects.create(email=f"s{n}@example.com", confirmed_at=timezone.now())
    inbox.refuse_after = 1  # the server takes one message, then fails: the run stops with an error
    with pytest.raises(Exception, match="554"):
        call_command("send_newsletter", stdout=StringIO())
    assert len(inbox.messages) == 1
    inbox.refuse_after = None
    err = StringIO()
    call_command("send_newsletter", stdout=StringIO(), stderr=err)
    received = [message["To"] for message in inbox.messages]
    assert len(received) == len(set(received)) == 3  # one lost with the crash, nobody twice
    assert "끊긴 1명" in err.getvalue()
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 3
    call_command("send_newsletter", stdout=StringIO(), stderr=StringIO())
    assert len(inbox.messages) == 3  # a third run sends nothing


def test_an_editor_previews_the_edition_in_the_admin(client, section, reporter):
    edition = Edition.objects.create(day=timezone.localdate())
    edition.picks.add(factories.ArticleFactory(section=section, reporter=reporter, title="미리 보는 추천 기사"))
    client.force_login(factories.editor(username="desk"))
    response = client.get(reverse("admin:newsletter_edition_preview", args=[edition.pk]))
    assert response.status_code == 200 and "미리 보는 추천 기사" in response.content.decode()
