"""Report endpoints, every one of them (the queries are ``crm.reports.selectors``).

Sales: /api/v1/reports/funnel/, /receivables-aging/, /won-by-owner/,
/won-by-month/: ``?date_from=&date_to=&team=`` (aging also ``as_of``), the
``reports.sales`` permission. Service: /reports/sla/, /follow-ups/,
/satisfaction/: ``?from=&to=`` in the company's time zone, the
``service.reports`` permission. All apply the user's data scope.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import Invalid
from crm.core.models import Team
from crm.core.validators import date_in_range, date_range_message
from crm.db_router import ReplicaReadsMixin
from crm.reports import selectors
from crm.reports.permissions import SALES_REPORTS
from crm.reports.usage_api import UsageView
from crm.service.permissions import REPORTS_CODE as SERVICE_REPORTS
from crm.service.selectors import calendar_for

PARAMETERS = [
    OpenApiParameter("date_from", dt.date, description="first day (inclusive)"),
    OpenApiParameter("date_to", dt.date, description="last day (inclusive)"),
    OpenApiParameter("team", int, description="a team, with its sub-teams"),
]


def _date(params, name: str) -> dt.date | None:
    value = params.get(name)
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(fields={name: [_("Enter a date (YYYY-MM-DD).")]}) from None
    if not date_in_range(day):  # year 1 or 9999 overflowed the aging buckets (500)
        raise Invalid(fields={name: [date_range_message()]})
    return day


def parse_filters(request) -> selectors.Filters:
    params = request.query_params
    filters = selectors.Filters(
        date_from=_date(params, "date_from"), date_to=_date(params, "date_to")
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise Invalid(fields={"date_to": [_("The end of the period is before its start.")]})
    team = params.get("team")
    if team:
        if (
            not team.isdigit()
            or not Team.objects.filter(tenant_id=request.user.tenant_id, pk=int(team)).exists()
        ):
            raise Invalid(fields={"team": [_("Unknown team.")]})
        filters.team_id = int(team)
    return filters


def as_json(value):
    """Money as decimal strings with two places (never floats), recursively."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


class ReportView(ReplicaReadsMixin, TenantScopedMixin, APIView):
    code = SALES_REPORTS


class FunnelView(ReportView):
    @extend_schema(
        parameters=PARAMETERS,
        responses=inline_serializer(
            "FunnelReport",
            {
                "stages": serializers.ListField(child=serializers.DictField()),
                "totals": serializers.DictField(),
            },
        ),
    )
    def get(self, request):
        """Opportunities created in the period: count, amount, weighted amount per
        stage, and the conversion rate from each stage to the next."""
        return Response(as_json(selectors.funnel(request.user, parse_filters(request))))


# The aging buckets in order, labelled for the charts (the web app keeps no copy).
AGING_BUCKETS = (
    ("current", gettext_lazy("not yet due")),
    ("days_1_30", gettext_lazy("1-30 days overdue")),
    ("days_31_60", gettext_lazy("31-60 days overdue")),
    ("days_61_90", gettext_lazy("61-90 days overdue")),
    ("days_over_90", gettext_lazy("over 90 days overdue")),
)


class ReceivablesAgingView(ReportView):
    @extend_schema(
        parameters=[
            *PARAMETERS,
            OpenApiParameter("as_of", dt.date, description="aging day (default: date_to or today)"),
        ],
        responses=inline_serializer(
            "ReceivablesAgingReport",
            {
                "as_of": serializers.DateField(),
                "buckets": inline_serializer(
                    "AgingBucket",
                    {"key": serializers.CharField(), "label": serializers.CharField()},
                    many=True,
                ),
                "rows": serializers.ListField(child=serializers.DictField()),
                "totals": serializers.DictField(),
            },
        ),
    )
    def get(self, request):
        """Outstanding installments of active contracts per customer and owner by days
        overdue: current, 1-30, 31-60, 61-90, over 90 (``buckets`` names them in order)."""
        filters = parse_filters(request)
        as_of = _date(request.query_params, "as_of") or filters.date_to or timezone.localdate()
        data = as_json(selectors.receivables_aging(request.user, filters, as_of))
        data["buckets"] = [{"key": key, "label": str(label)} for key, label in AGING_BUCKETS]
        return Response(data)


