import pytest
from django.utils import translation

from crm.core import services
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _english():
    """Test bodies compare the English source strings of reasons and errors."""
    with translation.override("en"):
        yield


@pytest.fixture
def marketing_team(admin):
    """市场部, led by a manager (data scope: team) who approves its requisitions."""
    leader = make_user(admin, "销售经理", name="经理")
    team = services.team_create(tenant=admin.tenant, actor=admin, name="市场部", leader=leader)
    services.user_update(leader, tenant=admin.tenant, actor=admin, team=team)
    leader.refresh_from_db()
    return team


@pytest.fixture
def manager(marketing_team):
    return marketing_team.leader


@pytest.fixture
def marketer(admin, marketing_team):
    return make_user(admin, "市场", team=marketing_team, name="市场小王")


@pytest.fixture
def keeper(admin):
    return make_user(admin, "库管", name="库管老李")
