import pytest
from django.utils import translation

from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _english():
    """Test bodies compare the English source strings of reasons and errors."""
    with translation.override("en"):
        yield


@pytest.fixture
def people(admin, sales_team, rep):
    outsider = make_user(admin, "销售代表", name="孙独立")
    return {"admin": admin, "manager": sales_team.leader, "rep": rep, "outsider": outsider}
