"""Assignment rules: a new lead without an owner is given one by the first
matching rule (round robin over the team's active members, least loaded, a named
user), else its creator; an owner given explicitly wins; imports use the rules."""

from __future__ import annotations

from collections import Counter

import pytest

from crm.core import services as core
from crm.core.models import DictionaryItem
from crm.customers.models import AssignmentRule, Lead
from crm.customers.services import lead_create
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def east(admin):
    """The 华东 team: a leader and three reps, one of them inactive."""
    team = core.team_create(tenant=admin.tenant, actor=admin, name="华东")
    reps = [make_user(admin, "销售代表", team=team) for _ in range(4)]
    core.user_update(reps[3], tenant=admin.tenant, actor=admin, is_active=False)
    return team, reps[:3]


def _rule(api, **body):
    response = api.post("/api/v1/assignment-rules/", {"name": "规则", **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_round_robin_is_fair_over_1000_leads(api, admin, east):
    team, reps = east
    _rule(api, strategy="round_robin", team=team.pk, region="华东")
    for i in range(1000):
        lead_create(tenant=admin.tenant, actor=admin, company_name=f"线索{i}", region="华东 上海")
    spread = Counter(Lead.objects.filter(tenant=admin.tenant).values_list("owner_id", flat=True))
    print(f"\nround robin over 1,000 leads: {sorted(spread.values())}")
    assert set(spread) == {r.pk for r in reps}  # the inactive member gets none
    assert max(spread.values()) - min(spread.values()) <= 1


def test_through_the_api_in_turn_and_an_explicit_owner_wins(api, admin, east):
    team, reps = east
    _rule(api, strategy="round_robin", team=team.pk)
    owners = [
        api.post(
            "/api/v1/leads/", {"company_name": f"公司{i}", "owner": None}, format="json"
        ).json()["owner"]
        for i in range(6)
    ]
    assert owners == [r.pk for r in reps] * 2
    explicit = api.post(
        "/api/v1/leads/", {"company_name": "指定", "owner": admin.pk}, format="json"
    ).json()
    assert explicit["owner"] == admin.pk


def test_least_loaded_and_named_user_and_order(api, admin, east):
    team, reps = east
    web = DictionaryItem.objects.filter(tenant=admin.tenant, kind="source").first()
    for i in range(3):
        lead_create(tenant=admin.tenant, actor=admin, company_name=f"旧{i}", owner=reps[0])
    lead_create(tenant=admin.tenant, actor=admin, company_name="旧", owner=reps[1])
    _rule(api, name="来源", order=1, strategy="user", user=reps[0].pk, source=web.pk)
    _rule(api, name="均衡", order=2, strategy="least_loaded", team=team.pk)
    by_source = lead_create(tenant=admin.tenant, actor=admin, company_name="网", source=web)
    assert by_source.owner_id == reps[0].pk
    picked = [
        lead_create(tenant=admin.tenant, actor=admin, company_name=f"新{i}").owner_id
        for i in range(3)
    ]
    # loads 3, 1, 0: the third rep twice (0 -> 1 -> tie broken by id), then the second
    assert picked == [reps[2].pk, reps[1].pk, reps[2].pk]


def test_a_rule_matching_nothing_leaves_the_creator(api, admin, east):
    team, _reps = east
    _rule(api, strategy="round_robin", team=team.pk, region="华北")
    lead = lead_create(tenant=admin.tenant, actor=admin, company_name="华南公司", region="华南")
    assert lead.owner_id == admin.pk
    inactive = AssignmentRule.objects.get(tenant=admin.tenant)
    inactive.region = ""
    inactive.active = False
    inactive.save()
    assert lead_create(tenant=admin.tenant, actor=admin, company_name="x").owner_id == admin.pk


def test_rule_validation_and_permissions(api, admin, east, rep):
    no_team = api.post(
        "/api/v1/assignment-rules/?lang=en",
        {"name": "r", "strategy": "round_robin"},
        format="json",
    )
    assert no_team.status_code == 400 and "team" in no_team.json()["fields"]
    no_user = api.post(
        "/api/v1/assignment-rules/?lang=en", {"name": "r", "strategy": "user"}, format="json"
    )
    assert no_user.status_code == 400 and "user" in no_user.json()["fields"]
    assert client_for(rep).get("/api/v1/assignment-rules/").status_code == 403
