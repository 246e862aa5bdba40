"""Reads for customers, contacts and leads."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from crm.core.validators import strip_invisible
from crm.customers.models import Contact, Customer, Lead


def find_duplicate_customer(
    *, tenant_id: int, name: str, credit_code: str = "", mobile: str = "", exclude_id=None
) -> tuple[Customer | None, str]:
    """The first existing customer matching by credit code, mobile or name, and which field."""
    base = Customer.objects.filter(tenant_id=tenant_id)
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    if credit_code:
        found = base.filter(credit_code=credit_code).first()
        if found:
            return found, _("unified social credit code")
    if mobile:
        found = base.filter(Q(phone=mobile) | Q(mobile=mobile) | Q(contacts__mobile=mobile)).first()
        if found:
            return found, _("mobile number")
    if name:
        found = base.filter(name=strip_invisible(name).strip()).first()
        if found:
            return found, _("name")
    return None, ""


def leads_for_list(queryset: QuerySet[Lead]) -> QuerySet[Lead]:
    return queryset.select_related(
        "owner", "source", "industry", "campaign", "marketing_event", "ad_placement"
    )


def customers_for_list(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Customers with their labels and ``pool_due_at``: when the pending return to
    the pool is due (the ``customer.auto_pool`` reminder), one subquery, so the
    list's ``days_until_pool`` costs no query per row."""
    return queryset.select_related("owner", "industry", "level", "source").annotate(
        pool_due_at=pool_due_subquery()
    )


def pool_due_subquery() -> Subquery:
    from workflows.models import Reminder

    ct = ContentType.objects.get_for_model(Customer)
    due = Reminder.objects.filter(
        content_type=ct,
        object_id=OuterRef("pk"),
        rule="customer.auto_pool",
        status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED],
    ).order_by("due_at")
    return Subquery(due.values("due_at")[:1])


def contacts_for_list(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    return queryset.select_related("customer")
