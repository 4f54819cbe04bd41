"""법정 고지: a registered 인터넷신문's particulars in every page's footer, and a check that warns while any
is missing."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from portal.models import SiteProfile
from tests import factories

pytestmark = pytest.mark.django_db

PARTICULARS = {
    "registered_title": "상하이방 뉴스",
    "registration_number": "서울 아00000",
    "registered_on": datetime.date(2015, 3, 2),
    "publisher": "김발행",
    "editor": "이편집",
    "office_address": "上海市闵行区 虹泉路 1000号",
    "phone": "+86-21-0000-0000",
    "first_published_on": datetime.date(2015, 4, 1),
    "youth_officer": "박보호",
    "youth_officer_contact": "youth@example.com",
}


def checked() -> str:
    out = StringIO()
    call_command("check", stdout=out, stderr=out)
    return out.getvalue()


def test_the_check_warns_of_each_missing_particular_only_for_a_registered_newspaper(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the cached profile is dropped on commit
        SiteProfile(name="상하이방", publisher="김발행").save()
    settings.REGISTERED_INTERNET_NEWSPAPER = False
    assert "portal.W001" not in checked()
    settings.REGISTERED_INTERNET_NEWSPAPER = True
    warning = checked()
    assert "portal.W001" in warning and "등록번호" in warning and "청소년보호책임자" in warning
    assert "발행인," not in warning  # filled in
    with django_capture_on_commit_callbacks(execute=True):
        SiteProfile(name="상하이방", **PARTICULARS).save()
    assert "portal.W001" not in checked()


def test_every_page_shows_the_particulars_in_a_labelled_footer_section(client, section, reporter):
    SiteProfile(name="상하이방", **PARTICULARS).save()
    article = factories.ArticleFactory(section=section, reporter=reporter)
    for url in ("/", section.get_absolute_url(), article.get_absolute_url(), "/tips/"):
        page = client.get(url).content.decode()
        footer = page[page.index('<footer class="footer">') :]
        assert 'aria-labelledby="footer-legal-title"' in footer, url
        assert "<dt>등록번호</dt><dd>서울 아00000</dd>" in footer
        assert "<dt>등록연월일</dt><dd>2015년 3월 2일</dd>" in footer
        assert "<dt>청소년보호책임자</dt><dd>박보호</dd>" in footer


def test_a_site_without_particulars_shows_no_empty_section(client):
    SiteProfile(name="상하이방").save()
    assert "footer-legal" not in client.get("/").content.decode()
