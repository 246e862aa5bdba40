"""GET /api/v1/sync/pull/: snapshot, then changes with tombstones, in bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.customers import services as customer_services
from crm.customers.models import Customer
from crm.service.models import FollowUp
from tests.conftest import client_for, make_user
from tests.sync.helpers import Device, op, push


def _customer(owner, name="客户", actor=None):
    return customer_services.customer_create(
        tenant=owner.tenant, actor=actor or owner, name=name, owner=owner
    )


def _contact(customer, actor):
    return customer_services.contact_create(
        tenant=customer.tenant, actor=actor, customer=customer, name="联系人"
    )


@pytest.fixture
def other_rep(admin, sales_team):
    return make_user(admin, "销售代表", team=sales_team, name="张销售")


def test_first_pull_is_the_users_records_then_only_changes(admin, rep, other_rep):
    mine = [_customer(rep, f"我的{n}") for n in range(3)]
    _customer(other_rep, "别人的")
    contact = _contact(mine[0], rep)
    device = Device(client_for(rep))
    device.sync(limit=2)  # several pages
    assert device.ids("customers") == {c.pk for c in mine}
    assert device.ids("contacts") == {contact.pk}
    # Nothing changed: nothing comes.
    assert device.sync() == []
    push(device.api, [op("update", "customers", {"remark": "改"}, record=mine[1].pk)])
    changes = device.sync()
    assert [(c["collection"], c["record"]["id"]) for c in changes] == [("customers", mine[1].pk)]
    assert device.replica[("customers", mine[1].pk)]["remark"] == "改"


def test_deletes_and_reassignments_send_tombstones(admin, api, rep, other_rep):
    gone, moved, transferred, kept = (_customer(rep, n) for n in ("删", "转", "批量转", "留"))
    moved_contact = _contact(moved, rep)
    transferred_contact = _contact(transferred, rep)
    lead = customer_services.lead_create(
        tenant=rep.tenant, actor=rep, company_name="线索", owner=rep
    )
    mine, theirs = Device(client_for(rep)), Device(client_for(other_rep))
    mine.sync()
    theirs.sync()
    assert mine.ids("customers") == {gone.pk, moved.pk, transferred.pk, kept.pk}
    assert mine.ids("leads") == {lead.pk}
    assert theirs.ids("customers") == set()

    assert api.delete(f"/api/v1/customers/{gone.pk}/").status_code == 204
    # Reassigned one by one (an edit) and in bulk (one UPDATE of many rows).
    r = api.patch(f"/api/v1/customers/{moved.pk}/", {"owner": other_rep.pk}, format="json")
    assert r.status_code == 200, r.content
    r = api.post(
        "/api/v1/customers/bulk-transfer/",
        {"ids": [transferred.pk], "owner": other_rep.pk, "reason": "调岗"},
        format="json",
    )
    assert r.status_code == 200, r.content
    r = api.post(
        "/api/v1/leads/bulk-transfer/",
        {"ids": [lead.pk], "owner": other_rep.pk, "reason": "调岗"},
        format="json",
    )
    assert r.status_code == 200, r.content

    changes = mine.sync()
    tombstones = {(c["collection"], c["record"]["id"]) for c in changes if c["deleted"]}
    assert tombstones == {
        ("customers", gone.pk),
        ("customers", moved.pk),
        ("customers", transferred.pk),
        ("contacts", moved_contact.pk),
        ("contacts", transferred_contact.pk),
        ("leads", lead.pk),
    }
    assert all(c["record"] == {"id": c["record"]["id"]} for c in changes if c["deleted"])
    assert mine.ids("customers") == {kept.pk}
    assert mine.ids("contacts") == set() and mine.ids("leads") == set()
    # The new owner receives them, with their contacts.
    theirs.sync()
    assert theirs.ids("customers") == {moved.pk, transferred.pk}
    assert theirs.ids("contacts") == {moved_contact.pk, transferred_contact.pk}
    assert theirs.ids("leads") == {lead.pk}


def test_a_follow_up_done_elsewhere_arrives_and_one_deleted_goes(admin, api, rep):
    customer = _customer(rep)
    device = Device(client_for(rep))
    r = push(
        device.api,
        [
            op(
                "create",
                "follow-ups",
                {
                    "customer": customer.pk,
                    "kind": "follow_up",
                    "due_at": "2030-01-01T09:00:00+08:00",
                },
            )
        ],
    )[0]
    assert r["status"] == "applied", r
    device.sync()
    followup = FollowUp.objects.get(pk=r["record"]["id"])
    assert ("follow-ups", followup.pk) in device.replica
    assert api.delete(f"/api/v1/follow-ups/{followup.pk}/").status_code == 204
    changes = device.sync()
    assert {"collection": "follow-ups", "record": {"id": followup.pk}, "deleted": True} in changes
    assert ("follow-ups", followup.pk) not in device.replica


def test_records_outside_the_scope_send_nothing(admin, rep, other_rep):
    device = Device(client_for(rep))
    device.sync()
    for n in range(3):
        _customer(other_rep, f"别人的{n}")
    assert device.sync() == []


def test_a_bad_cursor_or_limit_is_a_400_naming_it(rep):
    api = client_for(rep)
    response = api.get("/api/v1/sync/pull/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400 and "cursor" in response.json()["fields"]
    response = api.get("/api/v1/sync/pull/", {"limit": "0"})
    assert response.status_code == 400 and "limit" in response.json()["fields"]


def _queries(api, cursor=None) -> tuple[int, dict]:
    params = {"limit": 2000}
    if cursor:
        params["cursor"] = cursor
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/api/v1/sync/pull/", params)
    assert response.status_code == 200
    return len(captured), response.json()


def test_a_pull_costs_the_same_queries_for_few_and_many_records(admin, rep):
    api = client_for(rep)
    for n in range(3):
        _contact(_customer(rep, f"少{n}"), rep)
    few, body = _queries(api)
    for n in range(40):
        _contact(_customer(rep, f"多{n}"), rep)
    many, body = _queries(api)
    assert len(body["changes"]) >= 86  # 43 customers and their contacts
    assert many == few
    _n, body = _queries(api, body["cursor"])
    assert body["changes"] == []
    # A page of the change log: the same count for 3 changed records as for 43.
    customers = list(Customer.objects.filter(owner=rep).order_by("pk"))
    for customer in customers[:3]:
        customer_services.customer_update(customer, tenant=rep.tenant, actor=rep, remark="改")
    n3, body3 = _queries(api, body["cursor"])
    assert len(body3["changes"]) == 3
    for customer in customers:
        customer_services.customer_update(customer, tenant=rep.tenant, actor=rep, remark="再改")
    n43, body43 = _queries(api, body3["cursor"])
    assert len(body43["changes"]) == 43
    assert n43 == n3
