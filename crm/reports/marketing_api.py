"""Marketing reports under /api/v1/reports/marketing/ (queries in
``crm.reports.selectors.marketing``):

* ``stock-on-hand/?as_of=&category=&low=``: each item's quantity, unit cost and
  value, subtotals per category, totals;
* ``stock-movements/?date_from=&date_to=&item=&category=``: per item, opening,
  received, adjusted, issued, returned, closing, value in and out;
* ``requisitions/?date_from=&date_to=&team=``: issued requisitions per
  department (the requester's team) and purpose;
* ``event-roi/?date_from=&date_to=&team=&type=``: per event cost (expenses +
  goods), leads, opportunities, won amount, cost per lead, ROI (%);
* ``channel-roi/?date_from=&date_to=``: per advertising channel cost, leads,
  won customers, cost per lead and per won customer.

Each has an ``export/`` twin writing the same table (every row) to xlsx.
Permission ``marketing.reports``; the user's data scope applies where rows have
an owner; the paths belong to the marketing module (off: 404 ``module_disabled``).
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from crm.core.api.filters import query_flag
from crm.core.errors import Invalid
from crm.core.models import DictionaryItem
from crm.core.registries import exporter
from crm.marketing.models import MarketingEvent, StockItem
from crm.marketing.permissions import REPORTS as MARKETING_REPORTS
from crm.reports.api import PARAMETERS, ReportView, _date, as_json, parse_filters
from crm.reports.selectors import marketing as q

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLES = {
    "stock-on-hand": gettext_lazy("Stock on hand"),
    "stock-movements": gettext_lazy("Stock movements per item"),
    "requisitions": gettext_lazy("Requisitions per department and purpose"),
    "event-roi": gettext_lazy("Marketing event ROI"),
    "channel-roi": gettext_lazy("Advertising channel ROI"),
}
REPORTS = tuple(TITLES)
PARAMS = {
    "stock-on-hand": [
        OpenApiParameter("as_of", OpenApiTypes.DATE, description="stock at the end of this day"),
        OpenApiParameter("category", int, description="a stock category (dictionary item)"),
        OpenApiParameter("low", bool, description="only items at or below their threshold"),
    ],
    "stock-movements": [
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="first day (inclusive)"),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="last day (inclusive)"),
        OpenApiParameter("item", int, description="one stock item"),
        OpenApiParameter("category", int, description="a stock category (dictionary item)"),
    ],
    "requisitions": PARAMETERS,
    "event-roi": [
        *PARAMETERS,
        OpenApiParameter("type", str, enum=MarketingEvent.Type.values, description="event type"),
    ],
    "channel-roi": PARAMETERS[:2],
}


def _int_of(request, name: str, queryset, message) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not raw.isdigit() or not queryset.filter(pk=int(raw)).exists():
        raise Invalid(fields={name: [str(message)]})
    return int(raw)


def _category(request) -> int | None:
    return _int_of(
        request,
        "category",
        DictionaryItem.objects.filter(tenant_id=request.user.tenant_id, kind="stock_category"),
        _("Unknown stock category."),
    )


def _decimal(v):
    return float(v) if hasattr(v, "as_tuple") else v


def build(report: str, request, *, limit=q.MAX_ROWS) -> tuple[dict, list[str], list[list]]:
    """The report's data and its table (header, rows with a total row) for the export."""
    user = request.user
    params = request.query_params
    if report == "stock-on-hand":
        as_of = _date(params, "as_of")
        if as_of and as_of > timezone.localdate():
            raise Invalid(fields={"as_of": [_("Give a day that is not in the future.")]})
        data = q.stock_on_hand(
            user,
            as_of=as_of,
            category=_category(request),
            low_only=query_flag(request, "low"),
            limit=limit,
        )
        header = [
            _("code"),
            _("name"),
            _("category"),
            _("unit"),
            _("quantity on hand"),
            _("unit cost"),
            _("stock value"),
            _("low-stock threshold"),
        ]
        rows = [
            [
                r["code"],
                r["name"],
                r["category_label"],
                r["unit"],
                r["quantity"],
                r["unit_cost"],
                r["value"],
                r["low_stock_threshold"],
            ]
            for r in data["rows"]
        ]
        totals = data["totals"]
        rows.append([_("total"), "", "", "", totals["quantity"], "", totals["value"], ""])
    elif report == "stock-movements":
        filters = parse_filters(request)
        item = _int_of(
            request,
            "item",
            StockItem.objects.filter(tenant_id=user.tenant_id),
            _("Unknown stock item."),
        )
        data = q.stock_movements(user, filters, item=item, category=_category(request), limit=limit)
        header = [
            _("code"),
            _("name"),
            _("unit"),
            pgettext("stock movements", "opening"),
            pgettext("stock movements", "received"),
            pgettext("stock movements", "adjusted"),
            pgettext("stock movements", "issued"),
            pgettext("stock movements", "returned"),
            pgettext("stock movements", "closing"),
            _("value in"),
            _("value out"),
        ]
        rows = [
            [
                r["code"],
                r["name"],
                r["unit"],
                r["opening"],
                r["received"],
                r["adjusted"],
                r["issued"],
                r["returned"],
                r["closing"],
                r["value_in"],
                r["value_out"],
            ]
            for r in data["rows"]
        ]
        totals = data["totals"]
        rows.append(
            [_("total"), "", "", "", "", "", "", "", "", totals["value_in"], totals["value_out"]]
        )
    elif report == "requisitions":
        data = q.requisitions_by_department(user, parse_filters(request))
        header = [
            _("department"),
            _("purpose"),
            _("requisitions"),
            _("cost of goods issued"),
            _("returned"),
            _("net cost"),
        ]
        rows = [
            [
                r["team_name"],
                r["purpose"],
                r["requisitions"],
                r["issued_cost"],
                r["returned_cost"],
                r["cost"],
            ]
            for r in data["rows"]
        ]
        t = data["totals"]
        rows.append(
            [_("total"), "", t["requisitions"], t["issued_cost"], t["returned_cost"], t["cost"]]
        )
    elif report == "event-roi":
        kind = params.get("type") or None
        if kind and kind not in MarketingEvent.Type.values:
            raise Invalid(fields={"type": [_("Unknown event type.")]})
        data = q.event_roi(user, parse_filters(request), type=kind, limit=limit)
        header = [
            _("marketing event"),
            _("type"),
            _("starts on"),
            _("status"),
            _("budget"),
            _("expenses"),
            _("goods"),
            _("cost"),
            _("leads"),
            _("opportunities"),
            _("won amount"),
            _("cost per lead"),
            _("ROI (%)"),
        ]
        rows = [
            [
                r["name"],
                r["type_label"],
                r["starts_on"].isoformat() if r["starts_on"] else "",
                r["status_label"],
                r["budget"],
                r["expense_cost"],
                r["goods_cost"],
                r["cost"],
                r["leads"],
                r["opportunities"],
                r["won_amount"],
                r["cost_per_lead"],
                r["roi_percent"],
            ]
            for r in data["rows"]
        ]
        t = data["totals"]
        rows.append(
            [
                _("total"),
                "",
                "",
                "",
                t["budget"],
                t["expense_cost"],
                t["goods_cost"],
                t["cost"],
                t["leads"],
                t["opportunities"],
                t["won_amount"],
                t["cost_per_lead"],
                t["roi_percent"],
            ]
        )
    else:
        data = q.channel_roi(user, parse_filters(request))
        header = [
            _("channel"),
            _("placements"),
            _("cost"),
            _("leads"),
            _("won customers"),
            _("cost per lead"),
            _("cost per won customer"),
        ]
        rows = [
            [
                r["channel_label"],
                r["placements"],
                r["cost"],
                r["leads"],
                r["won_customers"],
                r["cost_per_lead"],
                r["cost_per_won_customer"],
            ]
            for r in data["rows"]
        ]
        t = data["totals"]
        rows.append(
            [
                _("total"),
                t["placements"],
                t["cost"],
                t["leads"],
                t["won_customers"],
                t["cost_per_lead"],
                t["cost_per_won_customer"],
            ]
        )
    rows = [[_decimal(v) for v in row] for row in rows]
    return data, header, rows


