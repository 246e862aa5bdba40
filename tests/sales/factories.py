"""Test data for the sales pipeline, made through the real services and engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm.customers.services import contact_create, customer_create
from crm.sales import services
from crm.sales.models import Contract, Opportunity, Payment, Quote
from tests.conftest import client_for as _client_for
from workflows.engine import transition


def client_for(user):
    """An API client for ``user`` that asks for English (assertions use source strings)."""
    client = _client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def D(value) -> Decimal:
    return Decimal(str(value))


def move(obj, name: str, actor, **inputs):
    """Run one transition through the engine; returns the fresh row."""
    return transition(
        model=type(obj), pk=obj.pk, name=name, tenant=obj.tenant, actor=actor, inputs=inputs
    )


def customer(owner, name: str = "上海测试客户", **kwargs):
    return customer_create(tenant=owner.tenant, actor=owner, name=name, owner=owner, **kwargs)


def contact(cust, actor, name: str = "张三"):
    return contact_create(tenant=cust.tenant, actor=actor, customer=cust, name=name)


def product(actor, code: str = "CRM-STD", price="2000.00", name: str = "CRM 标准版"):
    return services.product_create(
        tenant=actor.tenant, actor=actor, code=code, name=name, unit="套", price=D(price)
    )


def opportunity(owner, *, cust=None, amount="10000.00", name: str = "CRM 项目", **kwargs):
    cust = cust or customer(owner)
    return services.opportunity_create(
        tenant=owner.tenant,
        actor=owner,
        name=name,
        customer=cust,
        owner=owner,
        amount=D(amount),
        **kwargs,
    )


def requirement(opp, actor, text: str = "需要销售漏斗"):
    return services.requirement_create(
        tenant=opp.tenant, actor=actor, opportunity=opp, description=text
    )


def lines(prod, *specs):
    """specs: (quantity, unit_price, discount_percent) tuples."""
    return [
        {
            "product": prod,
            "quantity": D(q),
            "unit_price": D(p),
            "discount_percent": D(d),
        }
        for q, p, d in specs
    ]


def quote(opp, actor, prod=None, specs=((1, "1000.00", 0),)):
    prod = prod or product(actor, code=f"P{opp.pk}-{Quote.objects.count()}")
    return services.quote_create(
        tenant=opp.tenant, actor=actor, opportunity=opp, lines=lines(prod, *specs)
    )


def to_proposal(opp, actor) -> Opportunity:
    requirement(opp, actor)
    opp = move(opp, "needs_defined", actor)
    return move(opp, "proposal", actor)


def sent_quote(opp, author, approver, **kwargs) -> Quote:
    q = quote(opp, author, **kwargs)
    q = move(q, "submit", author)
    q = move(q, "approve", approver)
    return move(q, "send", author)


def contract(
    author,
    *,
    cust=None,
    opp=None,
    amount="30000.00",
    plan=None,
    prod=None,
    start=dt.date(2025, 1, 1),
    end=dt.date(2025, 12, 31),
) -> Contract:
    amount = D(amount)
    prod = prod or product(author, code=f"C-{Contract.objects.count()}-{amount}")
    plan = plan or [(dt.date(2025, 3, 31), amount)]
    return services.contract_create(
        tenant=author.tenant,
        actor=author,
        customer=cust or (opp.customer if opp else customer(author)),
        opportunity=opp,
        lines=lines(prod, (1, amount, 0)),
        installments=[{"due_date": d, "amount": D(a)} for d, a in plan],
        start_date=start,
        end_date=end,
    )


def active_contract(author, approver, **kwargs) -> Contract:
    c = contract(author, **kwargs)
    c = move(c, "submit", author)
    c = move(c, "approve", approver)
    return move(c, "sign", author)


def payment(c: Contract, actor, amount, seq: int = 1, paid_at=dt.date(2025, 3, 1)) -> Payment:
    inst = c.installments.get(sequence=seq)
    return services.payment_create(
        tenant=c.tenant,
        actor=actor,
        contract=c,
        installment=inst,
        amount=D(amount),
        paid_at=paid_at,
    )


def confirmed_payment(c: Contract, actor, amount, seq: int = 1, **kwargs) -> Payment:
    return move(payment(c, actor, amount, seq, **kwargs), "confirm", actor)


# --- the endpoint walkers' factories (tests/core/factories.py) ---------------------
#
# Rows hang off the tenant's *first* customer / opportunity / contract, the rows
# the foreign-key walker picks as "mine", so a payload with one key replaced by
# the walker stays consistent (a contact of that customer, a requirement of that
# opportunity, an installment of that contract).


def _register_walker_factories() -> None:
    from crm.core.models import Role
    from crm.customers.models import Contact, Customer
    from crm.sales.models import (
        ApprovalBand,
        Installment,
        Product,
        Requirement,
        Solution,
    )
    from tests.core.factories import factory, make_user, n

    def first_customer(admin):
        found = Customer.objects.filter(tenant=admin.tenant).order_by("pk").first()
        return found or customer(admin, name=f"走查客户{n()}")

    def first_opportunity(admin):
        found = Opportunity.objects.filter(tenant=admin.tenant).order_by("pk").first()
        return found or make_opportunity(admin)

    def first_contract(admin):
        found = Contract.objects.filter(tenant=admin.tenant).order_by("pk").first()
        return found or make_contract(admin)

    def product_payload(admin):
        return {"code": f"W{n()}", "name": "走查产品", "unit": "套", "price": "100.00"}

    @factory(Product, payload=product_payload)
    def make_product(admin):
        return product(admin, code=f"W{n()}", price="100.00")

    def opportunity_payload(admin):
        first_contact = Contact.objects.filter(tenant=admin.tenant).order_by("pk").first()
        cust = first_contact.customer if first_contact else first_customer(admin)
        return {"name": f"走查机会{n()}", "customer": cust.pk, "amount": "100.00"}

    @factory(Opportunity, payload=opportunity_payload)
    def make_opportunity(admin):
        return opportunity(admin, cust=first_customer(admin), name=f"走查机会{n()}")

    def requirement_payload(admin):
        return {"opportunity": first_opportunity(admin).pk, "description": "走查需求"}

    @factory(Requirement, payload=requirement_payload)
    def make_requirement(admin):
        return requirement(first_opportunity(admin), admin)

    def solution_payload(admin):
        return {"opportunity": first_opportunity(admin).pk, "title": "走查方案"}

    @factory(Solution, payload=solution_payload)
    def make_solution(admin):
        return services.solution_create(
            tenant=admin.tenant, actor=admin, opportunity=first_opportunity(admin), title="方案"
        )

    def quote_payload(admin):
        return {
            "opportunity": make_opportunity(admin).pk,
            "lines": [{"product": make_product(admin).pk, "quantity": "2"}],
        }

    @factory(Quote, payload=quote_payload)
    def make_quote(admin):
        return quote(make_opportunity(admin), admin, prod=make_product(admin))

    def contract_payload(admin):
        return {"customer": first_customer(admin).pk, "amount": "100.00"}

    @factory(Contract, payload=contract_payload)
    def make_contract(admin):
        return contract(
            admin, cust=first_customer(admin), amount="100.00", prod=make_product(admin)
        )

    @factory(Installment)
    def make_installment(admin):
        return make_contract(admin).installments.order_by("pk").first()

    def activated(admin, c: Contract) -> Contract:
        if c.status == "draft":
            approver = make_user(admin)
            approver.roles.set([Role.objects.get(tenant=admin.tenant, name="管理员")])
            c = move(move(move(c, "submit", admin), "approve", approver), "sign", admin)
        return c

    def payment_payload(admin):
        c = activated(admin, first_contract(admin))
        inst = c.installments.order_by("pk").first()
        return {"contract": c.pk, "installment": inst.pk, "amount": "1.00"}

    @factory(Payment, payload=payment_payload)
    def make_payment(admin):
        c = activated(admin, make_contract(admin))
        return payment(c, admin, "1.00")

    def band_payload(admin):
        return {"max_amount": f"{n() * 7}.00", "permission": "sales.contract.approve"}

    @factory(ApprovalBand, payload=band_payload)
    def make_band(admin):
        return services.approval_band_create(
            tenant=admin.tenant,
            actor=admin,
            max_amount=D(f"{n() * 7 + 3}.00"),
            permission="sales.contract.approve",
        )


_register_walker_factories()
