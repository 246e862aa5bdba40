"""REST endpoints for customers, contacts and leads."""

from __future__ import annotations

import math

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.api.bulk import BulkDeleteMixin
from crm.core.api.fields import CreditCodeField, MobileField, PhoneField, RelatedLabelField
from crm.core.api.filters import SearchFilterSet
from crm.core.api.serializers import TenantPrimaryKeyField, VisiblePrimaryKeyField
from crm.core.api.viewsets import DocumentViewSet
from crm.core.errors import Invalid
from crm.core.models import DictionaryItem, User
from crm.core.validators import halfwidth
from crm.customers import groups as labels
from crm.customers import selectors, services, transfer
from crm.customers.models import Contact, Customer, CustomerGroup, Lead
from workflows.api import ProcessViewSet
from workflows.customer import CustomerStatus
from workflows.engine import available_transitions
from workflows.lead import LeadStatus
from workflows.schema import TransitionSerializer


def dictionary_field(kind: str, label):
    return TenantPrimaryKeyField(
        label=label,
        model=DictionaryItem,
        filters={"kind": kind, "active": True},
        required=False,
        allow_null=True,
    )


def owner_field():
    return TenantPrimaryKeyField(
        label=_("owner"),
        model=User,
        filters={"is_active": True, "is_system": False},
        required=False,
        allow_null=True,
    )


# --- bulk transfer ---------------------------------------------------------------


class BulkTransferSerializer(serializers.Serializer):
    ids = serializers.ListField(
        label=_("records"),
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=transfer.MAX_ROWS,
        help_text=_("Omit to transfer every record the list's filters select."),
    )
    owner = TenantPrimaryKeyField(
        label=_("new owner"), model=User, filters={"is_active": True, "is_system": False}
    )
    reason = serializers.CharField(label=_("reason"), max_length=300)
    move_open_opportunities = serializers.BooleanField(default=False)
    move_followups = serializers.BooleanField(default=False)
    confirm_pending = serializers.BooleanField(
        default=False,
        help_text=_("Move open opportunities even when their quotes wait for approval."),
    )


class BulkTransferResultSerializer(serializers.Serializer):
    transferred = serializers.IntegerField()
    opportunities = serializers.IntegerField()
    followups = serializers.IntegerField()


class BulkTransferMixin:
    """``POST /<collection>/bulk-transfer/``: the ids given, else the list's current
    filter (query string), within the user's data scope, in one transaction."""

    @extend_schema(request=BulkTransferSerializer, responses=BulkTransferResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-transfer", code_verb="edit")
    def bulk_transfer(self, request):
        body = BulkTransferSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        queryset = self.filter_queryset(super().get_queryset())
        if "ids" in data:
            wanted = set(data["ids"])
            queryset = queryset.filter(pk__in=wanted)
            found = set(queryset.values_list("pk", flat=True))
            if wanted - found:
                missing = ", ".join(str(pk) for pk in sorted(wanted - found)[:20])
                raise Invalid(fields={"ids": [_("Unknown records: %(ids)s.") % {"ids": missing}]})
        result = transfer.bulk_transfer(
            tenant=request.tenant,
            actor=request.user,
            queryset=queryset.order_by(),
            owner=data["owner"],
            reason=data["reason"],
            move_open_opportunities=data["move_open_opportunities"],
            move_followups=data["move_followups"],
            confirm_pending=data["confirm_pending"],
        )
        return Response(result)


# --- customers -----------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    credit_code = CreditCodeField(label=_("unified social credit code"), max_length=30)
    phone = PhoneField(label=_("phone"), max_length=30)
    mobile = MobileField(label=_("mobile"), max_length=30)
    industry = dictionary_field("industry", _("industry"))
    level = dictionary_field("level", _("level"))
    source = dictionary_field("source", _("source"))
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    industry_label = RelatedLabelField(source="industry.label")
    level_label = RelatedLabelField(source="level.label")
    source_label = RelatedLabelField(source="source.label")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    groups = TenantPrimaryKeyField(
        label=_("customer groups"), model=CustomerGroup, many=True, required=False
    )
    tags = serializers.ListField(
        label=_("tags"),
        child=serializers.CharField(max_length=labels.MAX_TAG_LENGTH),
        max_length=labels.MAX_TAGS,
        required=False,
    )
    # When the pending return to the pool is due (the auto_pool reminder, read in SQL).
    pool_due_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    days_until_pool = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "credit_code",
            "industry",
            "industry_label",
            "level",
            "level_label",
            "source",
            "source_label",
            "region",
            "owner",
            "owner_name",
            "phone",
            "mobile",
            "email",
            "address",
            "remark",
            "groups",
            "tags",
            "status",
            "status_label",
            "owned_since",
            "last_activity_at",
            "pooled_at",
            "release_reason",
            "pool_due_at",
            "days_until_pool",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "owned_since",
            "last_activity_at",
            "pooled_at",
            "release_reason",
            "version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_until_pool(self, customer) -> int | None:
        """Whole days left before the customer returns to the pool (0: due today or
        late); None when it is in the pool or has no owner."""
        due = getattr(customer, "pool_due_at", None)
        if due is None:
            return None
        left = (due - timezone.now()).total_seconds()
        return max(0, math.ceil(left / 86400))

    def validate_code(self, value: str) -> str:
        """客户编号 is unique within the company (the imports' natural key)."""
        value = (value or "").strip()
        if value:
            taken = Customer.objects.filter(tenant=self.context["tenant"], code=value)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError(
                    _("Another customer has the code “%(code)s”.") % {"code": value}
                )
        return value


class CustomerDetailSerializer(CustomerSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "transitions"]

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, customer) -> list[dict]:
        return available_transitions(customer, self.context["request"].user)


