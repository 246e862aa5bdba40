"""A campaign's target filter is checked against the customer list's filters when it is
saved, and a refusal names the filter and says why (it used to be saved, then refused
at "add members" with only the filter's name)."""

from __future__ import annotations

import pytest

from crm.marketing.models import Campaign
from tests.conftest import client_for


@pytest.mark.django_db
def test_a_target_filter_value_the_customer_list_refuses_is_not_saved(admin):
    api = client_for(admin)
    refused = api.post(
        "/api/v1/campaigns/", {"name": "双十二", "target_filter": {"level": "abc"}}, format="json"
    )
    assert refused.status_code == 400, refused.content
    (reason,) = refused.json()["fields"]["target_filter"]
    assert reason.startswith("level: ") and len(reason) > len("level: ")
    assert not Campaign.objects.exists()

    made = api.post("/api/v1/campaigns/", {"name": "双十二"}, format="json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    bad_date = api.patch(
        f"/api/v1/campaigns/{pk}/",
        {"target_filter": {"created_at_after": "garbage"}},
        format="json",
    )
    assert bad_date.status_code == 400, bad_date.content
    (reason,) = bad_date.json()["fields"]["target_filter"]
    assert reason.startswith("created_at_after: ") and len(reason) > len("created_at_after: ")
    assert Campaign.objects.get(pk=pk).target_filter == {}

    good = api.patch(
        f"/api/v1/campaigns/{pk}/", {"target_filter": {"kind": "company"}}, format="json"
    )
    assert good.status_code == 200, good.content
    assert api.post(f"/api/v1/campaigns/{pk}/add-members/", {}, format="json").status_code == 200
