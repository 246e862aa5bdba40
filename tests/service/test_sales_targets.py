"""The sales records in service: follow-ups on an opportunity or a contract, and
tickets/projects linked to a contract of their customer."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from crm.service.models import CustomerProject, FollowUp, ServiceTicket
from tests.sales.factories import client_for, contract, customer, opportunity

DUE = "2030-01-07T10:00:00+08:00"


def _post_followup(api, **body):
    return api.post("/api/v1/follow-ups/", {**body, "due_at": DUE}, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["opportunity", "contract"])
def test_quick_create_a_followup_on_a_sales_record(sla, admin, target):
    record = opportunity(admin) if target == "opportunity" else contract(admin)
    api = client_for(admin)
    response = _post_followup(api, **{target: record.pk}, subject="跟进一下")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target_type"], body[target], body["target_name"]) == (
        target,
        record.pk,
        str(record),
    )
    others = {"lead", "customer", "complaint", "opportunity", "contract"} - {target}
    assert all(body[name] is None for name in others)
    followup = FollowUp.objects.get(pk=body["id"])
    assert followup.target == record
    # The record's follow-ups are listed by a filter on the target.
    listed = api.get(f"/api/v1/follow-ups/?{target}={record.pk}").json()["results"]
    assert [row["id"] for row in listed] == [followup.pk]
    detail = api.get(f"/api/v1/follow-ups/{followup.pk}/").json()
    assert detail[target] == record.pk


@pytest.mark.django_db
def test_exactly_one_target_with_the_sales_records(sla, admin):
    opp = opportunity(admin)
    con = contract(admin, cust=opp.customer)
    api = client_for(admin)
    response = _post_followup(api, opportunity=opp.pk, contract=con.pk)
    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]) == {"opportunity", "contract"}
    response = _post_followup(api, customer=opp.customer.pk, opportunity=opp.pk)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"customer", "opportunity"}
    response = _post_followup(api)
    assert response.status_code == 400
    assert {"opportunity", "contract"} <= set(response.json()["fields"])
    assert not FollowUp.objects.exists()
    # The database check holds too (the migration rebuilt it with the new fields).
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            tenant=admin.tenant, opportunity=opp, contract=con, due_at="2030-01-07T10:00+08:00"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(tenant=admin.tenant, due_at="2030-01-07T10:00+08:00")


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["opportunity", "contract"])
def test_another_tenants_sales_record_is_unknown(sla, admin, other_admin, target):
    foreign = opportunity(other_admin) if target == "opportunity" else contract(other_admin)
    response = _post_followup(client_for(admin), **{target: foreign.pk})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [target]
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_a_rep_cannot_follow_up_a_sales_record_outside_their_scope(sla, admin, rep):
    opp = opportunity(admin)  # owned by the admin, not visible to the rep
    response = _post_followup(client_for(rep), opportunity=opp.pk)
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["opportunity"]


# --- tickets and projects ----------------------------------------------------------

KINDS = {
    "tickets": (ServiceTicket, {"subject": "安装调试"}),
    "projects": (CustomerProject, {"name": "实施项目"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("route", KINDS)
def test_contract_of_the_records_customer(admin, route):
    model, body = KINDS[route]
    mine = customer(admin, name="甲公司")
    theirs = customer(admin, name="乙公司")
    their_contract = contract(admin, cust=theirs)
    my_contract = contract(admin, cust=mine)
    api = client_for(admin)

    response = api.post(
        f"/api/v1/{route}/",
        {**body, "customer": mine.pk, "contract": their_contract.pk},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["contract"]
    assert not model.objects.exists()

    response = api.post(
        f"/api/v1/{route}/",
        {**body, "customer": mine.pk, "contract": my_contract.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["contract"] == my_contract.pk
    row = model.objects.get(pk=response.json()["id"])
    assert row.contract_id == my_contract.pk

    # Re-linking on edit is checked the same way; unlinking is allowed.
    url = f"/api/v1/{route}/{row.pk}/"
    response = api.patch(url, {"contract": their_contract.pk}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["contract"]
    response = api.patch(url, {"contract": None}, format="json")
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.contract_id is None

    # Without a contract is still fine; filter by contract.
    response = api.post(f"/api/v1/{route}/", {**body, "customer": theirs.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["contract"] is None
    listed = api.get(f"/api/v1/{route}/?contract={my_contract.pk}").json()["results"]
    assert listed == []
    api.patch(url, {"contract": my_contract.pk}, format="json")
    listed = api.get(f"/api/v1/{route}/?contract={my_contract.pk}").json()["results"]
    assert [r["id"] for r in listed] == [row.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("route", KINDS)
def test_another_tenants_contract_is_unknown(admin, other_admin, route):
    model, body = KINDS[route]
    mine = customer(admin, name="甲公司")
    foreign = contract(other_admin)
    response = client_for(admin).post(
        f"/api/v1/{route}/", {**body, "customer": mine.pk, "contract": foreign.pk}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["contract"]
    assert not model.objects.exists()
