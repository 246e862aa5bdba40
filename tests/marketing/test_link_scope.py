"""The marketing links to scoped records follow the data scope: an event's participants
(customer, contact), a campaign's members named by id, a return's requisition.

A marketer (市场, own scope) names only records they see; an all-scope admin any
record of the company. A record out of sight answers as an id that does not exist
(400, the field named), and nothing is written. An update may send back the
participants the event already has.
"""

from __future__ import annotations

import pytest

from crm.marketing import campaigns, services
from crm.marketing.models import (
    CampaignMember,
    EventParticipant,
    MarketingEvent,
    StockReturn,
)
from tests.conftest import client_for, make_user
from tests.link_scope import People, reads_as_missing, two_teams
from tests.marketing.helpers import issued, item

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/marketing-events/"


@pytest.fixture
def people(admin, sales_team, rep, marketer) -> People:
    """The two sales teams, and a 市场 user ("m", own scope) with a customer and a contact."""
    return two_teams(admin, sales_team, rep, others={"m": marketer})


def _participant_error(response, index: int, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == ["participants"], body
    rows = body["fields"]["participants"]  # the rows in error, by their index
    assert list(rows) == [str(index)], rows
    assert list(rows[str(index)]) == [field], rows
    (message,) = rows[str(index)][field]
    reads_as_missing(message)
    return message


@pytest.mark.parametrize("kind", ["customer", "contact"])
def test_marketer_cannot_add_a_participant_out_of_their_scope(people, kind):
    theirs = people.records[(kind, "b")]
    mine = people.records[(kind, "m")]
    body = {"name": "春季展会", "participants": [{kind: mine.pk}, {kind: theirs.pk}]}
    response = client_for(people.others["m"]).post(EVENTS, body, format="json")
    _participant_error(response, 1, kind)
    assert not MarketingEvent.objects.filter(name="春季展会").exists()
    assert not EventParticipant.objects.filter(**{kind: theirs}).exists()


def test_the_refusal_reads_like_a_participant_that_does_not_exist(people):
    client = client_for(people.others["m"])
    hidden_pk = people.records[("customer", "b")].pk
    hidden = client.post(
        EVENTS, {"name": "展会", "participants": [{"customer": hidden_pk}]}, format="json"
    )
    missing = client.post(
        EVENTS, {"name": "展会", "participants": [{"customer": 999_999_999}]}, format="json"
    )
    hidden_text = _participant_error(hidden, 0, "customer")
    missing_text = _participant_error(missing, 0, "customer")
    assert hidden_text.replace(str(hidden_pk), "#") == missing_text.replace("999999999", "#")


def test_marketer_adds_their_own_customer_and_contact(people):
    customer, contact = people.records[("customer", "m")], people.records[("contact", "m")]
    body = {
        "name": "客户沙龙",
        "participants": [{"customer": customer.pk}, {"contact": contact.pk}],
    }
    response = client_for(people.others["m"]).post(EVENTS, body, format="json")
    assert response.status_code == 201, response.content
    event = MarketingEvent.objects.get(pk=response.json()["id"])
    rows = list(event.participants.order_by("position").values_list("customer_id", "contact_id"))
    assert rows == [(customer.pk, None), (customer.pk, contact.pk)]


def test_admin_adds_any_customer_or_contact_of_the_company(people):
    body = {
        "name": "年度大会",
        "participants": [
            {"customer": people.records[("customer", "b")].pk},
            {"contact": people.records[("contact", "a")].pk},
        ],
    }
    response = client_for(people.admin).post(EVENTS, body, format="json")
    assert response.status_code == 201, response.content
    assert EventParticipant.objects.filter(event_id=response.json()["id"]).count() == 2


def test_marketer_cannot_add_a_hidden_participant_on_update_but_keeps_existing_ones(people):
    """The participants are sent whole on every save: those the event already has
    (added by the admin) come back unchanged, a new hidden one is refused."""
    theirs = people.records[("customer", "b")]
    event = services.marketing_event_create(
        tenant=people.admin.tenant,
        actor=people.admin,
        name="渠道大会",
        owner=people.others["m"],
        participants=[{"customer": theirs}],
    )
    client = client_for(people.others["m"])
    url = f"{EVENTS}{event.pk}/"
    mine = people.records[("customer", "m")]
    kept = [{"customer": theirs.pk}, {"customer": mine.pk, "attended": True}]
    response = client.patch(url, {"participants": kept}, format="json")
    assert response.status_code == 200, response.content
    assert [p["customer"] for p in response.json()["participants"]] == [theirs.pk, mine.pk]

    hidden_contact = people.records[("contact", "b")]
    more = [*kept, {"contact": hidden_contact.pk}]
    response = client.patch(url, {"participants": more}, format="json")
    _participant_error(response, 2, "contact")
    rows = EventParticipant.objects.filter(event=event).order_by("position")
    assert list(rows.values_list("customer_id", "contact_id")) == [
        (theirs.pk, None),
        (mine.pk, None),
    ]


def test_marketer_cannot_put_a_hidden_customer_on_a_campaigns_list(people):
    campaign = campaigns.campaign_create(
        tenant=people.admin.tenant, actor=people.others["m"], name="秋季战役"
    )
    client = client_for(people.others["m"])
    url = f"/api/v1/campaigns/{campaign.pk}/add-members/"
    mine, theirs = people.records[("customer", "m")], people.records[("customer", "b")]
    response = client.post(url, {"customers": [mine.pk, theirs.pk]}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["customers"]
    (message,) = response.json()["fields"]["customers"]
    reads_as_missing(message)
    assert str(theirs.pk) in message
    assert not CampaignMember.objects.filter(campaign=campaign).exists()

    response = client.post(url, {"customers": [mine.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"added": 1, "members": 1}
    response = client_for(people.admin).post(url, {"customers": [theirs.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert set(CampaignMember.objects.values_list("customer_id", flat=True)) == {mine.pk, theirs.pk}


def test_a_return_names_only_a_requisition_the_user_sees(admin, marketer, manager, keeper):
    other = make_user(admin, "市场", team=marketer.team, name="市场小李")
    gift = item(admin, stock=10)
    theirs = issued(other, manager, keeper, [(gift, 3)])
    body = {"requisition": theirs.pk, "lines": [{"item": gift.pk, "quantity": "1"}]}
    response = client_for(marketer).post("/api/v1/stock-returns/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["requisition"]
    reads_as_missing(response.json()["fields"]["requisition"][0])
    assert not StockReturn.objects.exists()
    response = client_for(other).post("/api/v1/stock-returns/", body, format="json")
    assert response.status_code == 201, response.content
