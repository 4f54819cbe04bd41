"""Nicknames as an impostor would try them: invisible and direction marks, look-alike letters from other
scripts, the site's own voices and the newsroom's names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comments.models import Commenter, nickname_skeleton
from tests import factories

pytestmark = pytest.mark.django_db


def choose(client, user, nickname: str) -> str:
    client.force_login(user)
    response = client.post(reverse("nickname"), {"nickname": nickname, "next": "/"})
    return "" if response.status_code == 302 else response.content.decode()


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("앨리\u200b스", "보이지 않는 문자"),  # a zero-width space inside another reader's name
        ("\u202e스리앨", "글자 방향"),  # right-to-left override: shows as another name
        ("앨리스", "너무 비슷합니다"),
        ("GRACE", "너무 비슷합니다"),
        ("Grаce", "너무 비슷합니다"),  # Cyrillic а in another reader's name
        ("운영자", "사이트나 기자의 이름"),
        ("관리자님", "사이트나 기자의 이름"),
        ("аdmin", "사이트나 기자의 이름"),  # Cyrillic а
        ("ＡＤＭＩＮ", "사이트나 기자의 이름"),  # full-width
        ("m0derator", "사이트나 기자의 이름"),
        ("이종실", "사이트나 기자의 이름"),  # a reporter's byline
    ],
)
def test_an_impostors_nickname_is_refused_with_the_reason(client, nickname, message):
    factories.commenter("앨리스", username="alice")
    factories.commenter("Grace", username="grace")
    factories.reporter(username="lee", first_name="이종실")
    reader = factories.UserFactory(username="newcomer")
    page = choose(client, reader, nickname)
    assert message in page and not Commenter.objects.filter(user=reader).exists()


def test_an_ordinary_nickname_is_taken_and_the_rule_is_shown(client):
    factories.commenter("앨리스", username="alice")
    form = client.get(reverse("signup")).content.decode()
    assert "비슷해 보이는 이름" in form  # the rule, in Korean, on the form
    reader = factories.UserFactory(username="newcomer")
    assert choose(client, reader, "푸둥주민") == ""
    assert Commenter.objects.get(user=reader).skeleton == nickname_skeleton("푸둥주민")


def test_look_alikes_share_a_skeleton_and_different_names_do_not():
    assert nickname_skeleton("аdmin") == nickname_skeleton("admin") == nickname_skeleton("Adm1n")
    assert nickname_skeleton("앨 리스") == nickname_skeleton("앨리스")
    assert nickname_skeleton("앨리스") != nickname_skeleton("엘리스")
