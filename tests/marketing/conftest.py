import pytest
from django.utils import translation

from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _english():
    """Test bodies compare the English source strings of reasons and errors."""
    with translation.override("en"):
        yield


@pytest.fixture
def marketer(admin):
    return make_user(admin, "市场", name="市场小王")


@pytest.fixture
def keeper(admin):
    return make_user(admin, "库管", name="库管老李")


@pytest.fixture
def manager(admin):
    return make_user(admin, "销售经理", name="经理")
