"""Figures summed over several money fields (an event's expenses and goods, a campaign's
actual cost and goods, its won amount and ROI, a channel's placements, a department's
requisitions) can pass what one money field holds (999,999,999,999.99) even though every
amount in them fits: the cards, ROI lists, summaries and reports show them as they are
and never answer 500."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.customers.services import customer_create
from crm.marketing import campaigns, services
from crm.sales.models import Opportunity
from crm.sales.services import opportunity_create
from tests.conftest import client_for
from tests.marketing.helpers import D, issued, item

pytestmark = pytest.mark.django_db

BIG = D("999999999999.99")  # the largest amount a money field holds


def _ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def test_an_event_costing_more_than_an_amount_shows_its_figures(admin, marketer, manager, keeper):
    event = services.marketing_event_create(
        tenant=admin.tenant,
        actor=marketer,
        name="工博会",
        expenses=[{"description": "展位", "amount": BIG}],
    )
    gift = item(admin, cost="1.00", stock=10)
    issued(marketer, manager, keeper, [(gift, 2)], marketing_event=event)
    api = client_for(marketer)
    figures = _ok(api.get(f"/api/v1/marketing-events/{event.pk}/"))["figures"]
    assert Decimal(figures["expense_cost"]) == BIG
    assert Decimal(figures["goods_cost"]) == D("2.00")
    assert figures["cost"] == "1000000000001.99"
    (row,) = _ok(api.get("/api/v1/marketing-events/roi/"))["results"]
    assert row["figures"]["cost"] == "1000000000001.99"
    report = _ok(api.get("/api/v1/reports/marketing/event-roi/"))
    assert Decimal(report["totals"]["cost"]) == BIG + 2
    assert api.get("/api/v1/reports/marketing/event-roi/export/").status_code == 200


def test_a_campaign_costing_more_than_an_amount_shows_its_figures(admin, marketer, manager, keeper):
    campaign = campaigns.campaign_create(
        tenant=admin.tenant, actor=marketer, name="春季战役", cost=BIG, budget=BIG
    )
    gift = item(admin, cost="1.00", stock=10)
    issued(marketer, manager, keeper, [(gift, 3)], campaign=campaign)
    api = client_for(marketer)
    figures = _ok(api.get(f"/api/v1/campaigns/{campaign.pk}/"))["figures"]
    assert figures["cost"] == "1000000000002.99"
    assert Decimal(figures["roi"]) == D("-1.0000")
    (row,) = _ok(api.get("/api/v1/campaigns/roi/"))["results"]
    assert row["figures"]["cost"] == "1000000000002.99"


def test_a_huge_roi_on_a_small_cost_shows(admin, marketer):
    """Won 999,999,999,999.99 twice on a cost of 0.01: an ROI of 19 digits."""
    campaign = campaigns.campaign_create(
        tenant=admin.tenant, actor=marketer, name="小成本战役", cost=D("0.01")
    )
    customer = customer_create(tenant=admin.tenant, actor=admin, name="大客户")
    for name in ("机会一", "机会二"):
        opp = opportunity_create(
            tenant=admin.tenant,
            actor=admin,
            name=name,
            customer=customer,
            amount=BIG,
            campaign=campaign,
        )
        Opportunity.objects.filter(pk=opp.pk).update(status="won")
    api = client_for(marketer)
    figures = _ok(api.get(f"/api/v1/campaigns/{campaign.pk}/"))["figures"]
    assert figures["won_amount"] == "1999999999999.98"
    assert Decimal(figures["roi"]) == D("199999999999997")
    (row,) = _ok(api.get("/api/v1/campaigns/roi/"))["results"]
    assert Decimal(row["figures"]["roi"]) == D("199999999999997")


def test_a_channel_and_a_department_costing_more_than_an_amount_show(
    admin, marketer, manager, keeper
):
    for name in ("百度", "头条"):
        services.ad_placement_create(tenant=admin.tenant, actor=admin, name=name, cost=BIG)
    channels = _ok(client_for(admin).get("/api/v1/ad-placements/channels/"))
    assert [row["cost"] for row in channels] == ["1999999999999.98"]
    report = _ok(client_for(admin).get("/api/v1/reports/marketing/channel-roi/"))
    assert Decimal(report["totals"]["cost"]) == 2 * BIG

    # Two requisitions for the same purpose, each worth an amount's limit.
    for code in ("G1", "G2"):
        gift = item(admin, code, cost="99999999999.99", stock=10)
        issued(marketer, manager, keeper, [(gift, 10)], purpose="展会赠品")
    summary = _ok(client_for(marketer).get("/api/v1/requisitions/summary/"))
    assert [row["cost"] for row in summary] == ["1999999999999.80"]
    report = _ok(client_for(marketer).get("/api/v1/reports/marketing/requisitions/"))
    assert Decimal(report["totals"]["cost"]) == D("1999999999999.80")
