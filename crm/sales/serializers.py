"""Serializers of the sales API. Writes go through crm.sales.services."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.core.api.export import line_text
from crm.core.api.fields import RelatedLabelField
from crm.core.api.serializers import TenantPrimaryKeyField, VisiblePrimaryKeyField
from crm.core.limits import MAX_DOCUMENT_LINES
from crm.customers.api import TransitionSerializer, dictionary_field, owner_field
from crm.customers.models import Contact, Customer
from crm.sales.conf import stage_probability
from crm.sales.models import (
    ApprovalBand,
    Contract,
    Installment,
    Opportunity,
    Payment,
    Product,
    Quote,
    Requirement,
    Solution,
)
from crm.sales.money import weighted
from workflows.engine import available_transitions


class MoneyField(serializers.DecimalField):
    """A decimal string with two places in JSON; more places are refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        super().__init__(**kwargs)


def _customer_field(**kwargs):
    """A sales document's customer: one the user sees, and claimed (not in the
    public pool): a rep claims a pool customer before selling to it."""
    return VisiblePrimaryKeyField(
        label=_("customer"), model=Customer, collection="customers", pool=False, **kwargs
    )


class TransitionsField(serializers.SerializerMethodField):
    def __init__(self, **kwargs):
        super().__init__(method_name="get_transitions", **kwargs)


class WithTransitions:
    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, obj) -> list[dict]:
        return available_transitions(obj, self.context["request"].user)


def _status_label():
    return serializers.CharField(source="get_status_display", read_only=True)


# --- products ------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    price = MoneyField(label=_("list price"), min_value=Decimal("0"))

    class Meta:
        model = Product
        fields = ["id", "code", "name", "unit", "price", "active", "version", "created_at"]
        read_only_fields = ["version", "created_at"]


# --- opportunities -------------------------------------------------------------


class OpportunitySerializer(serializers.ModelSerializer):
    customer = _customer_field()
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # A contact out of sight answers as missing; a visible one of another customer
    # is refused by the service ("belongs to another customer").
    contact = VisiblePrimaryKeyField(
        label=_("contact"), model=Contact, collection="contacts", required=False, allow_null=True
    )
    contact_name = RelatedLabelField(source="contact.name")
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    source = dictionary_field("source", _("source"))
    source_label = RelatedLabelField(source="source.label")
    # Declared: the model field's limit_choices_to would query the scoped manager
    # when the schema is generated outside any tenant scope.
    loss_reason = serializers.PrimaryKeyRelatedField(read_only=True, label=_("loss reason"))
    loss_reason_label = RelatedLabelField(source="loss_reason.label")
    amount = MoneyField(label=_("amount"), required=False, min_value=Decimal("0"))
    status_label = _status_label()
    probability = serializers.SerializerMethodField(label=_("probability (%)"))
    weighted_amount = serializers.SerializerMethodField(label=_("weighted amount"))
    # The campaign (战役) it is attributed to; without one, its lead's counts.
    campaign = TenantPrimaryKeyField(
        label=_("campaign"),
        model=Opportunity._meta.get_field("campaign").related_model,
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "customer",
            "customer_name",
            "contact",
            "contact_name",
            "amount",
            "expected_close_date",
            "owner",
            "owner_name",
            "source",
            "source_label",
            "status",
            "status_label",
            "probability",
            "weighted_amount",
            "loss_reason",
            "loss_reason_label",
            "loss_note",
            "lead",
            "campaign",
            "closed_on",
            "stage_changed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "loss_reason",
            "loss_note",
            "lead",
            "closed_on",
            "stage_changed_at",
            "version",
            "created_at",
            "updated_at",
        ]

    def _tenant(self, opp):
        return self.context.get("tenant") or opp.tenant

    def get_probability(self, opp) -> int:
        return stage_probability(self._tenant(opp), opp.status)

    def get_weighted_amount(self, opp) -> str:
        return str(weighted(opp.amount, self.get_probability(opp)))

    def validate(self, attrs):
        if self.instance is None and not (attrs.get("name") or "").strip():
            raise serializers.ValidationError({"name": [_("Enter a name.")]})
        return attrs


class QuoteVersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number", read_only=True)
    total = MoneyField(read_only=True)
    status_label = _status_label()

    class Meta:
        model = Quote
        fields = ["id", "version", "status", "status_label", "total", "is_latest", "created_at"]


