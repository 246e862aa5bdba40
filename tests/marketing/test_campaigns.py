"""Campaigns (战役): the process, the target list from a customer group or a saved
filter with responses, attribution of leads and opportunities, and the figures
(leads, conversion, won amount, cost per lead, ROI) on known numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.customers.models import Lead
from crm.customers.services import customer_create, lead_create
from crm.marketing.models import Campaign, CampaignMember, MarketingEvent
from crm.sales.models import Opportunity
from crm.sales.services import opportunity_create

pytestmark = pytest.mark.django_db


def _campaign(api, **body):
    response = api.post(
        "/api/v1/campaigns/",
        {"name": "春季新品战役", "budget": "10000.00", "cost": "20000.00", **body},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _opp(admin, customer, *, amount, won=False, **extra):
    opp = opportunity_create(
        tenant=admin.tenant,
        actor=admin,
        name="机会",
        customer=customer,
        amount=Decimal(amount),
        **extra,
    )
    if won:
        Opportunity.objects.filter(pk=opp.pk).update(status="won")
    return opp


def test_roi_on_known_numbers(api, admin):
    body = _campaign(api)
    campaign = Campaign.objects.get(pk=body["id"])
    other = Campaign.objects.get(pk=_campaign(api, name="别的战役")["id"])
    via_api = api.post(
        "/api/v1/leads/", {"company_name": "线索0", "campaign": campaign.pk}, format="json"
    )
    assert via_api.status_code == 201 and via_api.json()["campaign"] == campaign.pk
    leads = [Lead.objects.get(pk=via_api.json()["id"])] + [
        lead_create(tenant=admin.tenant, actor=admin, company_name=f"线索{i}", campaign=campaign)
        for i in range(1, 10)
    ]
    lead_create(tenant=admin.tenant, actor=admin, company_name="无关线索")
    customer = customer_create(tenant=admin.tenant, actor=admin, name="客户")
    _opp(admin, customer, amount="30000", won=True, lead=leads[0])
    _opp(admin, customer, amount="20000", won=True, lead=leads[1])
    _opp(admin, customer, amount="5000", lead=leads[2])
    _opp(admin, customer, amount="7000", lead=leads[3])
    _opp(admin, customer, amount="10000", won=True, campaign=campaign)  # no lead
    _opp(admin, customer, amount="99999", won=True, lead=leads[4], campaign=other)  # its own
    figures = api.get(f"/api/v1/campaigns/{campaign.pk}/").json()["figures"]
    assert figures["leads"] == 10
    assert figures["opportunities"] == 5
    assert figures["won"] == 3
    assert Decimal(figures["won_amount"]) == Decimal("60000.00")
    assert Decimal(figures["cost"]) == Decimal("20000.00")
    assert Decimal(figures["cost_per_lead"]) == Decimal("2000.00")
    assert Decimal(figures["roi"]) == Decimal("2.0000")  # (60000 - 20000) / 20000
    # leads 0-3 have an opportunity of the campaign (lead 4's names another campaign)
    assert Decimal(figures["conversion_to_opportunity"]) == Decimal("0.4000")
    assert Decimal(figures["conversion_to_won"]) == Decimal("0.2000")  # leads 0 and 1
    other_figures = api.get(f"/api/v1/campaigns/{other.pk}/").json()["figures"]
    assert Decimal(other_figures["won_amount"]) == Decimal("99999.00")
    assert other_figures["leads"] == 0 and other_figures["cost_per_lead"] is None
    # no cost: no ROI (not a division by zero)
    free = _campaign(api, name="零成本", cost="0")
    assert api.get(f"/api/v1/campaigns/{free['id']}/").json()["figures"]["roi"] is None


def test_the_process_and_frozen_when_cancelled(api):
    body = _campaign(api)
    path = f"/api/v1/campaigns/{body['id']}"
    assert api.post(f"{path}/transitions/complete/").status_code == 409
    started = api.post(f"{path}/transitions/start/")
    assert started.status_code == 200 and started.json()["status"] == "active"
    refused = api.post(f"{path}/transitions/cancel/?lang=en", {}, format="json")
    assert refused.status_code == 400
    cancelled = api.post(f"{path}/transitions/cancel/", {"reason": "预算取消"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    edit = api.patch(f"{path}/", {"cost": "1.00"}, format="json")
    assert edit.status_code == 409
    assert api.get(f"{path}/history/").status_code == 200


def test_bad_input_is_400(api):
    bad = api.post(
        "/api/v1/campaigns/?lang=en",
        {"name": "x", "cost": "-1", "starts_on": "2026-05-02", "ends_on": "2026-05-01"},
        format="json",
    )
    assert bad.status_code == 400
    dates = api.post(
        "/api/v1/campaigns/?lang=en",
        {"name": "x", "starts_on": "2026-05-02", "ends_on": "2026-05-01"},
        format="json",
    )
    assert dates.status_code == 400 and "ends_on" in dates.json()["fields"]
    target = api.post(
        "/api/v1/campaigns/?lang=en", {"name": "x", "target_filter": {"salary": 1}}, format="json"
    )
    assert target.status_code == 400 and "target_filter" in target.json()["fields"]
    assert not Campaign.objects.exists()


def test_members_from_a_group_and_from_a_saved_filter_with_responses(api, admin):
    group = api.post("/api/v1/customer-groups/", {"name": "目标"}, format="json").json()
    inside = [
        customer_create(tenant=admin.tenant, actor=admin, name=f"组内{i}", region="华南")
        for i in range(3)
    ]
    customer_create(tenant=admin.tenant, actor=admin, name="组外", region="华北")
    api.post(
        "/api/v1/customers/bulk-label/",
        {"ids": [c.pk for c in inside], "add_groups": [group["id"]]},
        format="json",
    )
    by_group = _campaign(api, target_group=group["id"])
    added = api.post(f"/api/v1/campaigns/{by_group['id']}/add-members/", {}, format="json")
    assert added.status_code == 200, added.content
    assert added.json() == {"added": 3, "members": 3}
    again = api.post(f"/api/v1/campaigns/{by_group['id']}/add-members/", {}, format="json")
    assert again.json() == {"added": 0, "members": 3}
    by_filter = _campaign(api, name="按筛选", target_filter={"region": "华北"})
    added = api.post(f"/api/v1/campaigns/{by_filter['id']}/add-members/", {}, format="json")
    assert added.json() == {"added": 1, "members": 1}
    members = api.get(f"/api/v1/campaign-members/?campaign={by_group['id']}").json()["results"]
    assert sorted(m["customer_name"] for m in members) == ["组内0", "组内1", "组内2"]
    answered = api.patch(
        f"/api/v1/campaign-members/{members[0]['id']}/", {"response": "responded"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["responded_at"]
    figures = api.get(f"/api/v1/campaigns/{by_group['id']}/").json()["figures"]
    assert figures["members"] == 3 and figures["responded"] == 1
    nothing = _campaign(api, name="无目标")
    refused = api.post(f"/api/v1/campaigns/{nothing['id']}/add-members/?lang=en", {}, format="json")
    assert refused.status_code == 400 and "group" in refused.json()["fields"]
    assert CampaignMember.objects.count() == 4


def test_roi_list_in_constant_queries_and_events_link(api, admin):
    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/campaigns/roi/")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()

    for i in range(2):
        c = _campaign(api, name=f"c{i}")
        lead_create(tenant=admin.tenant, actor=admin, company_name="l", campaign_id=c["id"])
    few, _ = measure()
    for i in range(10):
        c = _campaign(api, name=f"d{i}")
        lead_create(tenant=admin.tenant, actor=admin, company_name="l", campaign_id=c["id"])
    many, body = measure()
    assert many == few and body["count"] == 12
    assert all(row["figures"]["leads"] == 1 for row in body["results"])
    event = api.post(
        "/api/v1/marketing-events/",
        {"name": "发布会", "type": "seminar", "campaign": body["results"][0]["id"]},
        format="json",
    )
    assert event.status_code == 201, event.content
    assert MarketingEvent.objects.get(pk=event.json()["id"]).campaign_id == body["results"][0]["id"]
