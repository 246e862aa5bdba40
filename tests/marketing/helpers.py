"""Small builders for the marketing tests: items with stock, requisitions moved along."""

from __future__ import annotations

from decimal import Decimal

from crm.core.models import DictionaryItem
from crm.marketing import services
from crm.marketing.models import StockItem
from workflows.engine import transition

D = Decimal


def item(admin, code="G1", name="礼品A", *, cost="10.00", threshold="0", stock=None) -> StockItem:
    category = DictionaryItem.objects.get(tenant=admin.tenant, kind="stock_category", code="gift")
    obj = services.stock_item_create(
        tenant=admin.tenant,
        actor=admin,
        code=code,
        name=name,
        category=category,
        unit="个",
        unit_cost=D(cost),
        low_stock_threshold=D(threshold),
    )
    if stock:
        receive(admin, [(obj, stock)])
    return obj


def lines(*pairs):
    return [{"item": it, "quantity": D(str(q))} for it, q in pairs]


def move(model, obj, name, actor, **inputs):
    return transition(
        model=model, pk=obj.pk, name=name, tenant=actor.tenant, actor=actor, inputs=inputs
    )


def receive(actor, pairs):
    from crm.marketing.models import StockReceipt

    doc = services.receipt_create(tenant=actor.tenant, actor=actor, lines=lines(*pairs))
    return move(StockReceipt, doc, "confirm", actor)


def requisition(requester, pairs, **data):
    data.setdefault("purpose", "展会赠品")
    return services.requisition_create(
        tenant=requester.tenant, actor=requester, lines=lines(*pairs), **data
    )


def issued(requester, approver, keeper, pairs, **data):
    from crm.marketing.models import Requisition

    req = requisition(requester, pairs, **data)
    move(Requisition, req, "submit", requester)
    move(Requisition, req, "approve", approver)
    return move(Requisition, req, "issue", keeper)


def on_hand(it) -> Decimal:
    return StockItem.objects.get(pk=it.pk).quantity_on_hand
