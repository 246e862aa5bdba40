"""Data scope: own / team incl. sub-teams / all, for leads, customers, contacts, activities."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm.activities.services import activity_create
from crm.core import services as core
from crm.core.models import User
from crm.customers.services import contact_create, customer_create
from tests.conftest import client_for, make_user
from tests.customers.leads import lead_in_state, new_lead

pytestmark = pytest.mark.django_db


@dataclass
class Company:
    admin: User
    leader: User
    rep: User
    sub_rep: User
    other_rep: User
    rows: dict  # (collection, owner key) -> id


@pytest.fixture
def company(admin, sales_team, rep) -> Company:
    tenant = admin.tenant
    sub_team = core.team_create(tenant=tenant, actor=admin, name="销售一部A组", parent=sales_team)
    other_team = core.team_create(tenant=tenant, actor=admin, name="销售二部")
    sub_rep = make_user(admin, "销售代表", team=sub_team, name="赵子队")
    other_rep = make_user(admin, "销售代表", team=other_team, name="孙二部")
    leader = sales_team.leader
    people = {
        "admin": admin,
        "leader": leader,
        "rep": rep,
        "sub_rep": sub_rep,
        "other_rep": other_rep,
    }
    rows = {}
    for key, user in people.items():
        lead = new_lead(admin, owner=user, company_name=f"{key}的线索")
        customer = customer_create(tenant=tenant, actor=user, name=f"{key}的客户")
        contact = contact_create(tenant=tenant, actor=user, customer=customer, name=f"{key}联系人")
        activity = activity_create(
            tenant=tenant, actor=user, kind="call", subject=f"{key}的电话", lead=lead
        )
        rows.update(
            {
                ("leads", key): lead.pk,
                ("customers", key): customer.pk,
                ("contacts", key): contact.pk,
                ("activities", key): activity.pk,
            }
        )
    rows[("leads", "pool")] = lead_in_state(admin, "pooled", company_name="公海线索").pk
    return Company(admin, leader, rep, sub_rep, other_rep, rows)


VISIBLE = {
    "rep": {"rep"},
    "leader": {"leader", "rep", "sub_rep"},
    "sub_rep": {"sub_rep"},
    "admin": {"admin", "leader", "rep", "sub_rep", "other_rep"},
}
COLLECTIONS = ["leads", "customers", "contacts", "activities"]


def ids(client, collection) -> set[int]:
    response = client.get(f"/api/v1/{collection}/?page_size=200")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("who", list(VISIBLE))
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_lists_follow_the_data_scope(company, who, collection):
    user = getattr(company, who)
    expected = {company.rows[(collection, key)] for key in VISIBLE[who]}
    if collection == "leads":
        expected.add(company.rows[("leads", "pool")])  # the public pool: everyone
    assert ids(client_for(user), collection) == expected


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_out_of_scope_detail_is_404(company, collection):
    rep = client_for(company.rep)
    mine = company.rows[(collection, "rep")]
    assert rep.get(f"/api/v1/{collection}/{mine}/").status_code == 200
    for key in ("admin", "leader", "sub_rep", "other_rep"):
        other = company.rows[(collection, key)]
        assert rep.get(f"/api/v1/{collection}/{other}/").status_code == 404
        assert rep.get(f"/api/v1/{collection}/{other}/history/").status_code == 404
        assert rep.patch(f"/api/v1/{collection}/{other}/", {}, format="json").status_code == 404
    leader = client_for(company.leader)
    sub_team_row = company.rows[(collection, "sub_rep")]
    assert leader.get(f"/api/v1/{collection}/{sub_team_row}/").status_code == 200
    other_team_row = company.rows[(collection, "other_rep")]
    assert leader.get(f"/api/v1/{collection}/{other_team_row}/").status_code == 404


def test_out_of_scope_lead_transitions_are_404(company):
    other = company.rows[("leads", "other_rep")]
    response = client_for(company.rep).post(
        f"/api/v1/leads/{other}/transitions/pool/", {}, format="json"
    )
    assert response.status_code == 404


def test_pooled_lead_is_visible_and_claimable_by_a_rep(company):
    pooled = company.rows[("leads", "pool")]
    rep = client_for(company.rep)
    detail = rep.get(f"/api/v1/leads/{pooled}/").json()
    assert detail["owner"] is None
    assert {t["name"]: t["allowed"] for t in detail["transitions"]} == {"claim": True}
    claimed = rep.post(f"/api/v1/leads/{pooled}/transitions/claim/", {}, format="json")
    assert claimed.status_code == 200
    assert claimed.json()["owner"] == company.rep.pk
    # now it belongs to the rep: the other team's rep no longer sees it
    other = client_for(company.other_rep)
    assert other.get(f"/api/v1/leads/{pooled}/").status_code == 404


def test_returning_a_lead_to_the_pool_keeps_it_visible_as_pool(company):
    lead = company.rows[("leads", "rep")]
    rep = client_for(company.rep)
    response = rep.post(f"/api/v1/leads/{lead}/transitions/pool/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["owner"] is None
    assert lead in ids(client_for(company.other_rep), "leads")


def test_leader_of_a_team_he_is_not_member_of_sees_it(admin, company):
    """A leader sees the teams he leads (with sub-teams), even when his own team is another."""
    boss = make_user(admin, "销售经理", name="跨部门经理")
    team = core.team_create(tenant=admin.tenant, actor=admin, name="直管组", leader=boss)
    member = make_user(admin, "销售代表", team=team)
    lead = new_lead(admin, owner=member)
    assert ids(client_for(boss), "leads") >= {lead.pk}
    # but with no team of his own and not leading one, the team scope is his own rows only
    loner = make_user(admin, "销售经理")
    mine = new_lead(admin, owner=loner)
    assert ids(client_for(loner), "leads") == {mine.pk, company.rows[("leads", "pool")]}


def test_a_contact_is_added_only_to_a_customer_in_scope(company):
    """A rep adds contacts to their own customers (and the pool's), not a colleague's:
    out of scope answers as a customer that does not exist, and nothing is written."""
    from crm.customers.models import Contact, Customer

    rep = client_for(company.rep)
    theirs = company.rows[("customers", "other_rep")]
    response = rep.post("/api/v1/contacts/", {"customer": theirs, "name": "张三"}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["customer"]
    assert not Contact.objects.filter(customer_id=theirs, name="张三").exists()
    mine = company.rows[("contacts", "rep")]
    moved = rep.patch(f"/api/v1/contacts/{mine}/", {"customer": theirs}, format="json")
    assert moved.status_code == 400 and list(moved.json()["fields"]) == ["customer"]
    assert Contact.objects.get(pk=mine).customer_id == company.rows[("customers", "rep")]
    own = company.rows[("customers", "rep")]
    response = rep.post("/api/v1/contacts/", {"customer": own, "name": "张三"}, format="json")
    assert response.status_code == 201, response.content
    Customer.objects.filter(pk=theirs).update(owner=None)  # now in the pool: visible
    response = rep.post("/api/v1/contacts/", {"customer": theirs, "name": "李四"}, format="json")
    assert response.status_code == 201, response.content
    # The leader adds one to a member's customer.
    member = company.rows[("customers", "sub_rep")]
    leader = client_for(company.leader)
    response = leader.post("/api/v1/contacts/", {"customer": member, "name": "王五"}, format="json")
    assert response.status_code == 201, response.content
