"""``GET /api/v1/reports/usage/?start=&end=``: the company's usage statistics
(``crm.reports.usage``), for holders of ``reports.usage``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import TenantScopedMixin
from crm.db_router import ReplicaReadsMixin
from crm.reports import usage
from crm.reports.permissions import USAGE


class UsageView(ReplicaReadsMixin, TenantScopedMixin, APIView):
    code = USAGE

    @extend_schema(
        parameters=[
            OpenApiParameter("start", dt.date, description="first day (default: 29 days ago)"),
            OpenApiParameter("end", dt.date, description="last day (default: today)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        """Active users, sign-ins, actions and records created per module, storage."""
        tenant = request.tenant
        today = timezone.localdate(timezone=usage.ZoneInfo(tenant.time_zone or "Asia/Shanghai"))
        first, last = usage.period(
            request.query_params.get("start"), request.query_params.get("end"), today=today
        )
        return Response(usage.usage(tenant, first, last))
