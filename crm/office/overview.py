"""The 360 customer card: ``GET /api/v1/customers/{id}/overview/``.

Each section is read through its own collection's viewset, so the permission code
and data scope of that collection apply (a section the user may not see is left
out); each costs two queries (its count and its first rows), whatever the rows.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

FIRST_ROWS = 5

# section -> (collection, filter on the customer, extra filters)
SECTIONS = {
    "contacts": ("contacts", "customer", {}),
    "leads": ("leads", "customer", {}),
    "opportunities": ("opportunities", "customer", {}),
    "quotes": ("quotes", "opportunity__customer", {}),
    "contracts": ("contracts", "customer", {}),
    "payments": ("payments", "contract__customer", {}),
    "complaints": ("complaints", "customer", {}),
    "tickets": ("tickets", "customer", {}),
    "projects": ("projects", "customer", {}),
    "follow_ups": ("follow-ups", "customer", {}),
    "visits": ("activities", "customer", {"kind": "visit"}),
}


def collection_queryset(request, collection: str, *, check_code: bool = True):
    """The collection's rows as its list shows them to the user (tenant and data
    scope), or None without its view permission (the section is then not shown);
    ``check_code=False``: the data scope alone decides."""
    from crm.core.api.collection_view import collection_view
    from crm.core.api.permissions import required_code
    from crm.core.modules import route_enabled

    if not route_enabled(request.user.tenant, f"/api/v1/{collection}/"):
        return None  # its module is switched off
    view = collection_view(request, collection, action="list")
    view.args = ()
    code = required_code(view)
    if check_code and code and not request.user.has_code(code):
        return None
    return view.get_queryset()


def _money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _row(section: str, obj) -> dict:
    row = {"id": obj.pk, "label": str(obj)}
    status = getattr(obj, "status", None)
    if status is not None:
        row["status"] = status
        getter = getattr(obj, "get_status_display", None)
        row["status_label"] = str(getter()) if getter else status
    if section == "opportunities":
        row["amount"] = _money(obj.amount)
    elif section == "quotes":
        row["amount"] = _money(obj.total)
    elif section == "contracts":
        row["amount"] = _money(obj.amount)
        row["collected"] = _money(obj.collected_amount)
        row["outstanding"] = _money(obj.amount - obj.collected_amount)
    elif section == "payments":
        row["amount"] = _money(obj.amount)
        row["paid_at"] = obj.paid_at
    elif section == "complaints":
        row["breached"] = obj.breached
        row["resolve_due_at"] = obj.resolve_due_at
        row["severity"] = obj.severity
    elif section in ("follow_ups",):
        row["due_at"] = obj.due_at
    elif section == "visits":
        row["occurred_at"] = obj.occurred_at
    return row


def customer_overview(request, customer) -> dict:
    sections = {}
    for section, (collection, field, extra) in SECTIONS.items():
        qs = collection_queryset(request, collection)
        if qs is None:
            continue
        qs = qs.filter(**{field: customer}, **extra).order_by("-pk")
        rows = list(qs[:FIRST_ROWS])
        count = qs.count()
        sections[section] = {
            "count": count,
            "results": [_row(section, obj) for obj in rows],
            "link": f"/{collection}?customer={customer.pk}"
            + "".join(f"&{k}={v}" for k, v in extra.items()),
        }
    if "contracts" in sections:
        qs = collection_queryset(request, "contracts").filter(customer=customer)
        from django.db.models import Sum

        totals = qs.exclude(status__in=["draft", "terminated"]).aggregate(
            amount=Sum("amount"), collected=Sum("collected_amount")
        )
        amount = totals["amount"] or Decimal(0)
        collected = totals["collected"] or Decimal(0)
        sections["contracts"]["totals"] = {
            "amount": _money(amount),
            "collected": _money(collected),
            "outstanding": _money(amount - collected),
        }
    return {"customer": {"id": customer.pk, "name": customer.name}, "sections": sections}


def attach_overview_action() -> None:
    """Give the customers collection its ``overview/`` action.

    The card reads sales and service records, which sit above the customers app,
    so the action is contributed from here rather than written in crm/customers;
    the customer is found by the customers viewset itself (its code and scope).
    """
    from crm.customers.api import CustomerViewSet

    def overview(self, request, pk=None):
        """The 360 customer card: its related records, each section with its count,
        first rows and a link to the filtered list, in a bounded number of queries."""
        return Response(customer_overview(request, self.get_object()))

    CustomerViewSet.overview = extend_schema(responses=OpenApiTypes.OBJECT)(
        action(detail=True, methods=["get"], code_verb="view", pagination_class=None)(overview)
    )
