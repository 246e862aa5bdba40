"""Fixtures of the service tests: a service team with its leader and an agent, a
customer, the SLA settings, and a controllable clock (``django.utils.timezone.now``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.core import services as core
from crm.customers.services import contact_create, customer_create
from tests.conftest import make_user
from tests.service.helpers import BEFORE_NATIONAL_DAY, SLA


class Clock:
    """Stands in for ``timezone.now``: transitions, auto_now fields and guards read it."""

    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at

    def set(self, at):
        self.at = at
        return at

    def advance(self, delta):
        self.at = self.at + delta
        return self.at


@pytest.fixture
def clock(monkeypatch):
    c = Clock(BEFORE_NATIONAL_DAY)
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def sla(admin):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, **SLA)
    admin.tenant.refresh_from_db()
    return admin.tenant


@pytest.fixture
def service_team(admin):
    leader = make_user(admin, "客服", name="赵主管")
    team = core.team_create(tenant=admin.tenant, actor=admin, name="客服部", leader=leader)
    core.user_update(leader, tenant=admin.tenant, actor=admin, team=team)
    leader.refresh_from_db()
    return team


@pytest.fixture
def leader(service_team):
    return service_team.leader


@pytest.fixture
def agent(admin, service_team):
    return make_user(admin, "客服", team=service_team, name="钱客服")


@pytest.fixture
def manager(admin):
    """A second holder of the 管理员 role: escalations reach every holder."""
    return make_user(admin, "管理员", name="孙总")


@pytest.fixture
def customer(admin):
    return customer_create(tenant=admin.tenant, actor=admin, name="北京星河科技有限公司")


@pytest.fixture
def contact(admin, customer):
    return contact_create(
        tenant=admin.tenant, actor=admin, customer=customer, name="周经理", mobile="+8613900001111"
    )
