"""Customer reports under /api/v1/reports/customers/ (queries in
``crm.reports.selectors.customers``): ``by-<dimension>/`` (level, industry,
region, source, owner), ``new-by-month/``, ``idle/?days=``, ``pool-flow/``; each
takes ``?date_from=&date_to=&team=`` and has an ``export/`` twin writing the
same table to xlsx. Permission ``reports.customers``; the user's data scope applies.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from crm.core.errors import Invalid
from crm.core.registries import exporter
from crm.reports.api import PARAMETERS, ReportView, as_json, parse_filters
from crm.reports.permissions import CUSTOMER_REPORTS
from crm.reports.selectors import customers as q
from crm.reports.selectors.sales import MAX_MONTHS, months_between

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLES = {
    "level": gettext_lazy("Customers by level"),
    "industry": gettext_lazy("Customers by industry"),
    "region": gettext_lazy("Customers by region"),
    "source": gettext_lazy("Customers by source"),
    "owner": gettext_lazy("Customers by owner"),
    "new-by-month": gettext_lazy("New customers per month"),
    "idle": gettext_lazy("Customers without activity"),
    "pool-flow": gettext_lazy("Public pool inflow and outflow"),
}


def _idle_days(request) -> int:
    raw = request.query_params.get("days") or "30"
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise Invalid(fields={"days": [_("Give 1 to 3650 days.")]})
    return int(raw)


def _months(filters, today) -> None:
    date_from, date_to = q.new_period(filters, today)
    if months_between(date_from, date_to) > MAX_MONTHS:
        message = _("At most %(months)d months at a time.") % {"months": MAX_MONTHS}
        raise Invalid(fields={"date_from": [message]})


def build(report: str, request) -> tuple[dict, list[str], list[list]]:
    """The report's data and its table (header, rows) for the export."""
    filters = parse_filters(request)
    user = request.user
    if report in q.DIMENSIONS:
        data = q.distribution(user, filters, report)
        header = [str(TITLES[report]), _("customers"), _("share (%)")]
        rows = [[r["label"], r["count"], r["share"]] for r in data["rows"]]
        rows.append([_("total"), data["total"], None])
    elif report == "new-by-month":
        _months(filters, timezone.localdate())
        data = q.new_by_month(user, filters)
        header = [_("month"), _("new customers"), _("growth (%)"), _("customers in all")]
        rows = [[m["month"], m["count"], m["growth"], m["total"]] for m in data["months"]]
    elif report == "idle":
        data = q.idle(user, filters, _idle_days(request))
        header = [_("customer"), _("owner"), _("last activity"), _("idle days")]
        rows = [
            [
                r["name"],
                r["owner_name"],
                timezone.localtime(r["last_activity_at"]).strftime("%Y-%m-%d %H:%M")
                if r["last_activity_at"]
                else "",
                r["idle_days"],
            ]
            for r in data["rows"]
        ]
    else:
        _months(filters, timezone.localdate())
        data = q.pool_flow(user, filters)
        header = [
            _("month"),
            _("into the pool"),
            _("returned when idle"),
            _("claimed from the pool"),
            _("net"),
        ]
        rows = [
            [m["month"], m["inflow"], m["inflow_auto"], m["outflow"], m["net"]]
            for m in data["months"]
        ]
    rows = [[float(v) if hasattr(v, "as_tuple") else v for v in row] for row in rows]
    return data, header, rows


class CustomerReportView(ReportView):
    code = CUSTOMER_REPORTS
    report = ""

    @extend_schema(
        parameters=[
            *PARAMETERS,
            OpenApiParameter("days", int, description="idle report: days without activity"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        return Response(as_json(build(self.report, request)[0]))


class CustomerReportExportView(ReportView):
    code = CUSTOMER_REPORTS
    report = ""

    @extend_schema(
        parameters=[*PARAMETERS, OpenApiParameter("days", int)],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        _data, header, rows = build(self.report, request)
        files = exporter()
        title = str(TITLES[self.report])
        return FileResponse(
            files.xlsx_file(header, rows, title[:31]),
            as_attachment=True,
            filename=f"customers-{self.report}.xlsx",
            content_type=XLSX,
        )


REPORTS = (*(f"by-{d}" for d in q.DIMENSIONS), "new-by-month", "idle", "pool-flow")


def register_routes(router) -> list:
    out = []
    for name in REPORTS:
        report = name.removeprefix("by-")
        view = type(
            f"Customers{report.title().replace('-', '')}Report",
            (CustomerReportView,),
            {"report": report},
        )
        export = type(
            f"Customers{report.title().replace('-', '')}Export",
            (CustomerReportExportView,),
            {"report": report},
        )
        out.append(
            path(f"reports/customers/{name}/", view.as_view(), name=f"report-customers-{name}")
        )
        out.append(
            path(
                f"reports/customers/{name}/export/",
                export.as_view(),
                name=f"report-customers-{name}-export",
            )
        )
    return out
