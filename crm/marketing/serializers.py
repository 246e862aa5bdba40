"""Serializers of the marketing API. Writes go through crm.marketing.services."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.core.api.export import line_text
from crm.core.api.fields import DateField, RelatedLabelField, TextField
from crm.core.api.serializers import (
    ReplacedLinesMixin,
    TenantPrimaryKeyField,
    VisiblePrimaryKeyField,
)
from crm.core.limits import MAX_DOCUMENT_LINES
from crm.customers.api import dictionary_field, owner_field
from crm.customers.models import Contact, Customer
from crm.marketing import selectors
from crm.marketing.models import (
    AdPlacement,
    Campaign,
    MarketingEvent,
    Requisition,
    StockAdjustment,
    StockItem,
    StockMovement,
    StockReceipt,
    StockReturn,
)
from crm.sales.serializers import MoneyField, TransitionsField, WithTransitions
from workflows.requisition import RequisitionStatus


def _quantity(**kwargs):
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 2)
    return serializers.DecimalField(**kwargs)


def _status_label():
    return serializers.CharField(source="get_status_display", read_only=True)


class TotalField(serializers.DecimalField):
    """A computed figure (a sum of amounts, a cost per lead, an ROI), read only, with
    ``decimal_places`` places and no limit on its digits: a sum of money fields may pass
    what one holds (999,999,999,999.99 of expenses and goods besides), and the card,
    list or report shows it as it is instead of failing on it (a 500)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        kwargs["max_digits"] = None
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def quantize(self, value):
        places = self.decimal_places
        digits = max(value.adjusted() + 1, 1) + places
        context = Context(prec=max(digits, 28), rounding=self.rounding)
        return value.quantize(Decimal(1).scaleb(-places), context=context)


# --- stock items ---------------------------------------------------------------------


class StockItemSerializer(serializers.ModelSerializer):
    category = dictionary_field("stock_category", _("category"))
    category_label = RelatedLabelField(source="category.label")
    unit_cost = MoneyField(label=_("unit cost"), required=False, min_value=Decimal("0"))
    low_stock_threshold = _quantity(
        label=_("low-stock threshold"), required=False, min_value=Decimal("0")
    )
    quantity_on_hand = _quantity(label=_("quantity on hand"), read_only=True)
    stock_value = MoneyField(label=_("stock value"), read_only=True)

    class Meta:
        model = StockItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_label",
            "unit",
            "unit_cost",
            "low_stock_threshold",
            "quantity_on_hand",
            "stock_value",
            "active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


class StockMovementSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True, label=_("item code"))
    item_name = serializers.CharField(source="item.name", read_only=True)
    document_kind_label = serializers.CharField(source="get_document_kind_display", read_only=True)
    actor_name = RelatedLabelField(source="actor.display_name")

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "item",
            "item_code",
            "item_name",
            "quantity",
            "unit_cost",
            "document_kind",
            "document_kind_label",
            "document_id",
            "document_number",
            "actor",
            "actor_name",
            "at",
        ]
        read_only_fields = fields

    # The list export shows the document by its number: its id means nothing there.
    export_omit = ("document_id",)


# --- documents ---------------------------------------------------------------------


class StockLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    item = TenantPrimaryKeyField(label=_("stock item"), model=StockItem)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    # Signed on adjustments (+ found, - missing); the services check the sign.
    quantity = _quantity(label=_("quantity"))
    # Given on receipts (default: the item's cost); set by the process elsewhere.
    unit_cost = MoneyField(
        label=_("unit cost"), required=False, allow_null=True, min_value=Decimal("0")
    )

    @staticmethod
    def export_text(line) -> str:
        """The line in an export's cell: ``G01 保温杯 × 10.00 个 @ ¥30.00 = ¥300.00``."""
        name = " ".join(p for p in (line.get("item_code"), line.get("item_name")) if p)
        quantity, cost = line.get("quantity"), line.get("unit_cost")
        amount = None
        if quantity not in (None, "") and cost not in (None, ""):
            amount = Decimal(str(quantity)) * Decimal(str(cost))
        return line_text(name, quantity, line.get("unit") or "", price=cost, amount=amount)


def _lines():
    return StockLineSerializer(
        label=_("lines"), many=True, required=False, max_length=MAX_DOCUMENT_LINES
    )


DOCUMENT_FIELDS = [
    "id",
    "number",
    "status",
    "status_label",
    "lines",
    "note",
    "created_by",
    "created_by_name",
    "confirmed_at",
    "confirmed_by",
    "confirmed_by_name",
    "version",
    "created_at",
    "updated_at",
]
DOCUMENT_READ_ONLY = [
    "number",
    "status",
    "created_by",
    "confirmed_at",
    "confirmed_by",
    "version",
    "created_at",
    "updated_at",
]


