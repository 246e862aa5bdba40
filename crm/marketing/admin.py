"""The operators' admin for the marketing module.

States never move here and stock never changes here. Confirmed documents
(receipts, adjustments, returns; issued or cancelled requisitions) are
read-only and cannot be deleted; drafts are edited and deleted through the same
services as the API. The ledger, balances, items, events and placements are
shown read-only (their writes are the API's services).
"""

from django.contrib import admin

from crm.core.admin import ReadOnlyAdminMixin
from crm.marketing import services
from crm.marketing.models import (
    AdPlacement,
    MarketingEvent,
    Requisition,
    RequisitionLine,
    StockAdjustment,
    StockAdjustmentLine,
    StockBalance,
    StockItem,
    StockMovement,
    StockReceipt,
    StockReceiptLine,
    StockReturn,
    StockReturnLine,
)
from crm.sales.admin import DocumentAdmin, ReadOnlyInline


def _lines(line_model):
    class Inline(ReadOnlyInline):
        model = line_model
        fields = ["item", "quantity", "unit_cost"]
        readonly_fields = fields

    Inline.__name__ = f"{line_model.__name__}Inline"
    return Inline


class StockDocumentAdmin(DocumentAdmin):
    list_display = ["number", "tenant", "status", "created_by", "created_at"]
    list_select_related = ["tenant", "created_by"]
    list_filter = ["status"]
    search_fields = ["number"]
    delete_service = staticmethod(services.document_delete)


@admin.register(StockReceipt)
class StockReceiptAdmin(StockDocumentAdmin):
    inlines = [_lines(StockReceiptLine)]
    editable_fields = ("supplier", "note")
    update_service = staticmethod(services.receipt_update)


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(StockDocumentAdmin):
    inlines = [_lines(StockAdjustmentLine)]
    editable_fields = ("reason", "note")
    update_service = staticmethod(services.adjustment_update)


@admin.register(Requisition)
class RequisitionAdmin(StockDocumentAdmin):
    inlines = [_lines(RequisitionLine)]
    list_display = ["number", "tenant", "status", "requester", "purpose", "created_at"]
    list_select_related = ["tenant", "requester"]
    editable_fields = ("purpose", "note")
    update_service = staticmethod(services.requisition_update)


@admin.register(StockReturn)
class StockReturnAdmin(StockDocumentAdmin):
    inlines = [_lines(StockReturnLine)]
    editable_fields = ("note",)
    update_service = staticmethod(services.return_update)


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "tenant", "unit", "unit_cost", "active"]
    list_select_related = ["tenant"]
    search_fields = ["code", "name"]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["item", "tenant", "quantity"]
    list_select_related = ["item", "tenant"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "at",
        "tenant",
        "item",
        "quantity",
        "unit_cost",
        "document_kind",
        "document_number",
    ]
    list_select_related = ["tenant", "item"]
    list_filter = ["document_kind"]


@admin.register(MarketingEvent)
class MarketingEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "tenant", "type", "status", "starts_on", "budget"]
    list_select_related = ["tenant"]
    list_filter = ["status", "type"]


@admin.register(AdPlacement)
class AdPlacementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "tenant", "channel", "starts_on", "cost"]
    list_select_related = ["tenant", "channel"]
