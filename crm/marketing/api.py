"""REST endpoints of the marketing module (registered by crm/api_router.py)."""

from __future__ import annotations

import django_filters
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.api.export import ExportMixin
from crm.core.api.filters import SearchFilterSet, TenantFilterSet
from crm.core.api.viewsets import DocumentViewSet, TenantReadOnlyViewSet
from crm.marketing import printing, selectors, services
from crm.marketing import serializers as s
from crm.marketing.models import (
    AdPlacement,
    DocumentKind,
    MarketingEvent,
    Requisition,
    StockAdjustment,
    StockItem,
    StockMovement,
    StockReceipt,
    StockReturn,
)
from crm.reports.selectors import marketing as marketing_reports
from crm.sales.api import PrintableMixin
from workflows.api import ProcessViewSet
from workflows.marketing_event import MarketingEventStatus
from workflows.requisition import RequisitionStatus
from workflows.stock import StockDocumentStatus

# --- stock items and the ledger -------------------------------------------------------


class StockItemFilter(SearchFilterSet):
    class Meta:
        model = StockItem
        fields = ["active", "code", "category"]


class StockItemViewSet(DocumentViewSet):
    """Stock items with the quantity on hand (its balance row, kept with every movement)."""

    model = StockItem
    serializer_class = s.StockItemSerializer
    filterset_class = StockItemFilter
    permission_module = "marketing.stock_item"
    ordering_fields = ["id", "code", "name", "unit_cost", "on_hand", "stock_value_"]
    ordering = ["code"]
    create_service = staticmethod(services.stock_item_create)
    update_service = staticmethod(services.stock_item_update)
    delete_service = staticmethod(services.stock_item_delete)

    def get_queryset(self):
        return selectors.stock_items_for_list(super().get_queryset())


class StockMovementFilter(TenantFilterSet):
    document_kind = django_filters.MultipleChoiceFilter(choices=DocumentKind.choices)
    at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = StockMovement
        fields = ["item", "document_kind", "document_id"]


