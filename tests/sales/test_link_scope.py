"""Sales documents link only records the user sees, as every other module does.

The links ask the collection what the user sees there (``VisiblePrimaryKeyField``):
a record out of sight answers as an id that does not exist (400, the field named),
so a check that compares it with another link (a contact "belongs to another
customer") never speaks about it. A customer in the public pool is seen by
everyone, but takes no opportunity or contract until someone claims it: that
refusal says so, on the field.
"""

from __future__ import annotations

import pytest

from crm.core.errors import Invalid
from crm.customers.models import Customer
from crm.customers.services import contact_create, customer_create
from crm.sales.models import Contract, Opportunity, Payment, Solution
from tests.link_scope import People, refused_as_missing, two_teams
from tests.sales import factories as f
from tests.sales.factories import client_for
from workflows.engine import transition

pytestmark = pytest.mark.django_db

IN_POOL = "This record is in the public pool: claim it first."


@pytest.fixture
def people(admin, sales_team, rep) -> People:
    return two_teams(admin, sales_team, rep)


def _release(customer, actor) -> Customer:
    return transition(
        model=Customer,
        pk=customer.pk,
        name="release",
        tenant=customer.tenant,
        actor=actor,
        inputs={"reason": "闲置"},
    )


def test_a_contact_out_of_sight_reads_as_missing_on_an_opportunity(people):
    """Only a contact the user sees may be told it belongs to another customer."""
    rep, records = people.rep_a, people.records
    api = client_for(rep)
    url = "/api/v1/opportunities/"
    mine, theirs = records[("customer", "a")], records[("contact", "b")]
    body = {"name": "新商机", "customer": mine.pk, "contact": theirs.pk}
    refused_as_missing(api.post(url, body, format="json"), "contact")
    opp = records[("opportunity", "a")]
    edit = api.patch(f"{url}{opp.pk}/", {"contact": theirs.pk}, format="json")
    refused_as_missing(edit, "contact")
    # The leader of rep a's team sees a's contact but not b's.
    lead_api = client_for(people.leader)
    refused_as_missing(lead_api.post(url, {**body, "name": "经理的商机"}, format="json"), "contact")

    second = customer_create(tenant=rep.tenant, actor=rep, name="a的第二个客户")
    elsewhere = contact_create(tenant=rep.tenant, actor=rep, customer=second, name="第二联系人")
    refused = api.post(url, {**body, "contact": elsewhere.pk}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["fields"] == {"contact": ["This contact belongs to another customer."]}
    assert not Opportunity.objects.filter(name__in=["新商机", "经理的商机"]).exists()

    made = api.post(url, {**body, "contact": records[("contact", "a")].pk}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["contact"] == records[("contact", "a")].pk


def test_a_pool_customer_takes_no_sales_document_until_claimed(people):
    """The pool is visible, so the refusal names the reason instead of "does not exist";
    another team's customer still reads as missing; claimed, the customer takes both."""
    rep, admin = people.rep_a, people.admin
    pooled = _release(customer_create(tenant=admin.tenant, actor=admin, name="公海客户"), admin)
    assert (pooled.status, pooled.owner_id) == ("pooled", None)
    api = client_for(rep)
    opportunity = {"name": "公海商机", "customer": pooled.pk}
    contract = {"title": "公海合同", "customer": pooled.pk}
    for url, body in (("/api/v1/opportunities/", opportunity), ("/api/v1/contracts/", contract)):
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400, refused.content
        assert refused.json()["fields"] == {"customer": [IN_POOL]}, refused.json()
        theirs = {**body, "customer": people.records[("customer", "b")].pk}
        refused_as_missing(api.post(url, theirs, format="json"), "customer")
    assert not Opportunity.objects.filter(customer=pooled).exists()
    assert not Contract.objects.filter(customer=pooled).exists()

    claimed = api.post(f"/api/v1/customers/{pooled.pk}/transitions/claim/", {}, format="json")
    assert claimed.status_code == 200, claimed.content
    for url, body in (("/api/v1/opportunities/", opportunity), ("/api/v1/contracts/", contract)):
        made = api.post(url, body, format="json")
        assert made.status_code == 201, made.content


def test_an_opportunity_keeps_its_customer_after_the_customer_went_to_the_pool(people):
    """An edit that sends the customer unchanged is no new link: it saves."""
    rep = people.rep_a
    opp = people.records[("opportunity", "a")]
    _release(opp.customer, rep)
    api = client_for(rep)
    body = {"customer": opp.customer_id, "amount": "5000.00"}
    saved = api.patch(f"/api/v1/opportunities/{opp.pk}/", body, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["amount"] == "5000.00"
    # Moving it to another pool customer is a new link, and refused.
    other = _release(customer_create(tenant=rep.tenant, actor=rep, name="另一个公海客户"), rep)
    moved = api.patch(f"/api/v1/opportunities/{opp.pk}/", {"customer": other.pk}, format="json")
    assert moved.status_code == 400, moved.content
    assert moved.json()["fields"] == {"customer": [IN_POOL]}


def test_a_payment_takes_only_an_installment_of_a_contract_in_sight(people):
    """Without a contract, the installment names it: another team's installment reads
    as missing instead of recording a payment on a contract the rep cannot open."""
    rep, admin, records = people.rep_a, people.admin, people.records
    mine = f.active_contract(rep, admin, cust=records[("customer", "a")])
    mine_too = f.active_contract(rep, admin, cust=records[("customer", "a")])
    theirs = f.active_contract(people.rep_b, admin, cust=records[("customer", "b")])
    their_installment = theirs.installments.get()
    api = client_for(rep)
    url = "/api/v1/payments/"
    body = {"installment": their_installment.pk, "amount": "100.00", "paid_at": "2025-03-01"}
    refused_as_missing(api.post(url, body, format="json"), "installment")
    with_contract = {**body, "contract": mine.pk}
    refused_as_missing(api.post(url, with_contract, format="json"), "installment")
    assert not Payment.objects.filter(contract=theirs).exists()

    elsewhere = {**with_contract, "installment": mine_too.installments.get().pk}
    refused = api.post(url, elsewhere, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["fields"] == {
        "installment": ["This installment belongs to another contract."]
    }
    made = api.post(url, {**body, "installment": mine.installments.get().pk}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["contract"] == mine.pk


def test_a_solution_takes_only_a_requirement_in_sight(people):
    rep, records = people.rep_a, people.records
    opp, theirs = records[("opportunity", "a")], records[("opportunity", "b")]
    their_requirement = f.requirement(theirs, people.rep_b)
    api = client_for(rep)
    body = {"opportunity": opp.pk, "requirement": their_requirement.pk, "title": "标准版"}
    refused_as_missing(api.post("/api/v1/solutions/", body, format="json"), "requirement")
    assert not Solution.objects.exists()
    mine = f.requirement(opp, rep)
    made = api.post("/api/v1/solutions/", {**body, "requirement": mine.pk}, format="json")
    assert made.status_code == 201, made.content


def test_quick_create_puts_no_opportunity_on_a_pool_customer(people):
    """Quick create's ``link_to`` asks the opportunity's own customer link."""
    rep, admin = people.rep_a, people.admin
    pooled = _release(customer_create(tenant=admin.tenant, actor=admin, name="公海客户"), admin)
    body = {
        "contact": {"name": "陈经理", "mobile": "13800138123"},
        "opportunity": {"name": "快速商机", "amount": "50000.00"},
        "link_to": pooled.pk,
    }
    api = client_for(rep)
    refused = api.post("/api/v1/quick-create/", body, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["fields"] == {"link_to": [IN_POOL]}
    assert not Opportunity.objects.filter(customer=pooled).exists()
    assert not pooled.contacts.exists()
    mine = {**body, "link_to": people.records[("customer", "a")].pk}
    made = api.post("/api/v1/quick-create/", mine, format="json")
    assert made.status_code == 201, made.content


def test_a_pool_customer_takes_no_sales_document_from_an_admin_either(people):
    """An admin's scope is "all", so the link saw the pool customer as theirs and let
    an opportunity or a contract onto it. The services hold the rule for everyone,
    naming the field sent: the customer, or the opportunity or quote it comes from,
    or quick create's link_to."""
    from crm.sales.services import opportunity_create

    admin = people.admin
    api = client_for(admin)
    pooled = _release(customer_create(tenant=admin.tenant, actor=admin, name="公海客户"), admin)
    opportunity = {"name": "管理员的公海商机", "customer": pooled.pk}
    contract = {"title": "管理员的公海合同", "customer": pooled.pk}
    for url, body in (("/api/v1/opportunities/", opportunity), ("/api/v1/contracts/", contract)):
        refused = api.post(f"{url}?lang=en", body, format="json")
        assert refused.status_code == 400, refused.content
        assert refused.json()["fields"] == {"customer": [IN_POOL]}, refused.json()

    # A document already on a customer since returned to the pool: a new contract from
    # its opportunity (or quote) is refused on that field; the opportunity itself saves.
    opp = people.records[("opportunity", "a")]
    quote = f.quote(opp, people.rep_a)
    _release(opp.customer, people.rep_a)
    for field, pk in (("opportunity", opp.pk), ("quote", quote.pk)):
        refused = api.post(
            "/api/v1/contracts/?lang=en", {"title": "来自商机", field: pk}, format="json"
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["fields"] == {field: [IN_POOL]}, refused.json()
    kept = api.patch(
        f"/api/v1/opportunities/{opp.pk}/",
        {"customer": opp.customer_id, "amount": "6000.00"},
        format="json",
    )
    assert kept.status_code == 200, kept.content

    # Moving an opportunity or a draft contract onto a pool customer is a new link.
    theirs = people.records[("opportunity", "b")]
    moved = api.patch(
        f"/api/v1/opportunities/{theirs.pk}/?lang=en", {"customer": pooled.pk}, format="json"
    )
    assert moved.status_code == 400, moved.content
    assert moved.json()["fields"] == {"customer": [IN_POOL]}
    draft = f.contract(people.rep_b, cust=people.records[("customer", "b")])
    moved = api.patch(
        f"/api/v1/contracts/{draft.pk}/?lang=en", {"customer": pooled.pk}, format="json"
    )
    assert moved.status_code == 400, moved.content
    assert moved.json()["fields"] == {"customer": [IN_POOL]}

    quick = {
        "contact": {"name": "陈经理", "mobile": "13800138124"},
        "opportunity": {"name": "快速商机", "amount": "50000.00"},
        "link_to": pooled.pk,
    }
    refused = api.post("/api/v1/quick-create/?lang=en", quick, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["fields"] == {"link_to": [IN_POOL]}
    assert not pooled.contacts.exists()

    # The service itself, without a request (imports, scripts, other modules).
    with pytest.raises(Invalid) as refusal:
        opportunity_create(tenant=admin.tenant, actor=None, name="脚本商机", customer=pooled)
    assert list(refusal.value.fields) == ["customer"]
    assert not Opportunity.objects.filter(customer=pooled).exists()
    assert not Contract.objects.filter(customer__in=[pooled, opp.customer]).exists()
    assert Contract.objects.get(pk=draft.pk).customer_id == people.records[("customer", "b")].pk
    assert Opportunity.objects.get(pk=theirs.pk).customer_id == theirs.customer_id

    claimed = api.post(f"/api/v1/customers/{pooled.pk}/transitions/claim/", {}, format="json")
    assert claimed.status_code == 200, claimed.content
    made = api.post("/api/v1/opportunities/", opportunity, format="json")
    assert made.status_code == 201, made.content


def test_a_lead_converts_into_a_pool_customer_only_once_claimed(people):
    """Converting opens an opportunity on the customer merged into: a pool customer
    is refused on the input that named it, and nothing of the conversion is kept."""
    from crm.customers.models import Lead
    from tests.customers.leads import lead_in_state

    admin = people.admin
    pooled = _release(customer_create(tenant=admin.tenant, actor=admin, name="公海客户"), admin)
    lead = lead_in_state(admin, "qualified", company_name="并入公海的线索")
    url = f"/api/v1/leads/{lead.pk}/transitions/convert/?lang=en"
    refused = client_for(admin).post(url, {"customer": pooled.pk}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["fields"] == {"customer": [IN_POOL]}, refused.json()
    assert Lead.objects.get(pk=lead.pk).status == "qualified"
    assert not pooled.contacts.exists()
    assert not Opportunity.objects.filter(customer=pooled).exists()
