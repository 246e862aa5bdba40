"""``/api/v1/targets/`` (sales targets) and ``GET /api/v1/reports/targets/?period=``
(attainment per person and team), plus the workbench's target gauge."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers

from crm.core.api.fields import RelatedLabelField
from crm.core.api.filters import TenantFilterSet
from crm.core.api.serializers import TenantPrimaryKeyField
from crm.core.api.viewsets import DocumentViewSet
from crm.core.models import Team, User
from crm.targets import periods, services
from crm.targets.models import SalesTarget


class SalesTargetSerializer(serializers.ModelSerializer):
    user = TenantPrimaryKeyField(
        label=_lazy("user"),
        model=User,
        filters={"is_active": True, "is_system": False},
        required=False,
        allow_null=True,
    )
    team = TenantPrimaryKeyField(label=_lazy("team"), model=Team, required=False, allow_null=True)
    user_name = RelatedLabelField(source="user.display_name")
    team_name = RelatedLabelField(source="team.name")
    period_kind_label = serializers.CharField(source="get_period_kind_display", read_only=True)
    measure_label = serializers.CharField(source="get_measure_display", read_only=True)
    period = serializers.SerializerMethodField(label=_lazy("target period"))
    amount = serializers.DecimalField(
        label=_lazy("amount"), max_digits=14, decimal_places=2, min_value=0
    )

    class Meta:
        model = SalesTarget
        fields = [
            "id",
            "user",
            "user_name",
            "team",
            "team_name",
            "period_kind",
            "period_kind_label",
            "period_start",
            "period",
            "measure",
            "measure_label",
            "amount",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]

    def get_period(self, obj) -> str:
        return periods.name_of(obj.period_kind, obj.period_start)


class SalesTargetFilter(TenantFilterSet):
    period_start = django_filters.DateFromToRangeFilter()

    class Meta:
        model = SalesTarget
        fields = ["user", "team", "period_kind", "measure"]


class SalesTargetViewSet(DocumentViewSet):
    model = SalesTarget
    serializer_class = SalesTargetSerializer
    filterset_class = SalesTargetFilter
    permission_module = "targets"
    owner_field = "user"
    include_unowned = True  # team targets
    ordering_fields = ["id", "period_start", "amount"]
    ordering = ["-period_start", "id"]
    create_service = staticmethod(services.target_create)
    update_service = staticmethod(services.target_update)
    delete_service = staticmethod(services.target_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("user", "team")


def register_routes(router) -> list:
    router.register("targets", SalesTargetViewSet, basename="target")
    return []