class StockMovementViewSet(ExportMixin, TenantReadOnlyViewSet):
    """The ledger, read-only: every change of quantity with its document."""

    model = StockMovement
    serializer_class = s.StockMovementSerializer
    filterset_class = StockMovementFilter
    permission_module = "marketing.stock_movement"
    ordering_fields = ["id", "at", "quantity"]
    ordering = ["-at", "-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("item", "actor")


# --- stock documents -------------------------------------------------------------------


def _document_filter(model_, choices, extra=()):
    class Filter(TenantFilterSet):
        status = django_filters.MultipleChoiceFilter(choices=choices)
        created_at = django_filters.IsoDateTimeFromToRangeFilter()

        class Meta:
            model = model_
            fields = ["status", "number", *extra]

    Filter.__name__ = f"{model_.__name__}Filter"
    return Filter


class _StockDocumentViewSet(ProcessViewSet):
    ordering_fields = ["id", "number", "created_at"]
    ordering = ["-id"]
    delete_service = staticmethod(services.document_delete)
    editable_check = staticmethod(services.ensure_draft)
    related: tuple[str, ...] = ()

    def get_queryset(self):
        return selectors.documents_for_list(super().get_queryset(), *self.related)


class PrintableStockDocumentMixin(PrintableMixin):
    """``GET /<collection>/{id}/document/?as=html|pdf``: the A4 form to print and
    sign (``crm.marketing.printing``), through the sales documents' action."""

    printer = printing


class StockReceiptViewSet(PrintableStockDocumentMixin, _StockDocumentViewSet):
    model = StockReceipt
    serializer_class = s.StockReceiptDetailSerializer
    list_serializer_class = s.StockReceiptSerializer
    filterset_class = _document_filter(StockReceipt, StockDocumentStatus.choices)
    permission_module = "marketing.stock_receipt"
    create_service = staticmethod(services.receipt_create)
    update_service = staticmethod(services.receipt_update)


class StockAdjustmentViewSet(_StockDocumentViewSet):
    model = StockAdjustment
    serializer_class = s.StockAdjustmentDetailSerializer
    list_serializer_class = s.StockAdjustmentSerializer
    filterset_class = _document_filter(StockAdjustment, StockDocumentStatus.choices)
    permission_module = "marketing.stock_adjustment"
    create_service = staticmethod(services.adjustment_create)
    update_service = staticmethod(services.adjustment_update)


class RequisitionViewSet(PrintableStockDocumentMixin, _StockDocumentViewSet):
    """Requisitions (领料): submit, approve (not your own), issue (moves the stock)."""

    model = Requisition
    serializer_class = s.RequisitionDetailSerializer
    list_serializer_class = s.RequisitionSerializer
    filterset_class = _document_filter(
        Requisition, RequisitionStatus.choices, ("requester", "marketing_event", "campaign")
    )
    permission_module = "marketing.requisition"
    owner_field = "requester"
    create_service = staticmethod(services.requisition_create)
    update_service = staticmethod(services.requisition_update)
    related = ("requester", "approved_by", "issued_by", "marketing_event", "campaign")

    @extend_schema(responses=s.RequisitionSummarySerializer(many=True))
    @action(detail=False, methods=["get"], code_verb="view", pagination_class=None)
    def summary(self, request):
        """Issued requisitions of the list (same filters and data scope) per department
        and purpose: their number and the net cost of the goods."""
        rows = marketing_reports.requisition_summary(self.filter_queryset(self.get_queryset()))
        return Response(s.RequisitionSummarySerializer(rows, many=True).data)


class StockReturnViewSet(PrintableStockDocumentMixin, _StockDocumentViewSet):
    """Returns (退料) against an issued requisition: at most what was issued."""

    model = StockReturn
    serializer_class = s.StockReturnDetailSerializer
    list_serializer_class = s.StockReturnSerializer
    filterset_class = _document_filter(StockReturn, StockDocumentStatus.choices, ("requisition",))
    permission_module = "marketing.stock_return"
    create_service = staticmethod(services.return_create)
    update_service = staticmethod(services.return_update)
    related = ("requisition",)


# --- events and placements -------------------------------------------------------------


class MarketingEventFilter(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MarketingEventStatus.choices)
    type = django_filters.MultipleChoiceFilter(choices=MarketingEvent.Type.choices)
    starts_on = django_filters.DateFromToRangeFilter()

    class Meta:
        model = MarketingEvent
        fields = ["status", "type", "owner", "campaign"]


class MarketingEventViewSet(ProcessViewSet):
    """Marketing events; a record shows its figures (cost, leads, cost per lead)."""

    model = MarketingEvent
    serializer_class = s.MarketingEventDetailSerializer
    list_serializer_class = s.MarketingEventSerializer
    filterset_class = MarketingEventFilter
    permission_module = "marketing.event"
    owner_field = "owner"
    include_unowned = True
    ordering_fields = ["id", "name", "starts_on", "budget", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.marketing_event_create)
    update_service = staticmethod(services.marketing_event_update)
    delete_service = staticmethod(services.marketing_event_delete)

    @extend_schema(responses=s.EventRoiSerializer(many=True))
    @action(detail=False, methods=["get"], code_verb="view")
    def roi(self, request):
        """The events of the list (same filters) with their cost, leads, opportunities,
        won amount and cost per lead, a page at a time in a fixed number of queries."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "figures": selectors.event_figures(page)}
        data = s.EventRoiSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def get_queryset(self):
        queryset = super().get_queryset().select_related("owner", "campaign")
        if self.action not in (*self.list_actions, "roi"):
            queryset = queryset.prefetch_related(
                "expenses", "participants__customer", "participants__contact"
            )
        return queryset


class AdPlacementFilter(SearchFilterSet):
    starts_on = django_filters.DateFromToRangeFilter()

    class Meta:
        model = AdPlacement
        fields = ["channel"]


class AdPlacementViewSet(DocumentViewSet):
    """Advertising placements; ``channels/`` gives cost per lead and per won customer."""

    model = AdPlacement
    serializer_class = s.AdPlacementSerializer
    filterset_class = AdPlacementFilter
    permission_module = "marketing.ad_placement"
    ordering_fields = ["id", "name", "starts_on", "cost"]
    ordering = ["-id"]
    create_service = staticmethod(services.ad_placement_create)
    update_service = staticmethod(services.ad_placement_update)
    delete_service = staticmethod(services.ad_placement_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("channel").annotate(leads_n=Count("leads"))

    @extend_schema(responses=s.ChannelFiguresSerializer(many=True))
    @action(detail=False, methods=["get"], code_verb="view", pagination_class=None)
    def channels(self, request):
        """Per channel: cost, leads, won customers, cost per lead and per won customer."""
        rows = marketing_reports.channel_figures(AdPlacement.objects.filter(tenant=request.tenant))
        return Response(s.ChannelFiguresSerializer(rows, many=True).data)


def register_routes(router) -> list:
    """Register this module's viewsets on ``router``; return extra URL patterns."""
    router.register("stock-items", StockItemViewSet, basename="stock-item")
    router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
    router.register("stock-receipts", StockReceiptViewSet, basename="stock-receipt")
    router.register("stock-adjustments", StockAdjustmentViewSet, basename="stock-adjustment")
    router.register("requisitions", RequisitionViewSet, basename="requisition")
    router.register("stock-returns", StockReturnViewSet, basename="stock-return")
    router.register("marketing-events", MarketingEventViewSet, basename="marketing-event")
    router.register("ad-placements", AdPlacementViewSet, basename="ad-placement")
    from crm.marketing.campaign_api import register_routes as campaign_routes

    return campaign_routes(router)
