"""Reads of the marketing module: list querysets, stock keepers and approvers,
low stock, and the figures of events and channels (cost, leads, cost per lead)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from crm.core.models import Role, User
from crm.core.permissions import transition_code
from crm.marketing.models import (
    ZERO,
    EventExpense,
    MarketingEvent,
    Requisition,
    RequisitionLine,
    StockBalance,
    StockItem,
    StockReturnLine,
)
from crm.marketing.permissions import STOCK_KEEPER
from workflows.requisition import RequisitionStatus
from workflows.stock import StockDocumentStatus

MONEY = DecimalField(max_digits=16, decimal_places=2)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


# --- lists -------------------------------------------------------------------------------


def stock_items_for_list(queryset: QuerySet) -> QuerySet:
    """Items with their quantity on hand and its value, in one query."""
    on_hand = Coalesce(F("balance__quantity"), Value(ZERO), output_field=MONEY)
    return queryset.select_related("category").annotate(
        on_hand=on_hand,
        stock_value_=ExpressionWrapper(on_hand * F("unit_cost"), output_field=MONEY),
    )


def documents_for_list(queryset: QuerySet, *related: str) -> QuerySet:
    return queryset.select_related("created_by", "confirmed_by", *related).prefetch_related(
        Prefetch("lines", queryset=_line_qs(queryset.model))
    )


def _line_qs(model) -> QuerySet:
    return model._meta.get_field("lines").related_model._base_manager.select_related("item")


# --- people ------------------------------------------------------------------------------


def stock_keepers(tenant) -> list[User]:
    """Active users with the 库管 role, else anyone who may issue requisitions."""
    users = list(
        User.objects.filter(
            tenant=tenant, is_active=True, is_system=False, roles__name=STOCK_KEEPER
        )
        .distinct()
        .order_by("id")
    )
    if users:
        return users
    return [
        u
        for u in User.objects.filter(tenant=tenant, is_active=True, is_system=False).order_by("id")
        if u.has_code(transition_code("requisition", "issue"))
    ]


def requisition_approver(req: Requisition) -> User | None:
    """Who is reminded of a waiting requisition: the requester's team leader when they may
    approve, else the first colleague who may (never the requester)."""
    code = transition_code("requisition", "approve")
    requester = req.requester
    team = requester.team if requester is not None else None
    leader = team.leader if team is not None else None
    if leader and leader.is_active and leader.pk != req.requester_id and leader.has_code(code):
        return leader
    roles = [r.pk for r in Role.objects.filter(tenant_id=req.tenant_id) if code in r.permissions]
    return (
        User.objects.filter(tenant_id=req.tenant_id, is_active=True, roles__in=roles)
        .exclude(pk=req.requester_id)
        .order_by("id")
        .first()
    )


def low_stock_lines(req: Requisition) -> list[tuple[StockItem, Decimal]]:
    """The requisition's items now at or below their low-stock threshold, with what is left."""
    item_ids = req.lines.values_list("item_id", flat=True)
    rows = StockBalance.objects.filter(
        item_id__in=item_ids, quantity__lte=F("item__low_stock_threshold")
    ).select_related("item")
    return [(b.item, b.quantity) for b in rows.order_by("item__code")]


# --- figures -------------------------------------------------------------------------------


def requisition_cost(event_ids) -> dict[int, Decimal]:
    """Per event: the cost of the goods issued for it less what came back on returns."""
    return goods_cost("marketing_event", event_ids)


def goods_cost(link: str, ids) -> dict[int, Decimal]:
    """Per marketing event or campaign (``link`` is the requisition's field naming it):
    the cost of the goods issued on its requisitions less what came back on confirmed
    returns, at the costs frozen on the lines. Two grouped queries for any number of ids."""
    key = f"requisition__{link}_id"
    issued = (
        RequisitionLine.objects.filter(
            **{f"{key}__in": ids}, requisition__status=RequisitionStatus.ISSUED
        )
        .values(key)
        .annotate(v=Sum(F("quantity") * F("unit_cost"), output_field=MONEY))
    )
    returned = (
        StockReturnLine.objects.filter(
            **{f"stock_return__{key}__in": ids},
            stock_return__status=StockDocumentStatus.CONFIRMED,
        )
        .values(f"stock_return__{key}")
        .annotate(v=Sum(F("quantity") * F("unit_cost"), output_field=MONEY))
    )
    out: dict[int, Decimal] = {}
    for row in issued:
        out[row[key]] = out.get(row[key], ZERO) + row["v"]
    for row in returned:
        k = row[f"stock_return__{key}"]
        out[k] = out.get(k, ZERO) - row["v"]
    return out


def event_figures(events: list[MarketingEvent]) -> dict[int, dict]:
    """Cost (expenses + goods), leads, opportunities, won amount and cost per lead per event,
    in a fixed number of queries for any number of events."""
    from crm.customers.models import Lead
    from crm.sales.models import Opportunity
    from workflows.opportunity import OpportunityStatus

    ids = [e.pk for e in events]
    expenses = dict(
        EventExpense.objects.filter(event_id__in=ids)
        .values("event_id")
        .annotate(v=Sum("amount"))
        .values_list("event_id", "v")
    )
    goods = requisition_cost(ids)
    leads = dict(
        Lead.objects.filter(marketing_event_id__in=ids)
        .values("marketing_event_id")
        .annotate(n=Count("id"))
        .values_list("marketing_event_id", "n")
    )
    opps = {
        row["lead__marketing_event_id"]: row
        for row in Opportunity.objects.filter(lead__marketing_event_id__in=ids)
        .values("lead__marketing_event_id")
        .annotate(
            n=Count("id"),
            won=Coalesce(
                Sum("amount", filter=_won_q(OpportunityStatus)), Value(ZERO), output_field=MONEY
            ),
        )
    }
    out = {}
    for pk in ids:
        expense = _money(expenses.get(pk))
        goods_cost = _money(goods.get(pk))
        cost = expense + goods_cost
        n_leads = leads.get(pk, 0)
        opp = opps.get(pk, {})
        out[pk] = {
            "expense_cost": expense,
            "goods_cost": goods_cost,
            "cost": cost,
            "leads": n_leads,
            "opportunities": opp.get("n", 0),
            "won_amount": _money(opp.get("won")),
            "cost_per_lead": _money(cost / n_leads) if n_leads else None,
        }
    return out


def _won_q(status):
    from django.db.models import Q

    return Q(status=status.WON)
