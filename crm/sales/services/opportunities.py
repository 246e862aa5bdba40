"""Opportunities (incl. the lead-convert step), requirements and solutions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import Frozen, Invalid
from crm.core.search import build_search_key
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_update,
    check_same_tenant,
    refuse_protected,
    refuse_unknown,
)
from crm.sales.models import (
    Contract,
    Opportunity,
    Quote,
    Requirement,
    Solution,
)
from crm.sales.money import money
from crm.sales.services._base import (
    OPPORTUNITY_FIELDS,
    REQUIREMENT_FIELDS,
    SOLUTION_FIELDS,
    _money_positive,
    check_claimed,
)
from workflows import reminders
from workflows.opportunity import CLOSE_DATE_RULE, IDLE_RULE, OPEN

# --- opportunities -----------------------------------------------------------------


def _opportunity_key(opp: Opportunity) -> str:
    return build_search_key(opp.name, opp.customer.name if opp.customer_id else "")


def _check_contact(customer, contact) -> None:
    if contact is not None and customer is not None and contact.customer_id != customer.pk:
        raise Invalid(fields={"contact": [_("This contact belongs to another customer.")]})


def opportunity_create(*, tenant, actor, **data: Any) -> Opportunity:
    """Open an opportunity (stage ``initial``) and schedule its reminders."""
    refuse_unknown(data, (*OPPORTUNITY_FIELDS, "lead"))
    check_same_tenant(
        tenant,
        customer=data.get("customer"),
        contact=data.get("contact"),
        owner=data.get("owner"),
        source=data.get("source"),
        lead=data.get("lead"),
        campaign=data.get("campaign"),
    )
    if data.get("customer") is None:
        raise Invalid(fields={"customer": [_("Choose the customer.")]})
    check_claimed(data["customer"])
    _check_contact(data.get("customer"), data.get("contact"))
    _money_positive("amount", data.get("amount"), allow_zero=True)
    if data.get("owner") is None:
        data["owner"] = data["customer"].owner if actor is None else actor

    def prepare(opp: Opportunity) -> None:
        opp.amount = money(opp.amount)
        opp.stage_changed_at = timezone.now()
        opp.search_key = _opportunity_key(opp)

    with transaction.atomic():
        opp = audited_create(Opportunity, tenant=tenant, actor=actor, fields=data, prepare=prepare)
        reminders.on_create(opp)
    return opp


def opportunity_update(opp: Opportunity, *, tenant, actor, **data: Any) -> Opportunity:
    """Edit an open opportunity; the stage moves only through transitions."""
    refuse_unknown(data, OPPORTUNITY_FIELDS)
    _opportunity_editable(opp)
    check_same_tenant(
        tenant,
        customer=data.get("customer"),
        contact=data.get("contact"),
        owner=data.get("owner"),
        source=data.get("source"),
    )
    customer = data.get("customer")
    if customer is not None and customer.pk != opp.customer_id:
        check_claimed(customer)  # a new customer only: one since pooled stays linked
    _check_contact(data.get("customer", opp.customer), data.get("contact", opp.contact))
    _money_positive("amount", data.get("amount"), allow_zero=True)
    if "amount" in data:
        data["amount"] = money(data["amount"])
    with transaction.atomic():
        changes = audited_update(
            opp,
            tenant=tenant,
            actor=actor,
            fields=data,
            check=_opportunity_editable,
            key_fn=_opportunity_key,
        )
        if "owner" in changes:
            reminders.reschedule(opp, (IDLE_RULE, CLOSE_DATE_RULE))
        elif "expected_close_date" in changes:
            reminders.reschedule(opp, (CLOSE_DATE_RULE,))
    return opp


def _opportunity_editable(opp: Opportunity) -> None:
    if opp.status not in OPEN:
        raise Frozen(_("A won or lost opportunity cannot be edited; reopen it first."))


def _opportunity_deletable(opp: Opportunity) -> None:
    """Quotes and contracts keep their opportunity (409 ``protected``, naming them)."""
    blockers = {
        Quote: Quote.objects.filter(opportunity=opp).count(),
        Contract: Contract.objects.filter(opportunity=opp).count(),
    }
    if any(blockers.values()):
        raise refuse_protected(
            opp,
            blockers,
            detail=_("This opportunity has quotes or contracts; mark it lost instead."),
        )


def opportunity_delete(opp: Opportunity, *, tenant, actor) -> None:
    audited_delete(
        opp,
        tenant=tenant,
        actor=actor,
        check=_opportunity_deletable,
        before_delete=reminders.cancel,
    )


def opportunity_for_converted_lead(lead, ctx) -> Opportunity:
    """Convert's extra step (registered by SalesConfig.ready): the lead's opportunity."""
    from crm.customers.models import Contact

    customer = lead.customer
    contact = None
    if lead.contact_name:
        contacts = Contact.objects.filter(customer=customer).order_by("-id")
        contact = (
            contacts.filter(mobile=lead.mobile).first() if lead.mobile else None
        ) or contacts.filter(name=lead.contact_name).first()
    name = lead.company_name
    need = (lead.need or "").strip().splitlines()
    if need:
        name = f"{lead.company_name} - {need[0][:60]}"
    opp = opportunity_create(
        tenant=lead.tenant,
        actor=ctx.actor,
        name=name[:200],
        customer=customer,
        contact=contact,
        owner=lead.owner or ctx.actor or customer.owner,
        source=lead.source,
        lead=lead,
    )
    if need:
        requirement_create(
            tenant=lead.tenant,
            actor=ctx.actor,
            opportunity=opp,
            description=lead.need.strip(),
        )
    return opp


# --- requirements and solutions ---------------------------------------------------


def _opportunity_open(opp: Opportunity) -> None:
    if opp.status not in OPEN:
        raise Invalid(fields={"opportunity": [_("The opportunity is closed.")]})


def requirement_create(*, tenant, actor, **data: Any) -> Requirement:
    refuse_unknown(data, REQUIREMENT_FIELDS)
    check_same_tenant(tenant, opportunity=data.get("opportunity"))
    if not (data.get("description") or "").strip():
        raise Invalid(fields={"description": [_("Describe the requirement.")]})
    return audited_create(Requirement, tenant=tenant, actor=actor, fields=data)


def requirement_update(req: Requirement, *, tenant, actor, **data: Any) -> Requirement:
    refuse_unknown(data, REQUIREMENT_FIELDS)
    check_same_tenant(tenant, opportunity=data.get("opportunity"))
    audited_update(req, tenant=tenant, actor=actor, fields=data)
    return req


def requirement_delete(req: Requirement, *, tenant, actor) -> None:
    audited_delete(req, tenant=tenant, actor=actor)


def _check_solution(data: dict, solution: Solution | None = None) -> None:
    opp = data.get("opportunity") or (solution.opportunity if solution else None)
    req = data.get("requirement", solution.requirement if solution else None)
    if req is not None and opp is not None and req.opportunity_id != opp.pk:
        raise Invalid(
            fields={"requirement": [_("This requirement belongs to another opportunity.")]}
        )


def solution_create(*, tenant, actor, **data: Any) -> Solution:
    refuse_unknown(data, SOLUTION_FIELDS)
    check_same_tenant(
        tenant, opportunity=data.get("opportunity"), requirement=data.get("requirement")
    )
    _check_solution(data)
    if not (data.get("title") or "").strip():
        raise Invalid(fields={"title": [_("Enter a title.")]})
    return audited_create(Solution, tenant=tenant, actor=actor, fields=data)


def solution_update(sol: Solution, *, tenant, actor, **data: Any) -> Solution:
    refuse_unknown(data, SOLUTION_FIELDS)
    check_same_tenant(
        tenant, opportunity=data.get("opportunity"), requirement=data.get("requirement")
    )
    _check_solution(data, sol)
    audited_update(sol, tenant=tenant, actor=actor, fields=data)
    return sol


def solution_delete(sol: Solution, *, tenant, actor) -> None:
    audited_delete(sol, tenant=tenant, actor=actor)
