"""`make run` loads the demo newsroom; running it twice adds nothing."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from comments.models import Comment
from news.models import Article, DailyViews, Section

pytestmark = pytest.mark.django_db


def test_seed_demo_is_complete_and_idempotent(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-test")
    call_command("seed_demo")
    first = capsys.readouterr().out

    def counts():
        return (
            Section.objects.count(),
            Article.objects.count(),
            get_user_model().objects.count(),
            Comment.objects.count(),
            DailyViews.objects.count(),
        )

    before = counts()
    call_command("seed_demo")

    assert counts() == before
    assert Comment.objects.filter(private=True).exists() and DailyViews.objects.count() > 60
    assert Section.objects.count() >= 6
    assert Article.objects.published().count() >= 60
    assert Article.objects.published().exclude(lead_renditions={}).count() >= 60
    assert Article.objects.exclude(status=Article.Status.PUBLISHED).exists()
    for username in ["editor", "reporter", "reporter2", "moderator", "reader", "reader2"]:
        # With the axes backend, authenticate needs the request (its address decides lock-outs).
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password="demo-pass-for-test"), username
        assert username in first
    assert "demo-pass-for-test" in first
    editor = get_user_model().objects.get(username="editor")
    assert editor.has_perm("news.publish_article")
    assert not get_user_model().objects.get(username="reporter").has_perm("news.publish_article")