class CustomerFilter(SearchFilterSet):
    created_at = django_filters.IsoDateTimeFromToRangeFilter()
    status = django_filters.MultipleChoiceFilter(choices=CustomerStatus.choices)
    pool = django_filters.BooleanFilter(method="filter_pool", label=_("in public pool"))
    group = django_filters.NumberFilter(method="filter_group", label=_("customer group"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("tag"))

    def filter_group(self, queryset, name, value):
        """Customers in the group (one row each: a membership is unique)."""
        return queryset.filter(groups__pk=value)

    def filter_tag(self, queryset, name, value):
        """Customers carrying the tag (several tags: ``?tag=a,b`` needs all of them)."""
        for tag in labels.clean_tags(str(value).split(","), field="tag"):
            queryset = queryset.filter(
                pk__in=labels.CustomerTag.objects.filter(name=tag).values("customer_id")
            )
        return queryset

    class Meta:
        model = Customer
        fields = ["code", "owner", "industry", "level", "source", "kind", "region", "status"]

    def filter_pool(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status=CustomerStatus.POOLED)
        return queryset.exclude(status=CustomerStatus.POOLED)

    def filter_search(self, queryset, name, value):
        """The search box finds a customer by its code too (exactly, either case)."""
        found = super().filter_search(queryset, name, value)
        code = halfwidth(value or "").strip()
        if not code:
            return found
        return found | queryset.filter(code__in={code, code.upper()})


class BulkLabelSerializer(serializers.Serializer):
    ids = serializers.ListField(
        label=_("records"),
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=labels.MAX_ROWS,
        help_text=_("Omit to change every customer the list's filters select."),
    )
    add_groups = TenantPrimaryKeyField(
        label=_("groups to add"), model=CustomerGroup, many=True, required=False
    )
    remove_groups = TenantPrimaryKeyField(
        label=_("groups to remove"), model=CustomerGroup, many=True, required=False
    )
    add_tags = serializers.ListField(
        label=_("tags to add"),
        child=serializers.CharField(max_length=labels.MAX_TAG_LENGTH),
        required=False,
        max_length=labels.MAX_TAGS,
    )
    remove_tags = serializers.ListField(
        label=_("tags to remove"),
        child=serializers.CharField(max_length=labels.MAX_TAG_LENGTH),
        required=False,
        max_length=labels.MAX_TAGS,
    )


class BulkLabelResultSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()


class CustomerViewSet(BulkDeleteMixin, BulkTransferMixin, ProcessViewSet):
    model = Customer
    serializer_class = CustomerDetailSerializer
    list_serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    permission_module = "customers"
    owner_field = "owner"
    include_unowned = True  # the customer pool is visible to everyone with customers.view
    ordering_fields = ["id", "name", "created_at", "updated_at", "pool_due_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.customer_create)
    update_service = staticmethod(services.customer_update)
    delete_service = staticmethod(services.customer_delete)

    def get_queryset(self):
        queryset = selectors.customers_for_list(super().get_queryset())
        if self.action in ("bulk_label", "bulk_transfer", "bulk_delete"):
            return queryset
        queryset = queryset.prefetch_related("tag_rows", "groups")
        # One record's guards read the company's settings: the company comes from
        # the request (TenantScopedMixin.get_object), not a join.
        return queryset

    @extend_schema(request=BulkLabelSerializer, responses=BulkLabelResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-label", code_verb="edit")
    def bulk_label(self, request):
        """Add or remove groups and tags on the customers given (``ids``), else on every
        customer the list's current filter (query string) selects, in one transaction."""
        body = BulkLabelSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        queryset = self.filter_queryset(self.get_queryset())
        if "ids" in data:
            wanted = set(data["ids"])
            queryset = queryset.filter(pk__in=wanted)
            found = set(queryset.values_list("pk", flat=True))
            if wanted - found:
                missing = ", ".join(str(pk) for pk in sorted(wanted - found)[:20])
                raise Invalid(fields={"ids": [_("Unknown records: %(ids)s.") % {"ids": missing}]})
        result = labels.bulk_label(
            tenant=request.tenant,
            actor=request.user,
            queryset=queryset,
            add_groups=data.get("add_groups", ()),
            remove_groups=data.get("remove_groups", ()),
            add_tags=data.get("add_tags", ()),
            remove_tags=data.get("remove_tags", ()),
        )
        return Response(result)


# --- contacts ------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    customer = VisiblePrimaryKeyField(label=_("customer"), model=Customer, collection="customers")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    mobile = MobileField(label=_("mobile"), max_length=30)

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "customer_name",
            "name",
            "mobile",
            "email",
            "title",
            "birthday",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]


class ContactFilter(SearchFilterSet):
    class Meta:
        model = Contact
        fields = ["customer"]


class ContactViewSet(BulkDeleteMixin, DocumentViewSet):
    model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    permission_module = "contacts"
    owner_field = "customer__owner"
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    delete_service = staticmethod(services.contact_delete)

    def get_queryset(self):
        return selectors.contacts_for_list(super().get_queryset())


# --- leads ---------------------------------------------------------------------


class LeadSerializer(serializers.ModelSerializer):
    mobile = MobileField(label=_("mobile"), max_length=30)
    credit_code = CreditCodeField(label=_("unified social credit code"), max_length=30)
    source = dictionary_field("source", _("source"))
    source_label = RelatedLabelField(source="source.label")
    industry = dictionary_field("industry", _("industry"))
    industry_label = RelatedLabelField(source="industry.label")
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    # The marketing event and ad placement that brought the lead in (marketing figures).
    marketing_event = TenantPrimaryKeyField(
        label=_("marketing event"),
        model=Lead._meta.get_field("marketing_event").related_model,
        required=False,
        allow_null=True,
    )
    ad_placement = TenantPrimaryKeyField(
        label=_("ad placement"),
        model=Lead._meta.get_field("ad_placement").related_model,
        required=False,
        allow_null=True,
    )
    campaign = TenantPrimaryKeyField(
        label=_("campaign"),
        model=Lead._meta.get_field("campaign").related_model,
        required=False,
        allow_null=True,
    )
    campaign_name = RelatedLabelField(source="campaign.name")

    class Meta:
        model = Lead
        fields = [
            "id",
            "company_name",
            "contact_name",
            "mobile",
            "email",
            "credit_code",
            "source",
            "source_label",
            "region",
            "industry",
            "industry_label",
            "need",
            "owner",
            "owner_name",
            "marketing_event",
            "ad_placement",
            "campaign",
            "campaign_name",
            "status",
            "status_label",
            "disqualify_reason",
            "customer",
            "activity_count",
            "last_activity_at",
            "pooled_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "disqualify_reason",
            "customer",
            "activity_count",
            "last_activity_at",
            "pooled_at",
            "version",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("company_name", "").strip():
            raise serializers.ValidationError({"company_name": [_("Enter the company name.")]})
        return attrs


class LeadDetailSerializer(LeadSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "transitions"]

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, lead) -> list[dict]:
        return available_transitions(lead, self.context["request"].user)


class LeadFilter(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LeadStatus.choices)
    created_at = django_filters.IsoDateTimeFromToRangeFilter()
    pool = django_filters.BooleanFilter(method="filter_pool", label=_("in public pool"))

    class Meta:
        model = Lead
        fields = ["owner", "source", "status", "customer", "campaign"]

    def filter_pool(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status=LeadStatus.POOLED)
        return queryset.exclude(status=LeadStatus.POOLED)


class LeadViewSet(BulkDeleteMixin, BulkTransferMixin, ProcessViewSet):
    model = Lead
    serializer_class = LeadDetailSerializer
    list_serializer_class = LeadSerializer
    filterset_class = LeadFilter
    permission_module = "leads"
    owner_field = "owner"
    include_unowned = True  # the public pool is visible to everyone with leads.view
    ordering_fields = ["id", "company_name", "created_at", "updated_at", "status"]
    ordering = ["-id"]
    create_service = staticmethod(services.lead_create)
    update_service = staticmethod(services.lead_update)
    delete_service = staticmethod(services.lead_delete)

    def get_queryset(self):
        if self.action in self.list_actions:
            return selectors.leads_for_list(super().get_queryset())
        # One record: the relations its card shows by name (the company comes
        # from the request, see TenantScopedMixin.get_object).
        return super().get_queryset().select_related("owner", "source", "industry", "campaign")
