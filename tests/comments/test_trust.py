"""Reports and 공감 as an abuser would try them: a handful of new throwaway accounts, or one address with
many accounts, can neither hide a comment nor inflate one; moderators still see every report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Comment, Report
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trust_rule_on(settings):
    settings.COMMENT_TRUSTED_AFTER_DAYS = 3
    settings.COMMENT_AUTOHIDE_REPORTS = 3
    settings.TRUSTED_PROXY_COUNT = 1  # the addresses below come as a load balancer passes them


def reader(name: str, *, trusted: bool, article):
    user = factories.commenter(name, username=name)
    if trusted:  # an account with some history: older than the rule and a published comment
        get = type(user).objects.filter(pk=user.pk)
        get.update(date_joined=timezone.now() - timedelta(days=30))
        factories.CommentFactory(article=article, author=user, body=f"{name}의 예전 의견")
        user.refresh_from_db()
    return user


def report(user, comment, address: str):
    client = Client(HTTP_X_FORWARDED_FOR=address)
    client.force_login(user)
    client.post(reverse("comments:report", args=[comment.pk]))


def test_new_throwaway_accounts_cannot_hide_a_comment(section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    target = factories.CommentFactory(article=article, author=factories.commenter("작성자", username="w"))
    for n in range(5):
        report(reader(f"new{n}", trusted=False, article=article), target, f"198.51.100.{n}")
    target.refresh_from_db()
    assert (target.status, target.report_count, target.trusted_reports) == ("published", 5, 0)
    assert Report.objects.filter(comment=target).count() == 5  # every report is kept for the moderators


def test_one_address_counts_once_and_trusted_readers_from_three_hide_it(section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    target = factories.CommentFactory(article=article, author=factories.commenter("작성자", username="w"))
    for n in range(3):  # three trusted accounts, one address
        report(reader(f"office{n}", trusted=True, article=article), target, "203.0.113.9")
    target.refresh_from_db()
    assert (target.status, target.trusted_reports) == ("published", 1)
    for n in range(2):  # two more from addresses of their own
        report(reader(f"home{n}", trusted=True, article=article), target, f"192.0.2.{n}")
    target.refresh_from_db()
    assert (target.status, target.trusted_reports, target.report_count) == ("hidden", 3, 5)


def test_likes_from_new_accounts_are_theirs_but_not_counted(section, reporter):
    article = factories.ArticleFactory(section=section, reporter=reporter)
    target = factories.CommentFactory(article=article, author=factories.commenter("작성자", username="w"))
    for n in range(4):
        assert (
            services.react(comment=target, reader=reader(f"new{n}", trusted=False, article=article), kind="up") == "up"
        )
    fan = reader("fan", trusted=True, article=article)
    services.react(comment=target, reader=fan, kind="up")
    assert Comment.objects.get(pk=target.pk).up_count == 1
    services.react(comment=target, reader=fan, kind="down")  # a counted reaction switched: still exact
    assert Comment.objects.filter(pk=target.pk).values_list("up_count", "down_count").get() == (0, 1)
