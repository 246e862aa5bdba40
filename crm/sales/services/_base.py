"""Field lists and a money check shared by the sales services.

The audited create/update/delete helpers and the input checks are core's
(``crm.core.writes``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

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
    "campaign",
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


def check_claimed(customer, field: str = "customer") -> None:
    """A sales document goes on a claimed customer, for every user (an admin whose
    scope shows the pool too): one in the public pool (no owner) is claimed first.
    ``field`` names what the request sent (the customer, or the opportunity or
    quote it came from)."""
    if customer is not None and customer.owner_id is None:
        raise Invalid(fields={field: [_("This record is in the public pool: claim it first.")]})


def _money_positive(name: str, value, *, allow_zero=False) -> None:
    if value is None:
        return
    if value < 0 or (value == 0 and not allow_zero):
        raise Invalid(fields={name: [_("Enter an amount greater than zero.")]})
