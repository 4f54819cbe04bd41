import pytest
from django.urls import reverse

from news.models import Section
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_section_with_articles_is_refused_with_a_message(client, editor, section):
    ArticleFactory(section=section)
    client.force_login(editor)
    url = reverse("admin:news_section_delete", args=[section.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"post": "yes"})

    assert "삭제" in page and "보호" in page  # Django admin lists the protected articles, in Korean
    assert response.status_code in (200, 403)
    assert Section.objects.filter(pk=section.pk).exists()


def test_an_empty_section_can_be_deleted(client, editor):
    empty = SectionFactory(name="임시", slug="tmp")
    client.force_login(editor)

    client.post(reverse("admin:news_section_delete", args=[empty.pk]), {"post": "yes"})

    assert not Section.objects.filter(pk=empty.pk).exists()


def test_reporter_cannot_delete_or_add_sections(client, reporter, section):
    client.force_login(reporter)

    assert client.post(reverse("admin:news_section_delete", args=[section.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:news_section_add")).status_code == 403
    assert Section.objects.filter(pk=section.pk).exists()