class OpportunityDetailSerializer(WithTransitions, OpportunitySerializer):
    transitions = TransitionsField()
    quotes = serializers.SerializerMethodField(label=_("quote versions"))

    class Meta(OpportunitySerializer.Meta):
        fields = [*OpportunitySerializer.Meta.fields, "quotes", "transitions"]

    @extend_schema_field(QuoteVersionSerializer(many=True))
    def get_quotes(self, opp) -> list[dict]:
        quotes = Quote.objects.filter(opportunity=opp).order_by("-number")
        return QuoteVersionSerializer(quotes, many=True).data


class BoardColumnSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    probability = serializers.IntegerField()
    count = serializers.IntegerField()
    amount = MoneyField()
    weighted_amount = MoneyField()
    results = OpportunitySerializer(many=True)


# --- requirements and solutions ---------------------------------------------------


def _opportunity_field(**kwargs):
    return VisiblePrimaryKeyField(
        label=_("opportunity"), model=Opportunity, collection="opportunities", **kwargs
    )


class RequirementSerializer(serializers.ModelSerializer):
    opportunity = _opportunity_field()
    created_by_name = RelatedLabelField(source="created_by.display_name")

    class Meta:
        model = Requirement
        fields = [
            "id",
            "opportunity",
            "description",
            "priority",
            "created_by",
            "created_by_name",
            "version",
            "created_at",
        ]
        read_only_fields = ["created_by", "version", "created_at"]


