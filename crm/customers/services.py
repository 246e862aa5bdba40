"""The write path for customers, contacts and leads (keyword-only, audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.search import build_search_key
from crm.core.validators import halfwidth
from crm.core.writes import audited_create, audited_delete, audited_update
from crm.customers.models import Contact, Customer, Lead
from workflows import reminders
from workflows.customer import IDLE_RULES as CUSTOMER_IDLE_RULES
from workflows.customer import CustomerStatus

CUSTOMER_FIELDS = (
    "code",
    "name",
    "kind",
    "credit_code",
    "industry",
    "level",
    "source",
    "region",
    "owner",
    "phone",
    "mobile",
    "email",
    "address",
    "remark",
)
CONTACT_FIELDS = ("customer", "name", "mobile", "email", "title", "birthday")
LEAD_FIELDS = (
    "company_name",
    "contact_name",
    "mobile",
    "email",
    "credit_code",
    "source",
    "need",
    "region",
    "industry",
    "owner",
    # What brought the lead in (the marketing module's figures).
    "marketing_event",
    "ad_placement",
    "campaign",
)


def _check_owner(tenant, owner) -> None:
    if owner is not None and owner.tenant_id != tenant.pk:
        raise Invalid(fields={"owner": [_("Unknown user.")]})


def _clean_email(data: dict[str, Any]) -> None:
    """The e-mail like the API's ``EmailField``: trimmed (full-width folded), then checked."""
    if "email" not in data:
        return
    value = halfwidth(data["email"] or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise Invalid(fields={"email": [_("Enter a valid e-mail address.")]}) from None
    data["email"] = value


def _customer_key(customer: Customer) -> str:
    return build_search_key(customer.name, phones=(customer.phone, customer.mobile))


def _labels(data: dict[str, Any]):
    """Pop the groups and tags (kept off the row; ``None``: leave them as they are)."""
    from crm.customers.groups import clean_tags

    groups = data.pop("groups", None)
    tags = data.pop("tags", None)
    return groups, (clean_tags(tags) if tags is not None else None)


def _set_labels(customer: Customer, groups, tags) -> dict[str, Any]:
    from crm.customers.groups import set_customer_groups, set_customer_tags

    changes: dict[str, Any] = {}
    cache = getattr(customer, "_prefetched_objects_cache", {})
    cache.pop("tag_rows", None)  # the answer shows what was just stored
    cache.pop("groups", None)
    if groups is not None and (changed := set_customer_groups(customer, groups)):
        changes["groups"] = changed
    if tags is not None and (changed := set_customer_tags(customer, tags)):
        changes["tags"] = changed
    return changes


def customer_create(*, tenant, actor, **data: Any) -> Customer:
    """Create a customer owned by ``owner`` (default: its creator); its pool clock starts.

    With neither (a system path: ``actor=None``) the customer enters the public
    pool, as one released there does (pooled status, ``pooled_at``), so that
    anyone may claim it."""
    _check_owner(tenant, data.get("owner"))
    groups, tags = _labels(data)
    _clean_email(data)
    if data.get("owner") is None:
        data["owner"] = actor
    if data["owner"] is None:
        data["status"] = CustomerStatus.POOLED
        data["pooled_at"] = timezone.now()

    def prepare(customer: Customer) -> None:
        customer.owned_since = timezone.now() if customer.owner_id else None
        customer.search_key = _customer_key(customer)

    with transaction.atomic():
        customer = audited_create(
            Customer,
            tenant=tenant,
            actor=actor,
            fields=data,
            audit_fields=[f for f in (*CUSTOMER_FIELDS, "status") if f in data],
            prepare=prepare,
            extra_changes={"groups": [g.pk for g in groups or ()], "tags": tags or []}
            if groups or tags
            else None,
        )
        _set_labels(customer, groups, tags)
        if customer.owner_id:
            reminders.on_create(customer)
    return customer


def customer_update(customer: Customer, *, tenant, actor, **data: Any) -> Customer:
    """Edit a customer's fields; a new owner (or level) restarts its pool clock.

    Who owns a pooled customer moves only through ``claim``: an owner sent for a
    customer in the pool is refused."""
    _check_owner(tenant, data.get("owner"))
    _clean_email(data)
    groups, tags = _labels(data)
    if customer.status == CustomerStatus.POOLED and data.get("owner") is not None:
        raise Invalid(fields={"owner": [_("Claim the customer from the public pool first.")]})
    if customer.status == CustomerStatus.OWNED and "owner" in data and data["owner"] is None:
        # No owner means the pool, which a customer enters only by its release step
        # (reason, audit, reminders); a cleared owner would leave it unclaimable.
        message = _("Release the customer to the public pool instead of clearing its owner.")
        raise Invalid(fields={"owner": [message]})
    with transaction.atomic():
        owned_since = customer.owned_since
        if "owner" in data and data["owner"] != customer.owner:
            customer.owned_since = timezone.now()
        changes = audited_update(
            customer,
            tenant=tenant,
            actor=actor,
            fields=data,
            allowed=CUSTOMER_FIELDS,
            key_fn=_customer_key,
            extra_fields=["owned_since"],
            extra_changes=_set_labels(customer, groups, tags),
        )
        if not changes:
            customer.owned_since = owned_since
        elif ("owner" in changes or "level" in changes) and customer.status == CustomerStatus.OWNED:
            reminders.reschedule(customer, CUSTOMER_IDLE_RULES)
    return customer


def customer_activity_logged(*, customer_id: int, occurred_at) -> None:
    """An activity or follow-up on a customer pushes back its pool reminders."""
    customer = Customer.objects.select_for_update().select_related("tenant").get(pk=customer_id)
    if customer.last_activity_at is not None and occurred_at <= customer.last_activity_at:
        return
    customer.last_activity_at = occurred_at
    customer.save(update_fields=["last_activity_at"])
    if customer.status == CustomerStatus.OWNED:
        reminders.reschedule(customer, CUSTOMER_IDLE_RULES)


def customer_delete(customer: Customer, *, tenant, actor) -> None:
    """A customer still referred to (opportunities, contracts...) answers 409 ``protected``;
    its reminders (pool clock) go with it."""
    audited_delete(customer, tenant=tenant, actor=actor, before_delete=reminders.cancel)


def _contact_key(contact: Contact) -> str:
    return build_search_key(contact.name, phones=(contact.mobile,))


def contact_create(*, tenant, actor, **data: Any) -> Contact:
    return audited_create(
        Contact,
        tenant=tenant,
        actor=actor,
        fields=data,
        audit_fields=[f for f in CONTACT_FIELDS if f in data],
        key_fn=_contact_key,
    )


def contact_update(contact: Contact, *, tenant, actor, **data: Any) -> Contact:
    audited_update(
        contact,
        tenant=tenant,
        actor=actor,
        fields=data,
        allowed=CONTACT_FIELDS,
        key_fn=_contact_key,
    )
    return contact


def contact_delete(contact: Contact, *, tenant, actor) -> None:
    audited_delete(contact, tenant=tenant, actor=actor)


def _lead_key(lead: Lead) -> str:
    return build_search_key(lead.company_name, lead.contact_name, phones=(lead.mobile,))


def lead_create(*, tenant, actor, **data: Any) -> Lead:
    """Create a lead and schedule its reminders. An owner given wins; without one
    (omitted or None) the first matching assignment rule picks it, else the creator."""
    _check_owner(tenant, data.get("owner"))

    def prepare(lead: Lead) -> None:
        lead.owned_since = timezone.now() if lead.owner_id else None
        lead.search_key = _lead_key(lead)

    with transaction.atomic():
        if data.get("owner") is None:
            data["owner"] = _assigned_owner(tenant, data) or actor
        lead = audited_create(
            Lead,
            tenant=tenant,
            actor=actor,
            fields=data,
            audit_fields=[f for f in LEAD_FIELDS if f in data],
            prepare=prepare,
        )
        reminders.on_create(lead)
    return lead


def _assigned_owner(tenant, data: dict[str, Any]):
    from crm.core.models import User
    from crm.customers.assignment import owner_for_new_lead

    chosen = owner_for_new_lead(
        tenant=tenant,
        source=data.get("source"),
        region=data.get("region") or "",
        industry=data.get("industry"),
        campaign=data.get("campaign"),
    )
    return User.objects.get(pk=chosen) if chosen else None


def lead_update(lead: Lead, *, tenant, actor, **data: Any) -> Lead:
    """Edit a lead's fields (the status moves only through transitions); a new owner
    restarts the ownership clock and its reminders."""
    _check_owner(tenant, data.get("owner"))
    with transaction.atomic():
        owned_since = lead.owned_since
        if "owner" in data and data["owner"] != lead.owner:
            lead.owned_since = timezone.now()
        changes = audited_update(
            lead,
            tenant=tenant,
            actor=actor,
            fields=data,
            allowed=LEAD_FIELDS,
            key_fn=_lead_key,
            extra_fields=["owned_since"],
        )
        if not changes:
            lead.owned_since = owned_since
        elif "owner" in changes:
            reminders.cancel(lead)
            reminders.on_create(lead)
    return lead


def lead_delete(lead: Lead, *, tenant, actor) -> None:
    audited_delete(lead, tenant=tenant, actor=actor, before_delete=reminders.cancel)


def lead_activity_logged(*, lead_id: int, occurred_at) -> None:
    """Count an activity on a lead and push back its idle (pool) reminders."""
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    lead.activity_count += 1
    if lead.last_activity_at is None or occurred_at > lead.last_activity_at:
        lead.last_activity_at = occurred_at
    lead.save(update_fields=["activity_count", "last_activity_at"])
    reminders.reschedule(lead, ("lead.pool_warning", "lead.auto_pool"))


def customer_for_converted_lead(*, lead: Lead, actor, into_customer_id=None) -> Customer:
    """Convert's work inside the transition: a new customer and contact, or a merge."""
    tenant = lead.tenant
    if into_customer_id:
        customer = Customer.objects.get(tenant=tenant, pk=into_customer_id)
    else:
        customer = customer_create(
            tenant=tenant,
            actor=actor,
            name=lead.company_name,
            credit_code=lead.credit_code,
            source=lead.source,
            owner=lead.owner or actor,
            phone=lead.mobile,
            email=lead.email,
        )
    if lead.contact_name:
        exists = lead.mobile and Contact.objects.filter(customer=customer, mobile=lead.mobile)
        if not (exists and exists.exists()):
            contact_create(
                tenant=tenant,
                actor=actor,
                customer=customer,
                name=lead.contact_name,
                mobile=lead.mobile,
                email=lead.email,
            )
    return customer
