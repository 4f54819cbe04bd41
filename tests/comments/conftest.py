import pytest

from tests import factories


@pytest.fixture
def article(section, reporter):
    return factories.ArticleFactory(title="한인회 송년회 열려", section=section, reporter=reporter)
