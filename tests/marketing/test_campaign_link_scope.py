"""A requisition's event or campaign and an event's campaign follow the data scope of
the campaigns' and events' lists: a 市场 user (own scope) links only a campaign or an
event they see there (their own, or one without an owner); one out of sight answers as
an id that does not exist (400 naming the field, nothing written), like a missing one.
An all-scope admin links any of the company's; a draft keeps the link it has."""

from __future__ import annotations

import pytest

from crm.marketing import campaigns, services
from crm.marketing.models import Campaign, MarketingEvent, Requisition
from tests.conftest import client_for
from tests.link_scope import refused_as_missing
from tests.marketing.helpers import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def links(admin, marketer):
    def campaign(name, owner):
        return campaigns.campaign_create(tenant=admin.tenant, actor=admin, name=name, owner=owner)

    def event(name, owner):
        return services.marketing_event_create(
            tenant=admin.tenant, actor=admin, name=name, owner=owner
        )

    return {
        "hidden_campaign": campaign("总部战役", admin),
        "shared_campaign": campaign("公共战役", None),
        "my_campaign": campaign("我的战役", marketer),
        "hidden_event": event("总部展会", admin),
        "my_event": event("我的展会", marketer),
        "gift": item(admin, stock=10),
    }


def _requisition(links, **link):
    return {"purpose": "礼品", "lines": [{"item": links["gift"].pk, "quantity": "1"}], **link}


def test_the_marketer_does_not_see_the_hidden_ones_in_the_lists(marketer, links):
    api = client_for(marketer)
    seen = {row["id"] for row in api.get("/api/v1/campaigns/").json()["results"]}
    assert seen == {links["shared_campaign"].pk, links["my_campaign"].pk}
    seen = {row["id"] for row in api.get("/api/v1/marketing-events/").json()["results"]}
    assert seen == {links["my_event"].pk}


@pytest.mark.parametrize(
    ("field", "key"), [("campaign", "hidden_campaign"), ("marketing_event", "hidden_event")]
)
def test_a_requisition_for_a_campaign_or_event_out_of_sight_reads_as_missing(
    marketer, links, field, key
):
    api = client_for(marketer)
    hidden = links[key].pk
    refused = api.post("/api/v1/requisitions/", _requisition(links, **{field: hidden}), "json")
    message = refused_as_missing(refused, field)
    missing = api.post("/api/v1/requisitions/", _requisition(links, **{field: 999_999}), "json")
    assert refused_as_missing(missing, field).replace("999999", "#") == message.replace(
        str(hidden), "#"
    )
    assert not Requisition.objects.exists()
    # A draft cannot be moved onto it either.
    draft = api.post("/api/v1/requisitions/", _requisition(links), "json").json()
    moved = api.patch(f"/api/v1/requisitions/{draft['id']}/", {field: hidden}, format="json")
    refused_as_missing(moved, field)
    assert getattr(Requisition.objects.get(pk=draft["id"]), f"{field}_id") is None


def test_an_event_under_a_campaign_out_of_sight_reads_as_missing(marketer, links):
    api = client_for(marketer)
    hidden = links["hidden_campaign"].pk
    body = {"name": "新展会", "campaign": hidden}
    refused_as_missing(api.post("/api/v1/marketing-events/", body, format="json"), "campaign")
    assert not MarketingEvent.objects.filter(name="新展会").exists()
    mine = links["my_event"]
    patched = api.patch(f"/api/v1/marketing-events/{mine.pk}/", {"campaign": hidden}, "json")
    refused_as_missing(patched, "campaign")
    assert MarketingEvent.objects.get(pk=mine.pk).campaign_id is None


def test_the_ones_in_sight_link(marketer, links):
    api = client_for(marketer)
    for key in ("shared_campaign", "my_campaign"):
        made = api.post(
            "/api/v1/requisitions/", _requisition(links, campaign=links[key].pk), "json"
        )
        assert made.status_code == 201, made.content
        event = api.post(
            "/api/v1/marketing-events/", {"name": key, "campaign": links[key].pk}, "json"
        )
        assert event.status_code == 201, event.content
    made = api.post(
        "/api/v1/requisitions/", _requisition(links, marketing_event=links["my_event"].pk), "json"
    )
    assert made.status_code == 201, made.content


def test_the_admin_links_any_and_a_draft_keeps_its_link(admin, marketer, links):
    made = client_for(admin).post(
        "/api/v1/requisitions/",
        _requisition(links, campaign=links["hidden_campaign"].pk),
        "json",
    )
    assert made.status_code == 201, made.content
    # The marketer's draft for their campaign, which then goes to the admin.
    api = client_for(marketer)
    mine = links["my_campaign"]
    draft = api.post("/api/v1/requisitions/", _requisition(links, campaign=mine.pk), "json")
    Campaign.objects.filter(pk=mine.pk).update(owner=admin)
    kept = api.patch(
        f"/api/v1/requisitions/{draft.json()['id']}/",
        {"campaign": mine.pk, "purpose": "改过的用途"},
        format="json",
    )
    assert kept.status_code == 200, kept.content
    assert kept.json()["campaign"] == mine.pk


def test_the_target_lists_of_campaigns_out_of_sight_are_not_shown(admin, marketer, links):
    """The members (customers and their responses) of a campaign the marketer does not
    see stay out of the member list, its export and its records."""
    from crm.customers.models import Customer
    from crm.customers.services import customer_create
    from crm.marketing.models import CampaignMember

    customer_create(tenant=admin.tenant, actor=admin, name="目标客户", owner=None)
    for key in ("hidden_campaign", "my_campaign"):
        campaigns.add_members(
            tenant=admin.tenant,
            actor=admin,
            campaign=links[key],
            customers=Customer.objects.filter(tenant=admin.tenant),
        )
    hidden = CampaignMember.objects.get(campaign=links["hidden_campaign"])
    mine = CampaignMember.objects.get(campaign=links["my_campaign"])
    api = client_for(marketer)
    listed = api.get("/api/v1/campaign-members/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    asked = api.get("/api/v1/campaign-members/", {"campaign": links["hidden_campaign"].pk})
    assert asked.status_code in (200, 400) and not asked.json().get("results")
    assert api.get(f"/api/v1/campaign-members/{hidden.pk}/").status_code == 404
    url = f"/api/v1/campaign-members/{hidden.pk}/"
    assert api.patch(url, {"response": "declined"}, format="json").status_code == 404
    assert CampaignMember.objects.get(pk=hidden.pk).response == "targeted"
    admin_sees = client_for(admin).get("/api/v1/campaign-members/").json()["results"]
    assert {row["id"] for row in admin_sees} == {hidden.pk, mine.pk}
