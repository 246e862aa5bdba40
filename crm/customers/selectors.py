"""Reads for customers, contacts and leads."""

from __future__ import annotations

from django.db.models import Q, QuerySet
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
    return queryset.select_related("owner", "source")


def customers_for_list(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    return queryset.select_related("owner", "industry", "level", "source")


def contacts_for_list(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    return queryset.select_related("customer")