class MarketingReportView(ReportView):
    code = MARKETING_REPORTS
    report = ""

    def get(self, request):
        return Response(as_json(build(self.report, request)[0]))


class MarketingReportExportView(ReportView):
    code = MARKETING_REPORTS
    report = ""

    def get(self, request):
        _data, header, rows = build(self.report, request, limit=None)
        title = str(TITLES[self.report])
        return FileResponse(
            exporter().xlsx_file(header, rows, title[:31]),
            as_attachment=True,
            filename=f"marketing-{self.report}.xlsx",
            content_type=XLSX,
        )


def _view(base, report: str, suffix: str):
    name = "".join(part.title() for part in report.split("-"))
    responses = OpenApiTypes.OBJECT if suffix == "Report" else {(200, XLSX): OpenApiTypes.BINARY}

    # A method of its own per report: the schema annotation sits on the function.
    @extend_schema(parameters=PARAMS[report], responses=responses)
    def get(self, request):
        return base.get(self, request)

    return type(f"Marketing{name}{suffix}", (base,), {"report": report, "get": get})


def register_routes(router) -> list:
    out = []
    for report in REPORTS:
        out.append(
            path(
                f"reports/marketing/{report}/",
                _view(MarketingReportView, report, "Report").as_view(),
                name=f"report-marketing-{report}",
            )
        )
        out.append(
            path(
                f"reports/marketing/{report}/export/",
                _view(MarketingReportExportView, report, "Export").as_view(),
                name=f"report-marketing-{report}-export",
            )
        )
    return out