class DocumentSerializer(serializers.ModelSerializer):
    lines = _lines()
    status_label = _status_label()
    created_by_name = RelatedLabelField(source="created_by.display_name")
    confirmed_by_name = RelatedLabelField(source="confirmed_by.display_name")


class StockReceiptSerializer(DocumentSerializer):
    class Meta:
        model = StockReceipt
        fields = [*DOCUMENT_FIELDS, "supplier"]
        read_only_fields = DOCUMENT_READ_ONLY


class StockAdjustmentSerializer(DocumentSerializer):
    class Meta:
        model = StockAdjustment
        fields = [*DOCUMENT_FIELDS, "reason"]
        read_only_fields = DOCUMENT_READ_ONLY


class RequisitionSerializer(DocumentSerializer):
    requester_name = RelatedLabelField(source="requester.display_name")
    # The event or campaign the goods are for: one the user sees in its list (the data
    # scope by owner; unowned ones are everyone's). One out of sight reads as an id that
    # does not exist; a draft keeps the link it has (test_campaign_link_scope.py).
    marketing_event = VisiblePrimaryKeyField(
        label=_("marketing event"),
        model=MarketingEvent,
        collection="marketing-events",
        required=False,
        allow_null=True,
    )
    marketing_event_name = RelatedLabelField(source="marketing_event.name")
    campaign = VisiblePrimaryKeyField(
        label=_("campaign"),
        model=Campaign,
        collection="campaigns",
        required=False,
        allow_null=True,
        help_text=_("Or a campaign: a requisition names an event or a campaign, not both."),
    )
    campaign_name = RelatedLabelField(source="campaign.name")
    approved_by_name = RelatedLabelField(source="approved_by.display_name")
    issued_by_name = RelatedLabelField(source="issued_by.display_name")
    total_cost = serializers.SerializerMethodField(label=_("cost"))

    class Meta:
        model = Requisition
        fields = [
            f
            for f in DOCUMENT_FIELDS
            if f not in ("confirmed_at", "confirmed_by", "confirmed_by_name")
        ] + [
            "requester",
            "requester_name",
            "purpose",
            "marketing_event",
            "marketing_event_name",
            "campaign",
            "campaign_name",
            "total_cost",
            "submitted_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "issued_by",
            "issued_by_name",
            "issued_at",
            "return_reason",
            "cancel_reason",
        ]
        read_only_fields = [
            *DOCUMENT_READ_ONLY,
            "requester",
            "submitted_at",
            "approved_by",
            "approved_at",
            "issued_by",
            "issued_at",
            "return_reason",
            "cancel_reason",
        ]
        extra_kwargs = {"purpose": {"required": True}}

    def get_total_cost(self, obj) -> str:
        total = sum((ln.quantity * ln.unit_cost for ln in obj.lines.all()), Decimal("0"))
        return str(total.quantize(Decimal("0.01")))


class StockReturnSerializer(DocumentSerializer):
    # Goods come back against an issued requisition only.
    requisition = VisiblePrimaryKeyField(
        label=_("requisition"),
        model=Requisition,
        collection="requisitions",
        filters={"status": RequisitionStatus.ISSUED},
    )
    requisition_number = serializers.CharField(source="requisition.number", read_only=True)

    class Meta:
        model = StockReturn
        fields = [*DOCUMENT_FIELDS, "requisition", "requisition_number"]
        read_only_fields = DOCUMENT_READ_ONLY


def _detail(base):
    class Detail(WithTransitions, base):
        transitions = TransitionsField()

        class Meta(base.Meta):
            fields = [*base.Meta.fields, "transitions"]

    Detail.__name__ = Detail.__qualname__ = base.__name__.replace("Serializer", "DetailSerializer")
    return Detail


StockReceiptDetailSerializer = _detail(StockReceiptSerializer)
StockAdjustmentDetailSerializer = _detail(StockAdjustmentSerializer)
RequisitionDetailSerializer = _detail(RequisitionSerializer)
StockReturnDetailSerializer = _detail(StockReturnSerializer)


# --- events and placements ---------------------------------------------------------


class EventExpenseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    description = serializers.CharField(label=_("description"), max_length=300)
    amount = MoneyField(label=_("amount"), min_value=Decimal("0"))
    spent_on = DateField(label=_("spent on"), required=False, allow_null=True)


