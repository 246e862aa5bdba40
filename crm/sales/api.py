"""REST endpoints of the sales module (registered by crm/api_router.py)."""

from __future__ import annotations

import django_filters
from django.db.models import F
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.api.filters import SearchFilterSet, TenantFilterSet
from crm.core.api.viewsets import DocumentViewSet, RecordViewSet
from crm.core.errors import Invalid
from crm.sales import approvals, documents, selectors, services
from crm.sales import serializers as s
from crm.sales.models import (
    ApprovalBand,
    Contract,
    Opportunity,
    Payment,
    Product,
    Quote,
    Requirement,
    Solution,
)
from workflows.api import ProcessViewSet
from workflows.contract import ContractStatus
from workflows.opportunity import OpportunityStatus
from workflows.payment import PaymentStatus
from workflows.quote import QuoteStatus

# --- products ------------------------------------------------------------------


class ProductFilter(SearchFilterSet):
    class Meta:
        model = Product
        fields = ["active", "code"]


class ProductViewSet(DocumentViewSet):
    model = Product
    serializer_class = s.ProductSerializer
    filterset_class = ProductFilter
    permission_module = "sales.product"
    ordering_fields = ["id", "code", "name", "price"]
    ordering = ["code"]
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    delete_service = staticmethod(services.product_delete)


# --- opportunities -------------------------------------------------------------


class OpportunityFilter(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OpportunityStatus.choices)
    amount__gte = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount__lte = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")
    expected_close_date = django_filters.DateFromToRangeFilter()
    created_at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = Opportunity
        fields = ["owner", "customer", "source", "status", "lead"]


