"""A requisition for a campaign (战役): the link, at most one of event and campaign
(400 naming the field, a check constraint below it), the filter, and the campaign's
cost that counts the goods issued for it less what came back (ROI on known numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from crm.customers.services import lead_create
from crm.marketing import campaigns, services
from crm.marketing.models import Campaign, Requisition, StockReturn
from tests.conftest import client_for
from tests.marketing.helpers import D, issued, item, move

pytestmark = pytest.mark.django_db


def _campaign(admin, name="春季战役", cost="1000.00"):
    # Without an owner: the marketing team's shared campaign, which every marketer sees
    # and so may link (one out of a marketer's sight: test_campaign_link_scope.py).
    return campaigns.campaign_create(
        tenant=admin.tenant, actor=admin, name=name, cost=D(cost), budget=D("5000"), owner=None
    )


def _event(actor, name="展会"):
    return services.marketing_event_create(tenant=actor.tenant, actor=actor, name=name)


def test_a_requisition_links_a_campaign_and_is_filtered_by_it(admin, marketer):
    campaign, other = _campaign(admin), _campaign(admin, "别的战役")
    gift = item(admin, stock=10)
    api = client_for(marketer)
    body = {"purpose": "客户拜访礼品", "campaign": campaign.pk, "lines": []}
    body["lines"] = [{"item": gift.pk, "quantity": "2"}]
    created = api.post("/api/v1/requisitions/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["campaign"] == campaign.pk and data["campaign_name"] == "春季战役"
    assert data["marketing_event"] is None
    api.post("/api/v1/requisitions/", {**body, "campaign": other.pk}, format="json")
    listed = api.get(f"/api/v1/requisitions/?campaign={campaign.pk}").json()
    assert [r["id"] for r in listed["results"]] == [data["id"]]
    assert listed["results"][0]["campaign_name"] == "春季战役"


def test_event_and_campaign_together_are_refused_naming_the_field(admin, marketer, other_admin):
    campaign, event = _campaign(admin), _event(marketer)
    gift = item(admin, stock=10)
    api = client_for(marketer)
    lines = [{"item": gift.pk, "quantity": "1"}]
    both = api.post(
        "/api/v1/requisitions/?lang=en",
        {"purpose": "两者", "marketing_event": event.pk, "campaign": campaign.pk, "lines": lines},
        format="json",
    )
    assert both.status_code == 400
    assert list(both.json()["fields"]) == ["campaign"]
    assert "not both" in both.json()["fields"]["campaign"][0]
    assert Requisition.objects.count() == 0
    # A draft for the event: setting a campaign on it names the campaign...
    draft = api.post(
        "/api/v1/requisitions/",
        {"purpose": "展会", "marketing_event": event.pk, "lines": lines},
        format="json",
    ).json()
    refused = api.patch(
        f"/api/v1/requisitions/{draft['id']}/?lang=en", {"campaign": campaign.pk}, format="json"
    )
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["campaign"]
    # ... and moving it from the event to the campaign in one request is fine.
    moved = api.patch(
        f"/api/v1/requisitions/{draft['id']}/",
        {"campaign": campaign.pk, "marketing_event": None},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["campaign"] == campaign.pk and moved.json()["marketing_event"] is None
    # Now on the campaign: naming an event again names the event.
    again = api.patch(
        f"/api/v1/requisitions/{draft['id']}/?lang=en",
        {"marketing_event": event.pk},
        format="json",
    )
    assert again.status_code == 400 and list(again.json()["fields"]) == ["marketing_event"]
    # Another company's campaign is unknown (400 on the field, never a link).
    foreign = _campaign(other_admin, "外司战役")
    unknown = api.patch(
        f"/api/v1/requisitions/{draft['id']}/", {"campaign": foreign.pk}, format="json"
    )
    assert unknown.status_code == 400 and "campaign" in unknown.json()["fields"]
    assert Requisition.objects.get(pk=draft["id"]).campaign_id == campaign.pk
    # Below the services, the database refuses both too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Requisition.objects.filter(pk=draft["id"]).update(marketing_event=event)


def test_a_campaign_costs_the_goods_issued_for_it(admin, marketer, manager, keeper):
    """Actual cost 1,000 + goods 20×30 + 100×2.50 = 850, less 5×30 returned = 700:
    cost 1,700; 4 leads: 425.00 per lead; won 3,400: ROI (3,400 - 1,700) / 1,700 = 1."""
    from crm.customers.services import customer_create
    from crm.sales.models import Opportunity
    from crm.sales.services import opportunity_create

    campaign, other = _campaign(admin), _campaign(admin, "别的战役", cost="0")
    cup = item(admin, "G1", "保温杯", cost="30.00", stock=100)
    brochure = item(admin, "P1", "宣传册", cost="2.50", stock=500)
    req = issued(marketer, manager, keeper, [(cup, 20), (brochure, 100)], campaign=campaign)
    issued(marketer, manager, keeper, [(cup, 1)], campaign=other)
    issued(marketer, manager, keeper, [(cup, 3)], marketing_event=_event(marketer))
    # Not issued: a draft for the campaign costs nothing yet.
    services.requisition_create(
        tenant=admin.tenant,
        actor=marketer,
        purpose="草稿",
        campaign=campaign,
        lines=[{"item": cup, "quantity": D(50)}],
    )
    back = services.return_create(
        tenant=admin.tenant,
        actor=marketer,
        requisition=req,
        lines=[{"item": cup, "quantity": D(5)}],
    )
    move(StockReturn, back, "confirm", keeper)
    leads = [
        lead_create(tenant=admin.tenant, actor=admin, company_name=f"线索{i}", campaign=campaign)
        for i in range(4)
    ]
    customer = customer_create(tenant=admin.tenant, actor=admin, name="客户")
    opp = opportunity_create(
        tenant=admin.tenant,
        actor=admin,
        name="机会",
        customer=customer,
        amount=D("3400"),
        lead=leads[0],
    )
    Opportunity.objects.filter(pk=opp.pk).update(status="won")
    figures = client_for(admin).get(f"/api/v1/campaigns/{campaign.pk}/").json()["figures"]
    assert Decimal(figures["actual_cost"]) == Decimal("1000.00")
    assert Decimal(figures["goods_cost"]) == Decimal("700.00")
    assert Decimal(figures["cost"]) == Decimal("1700.00")
    assert Decimal(figures["cost_per_lead"]) == Decimal("425.00")
    assert Decimal(figures["roi"]) == Decimal("1.0000")
    roi = client_for(admin).get("/api/v1/campaigns/roi/").json()["results"]
    by_id = {row["id"]: row["figures"] for row in roi}
    assert Decimal(by_id[campaign.pk]["cost"]) == Decimal("1700.00")
    # The other campaign: no cost entered, 30.00 of goods, so an ROI of (0 - 30) / 30.
    assert Decimal(by_id[other.pk]["goods_cost"]) == Decimal("30.00")
    assert Decimal(by_id[other.pk]["roi"]) == Decimal("-1.0000")


def test_a_campaign_with_requisitions_is_protected(admin, marketer):
    campaign = _campaign(admin)
    gift = item(admin, stock=5)
    services.requisition_create(
        tenant=admin.tenant,
        actor=marketer,
        purpose="礼品",
        campaign=campaign,
        lines=[{"item": gift, "quantity": D(1)}],
    )
    response = client_for(admin).delete(f"/api/v1/campaigns/{campaign.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "protected"
    assert Campaign.objects.filter(pk=campaign.pk).exists()