class EventParticipantSerializer(ReplacedLinesMixin, serializers.Serializer):
    """A participant of a marketing event: a customer, a contact, or both."""

    # The rows are replaced on every save: one sent back keeps its customer or contact
    # even if it has since moved out of the user's sight.
    lines_of = MarketingEvent
    lines_relation = "participants"
    id = serializers.IntegerField(read_only=True)
    customer = VisiblePrimaryKeyField(
        label=_("customer"),
        model=Customer,
        collection="customers",
        required=False,
        allow_null=True,
    )
    customer_name = RelatedLabelField(source="customer.name")
    contact = VisiblePrimaryKeyField(
        label=_("contact"), model=Contact, collection="contacts", required=False, allow_null=True
    )
    contact_name = RelatedLabelField(source="contact.name")
    attended = serializers.BooleanField(label=_("attended"), required=False, default=False)
    note = serializers.CharField(label=_("note"), max_length=300, required=False, allow_blank=True)


class EventFiguresSerializer(serializers.Serializer):
    expense_cost = TotalField(label=_("expenses"))
    goods_cost = TotalField(label=_("goods issued"))
    cost = TotalField(label=_("cost"))
    leads = serializers.IntegerField(label=_("leads"))
    opportunities = serializers.IntegerField(label=_("opportunities"))
    won_amount = TotalField(label=_("won amount"))
    cost_per_lead = TotalField(label=_("cost per lead"), allow_null=True)


class MarketingEventSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    budget = MoneyField(label=_("budget"), required=False, min_value=Decimal("0"))
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    status_label = _status_label()
    # A campaign the user sees in its list (out of sight: an id that does not exist).
    campaign = VisiblePrimaryKeyField(
        label=_("campaign"),
        model=Campaign,
        collection="campaigns",
        required=False,
        allow_null=True,
    )
    campaign_name = RelatedLabelField(source="campaign.name")

    class Meta:
        model = MarketingEvent
        fields = [
            "id",
            "name",
            "type",
            "type_label",
            "starts_on",
            "ends_on",
            "place",
            "budget",
            "owner",
            "owner_name",
            "campaign",
            "campaign_name",
            "status",
            "status_label",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "version", "created_at", "updated_at"]


class MarketingEventDetailSerializer(WithTransitions, MarketingEventSerializer):
    description = TextField(label=_("description"), required=False, allow_blank=True)
    expenses = EventExpenseSerializer(many=True, required=False, max_length=MAX_DOCUMENT_LINES)
    participants = EventParticipantSerializer(
        many=True, required=False, max_length=MAX_DOCUMENT_LINES
    )
    figures = serializers.SerializerMethodField(label=_("figures"))
    transitions = TransitionsField()

    class Meta(MarketingEventSerializer.Meta):
        fields = [
            *MarketingEventSerializer.Meta.fields,
            "description",
            "expenses",
            "participants",
            "figures",
            "cancel_reason",
            "transitions",
        ]
        read_only_fields = [*MarketingEventSerializer.Meta.read_only_fields, "cancel_reason"]

    @extend_schema_field(EventFiguresSerializer)
    def get_figures(self, obj) -> dict:
        return EventFiguresSerializer(selectors.event_figures([obj])[obj.pk]).data


class EventRoiSerializer(MarketingEventSerializer):
    """A row of the events' ROI report: the event and its figures."""

    figures = serializers.SerializerMethodField(label=_("figures"))

    class Meta(MarketingEventSerializer.Meta):
        fields = [*MarketingEventSerializer.Meta.fields, "figures"]

    @extend_schema_field(EventFiguresSerializer)
    def get_figures(self, obj) -> dict:
        figures = self.context["figures"][obj.pk]
        return EventFiguresSerializer(figures).data


class AdPlacementSerializer(serializers.ModelSerializer):
    channel = dictionary_field("ad_channel", _("channel"))
    channel_label = RelatedLabelField(source="channel.label")
    cost = MoneyField(label=_("cost"), required=False, min_value=Decimal("0"))
    lead_count = serializers.SerializerMethodField(label=_("leads"))

    class Meta:
        model = AdPlacement
        fields = [
            "id",
            "name",
            "channel",
            "channel_label",
            "starts_on",
            "ends_on",
            "cost",
            "lead_count",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def get_lead_count(self, obj) -> int:
        count = obj.__dict__.get("leads_n")
        return count if count is not None else obj.leads.count()


class RequisitionSummarySerializer(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True, label=_("department"))
    team_name = serializers.CharField(label=_("department"))
    purpose = serializers.CharField(label=_("purpose"))
    requisitions = serializers.IntegerField(label=_("requisitions"))
    cost = TotalField(label=_("cost"))


class ChannelFiguresSerializer(serializers.Serializer):
    channel = serializers.IntegerField(allow_null=True)
    channel_label = serializers.CharField()
    placements = serializers.IntegerField()
    cost = TotalField()
    leads = serializers.IntegerField()
    won_customers = serializers.IntegerField()
    cost_per_lead = TotalField(allow_null=True)
    cost_per_won_customer = TotalField(allow_null=True)
