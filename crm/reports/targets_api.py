"""``GET /api/v1/reports/targets/?period=``: sales target attainment per person
and team (the query: ``crm.reports.selectors.targets``; the targets themselves are
``/api/v1/targets/`` of crm/targets)."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import TenantScopedMixin
from crm.db_router import ReplicaReadsMixin
from crm.reports.api import as_json
from crm.reports.selectors import targets as selectors
from crm.targets import periods
from crm.targets.permissions import REPORT


class TargetReportView(ReplicaReadsMixin, TenantScopedMixin, APIView):
    code = REPORT

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, description="2026-05 (month), 2026-Q2 (quarter) or 2026 (year)"
            )
        ],
        responses=inline_serializer(
            "TargetReport",
            {
                "period": serializers.CharField(),
                "period_kind": serializers.CharField(),
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "previous": serializers.CharField(),
                "people": serializers.ListField(child=serializers.DictField()),
                "teams": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        """Attainment of the period's targets, per person and per team (a team's
        actual sums its members'); default: this month."""
        raw = request.query_params.get("period")
        if raw:
            kind, start = periods.parse(raw)
        else:
            kind = "month"
            start = periods.start_of(kind, timezone.localdate())
        return Response(as_json(selectors.attainment(request.user, kind, start)))


def register_routes(router) -> list:
    return [path("reports/targets/", TargetReportView.as_view(), name="report-targets")]
