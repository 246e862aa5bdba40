"""Factories of the marketing models for the endpoint walkers (tenant isolation,
foreign keys in bodies): ``tests/core/factories.py`` imports this module.

Requisitions are made issued, so the tenant's first requisition (the row the
foreign-key walker picks as "mine") is one a stock return may point at.
"""

from __future__ import annotations


def _register_walker_factories() -> None:
    from crm.core.models import DictionaryItem
    from crm.marketing import services
    from crm.marketing.models import (
        AdPlacement,
        MarketingEvent,
        Requisition,
        StockAdjustment,
        StockItem,
        StockMovement,
        StockReceipt,
        StockReturn,
    )
    from tests.conftest import make_user
    from tests.core.factories import factory, n
    from tests.marketing.helpers import D, issued, item, lines, receive

    def first_item(admin) -> StockItem:
        found = StockItem.objects.filter(tenant=admin.tenant).order_by("pk").first()
        return found or item(admin, f"W{n()}", "走查物品", stock=100)

    def line_payload(admin, quantity="1") -> list[dict]:
        return [{"item": first_item(admin).pk, "quantity": quantity}]

    def item_payload(admin):
        return {"code": f"W{n()}", "name": "走查物品", "unit": "个", "unit_cost": "1.00"}

    @factory(StockItem, payload=item_payload)
    def make_item(admin):
        return item(admin, f"W{n()}", "走查物品", stock=100)

    @factory(StockMovement)
    def make_movement(admin):
        doc = receive(admin, [(first_item(admin), 2)])
        return StockMovement.objects.get(
            tenant=admin.tenant, document_kind="receipt", document_id=doc.pk
        )

    @factory(StockReceipt, payload=lambda admin: {"lines": line_payload(admin)})
    def make_receipt(admin):
        return services.receipt_create(
            tenant=admin.tenant, actor=admin, lines=lines((first_item(admin), 1))
        )

    @factory(
        StockAdjustment,
        payload=lambda admin: {"reason": "盘点", "lines": line_payload(admin)},
    )
    def make_adjustment(admin):
        return services.adjustment_create(
            tenant=admin.tenant, actor=admin, reason="盘点", lines=lines((first_item(admin), 1))
        )

    def requisition_payload(admin):
        return {"purpose": "走查", "lines": line_payload(admin)}

    def first_issued(admin) -> Requisition:
        found = Requisition.objects.filter(tenant=admin.tenant, status="issued").order_by("pk")
        return found.first() or issued(
            admin, make_user(admin, "管理员"), admin, [(first_item(admin), 1)]
        )

    @factory(Requisition, payload=requisition_payload)
    def make_requisition(admin):
        """A draft (editable); the tenant's first requisition is an issued one."""
        first_issued(admin)
        return services.requisition_create(
            tenant=admin.tenant, actor=admin, purpose="走查", lines=lines((first_item(admin), 1))
        )

    def return_payload(admin):
        req = first_issued(admin)
        return {
            "requisition": req.pk,
            "lines": [{"item": req.lines.first().item_id, "quantity": "0.01"}],
        }

    @factory(StockReturn, payload=return_payload)
    def make_return(admin):
        req = first_issued(admin)
        return services.return_create(
            tenant=admin.tenant,
            actor=admin,
            requisition=req,
            lines=[{"item": req.lines.first().item, "quantity": D("0.01")}],
        )

    def event_payload(admin):
        return {"name": f"走查活动{n()}", "type": "seminar"}

    @factory(MarketingEvent, payload=event_payload)
    def make_event(admin):
        return services.marketing_event_create(
            tenant=admin.tenant, actor=admin, name=f"走查活动{n()}"
        )

    def ad_payload(admin):
        return {"name": f"走查广告{n()}", "cost": "10.00"}

    @factory(AdPlacement, payload=ad_payload)
    def make_ad(admin):
        channel = DictionaryItem.objects.filter(tenant=admin.tenant, kind="ad_channel").first()
        return services.ad_placement_create(
            tenant=admin.tenant, actor=admin, name=f"走查广告{n()}", channel=channel, cost=D(10)
        )


_register_walker_factories()
