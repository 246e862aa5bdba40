"""``/api/v1/campaigns/`` (战役, with transitions start/complete/cancel and their figures)
and ``/api/v1/campaign-members/`` (the target list with each customer's response)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.api.export import filters_text
from crm.core.api.fields import RelatedLabelField, TextField
from crm.core.api.filters import SearchFilterSet, TenantFilterSet
from crm.core.api.serializers import TenantPrimaryKeyField
from crm.core.api.viewsets import DocumentViewSet
from crm.core.errors import Invalid
from crm.core.scoping import restrict
from crm.customers.api import CustomerFilter, owner_field
from crm.customers.models import Customer, CustomerGroup
from crm.marketing import campaigns
from crm.marketing.models import Campaign, CampaignMember
from crm.marketing.serializers import TotalField
from crm.sales.serializers import MoneyField, TransitionsField, WithTransitions
from workflows.api import ProcessViewSet
from workflows.campaign import CampaignStatus


class CampaignFiguresSerializer(serializers.Serializer):
    members = serializers.IntegerField(label=_("target customers"))
    responded = serializers.IntegerField(label=_("responded"))
    leads = serializers.IntegerField(label=_("leads"))
    opportunities = serializers.IntegerField(label=_("opportunities"))
    won = serializers.IntegerField(label=_("won opportunities"))
    # Sums of amounts (and a ratio of them): no digit limit, see TotalField.
    won_amount = TotalField(label=_("won amount"))
    actual_cost = TotalField(label=_("actual cost"))
    goods_cost = TotalField(label=_("cost of goods issued"))
    cost = TotalField(label=_("cost"))
    budget = TotalField(label=_("budget"))
    conversion_to_opportunity = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, label=_("conversion to opportunity")
    )
    conversion_to_won = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, label=_("conversion to won")
    )
    cost_per_lead = TotalField(allow_null=True, label=_("cost per lead"))
    roi = TotalField(decimal_places=4, allow_null=True, label=_("ROI"))


class CampaignSerializer(serializers.ModelSerializer):
    budget = MoneyField(label=_("budget"), required=False, min_value=Decimal("0"))
    cost = MoneyField(label=_("actual cost"), required=False, min_value=Decimal("0"))
    owner = owner_field()
    owner_name = RelatedLabelField(source="owner.display_name")
    target_group = TenantPrimaryKeyField(
        label=_("target group"), model=CustomerGroup, required=False, allow_null=True
    )
    target_group_name = RelatedLabelField(source="target_group.name")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "budget",
            "cost",
            "owner",
            "owner_name",
            "target_group",
            "target_group_name",
            "target_filter",
            "status",
            "status_label",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "version", "created_at", "updated_at"]

    def export_target_filter(self, value, obj) -> str:
        """In the list export: the customer list's filters as people read them
        (``状态：有负责人；级别：A``), not their codes."""
        if not hasattr(self, "_export_records"):
            self._export_records = {}
        return filters_text(
            CustomerFilter, value, obj.tenant_id, self._export_records, {"group": CustomerGroup}
        )


class CampaignDetailSerializer(WithTransitions, CampaignSerializer):
    description = TextField(label=_("description"), required=False, allow_blank=True)
    figures = serializers.SerializerMethodField(label=_("figures"))
    transitions = TransitionsField()

    class Meta(CampaignSerializer.Meta):
        fields = [
            *CampaignSerializer.Meta.fields,
            "description",
            "started_at",
            "completed_at",
            "cancel_reason",
            "figures",
            "transitions",
        ]
        read_only_fields = [
            *CampaignSerializer.Meta.read_only_fields,
            "started_at",
            "completed_at",
            "cancel_reason",
        ]

    @extend_schema_field(CampaignFiguresSerializer)
    def get_figures(self, obj) -> dict:
        return CampaignFiguresSerializer(campaigns.campaign_figures([obj])[obj.pk]).data


class CampaignRoiSerializer(CampaignSerializer):
    figures = serializers.SerializerMethodField(label=_("figures"))

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "figures"]

    @extend_schema_field(CampaignFiguresSerializer)
    def get_figures(self, obj) -> dict:
        return CampaignFiguresSerializer(self.context["figures"][obj.pk]).data


class AddMembersSerializer(serializers.Serializer):
    group = TenantPrimaryKeyField(
        label=_("customer group"), model=CustomerGroup, required=False, allow_null=True
    )
    customers = serializers.ListField(
        label=_("customers"),
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=campaigns.MAX_MEMBERS,
        help_text=_("Omit both: the campaign's target group, else its saved filter."),
    )


class AddMembersResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    members = serializers.IntegerField()


class CampaignFilter(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CampaignStatus.choices)
    starts_on = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Campaign
        fields = ["status", "owner", "target_group"]


class CampaignViewSet(ProcessViewSet):
    """Campaigns; a record shows its figures (leads, conversion, won amount, cost per
    lead, ROI); ``roi/`` gives them for a page of the list in a fixed number of queries."""

    model = Campaign
    serializer_class = CampaignDetailSerializer
    list_serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    permission_module = "marketing.campaign"
    owner_field = "owner"
    include_unowned = True
    ordering_fields = ["id", "name", "starts_on", "budget", "cost", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(campaigns.campaign_create)
    update_service = staticmethod(campaigns.campaign_update)
    delete_service = staticmethod(campaigns.campaign_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "target_group")

    @extend_schema(responses=CampaignRoiSerializer(many=True))
    @action(detail=False, methods=["get"], code_verb="view")
    def roi(self, request):
        """The campaigns of the list (same filters) with their figures, a page at a time."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "figures": campaigns.campaign_figures(page)}
        data = CampaignRoiSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(request=AddMembersSerializer, responses=AddMembersResultSerializer)
    @action(detail=True, methods=["post"], url_path="add-members", code_verb="edit")
    def add_members(self, request, pk=None):
        """Put customers on the target list: the ids given, a group's customers, else the
        campaign's target group or saved filter (the customers the user may see)."""
        campaign = self.get_object()
        body = AddMembersSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        customers = restrict(
            Customer.objects.filter(tenant_id=request.tenant.pk),
            request.user,
            "owner",
            include_unowned=True,
        )
        if data.get("customers"):
            customers = customers.filter(pk__in=data["customers"])
            # An id the user cannot see answers as one that does not exist (400 naming
            # the field, as a link field's), rather than being dropped in silence.
            found = set(customers.values_list("pk", flat=True))
            unseen = [pk for pk in dict.fromkeys(data["customers"]) if pk not in found]
            if unseen:
                message = serializers.PrimaryKeyRelatedField.default_error_messages[
                    "does_not_exist"
                ]
                raise Invalid(fields={"customers": [str(message).format(pk_value=unseen[0])]})
        elif data.get("group") or campaign.target_group_id:
            group_id = data["group"].pk if data.get("group") else campaign.target_group_id
            customers = customers.filter(groups__pk=group_id)
        elif campaign.target_filter:
            customers = campaigns.target_customers(campaign, customers)
        else:
            raise Invalid(
                fields={"group": [_("Choose a customer group or set the campaign's target.")]}
            )
        added = campaigns.add_members(
            tenant=request.tenant, actor=request.user, campaign=campaign, customers=customers
        )
        total = CampaignMember.objects.filter(campaign=campaign).count()
        return Response({"added": added, "members": total})


class CampaignMemberSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    response_label = serializers.CharField(source="get_response_display", read_only=True)

    class Meta:
        model = CampaignMember
        fields = [
            "id",
            "campaign",
            "customer",
            "customer_name",
            "response",
            "response_label",
            "responded_at",
            "note",
            "version",
            "created_at",
        ]
        read_only_fields = ["campaign", "customer", "responded_at", "version", "created_at"]


class CampaignMemberFilter(TenantFilterSet):
    response = django_filters.MultipleChoiceFilter(choices=CampaignMember.Response.choices)

    class Meta:
        model = CampaignMember
        fields = ["campaign", "customer", "response"]


class CampaignMemberViewSet(DocumentViewSet):
    """A campaign's target list: each customer's response (added through the campaign's
    ``add-members``; PATCH records the response)."""

    model = CampaignMember
    serializer_class = CampaignMemberSerializer
    filterset_class = CampaignMemberFilter
    permission_module = "marketing.campaign"
    # The members of the campaigns the user sees (their data scope by the campaign's
    # owner, unowned campaigns included), not every campaign's target list.
    owner_field = "campaign__owner"
    include_unowned = True
    http_method_names = ["get", "put", "patch", "delete", "head", "options"]
    ordering_fields = ["id", "response", "responded_at"]
    ordering = ["id"]
    update_service = staticmethod(campaigns.member_update)
    delete_service = staticmethod(campaigns.member_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("customer")


def register_routes(router) -> list:
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("campaign-members", CampaignMemberViewSet, basename="campaign-member")
    return []