class SolutionSerializer(serializers.ModelSerializer):
    opportunity = _opportunity_field()
    requirement = VisiblePrimaryKeyField(
        label=_("requirement"),
        model=Requirement,
        collection="requirements",
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Solution
        fields = [
            "id",
            "opportunity",
            "requirement",
            "title",
            "description",
            "created_by",
            "version",
            "created_at",
        ]
        read_only_fields = ["created_by", "version", "created_at"]


# --- lines -------------------------------------------------------------------------


class LineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = TenantPrimaryKeyField(label=_("product"), model=Product)
    product_name = serializers.CharField(source="product.name", read_only=True)
    description = serializers.CharField(
        label=_("description"), max_length=300, required=False, allow_blank=True
    )
    quantity = serializers.DecimalField(
        label=_("quantity"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    unit_price = MoneyField(
        label=_("unit price"), required=False, allow_null=True, min_value=Decimal("0")
    )
    discount_percent = serializers.DecimalField(
        label=_("discount (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        default=Decimal("0"),
    )
    amount = MoneyField(read_only=True)

    @staticmethod
    def export_text(line) -> str:
        """The line in an export's cell as the card shows it: ``产品 × 2.00 @ ¥50.00 = ¥100.00``."""
        name = line.get("product_name") or line.get("description") or ""
        if line.get("description") and line["description"] != name:
            name = f"{name} · {line['description']}"
        return line_text(
            name,
            line.get("quantity"),
            price=line.get("unit_price"),
            amount=line.get("amount"),
            discount=line.get("discount_percent"),
        )


# --- quotes -----------------------------------------------------------------------


class QuoteSerializer(serializers.ModelSerializer):
    opportunity = _opportunity_field()
    opportunity_name = serializers.CharField(source="opportunity.name", read_only=True)
    customer = serializers.IntegerField(
        source="opportunity.customer_id", read_only=True, label=_("customer")
    )
    customer_name = serializers.CharField(
        source="opportunity.customer.name", read_only=True, label=_("customer")
    )
    version = serializers.IntegerField(source="number", read_only=True, label=_("quote version"))
    row_version = serializers.IntegerField(
        source="version", read_only=True, help_text="Optimistic-locking counter (ETag/If-Match)."
    )
    lines = LineSerializer(
        label=_("lines"), many=True, required=False, max_length=MAX_DOCUMENT_LINES
    )
    subtotal = MoneyField(label=_("subtotal"), read_only=True)
    total = MoneyField(label=_("total"), read_only=True)
    status_label = _status_label()
    created_by_name = RelatedLabelField(source="created_by.display_name")
    approved_by_name = RelatedLabelField(source="approved_by.display_name")

    class Meta:
        model = Quote
        fields = [
            "id",
            "opportunity",
            "opportunity_name",
            "customer",
            "customer_name",
            "version",
            "row_version",
            "is_latest",
            "revised_from",
            "status",
            "status_label",
            "lines",
            "subtotal",
            "total",
            "valid_until",
            "note",
            "return_reason",
            "reject_reason",
            "created_by",
            "created_by_name",
            "submitted_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "sent_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "is_latest",
            "revised_from",
            "status",
            "return_reason",
            "reject_reason",
            "created_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "sent_at",
            "created_at",
            "updated_at",
        ]


class QuoteDetailSerializer(WithTransitions, QuoteSerializer):
    transitions = TransitionsField()

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "transitions"]


# --- contracts --------------------------------------------------------------------


class InstallmentSerializer(serializers.ModelSerializer):
    amount = MoneyField(min_value=Decimal("0.01"))
    collected_amount = MoneyField(read_only=True)
    outstanding = MoneyField(read_only=True)

    class Meta:
        model = Installment
        fields = [
            "id",
            "sequence",
            "due_date",
            "amount",
            "collected_amount",
            "outstanding",
            "status",
            "note",
        ]
        read_only_fields = ["sequence", "status"]


class ContractSerializer(serializers.ModelSerializer):
    customer = _customer_field(required=False)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    opportunity = _opportunity_field(required=False, allow_null=True)
    quote = VisiblePrimaryKeyField(
        label=_("quote"), model=Quote, collection="quotes", required=False, allow_null=True
    )
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    amount = MoneyField(label=_("amount"), required=False, min_value=Decimal("0"))
    collected_amount = MoneyField(read_only=True)
    outstanding_amount = MoneyField(read_only=True)
    lines = LineSerializer(many=True, required=False, max_length=MAX_DOCUMENT_LINES)
    installments = InstallmentSerializer(many=True, required=False, max_length=MAX_DOCUMENT_LINES)
    status_label = _status_label()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "title",
            "customer",
            "customer_name",
            "opportunity",
            "quote",
            "owner",
            "owner_name",
            "amount",
            "collected_amount",
            "outstanding_amount",
            "start_date",
            "end_date",
            "lines",
            "installments",
            "status",
            "status_label",
            "reject_reason",
            "terminate_reason",
            "submitted_at",
            "approved_by",
            "approved_at",
            "signed_on",
            "closed_at",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "reject_reason",
            "terminate_reason",
            "submitted_at",
            "approved_by",
            "approved_at",
            "signed_on",
            "closed_at",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        if self.instance is None and not any(
            attrs.get(name) for name in ("customer", "opportunity", "quote")
        ):
            raise serializers.ValidationError({"customer": [_("Choose the customer.")]})
        return attrs


class ContractDetailSerializer(WithTransitions, ContractSerializer):
    transitions = TransitionsField()
    approval_permission = serializers.SerializerMethodField(label=_("permission needed to approve"))

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "approval_permission", "transitions"]

    def get_approval_permission(self, contract) -> str:
        from crm.sales.selectors import approval_band_for

        return approval_band_for(contract.tenant, contract.amount).permission


# --- payments ---------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    contract = VisiblePrimaryKeyField(
        label=_("contract"), model=Contract, collection="contracts", required=False
    )
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    # Without a contract, the installment names it: visible when its contract is.
    installment = VisiblePrimaryKeyField(
        label=_("installment"), model=Installment, collection="contracts", via="contract"
    )
    installment_sequence = serializers.IntegerField(source="installment.sequence", read_only=True)
    amount = MoneyField(label=_("amount"))
    status_label = _status_label()
    reversed_by = serializers.SerializerMethodField(label=_("reversed by"))

    class Meta:
        model = Payment
        fields = [
            "id",
            "contract",
            "contract_number",
            "installment",
            "installment_sequence",
            "amount",
            "paid_at",
            "method",
            "reference",
            "note",
            "status",
            "status_label",
            "reversal_of",
            "reversed_by",
            "reverse_reason",
            "confirmed_at",
            "confirmed_by",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "reversal_of",
            "reverse_reason",
            "confirmed_at",
            "confirmed_by",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"paid_at": {"required": False}}

    def get_reversed_by(self, payment) -> int | None:
        try:
            return payment.reversal.pk
        except Payment.reversal.RelatedObjectDoesNotExist:
            return None


class PaymentDetailSerializer(WithTransitions, PaymentSerializer):
    transitions = TransitionsField()

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "transitions"]


# --- approval bands -------------------------------------------------------------------


class ApprovalBandSerializer(serializers.ModelSerializer):
    max_amount = MoneyField(
        label=_("up to amount"), required=False, allow_null=True, min_value=Decimal("0.01")
    )

    class Meta:
        model = ApprovalBand
        fields = ["id", "max_amount", "permission", "version"]
        read_only_fields = ["version"]
