import pytest

from tests import factories


@pytest.fixture
def article(section, reporter):
    return factories.ArticleFactory(title="한인회 송년회 열려", section=section, reporter=reporter)


@pytest.fixture
def alice(db):
    return factories.commenter("앨리스", username="alice")


@pytest.fixture
def bob(db):
    return factories.commenter("밥", username="bob")


@pytest.fixture
def moderator(db):
    return factories.moderator(username="mod")
