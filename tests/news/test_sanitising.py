"""The body reaches the page through the allow-list: no script, no handlers, no javascript: links."""

import pytest

from news.models import Article
from tests.factories import ArticleFactory, image_upload

pytestmark = pytest.mark.django_db

HOSTILE_BODY = (
    '<p>안녕하세요<script>alert("x")</script></p>'
    '<p><img src="x" onerror="alert(1)">사진</p>'
    '<p><a href="javascript:alert(2)">눌러 보세요</a> <a href="jav&#x09;ascript:alert(3)">또</a></p>'
    '<p style="position:fixed;top:0">덮기</p><iframe src="https://evil.example"></iframe>'
    '<h2 onclick="alert(4)">소제목</h2><blockquote>인용</blockquote><ul><li>항목</li></ul>'
    '<a href="https://example.com/ok">정상 링크</a>'
)


def test_hostile_body_reaches_the_page_harmless(client, section, reporter):
    article = ArticleFactory(body=HOSTILE_BODY, section=section, reporter=reporter)

    page = client.get(article.get_absolute_url()).content.decode()
    body = page.split('class="article-body">', 1)[1].split('<p class="byline">', 1)[0]

    for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<iframe", "style=", '<img src="x"'):
        assert bad not in body, bad
    assert 'rel="noopener noreferrer nofollow"' in body
    for kept in (
        "<h2>소제목</h2>",
        "<blockquote>인용</blockquote>",
        "<li>항목</li>",
        'href="https://example.com/ok"',
        "안녕하세요",
    ):
        assert kept in body, kept


def test_body_is_stored_sanitised(section, reporter):
    article = ArticleFactory(body=HOSTILE_BODY, section=section, reporter=reporter)
    stored = Article.objects.get(pk=article.pk).body
    assert "<script" not in stored and "onerror" not in stored and "javascript:" not in stored


def test_rows_written_around_the_model_are_sanitised_at_render(client, section, reporter):
    article = ArticleFactory(section=section, reporter=reporter)
    Article.objects.filter(pk=article.pk).update(body='<p>x</p><script>alert("raw")</script>')

    page = client.get(article.get_absolute_url()).content.decode()

    assert 'alert("raw")' not in page


HOSTILE = '"><img src=x onerror=alert(1)><script>alert("t")</script>'


def test_titles_captions_and_alt_texts_are_escaped(client, section, reporter):
    article = ArticleFactory(
        title=HOSTILE + "제목",
        subtitle=HOSTILE,
        byline=HOSTILE,
        section=section,
        reporter=reporter,
        lead_image=image_upload(),
        lead_image_caption=HOSTILE,
        lead_image_alt=HOSTILE,
        body="<p>[사진 1]</p>",
    )
    article.photos.create(image=image_upload(), caption=HOSTILE, alt_text=HOSTILE, position=1)

    for url in (article.get_absolute_url(), "/", f"/section/{section.slug}/", f"/reporter/{reporter.pk}/"):
        page = client.get(url).content.decode()
        assert "<img src=x onerror" not in page, url
        assert '<script>alert("t")' not in page, url
    assert page.count("&lt;script&gt;") >= 1
