"""Complaints, follow-ups, tickets, projects and feedback link only records the user sees.

The service desk (客服, all records) links any customer of the company. A service
role narrowed to its own records links only its own customers, contacts and
contracts. A customer in the public pool is seen by everyone who sees customers,
so a sales rep may plan a follow-up on it. Out of sight answers as an id that does
not exist (400, the field named), and nothing is written.
"""

from __future__ import annotations

import pytest

from crm.core import services as core
from crm.core.models import DataScope, Role
from crm.customers.services import contact_create, customer_create, customer_update
from crm.service.models import Complaint, CustomerProject, Feedback, FollowUp, ServiceTicket
from tests.conftest import client_for, make_user
from tests.link_scope import refused_as_missing
from tests.sales import factories as sales
from tests.service.helpers import move

pytestmark = pytest.mark.django_db

DUE = "2026-12-20T10:00:00+08:00"


@pytest.fixture
def own_agent(admin, service_team):
    """A service agent whose role shows only their own records."""
    desk = Role.objects.get(tenant=admin.tenant, name="客服")
    core.role_create(
        tenant=admin.tenant,
        actor=admin,
        name="客服(本人)",
        permissions=list(desk.permissions),
        data_scope=DataScope.OWN,
    )
    return make_user(admin, "客服(本人)", team=service_team, name="李本人")


@pytest.fixture
def theirs(admin, rep):
    """A sales rep's customer, contact and contract: out of an own-scope agent's sight."""
    customer = customer_create(tenant=admin.tenant, actor=rep, name="上海他人贸易有限公司")
    contact = contact_create(tenant=admin.tenant, actor=rep, customer=customer, name="他人联系人")
    contract = sales.contract(rep, cust=customer)
    return customer, contact, contract


@pytest.fixture
def mine(admin, own_agent):
    customer = customer_create(tenant=admin.tenant, actor=own_agent, name="杭州本人科技有限公司")
    contact = contact_create(
        tenant=admin.tenant, actor=own_agent, customer=customer, name="本人联系人"
    )
    return customer, contact


def _complaint(customer, contact=None) -> dict:
    body = {
        "customer": customer.pk,
        "channel": "phone",
        "severity": "normal",
        "category": "product",
        "description": "设备外壳破损",
    }
    if contact is not None:
        body["contact"] = contact.pk
    return body


def test_an_own_scope_agent_files_complaints_only_on_their_customers(own_agent, theirs, mine):
    api = client_for(own_agent)
    customer, contact, _contract = theirs
    refused_as_missing(
        api.post("/api/v1/complaints/", _complaint(customer), format="json"), "customer"
    )
    own_customer, own_contact = mine
    refused_as_missing(
        api.post("/api/v1/complaints/", _complaint(own_customer, contact), format="json"),
        "contact",
    )
    assert not Complaint.objects.exists()
    created = api.post("/api/v1/complaints/", _complaint(own_customer, own_contact), format="json")
    assert created.status_code == 201, created.content
    assert Complaint.objects.get().customer_id == own_customer.pk


def test_the_service_desk_sees_every_customer(agent, theirs):
    customer, contact, contract = theirs
    api = client_for(agent)
    created = api.post("/api/v1/complaints/", _complaint(customer, contact), format="json")
    assert created.status_code == 201, created.content
    ticket = api.post(
        "/api/v1/tickets/",
        {"customer": customer.pk, "contract": contract.pk, "subject": "安装调试"},
        format="json",
    )
    assert ticket.status_code == 201, ticket.content


def test_tickets_projects_and_feedback_refuse_records_out_of_sight(own_agent, theirs, mine):
    api = client_for(own_agent)
    customer, contact, contract = theirs
    own_customer, _own_contact = mine
    refused_as_missing(
        api.post("/api/v1/tickets/", {"customer": customer.pk, "subject": "调试"}, format="json"),
        "customer",
    )
    refused_as_missing(
        api.post(
            "/api/v1/tickets/",
            {"customer": own_customer.pk, "contract": contract.pk, "subject": "调试"},
            format="json",
        ),
        "contract",
    )
    refused_as_missing(
        api.post("/api/v1/projects/", {"customer": customer.pk, "name": "实施"}, format="json"),
        "customer",
    )
    refused_as_missing(
        api.post(
            "/api/v1/feedback/",
            {"customer": own_customer.pk, "contact": contact.pk, "text": "很好"},
            format="json",
        ),
        "contact",
    )
    assert not ServiceTicket.objects.exists()
    assert not CustomerProject.objects.exists()
    assert not Feedback.objects.exists()


def test_an_update_keeps_a_link_the_record_already_has(admin, own_agent, theirs, mine):
    """A ticket on a customer since moved out of the agent's sight still saves unchanged."""
    own_customer, _own_contact = mine
    api = client_for(own_agent)
    created = api.post(
        "/api/v1/tickets/",
        {"customer": own_customer.pk, "subject": "调试", "owner": own_agent.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    other_rep = theirs[0].owner
    own_customer.refresh_from_db()
    customer_update(own_customer, tenant=admin.tenant, actor=admin, owner=other_rep)
    kept = api.patch(
        f"/api/v1/tickets/{pk}/",
        {"customer": own_customer.pk, "subject": "调试(改)"},
        format="json",
    )
    assert kept.status_code == 200, kept.content
    moved = api.patch(f"/api/v1/tickets/{pk}/", {"customer": theirs[0].pk}, format="json")
    refused_as_missing(moved, "customer")
    assert ServiceTicket.objects.get(pk=pk).customer_id == own_customer.pk


def test_follow_ups_link_what_the_lists_show_the_pool_included(admin, rep, theirs):
    """A rep plans follow-ups on their own customers and on the pool's, not a colleague's."""
    colleague = make_user(admin, "销售代表", name="周同事")
    other = customer_create(tenant=admin.tenant, actor=colleague, name="广州同事实业有限公司")
    pooled = customer_create(tenant=admin.tenant, actor=colleague, name="成都公海电子有限公司")
    move(pooled, "release", colleague, reason="无意向")
    pooled.refresh_from_db()
    assert pooled.owner_id is None
    api = client_for(rep)
    refused_as_missing(
        api.post("/api/v1/follow-ups/", {"customer": other.pk, "due_at": DUE}, format="json"),
        "customer",
    )
    assert not FollowUp.objects.filter(customer=other).exists()
    in_pool = api.post("/api/v1/follow-ups/", {"customer": pooled.pk, "due_at": DUE}, format="json")
    assert in_pool.status_code == 201, in_pool.content
    own = api.post("/api/v1/follow-ups/", {"customer": theirs[0].pk, "due_at": DUE}, format="json")
    assert own.status_code == 201, own.content
    opportunity = sales.opportunity(colleague, cust=other)
    refused_as_missing(
        api.post(
            "/api/v1/follow-ups/", {"opportunity": opportunity.pk, "due_at": DUE}, format="json"
        ),
        "opportunity",
    )
    assert FollowUp.objects.filter(customer__isnull=False).count() == 2
