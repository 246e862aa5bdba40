"""Helpers and field lists shared by the sales services."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Invalid

PRODUCT_FIELDS = ("code", "name", "unit", "price", "active")
OPPORTUNITY_FIELDS = (
    "name",
    "customer",
    "contact",
    "owner",
    "amount",
    "expected_close_date",
    "source",
)
REQUIREMENT_FIELDS = ("opportunity", "description", "priority")
SOLUTION_FIELDS = ("opportunity", "requirement", "title", "description")
QUOTE_FIELDS = ("valid_until", "note")
CONTRACT_FIELDS = (
    "customer",
    "opportunity",
    "quote",
    "title",
    "owner",
    "amount",
    "start_date",
    "end_date",
)
PAYMENT_FIELDS = ("installment", "amount", "paid_at", "method", "reference", "note")


# --- helpers -------------------------------------------------------------------


def _same_tenant(tenant, **objects) -> None:
    errors = {
        name: [_("Unknown record.")]
        for name, obj in objects.items()
        if obj is not None and getattr(obj, "tenant_id", tenant.pk) != tenant.pk
    }
    if errors:
        raise Invalid(fields=errors)


def _check_unknown(data: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise Invalid(fields={name: [_("This field cannot be changed.")] for name in unknown})


def _save_changes(obj, *, tenant, actor, changes: dict, extra_fields=()) -> None:
    concrete = {f.name for f in obj._meta.concrete_fields}
    fields = [name for name in (*changes, *extra_fields, "version") if name in concrete]
    if hasattr(obj, "updated_at"):
        fields.append("updated_at")
    obj.version += 1
    obj.save(update_fields=sorted(set(fields)))
    audit.record(tenant=tenant, actor=actor, action="update", obj=obj, changes=changes)


def _delete(obj, *, tenant, actor) -> None:
    try:
        with transaction.atomic():
            audit.record(tenant=tenant, actor=actor, action="delete", obj=obj)
            obj.delete()
    except ProtectedError:
        raise Invalid(
            fields={"non_field_errors": [_("This record is in use and cannot be deleted.")]}
        ) from None


def _money_positive(name: str, value, *, allow_zero=False) -> None:
    if value is None:
        return
    if value < 0 or (value == 0 and not allow_zero):
        raise Invalid(fields={name: [_("Enter an amount greater than zero.")]})
