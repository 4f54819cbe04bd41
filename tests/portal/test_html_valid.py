"""Every kind of page a reader sees is valid HTML by the Nu HTML Checker (vnu), and so are our stylesheets
and icon: the pages are written to a folder and checked in one run of the checker."""

from __future__ import annotations

import json
import subprocess  # nosec B404  # runs the checker on files this test wrote
from collections import defaultdict

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.policies.models import Policy
from tests import factories
from tests.pagecheck import ROOT, newsroom, require_vnu

pytestmark = [pytest.mark.any_database, pytest.mark.django_db]


def test_reader_pages_stylesheets_and_icon_have_no_html_errors(tmp_path):
    vnu = require_vnu()
    folder = tmp_path / "pages"  # beside the test's media folder, which the checker must not read
    folder.mkdir()
    site = newsroom()
    top = site["top"]
    anonymous, alice = Client(), Client()
    alice.force_login(site["alice"])
    own = factories.CommentFactory(
        article=top, author=site["alice"], body="고칠 수 있는 의견", created_at=timezone.now()
    )
    policy = Policy.objects.create(kind="terms", effective_on=timezone.localdate(), body="제1조\n\n제2조")
    pages = {
        "front": (anonymous, "/", 200),
        "section": (anonymous, site["section"].get_absolute_url(), 200),
        "article": (anonymous, top.get_absolute_url(), 200),
        "photo-story": (anonymous, site["photo_story"].get_absolute_url(), 200),
        "photo-stories": (anonymous, reverse("news:photo-stories"), 200),
        "reporter": (anonymous, reverse("news:reporter", args=[site["reporter"].pk]), 200),
        "ranking": (anonymous, reverse("news:ranking"), 200),
        "search": (anonymous, reverse("news:search") + "?q=상하이", 200),
        "search-none": (anonymous, reverse("news:search") + "?q=없는낱말", 200),
        "businesses": (anonymous, reverse("ads:directory"), 200),
        "login": (anonymous, reverse("login"), 200),
        "signup": (anonymous, reverse("signup"), 200),
        "comments": (anonymous, reverse("comments:thread", args=[top.pk]), 200),
        "comments-signed-in": (alice, reverse("comments:thread", args=[top.pk]), 200),
        "tips": (anonymous, reverse("tips:submit"), 200),
        "newsletter": (anonymous, reverse("newsletter:subscribe"), 200),
        "terms": (anonymous, reverse("policies:version", args=["terms", policy.version]), 200),
        "agree": (alice, reverse("policies:agree"), 200),
        "my-comments": (alice, reverse("comments:mine"), 200),
        "edit-comment": (alice, reverse("comments:edit", args=[own.pk]), 200),
        "leave": (alice, reverse("leave"), 200),
        "not-found": (anonymous, "/no-such-page/", 404),
        "bad-request": (anonymous, "/?q=%00", 400),
    }
    for name, (client, url, status) in pages.items():
        response = client.get(url)
        assert response.status_code == status, name
        (folder / f"{name}.html").write_bytes(response.content)
    page = (folder / "article.html").read_text()
    assert "comment-placeholder" in page and 'class="ad-slot' in page  # the parts the check is meant to see

    run = subprocess.run(  # nosec B603  # our own argv
        [
            *vnu,
            "--errors-only",
            "--also-check-css",
            "--also-check-svg",
            "--format",
            "json",
            str(folder),
            str(ROOT / "static" / "css"),
            str(ROOT / "static" / "favicon.svg"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(run.stderr)["messages"]
    errors = defaultdict(list)
    for message in messages:
        where = message.get("url", "").rpartition("/")[2]
        errors[where].append(f"{message.get('lastLine')}: {message['message']} [{message.get('extract', '').strip()}]")
    assert not errors, "\n".join(f"{page}: {error}" for page, found in errors.items() for error in found)
    assert len(list(folder.glob("*.html"))) == len(pages)
