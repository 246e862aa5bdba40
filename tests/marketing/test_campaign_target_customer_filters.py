"""A campaign's target filter takes the customer list's filters as the list does: a
level, an industry, a source, an owner, and the status as a list (or one value, as
a one-item list). Adding members from it, and a mass send to the campaign's target,
pick exactly the customers the list shows for that filter.

These were refused whatever the value: the choices were read without a company
("Select a valid choice"), and the status, a list on the customer list, could only
be saved as one value ("Enter a list of values")."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from crm.marketing.models import CampaignMember
from tests.conftest import client_for, make_company
from tests.messaging.test_mass_send_customer_filters import (
    CASE_IDS,
    CASES,
    NAMES,
    _item,
    make_world,
)
from tests.messaging.test_mass_sends import _sms, _template

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin):
    return make_world(admin)


def _campaign(api, target_filter):
    return api.post(
        "/api/v1/campaigns/?lang=en",
        {"name": "双十二", "target_filter": target_filter},
        format="json",
    )


@pytest.mark.parametrize(("make_filter", "expected"), CASES, ids=CASE_IDS)
def test_members_from_a_target_filter_are_the_customers_the_list_shows(
    admin, world, make_filter, expected
):
    api = client_for(admin)
    target = make_filter(world)
    made = _campaign(api, target)
    assert made.status_code == 201, made.content
    assert made.json()["target_filter"] == target
    pk = made.json()["id"]

    # A mass send to the campaign's target (no members yet: its filter).
    channel = _sms(admin, "http://127.0.0.1:9")
    template = _template(api).json()
    send = api.post(
        "/api/v1/mass-sends/",
        {
            "name": "双十二",
            "channel": channel.pk,
            "template": template["id"],
            "audience": "campaign",
            "campaign_id": pk,
        },
        format="json",
    )
    assert send.status_code == 201, send.content
    preview = api.get(f"/api/v1/mass-sends/{send.json()['id']}/preview/")
    assert preview.status_code == 200, preview.content
    assert preview.json()["count"] == len(expected)

    added = api.post(f"/api/v1/campaigns/{pk}/add-members/", {}, format="json")
    assert added.status_code == 200, added.content
    assert added.json()["added"] == len(expected)
    with scopes_disabled():
        names = set(
            CampaignMember.objects.filter(campaign_id=pk).values_list("customer__name", flat=True)
        )
    assert names == {NAMES[n] for n in expected}


def test_a_target_filter_the_list_refuses_is_not_saved(admin, world):
    api = client_for(admin)
    other = make_company("别家公司")
    foreign_level = _item(other.tenant, "level", "A")
    for target, name in [
        ({"level": foreign_level.pk}, "level"),
        ({"owner": other.pk}, "owner"),
        ({"industry": world["a"].pk}, "industry"),  # a level is no industry
        ({"level": [world["a"].pk, world["b"].pk]}, "level"),
        ({"status": ["owned", "lost"]}, "status"),
        ({"status": [{"x": 1}]}, "status"),
    ]:
        refused = _campaign(api, target)
        assert refused.status_code == 400, (target, refused.content)
        (reason,) = refused.json()["fields"]["target_filter"]
        assert reason.startswith(f"{name}: "), (target, reason)

    made = _campaign(api, {})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    edited = api.patch(
        f"/api/v1/campaigns/{pk}/", {"target_filter": {"status": ["pooled"]}}, format="json"
    )
    assert edited.status_code == 200, edited.content
    added = api.post(f"/api/v1/campaigns/{pk}/add-members/", {}, format="json")
    assert added.json() == {"added": 1, "members": 1}
