"""``/api/v1/customer-groups/`` (groups with their size) and ``/api/v1/customer-tags/``
(the tags in use, with how many customers carry each). Members are set on the
customer or in bulk: ``POST /customers/bulk-label/``."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.core.api.filters import SearchFilterSet
from crm.core.api.viewsets import DocumentViewSet
from crm.customers import groups as labels
from crm.customers.models import CustomerGroup


class CustomerGroupSerializer(serializers.ModelSerializer):
    customer_count = serializers.IntegerField(
        label=_("number of customers"), read_only=True, default=0
    )

    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "description", "customer_count", "version", "created_at"]
        read_only_fields = ["version", "created_at"]


class CustomerGroupFilter(SearchFilterSet):
    class Meta:
        model = CustomerGroup
        fields = ["name"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=(value or "").strip())


class TagSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("tag"))
    customers = serializers.IntegerField(label=_("customers"))


class CustomerGroupViewSet(DocumentViewSet):
    model = CustomerGroup
    serializer_class = CustomerGroupSerializer
    filterset_class = CustomerGroupFilter
    permission_module = "customer_groups"
    ordering_fields = ["id", "name", "customer_count", "created_at"]
    ordering = ["name", "id"]
    create_service = staticmethod(labels.customer_group_create)
    update_service = staticmethod(labels.customer_group_update)
    delete_service = staticmethod(labels.customer_group_delete)

    def get_queryset(self):
        return super().get_queryset().annotate(customer_count=Count("customers"))

    @extend_schema(responses=TagSerializer(many=True))
    @action(detail=False, methods=["get"], code_verb="view", pagination_class=None)
    def tags(self, request):
        """The company's tags in use, most used first (for the tag pickers and filters)."""
        return Response(TagSerializer(labels.tag_names(request.tenant), many=True).data)


def register_routes(router) -> list:
    router.register("customer-groups", CustomerGroupViewSet, basename="customer-group")
    return []
