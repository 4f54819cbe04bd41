"""이용약관, 개인정보처리방침 and 청소년보호정책: versions readers can read, consent at sign-up kept per version,
and a new version agreed to once before the next comment."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from portal.newsletter.models import Subscriber
from portal.policies.models import Consent, Policy
from tests import factories
from tests.portal.test_accounts import CONSENTS

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def policies():
    start = TODAY - datetime.timedelta(days=400)
    return {
        kind: Policy.objects.create(kind=kind, effective_on=start, body=f"{kind} 제1판 본문")
        for kind in Policy.Kind.values
    }


def sign_up(client: Client, **changes):
    data = {
        "username": "newreader",
        "nickname": "새독자",
        "email": "new@example.com",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
        **CONSENTS,
        **changes,
    }
    return client.post(reverse("signup"), {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("agree_terms", "이용약관에 동의해야 가입할 수 있습니다."),
        ("agree_privacy", "개인정보 수집·이용에 동의해야 가입할 수 있습니다."),
        ("over_14", "만 14세 이상만 가입할 수 있습니다."),
    ],
)
def test_sign_up_needs_each_required_consent(client, policies, missing, message):
    response = sign_up(client, **{missing: None})
    assert response.status_code == 200 and message in response.content.decode()
    assert not get_user_model().objects.exists()


def test_sign_up_keeps_which_versions_were_agreed_and_when(client, policies):
    before = timezone.now()
    sign_up(client)
    user = get_user_model().objects.get(username="newreader")
    consents = {c.policy.kind: c for c in Consent.objects.filter(user=user).select_related("policy")}
    assert set(consents) == {"terms", "privacy"} and all(c.agreed_at >= before for c in consents.values())
    assert consents["terms"].policy == policies["terms"] and consents["terms"].policy.version == 1
    assert not Subscriber.objects.exists() and mail.outbox == []  # the newsletter box was left unticked


def test_the_newsletter_asked_for_at_sign_up_still_needs_the_mail_confirmation(client, policies):
    sign_up(client, newsletter="on")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "new@example.com" and subscriber.confirmed_at is None
    [confirmation] = mail.outbox
    assert "구독을 확인해 주세요" in confirmation.subject


def test_versions_are_readable_and_the_one_in_effect_is_shown(client, policies):
    Policy.objects.create(kind="terms", effective_on=TODAY, body="제2판: 댓글 규칙이 바뀌었습니다")
    Policy.objects.create(kind="terms", effective_on=TODAY + datetime.timedelta(days=7), body="제3판: 다음 주 시행")
    page = client.get(reverse("policies:show", args=["terms"])).content.decode()
    assert "제2판" in page and "버전 2" in page and reverse("policies:version", args=["terms", 1]) in page
    old = client.get(reverse("policies:version", args=["terms", 1])).content.decode()
    assert "terms 제1판 본문" in old and "(지난 버전)" in old
    assert "(시행 예정)" in client.get(reverse("policies:version", args=["terms", 3])).content.decode()
    assert client.get(reverse("policies:show", args=["nonsense"])).status_code == 404
    assert client.get(reverse("policies:version", args=["terms", 9])).status_code == 404


def test_a_new_version_is_agreed_to_once_before_the_next_comment(client, policies, section, reporter, settings):
    settings.COMMENT_RATE_PER_MINUTE = 5
    article = factories.ArticleFactory(section=section, reporter=reporter)
    reader = factories.commenter("독자", username="reader")
    Consent.objects.create(user=reader, policy=policies["terms"])
    Consent.objects.create(user=reader, policy=policies["privacy"])
    client.force_login(reader)
    post = reverse("comments:post", args=[article.pk])
    client.post(post, {"body": "첫 댓글"})
    assert Comment.objects.count() == 1  # agreed to everything in effect: posts as before

    new_terms = Policy.objects.create(kind="terms", effective_on=TODAY, body="제2판")
    response = client.post(post, {"body": "약관이 바뀐 뒤의 댓글"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("policies:agree") + "?next=")
    assert Comment.objects.count() == 1 and client.session["comment_draft"]["body"] == "약관이 바뀐 뒤의 댓글"
    page = client.get(response["Location"]).content.decode()
    assert new_terms.get_absolute_url() in page
    back = client.post(response["Location"], {"agree": "on"})
    assert back["Location"].startswith(article.get_absolute_url())  # back to the form, the draft in it
    assert Consent.objects.filter(user=reader, policy=new_terms).exists()
    client.post(post, {"body": "약관이 바뀐 뒤의 댓글"})
    assert Comment.objects.count() == 2


def test_an_editor_adds_a_new_version_and_a_saved_one_stays_as_it_was(client, policies):
    client.force_login(factories.editor(username="desk"))
    client.post(
        reverse("admin:policies_policy_add"), {"kind": "privacy", "effective_on": TODAY.isoformat(), "body": "제2판"}
    )
    assert list(Policy.objects.filter(kind="privacy").values_list("version", "body")) == [
        (2, "제2판"),
        (1, "privacy 제1판 본문"),
    ]
    client.post(reverse("admin:policies_policy_change", args=[policies["privacy"].pk]), {"body": "몰래 고친 본문"})
    policies["privacy"].refresh_from_db()
    assert policies["privacy"].body == "privacy 제1판 본문"