class WonByOwnerView(ReportView):
    @extend_schema(
        parameters=PARAMETERS,
        responses=inline_serializer(
            "WonByOwnerReport",
            {
                "rows": serializers.ListField(child=serializers.DictField()),
                "totals": serializers.DictField(),
            },
        ),
    )
    def get(self, request):
        """Won amount and count per owner per month (deals won in the period)."""
        return Response(as_json(selectors.won_by_owner(request.user, parse_filters(request))))


class WonByMonthView(ReportView):
    @extend_schema(
        parameters=PARAMETERS,
        responses=inline_serializer(
            "WonByMonthReport",
            {
                "date_from": serializers.DateField(),
                "date_to": serializers.DateField(),
                "team": serializers.IntegerField(allow_null=True),
                "months": serializers.ListField(child=serializers.DictField()),
                "totals": serializers.DictField(),
            },
        ),
    )
    def get(self, request):
        """Won count and amount per month of the period (deals won in it, every month
        listed; default: the last twelve months), for the dashboard chart."""
        filters = parse_filters(request)
        today = timezone.localdate()
        date_from, date_to = selectors.won_period(filters, today)
        if selectors.months_between(date_from, date_to) > selectors.MAX_MONTHS:
            raise Invalid(
                fields={
                    "date_from": [
                        _("At most %(months)d months at a time.") % {"months": selectors.MAX_MONTHS}
                    ]
                }
            )
        return Response(as_json(selectors.won_by_month(request.user, filters, today=today)))


# --- service reports ---------------------------------------------------------------

_PERIOD_PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="first day (inclusive)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last day (inclusive)"),
]


def _period(request) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``?from=&to=`` dates (inclusive) as moments in the company's time zone."""
    tz = calendar_for(request.tenant).tz
    errors, bounds = {}, {}
    for key in ("from", "to"):
        raw = request.query_params.get(key)
        if not raw:
            bounds[key] = None
            continue
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            errors[key] = [_("Give a date as YYYY-MM-DD.")]
            continue
        if not date_in_range(day):
            errors[key] = [date_range_message()]
            continue
        if key == "to":
            day += dt.timedelta(days=1)
        bounds[key] = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    if not errors and bounds["from"] and bounds["to"] and bounds["to"] <= bounds["from"]:
        errors["to"] = [_("The end cannot be before the start.")]
    if errors:
        raise Invalid(fields=errors)
    return bounds["from"], bounds["to"]


class ServiceReportView(ReplicaReadsMixin, TenantScopedMixin, APIView):
    code = SERVICE_REPORTS
    report = None

    @extend_schema(parameters=_PERIOD_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        since, until = _period(request)
        return Response(type(self).report(user=request.user, since=since, until=until))


class SlaReportView(ServiceReportView):
    """Complaints per severity, on-time acknowledge/resolve rates, breaches per owner."""

    report = staticmethod(selectors.sla_report)


class FollowUpReportView(ServiceReportView):
    """Follow-up completion rate per owner."""

    report = staticmethod(selectors.followup_report)


class SatisfactionReportView(ServiceReportView):
    """Average satisfaction of return visits, per owner and as a distribution."""

    report = staticmethod(selectors.satisfaction_report)


def register_routes(router) -> list:
    """Report endpoints are plain views, mounted under /api/v1/ (sales, then service)."""
    return [
        path("reports/funnel/", FunnelView.as_view(), name="report-funnel"),
        path(
            "reports/receivables-aging/",
            ReceivablesAgingView.as_view(),
            name="report-receivables-aging",
        ),
        path("reports/won-by-owner/", WonByOwnerView.as_view(), name="report-won-by-owner"),
        path("reports/won-by-month/", WonByMonthView.as_view(), name="report-won-by-month"),
        path("reports/sla/", SlaReportView.as_view(), name="report-sla"),
        path("reports/follow-ups/", FollowUpReportView.as_view(), name="report-follow-ups"),
        path("reports/satisfaction/", SatisfactionReportView.as_view(), name="report-satisfaction"),
        path("reports/usage/", UsageView.as_view(), name="report-usage"),
    ]
