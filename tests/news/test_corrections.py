"""정정·반론·추후보도: editors attach a dated note to an article (shown above the body, at /corrections/, in the
feed and the JSON-LD); readers file a 정정·반론보도 request and get a receipt; the requests are the editors'."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.models import Article, Correction, CorrectionRequest
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(section, reporter):
    return ArticleFactory(
        title="시장 이전 날짜 확정", section=section, reporter=reporter, body="<p>이전은 3월이다.</p>"
    )


def attach(story: Article, body: str = "이전 날짜는 3월이 아니라 4월입니다.", **fields) -> Correction:
    return Correction.objects.create(article=story, body=body, **fields)


def test_a_correction_is_shown_above_the_body(client, story):
    attach(story, published_at=timezone.now() - timedelta(minutes=1))
    attach(
        story, body="아직 게재 전인 반론", kind=Correction.Kind.REPLY, published_at=timezone.now() + timedelta(days=1)
    )
    page = client.get(story.get_absolute_url()).content.decode()
    assert "정정보도" in page and page.index("4월입니다") < page.index('class="article-body"')
    assert "아직 게재 전인 반론" not in page


def test_corrections_page_lists_notes_on_live_stories_newest_first(client, story, section, reporter):
    draft = ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT)
    attach(story, body="먼저 낸 정정", published_at=timezone.now() - timedelta(days=2))
    attach(
        story, body="나중 낸 추후보도", kind=Correction.Kind.FOLLOW_UP, published_at=timezone.now() - timedelta(hours=1)
    )
    attach(draft, body="공개 전 기사의 정정")
    response = Client().get(reverse("news:corrections"))
    page = response.content.decode()
    assert page.index("나중 낸 추후보도") < page.index("먼저 낸 정정") and "추후보도" in page
    assert "공개 전 기사의 정정" not in page
    assert f'href="{story.get_absolute_url()}"' in page
    assert {"site", "corrections", f"article-{story.pk}"} <= set(response["Surrogate-Key"].split())


def test_the_feed_and_the_json_ld_carry_the_correction(client, story):
    attach(story, published_at=timezone.now() - timedelta(minutes=1))
    item = ET.fromstring(client.get(reverse("feed")).content).find("./channel/item")
    assert "[정정보도 " in item.findtext("description") and "4월입니다" in item.findtext("description")
    page = client.get(story.get_absolute_url()).content.decode()
    data = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["correction"][0]["@type"] == "CorrectionComment"
    assert "4월입니다" in data["correction"][0]["text"] and data["correction"][0]["datePublished"]


def test_no_page_outlives_a_correction_dated_ahead(story, django_capture_on_commit_callbacks):
    def s_maxage() -> int:
        response = Client().get(story.get_absolute_url())
        return int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])

    assert s_maxage() == 300
    with django_capture_on_commit_callbacks(execute=True):
        attach(story, published_at=timezone.now() + timedelta(seconds=60))
    assert 59 <= s_maxage() <= 61  # shown then without a save: the stored page expires by then


def test_attaching_a_correction_purges_the_article_and_the_list(story, purged):
    with purged() as keys:
        attach(story)
    assert keys == {f"article-{story.pk}", "corrections"}


def correction_inline(**fields) -> dict:
    data = {
        "corrections-TOTAL_FORMS": "1",
        "corrections-0-kind": "correction",
        "corrections-0-published_at_0": timezone.localdate().isoformat(),
        "corrections-0-published_at_1": "09:00:00",
        "corrections-0-body": "사진 설명의 장소를 바로잡습니다.",
        "corrections-0-id": "",
        "corrections-0-article": "",
    }
    return data | fields


def test_an_editor_attaches_a_correction_in_the_admin(client, story, editor):
    from tests.news.test_roles import article_form

    client.force_login(editor)
    data = article_form(story, **{"published_at_0": "2026-01-01", "published_at_1": "10:00:00"}) | correction_inline()
    response = client.post(reverse("admin:news_article_change", args=[story.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    note = story.corrections.get()
    assert note.body == "사진 설명의 장소를 바로잡습니다." and note.created_by == editor


def test_a_reporter_cannot_attach_a_correction(client, reporter, section):
    from tests.news.test_roles import article_form

    draft = ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT)
    client.force_login(reporter)
    form = client.get(reverse("admin:news_article_change", args=[draft.pk])).content.decode()
    assert "corrections-TOTAL_FORMS" not in form
    client.post(reverse("admin:news_article_change", args=[draft.pk]), article_form(draft) | correction_inline())
    assert not Correction.objects.exists()
    assert not reporter.has_perm("news.add_correction")


# --------------------------------------------------------------------------------------- readers' requests


def request_correction(client: Client, story: Article, **fields):
    data = {
        "kind": "correction",
        "name": "김독자",
        "email": "dokja@example.com",
        "phone": "",
        "body": "기사의 이전 날짜가 틀렸습니다. 4월입니다.",
    }
    return client.post(reverse("tips:correction", args=[story.pk]), data | fields, follow=True)


def test_a_reader_files_a_request_from_the_article_and_gets_a_receipt(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'href="{reverse("tips:correction", args=[story.pk])}"' in page
    form = client.get(reverse("tips:correction", args=[story.pk]))
    assert "csrfmiddlewaretoken" in form.content.decode() and "no-store" in form["Cache-Control"]

    response = request_correction(client, story)

    filed = CorrectionRequest.objects.get()
    assert filed.article == story and filed.email == "dokja@example.com"
    assert filed.receipt.startswith("정정-")
    assert f'<strong class="receipt">{filed.receipt}</strong>' in response.content.decode()


def test_the_request_form_checks_with_a_csrf_token(story):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("tips:correction", args=[story.pk]), {"name": "x"})
    assert response.status_code == 403 and not CorrectionRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "", "phone": ""}, "답변받을 이메일이나 전화번호 중 하나는 적어 주세요."),
        ({"body": ""}, "필수 항목입니다."),
        ({"kind": "사과문"}, "올바르게 선택해 주세요"),
        ({"email": "주소아님"}, "올바른 이메일 주소를 입력하세요."),
    ],
)
def test_bad_requests_get_a_korean_message(client, story, fields, message):
    response = request_correction(client, story, **fields)
    assert response.status_code == 200 and message in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_no_request_about_a_story_that_is_not_live(client, section, reporter):
    draft = ArticleFactory(section=section, reporter=reporter, status=Article.Status.DRAFT)
    assert client.get(reverse("tips:correction", args=[draft.pk])).status_code == 404
    assert client.get("/tips/correction/99999999999999999999/").status_code == 404


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(client, story):
    response = request_correction(client, story, homepage="http://spam.example")
    assert response.status_code == 200 and not CorrectionRequest.objects.exists()


def test_requests_are_limited_per_address(client, story, settings):
    settings.TIP_RATE_PER_HOUR = 2
    for _ in range(2):
        request_correction(client, story)
    response = request_correction(client, story)
    assert "요청이 너무 잦습니다" in response.content.decode()
    assert CorrectionRequest.objects.count() == 2


def test_only_editors_read_the_requests(client, story, editor, reporter, moderator):
    request_correction(Client(), story, phone="138-0000-0000")
    filed = CorrectionRequest.objects.get()
    queue = reverse("admin:news_correctionrequest_changelist")
    client.force_login(editor)
    page = client.get(reverse("admin:news_correctionrequest_change", args=[filed.pk])).content.decode()
    assert "dokja@example.com" in page and "138-0000-0000" in page and filed.receipt in page
    assert filed.receipt in client.get(queue).content.decode()
    for other in (reporter, moderator):
        client.force_login(other)
        assert client.get(queue).status_code == 403
