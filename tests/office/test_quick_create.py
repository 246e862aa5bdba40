"""Quick create: customer, contact and lead (or opportunity) in one transaction, with
the duplicate check of lead conversion (refuse naming the duplicate, or link to it)."""

from __future__ import annotations

import pytest

from crm.customers.models import Contact, Customer, Lead
from crm.sales.models import Opportunity
from tests.conftest import client_for
from tests.sales import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/quick-create/"


def body(**over):
    data = {
        "customer": {"name": "杭州新客户有限公司", "kind": "company"},
        "contact": {"name": "陈经理", "mobile": "13800138123"},
        "lead": {"company_name": "杭州新客户有限公司", "contact_name": "陈经理"},
    }
    data.update(over)
    return data


def test_creates_the_three_records(rep):
    r = client_for(rep).post(URL, body(), format="json")
    assert r.status_code == 201, r.json()
    out = r.json()
    cust = Customer.objects.get(pk=out["customer"]["id"])
    assert cust.owner_id == rep.pk
    assert Contact.objects.get(pk=out["contact"]["id"]).customer_id == cust.pk
    lead = Lead.objects.get(pk=out["lead"]["id"])
    assert lead.customer_id == cust.pk and lead.owner_id == rep.pk


def test_opportunity_instead_of_lead(rep):
    data = body(opportunity={"name": "新客户 CRM 项目", "amount": "50000.00"})
    del data["lead"]
    r = client_for(rep).post(URL, data, format="json")
    assert r.status_code == 201, r.json()
    opp = Opportunity.objects.get(pk=r.json()["opportunity"]["id"])
    assert opp.customer_id == r.json()["customer"]["id"]
    assert opp.contact_id == r.json()["contact"]["id"]


def test_bad_part_writes_nothing(rep):
    r = client_for(rep).post(URL, body(contact={"name": ""}), format="json")
    assert r.status_code == 400
    assert "contact.name" in r.json()["fields"]
    assert not Customer.objects.exists() and not Lead.objects.exists()


def test_duplicate_refused_naming_it_then_linked(rep):
    existing = f.customer(rep, name="杭州新客户有限公司")
    client = client_for(rep)
    r = client.post(URL, body(), format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "duplicate"
    assert r.json()["duplicate"]["id"] == existing.pk
    assert f"#{existing.pk}" in r.json()["detail"]
    assert Customer.objects.count() == 1 and not Lead.objects.exists()
    r = client.post(URL, body(link_to=existing.pk), format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["customer"]["id"] == existing.pk
    assert Customer.objects.count() == 1
    assert Lead.objects.get().customer_id == existing.pk


def test_link_to_a_customer_out_of_scope_is_404(admin, rep):
    theirs = f.customer(admin, name="别人的客户")
    r = client_for(rep).post(URL, body(link_to=theirs.pk), format="json")
    assert r.status_code == 404
    assert not Lead.objects.exists()


@pytest.mark.parametrize("code", ["customers.create", "contacts.create", "leads.create"])
def test_each_part_needs_its_create_code(admin, code):
    from crm.core.models import Role
    from crm.core.permissions import registry
    from tests.conftest import make_user

    role = Role.objects.create(
        tenant=admin.tenant,
        name=f"无{code}",
        permissions=sorted(set(registry.codes()) - {code}),
        data_scope="all",
    )
    user = make_user(admin, role.name)
    r = client_for(user).post(URL, body(), format="json")
    assert r.status_code == 403
    assert not Customer.objects.exists()