class OpportunityViewSet(ProcessViewSet):
    """Opportunities; ``GET ?view=board`` or ``/board/`` gives the kanban columns."""

    model = Opportunity
    serializer_class = s.OpportunityDetailSerializer
    list_serializer_class = s.OpportunitySerializer
    filterset_class = OpportunityFilter
    permission_module = "sales.opportunity"
    owner_field = "owner"
    ordering_fields = ["id", "name", "amount", "expected_close_date", "created_at", "updated_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.opportunity_create)
    update_service = staticmethod(services.opportunity_update)
    delete_service = staticmethod(services.opportunity_delete)

    def get_queryset(self):
        return selectors.opportunities_for_list(super().get_queryset())

    def list(self, request, *args, **kwargs):
        if request.query_params.get("view") == "board":
            return self.board(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses=s.BoardColumnSerializer(many=True),
        parameters=[OpenApiParameter("limit", int, description="cards per stage (max 200)")],
    )
    @action(detail=False, methods=["get"], code_verb="view", pagination_class=None)
    def board(self, request):
        """Kanban: opportunities grouped by stage with count, amount and weighted totals.

        Moving a card is ``POST /opportunities/{id}/transitions/<stage>/`` (guards apply).
        """
        try:
            limit = max(1, min(200, int(request.query_params.get("limit", 50))))
        except ValueError:
            raise Invalid(fields={"limit": [_("Enter a whole number.")]}) from None
        queryset = self.filter_queryset(self.get_queryset())
        columns = selectors.board(queryset, request.tenant, limit=limit)
        context = self.get_serializer_context()
        return Response(s.BoardColumnSerializer(columns, many=True, context=context).data)


# --- requirements and solutions ---------------------------------------------------


class RequirementViewSet(RecordViewSet):
    model = Requirement
    serializer_class = s.RequirementSerializer
    filterset_fields = ["opportunity", "priority"]
    permission_module = "sales.requirement"
    owner_field = "opportunity__owner"
    ordering = ["-id"]
    create_service = staticmethod(services.requirement_create)
    update_service = staticmethod(services.requirement_update)
    delete_service = staticmethod(services.requirement_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("created_by")


class SolutionViewSet(RecordViewSet):
    model = Solution
    serializer_class = s.SolutionSerializer
    filterset_fields = ["opportunity", "requirement"]
    permission_module = "sales.solution"
    owner_field = "opportunity__owner"
    ordering = ["-id"]
    create_service = staticmethod(services.solution_create)
    update_service = staticmethod(services.solution_update)
    delete_service = staticmethod(services.solution_delete)


# --- quotes -----------------------------------------------------------------------


class AwaitingMeFilter(django_filters.FilterSet):
    """``?awaiting_me=true``: the documents waiting for the user's approval (待我审批)."""

    awaiting_me = django_filters.BooleanFilter(
        method="filter_awaiting_me", label=_lazy("waiting for my approval")
    )

    def filter_awaiting_me(self, queryset, name, value):
        if value is None:
            return queryset
        ids = approvals.awaiting_ids(self.request.user, queryset.model)
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class AwaitingMeScopeMixin:
    """An approver opens and acts on what waits for them, whatever their data scope
    (the one exception to the scope; see ``crm.core.scoping.restrict``)."""

    def beyond_scope(self):
        return approvals.awaiting_q(self.request.user, self.model)


class PrintableMixin:
    """``GET /<collection>/{id}/document/?as=html|pdf``: the customer-facing A4
    document (``crm.sales.documents``); HTML for the browser's print dialog, PDF
    as a download. Whoever may open the record may print it. ``printer`` is the
    module that renders (``render_html``, ``render_pdf``): other documents reuse the
    action with their own."""

    printer = documents

    @extend_schema(
        parameters=[
            OpenApiParameter("as", str, enum=["html", "pdf"], description="html (default) or pdf")
        ],
        responses={
            (200, "text/html"): OpenApiTypes.STR,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"], code_verb="view", url_path="document")
    def document(self, request, pk=None):
        obj = self.get_object()
        kind = request.query_params.get("as", "html")
        if kind not in ("html", "pdf"):
            raise Invalid(fields={"as": [_("Choose html or pdf.")]})
        if kind == "html":
            html = self.printer.render_html(obj)
            return HttpResponse(html, content_type="text/html; charset=utf-8")
        data = self.printer.render_pdf(obj)
        name = documents.quote_code(obj) if isinstance(obj, Quote) else obj.number
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response


class QuoteFilter(AwaitingMeFilter, TenantFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=QuoteStatus.choices)
    # The 360 customer card links to a customer's quotes.
    customer = django_filters.NumberFilter(field_name="opportunity__customer")

    class Meta:
        model = Quote
        fields = ["opportunity", "status", "is_latest"]


class QuoteViewSet(PrintableMixin, AwaitingMeScopeMixin, ProcessViewSet):
    """Quotes: each row is one version (``version``); ``row_version`` is the lock counter."""

    model = Quote
    serializer_class = s.QuoteDetailSerializer
    list_serializer_class = s.QuoteSerializer
    filterset_class = QuoteFilter
    permission_module = "sales.quote"
    owner_field = "opportunity__owner"
    ordering_fields = ["id", "number", "total", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.quote_create)
    update_service = staticmethod(services.quote_update)
    delete_service = staticmethod(services.quote_delete)
    editable_check = staticmethod(services.quote_ensure_editable)

    def get_queryset(self):
        return selectors.quotes_for_list(super().get_queryset())

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "row_version" in data:
            response["ETag"] = f'"{data["row_version"]}"'
        return response


# --- contracts --------------------------------------------------------------------


class ContractFilter(AwaitingMeFilter, SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices)
    amount__gte = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount__lte = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")
    end_date = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Contract
        fields = ["customer", "opportunity", "owner", "status", "number"]


class ContractViewSet(PrintableMixin, AwaitingMeScopeMixin, ProcessViewSet):
    model = Contract
    serializer_class = s.ContractDetailSerializer
    list_serializer_class = s.ContractSerializer
    filterset_class = ContractFilter
    permission_module = "sales.contract"
    owner_field = "owner"
    ordering_fields = ["id", "number", "amount", "end_date", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.contract_create)
    update_service = staticmethod(services.contract_update)
    delete_service = staticmethod(services.contract_delete)
    editable_check = staticmethod(services.contract_ensure_editable)

    def get_queryset(self):
        return selectors.contracts_for_list(super().get_queryset()).select_related("tenant")


# --- payments ---------------------------------------------------------------------


class PaymentFilter(TenantFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PaymentStatus.choices)
    paid_at = django_filters.DateFromToRangeFilter()
    # The 360 customer card links to a customer's payments.
    customer = django_filters.NumberFilter(field_name="contract__customer")

    class Meta:
        model = Payment
        fields = ["contract", "installment", "status", "method"]


class PaymentViewSet(ProcessViewSet):
    """Payments; confirmed ones are corrected by ``reverse`` (both stay listed)."""

    model = Payment
    serializer_class = s.PaymentDetailSerializer
    list_serializer_class = s.PaymentSerializer
    filterset_class = PaymentFilter
    permission_module = "sales.payment"
    owner_field = "contract__owner"
    ordering_fields = ["id", "paid_at", "amount", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.payment_create)
    update_service = staticmethod(services.payment_update)
    delete_service = staticmethod(services.payment_delete)
    editable_check = staticmethod(services.payment_ensure_editable)

    def get_queryset(self):
        return selectors.payments_for_list(super().get_queryset())


# --- approval bands -------------------------------------------------------------------


class ApprovalBandViewSet(RecordViewSet):
    """Contract approval bands: amounts up to ``max_amount`` need ``permission``
    (the open band, ``max_amount`` null, covers everything above)."""

    model = ApprovalBand
    serializer_class = s.ApprovalBandSerializer
    permission_module = "sales.approval_band"
    ordering = None
    create_service = staticmethod(services.approval_band_create)
    update_service = staticmethod(services.approval_band_update)
    delete_service = staticmethod(services.approval_band_delete)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalBand._base_manager.none()
        return super().get_queryset().order_by(F("max_amount").asc(nulls_last=True), "id")


def register_routes(router) -> list:
    """Register this module's viewsets on ``router``; return extra URL patterns."""
    router.register("products", ProductViewSet, basename="product")
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("requirements", RequirementViewSet, basename="requirement")
    router.register("solutions", SolutionViewSet, basename="solution")
    router.register("quotes", QuoteViewSet, basename="quote")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("approval-bands", ApprovalBandViewSet, basename="approval-band")
    return []
