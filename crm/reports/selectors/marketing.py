"""Marketing report queries (市场营销报表): stock on hand with its value, stock
movements per item and period, requisitions per department and purpose, event
ROI and advertising channel ROI. Each is aggregated in SQL in a number of
queries that does not grow with the rows (a handful each), and keeps the data
scope where the rows have an owner: requisitions by their requester, events by
their owner (unowned events stay visible). Stock and placements have no owner:
whoever holds the report permission sees all of the company's.

Periods (dates inclusive, in the company's time zone):

* stock on hand: ``as_of`` a day (default: now, read from the balance rows;
  a past day sums the ledger up to the end of that day); the value is the
  quantity at the item's current unit cost;
* movements: the movements made in the period (default: this month), per item
  with the quantity before the period (opening) and after it (closing);
* requisitions: requisitions *issued* in the period; what came back on
  confirmed returns of those requisitions is taken off their cost;
* event ROI: events *starting* in the period; channel ROI: placements
  *starting* in the period (without a period, all of them, undated included).

Cost of an event = its expenses + the goods issued for it less returns
(``crm.marketing.selectors.event_figures``, the same figures as on the event's
card); ROI (%) = (won amount - cost) / cost × 100.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.scoping import restrict, team_and_descendants
from crm.marketing.models import (
    ZERO,
    AdPlacement,
    DocumentKind,
    MarketingEvent,
    RequisitionLine,
    StockItem,
    StockMovement,
    StockReturnLine,
)
from crm.marketing.selectors import event_figures
from crm.reports.selectors.sales import Filters, _day_start
from workflows.requisition import RequisitionStatus
from workflows.stock import StockDocumentStatus

MONEY = DecimalField(max_digits=18, decimal_places=2)
#: Rows a report answers at most (the totals always cover every row; the export too).
MAX_ROWS = 5000
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return (value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(part, whole, places: str = "0.01") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _roi(won: Decimal, cost: Decimal) -> Decimal | None:
    """(won - cost) / cost as a percentage with two places; None without a cost."""
    return _ratio((won - cost) * 100, cost) if cost > 0 else None


def _end(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` (periods are inclusive of their last day)."""
    return _day_start(day + dt.timedelta(days=1))


def _team_filter(queryset: QuerySet, owner_field: str, filters: Filters) -> QuerySet:
    if filters.team_id is None:
        return queryset
    return queryset.filter(**{f"{owner_field}__team_id__in": team_and_descendants(filters.team_id)})


def _capped(rows: list, limit: int | None) -> tuple[list, bool]:
    if limit is None or len(rows) <= limit:
        return rows, False
    return rows[:limit], True


# --- stock on hand -----------------------------------------------------------------------


def stock_on_hand(
    user,
    *,
    as_of: dt.date | None = None,
    category: int | None = None,
    low_only: bool = False,
    limit: int | None = MAX_ROWS,
) -> dict:
    """Each item's quantity on hand, unit cost and value (quantity × unit cost), with
    subtotals per category and the totals; inactive items only while they hold stock.
    Two queries (rows and the category subtotals), whatever the number of items."""
    items = StockItem.objects.filter(tenant_id=user.tenant_id)
    if category is not None:
        items = items.filter(category_id=category)
    if as_of is None:
        quantity = Coalesce(F("balance__quantity"), Value(ZERO), output_field=MONEY)
    else:
        ledger = (
            StockMovement.objects.filter(item_id=OuterRef("pk"), at__lt=_end(as_of))
            .order_by()
            .values("item_id")
            .annotate(q=Sum("quantity"))
            .values("q")
        )
        quantity = Coalesce(Subquery(ledger, output_field=MONEY), Value(ZERO), output_field=MONEY)
    items = items.annotate(qty=quantity).annotate(value=F("qty") * F("unit_cost"))
    items = items.filter(Q(active=True) | ~Q(qty=0))
    if low_only:
        items = items.filter(qty__lte=F("low_stock_threshold"))
    low = Q(qty__lte=F("low_stock_threshold"))
    rows, truncated = _capped(
        [
            {
                "item": r["id"],
                "code": r["code"],
                "name": r["name"],
                "category": r["category_id"],
                "category_label": r["category__label"] or "",
                "unit": r["unit"],
                "unit_cost": r["unit_cost"],
                "quantity": r["qty"],
                "value": _money(r["value"]),
                "low_stock_threshold": r["low_stock_threshold"],
                "low": r["qty"] <= r["low_stock_threshold"],
                "active": r["active"],
            }
            for r in items.order_by("code").values(
                "id",
                "code",
                "name",
                "category_id",
                "category__label",
                "unit",
                "unit_cost",
                "qty",
                "value",
                "low_stock_threshold",
                "active",
            )[: (limit + 1) if limit else None]
        ],
        limit,
    )
    groups = (
        items.order_by()
        .values("category_id", "category__label")
        .annotate(
            n=Count("id"),
            quantity_sum=Sum("qty"),
            value_sum=Sum("value", output_field=MONEY),
            low_n=Count("id", filter=low),
        )
    )
    categories = sorted(
        (
            {
                "category": g["category_id"],
                "category_label": g["category__label"] or _("(none)"),
                "items": g["n"],
                "quantity": g["quantity_sum"] or ZERO,
                "value": _money(g["value_sum"]),
                "low": g["low_n"],
            }
            for g in groups
        ),
        key=lambda g: (-g["value"], str(g["category_label"])),
    )
    return {
        "as_of": as_of or timezone.localdate(),
        "rows": rows,
        "truncated": truncated,
        "categories": categories,
        "totals": {
            "items": sum(g["items"] for g in categories),
            "quantity": sum((g["quantity"] for g in categories), ZERO),
            "value": _money(sum((g["value"] for g in categories), ZERO)),
            "low": sum(g["low"] for g in categories),
        },
    }


# --- movements per item and period -------------------------------------------------------

KINDS = {
    DocumentKind.RECEIPT: "received",
    DocumentKind.ADJUSTMENT: "adjusted",
    DocumentKind.REQUISITION: "issued",
    DocumentKind.RETURN: "returned",
}
MOVEMENT_FIELDS = ("opening", "received", "adjusted", "issued", "returned", "closing")


def movement_period(filters: Filters, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the movements report: the filters' dates, else this month to date."""
    date_to = filters.date_to or max(today, filters.date_from or today)
    date_from = filters.date_from or date_to.replace(day=1)
    return date_from, date_to


def stock_movements(
    user,
    filters: Filters,
    *,
    item: int | None = None,
    category: int | None = None,
    today: dt.date | None = None,
    limit: int | None = MAX_ROWS,
) -> dict:
    """Per item: the quantity before the period, what came in and went out in it by kind
    of document (received, adjusted (+/-), issued (out, shown positive), returned), the
    quantity after it, and the value in and out at the movements' costs. Items with a
    movement in the period or stock before it. Three queries: the period's sums, the
    openings and the items."""
    date_from, date_to = movement_period(filters, today or timezone.localdate())
    start, end = _day_start(date_from), _end(date_to)
    ledger = StockMovement.objects.filter(tenant_id=user.tenant_id)
    if item is not None:
        ledger = ledger.filter(item_id=item)
    if category is not None:
        ledger = ledger.filter(item__category_id=category)
    in_period = (
        ledger.filter(at__gte=start, at__lt=end)
        .order_by()
        .values("item_id", "document_kind")
        .annotate(
            q=Sum("quantity"),
            n=Count("id"),
            v_in=Sum(F("quantity") * F("unit_cost"), filter=Q(quantity__gt=0), output_field=MONEY),
            v_out=Sum(
                -F("quantity") * F("unit_cost"), filter=Q(quantity__lt=0), output_field=MONEY
            ),
        )
    )
    per_item: dict[int, dict] = {}

    def row_of(pk: int) -> dict:
        if pk not in per_item:
            per_item[pk] = {
                **dict.fromkeys(MOVEMENT_FIELDS, ZERO),
                "movements": 0,
                "value_in": ZERO,
                "value_out": ZERO,
            }
        return per_item[pk]

    for r in in_period:
        row = row_of(r["item_id"])
        field = KINDS[r["document_kind"]]
        # Issued goods go out: shown as a positive quantity taken.
        row[field] += -r["q"] if field == "issued" else r["q"]
        row["movements"] += r["n"]
        row["value_in"] += r["v_in"] or ZERO
        row["value_out"] += r["v_out"] or ZERO
    opening = (
        ledger.filter(at__lt=start)
        .order_by()
        .values("item_id")
        .annotate(q=Sum("quantity"))
        .exclude(q=0)
    )
    for r in opening:
        row_of(r["item_id"])["opening"] = r["q"]
    info = {
        i["id"]: i
        for i in StockItem.objects.filter(tenant_id=user.tenant_id, pk__in=list(per_item)).values(
            "id", "code", "name", "unit", "category__label"
        )
    }
    rows = []
    totals = {"movements": 0, "value_in": ZERO, "value_out": ZERO}
    for pk, row in per_item.items():
        row["closing"] = (
            row["opening"] + row["received"] + row["adjusted"] - row["issued"] + row["returned"]
        )
        totals["movements"] += row["movements"]
        totals["value_in"] += row["value_in"]
        totals["value_out"] += row["value_out"]
        i = info.get(pk, {})
        rows.append(
            {
                "item": pk,
                "code": i.get("code", ""),
                "name": i.get("name", ""),
                "unit": i.get("unit", ""),
                "category_label": i.get("category__label") or "",
                **row,
                "value_in": _money(row["value_in"]),
                "value_out": _money(row["value_out"]),
            }
        )
    rows.sort(key=lambda r: r["code"])
    rows, truncated = _capped(rows, limit)
    return {
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows,
        "truncated": truncated,
        "totals": {
            "items": len(per_item),
            "movements": totals["movements"],
            "value_in": _money(totals["value_in"]),
            "value_out": _money(totals["value_out"]),
        },
    }


# --- requisitions per department and purpose -------------------------------------------


def requisition_summary(queryset: QuerySet) -> list[dict]:
    """Issued requisitions of ``queryset`` per department (the requester's team) and
    purpose: how many, the cost of the goods issued, what came back on confirmed
    returns and the net cost. Two grouped queries."""
    issued = queryset.filter(status=RequisitionStatus.ISSUED).order_by()
    team, team_name = "requisition__requester__team_id", "requisition__requester__team__name"
    groups: dict[tuple, dict] = {}
    lines = (
        RequisitionLine.objects.filter(requisition__in=issued)
        .order_by()
        .values(team, team_name, "requisition__purpose")
        .annotate(
            cost=Sum(F("quantity") * F("unit_cost"), output_field=MONEY),
            n=Count("requisition_id", distinct=True),
        )
    )
    for row in lines:
        key = (row[team], row["requisition__purpose"])
        groups[key] = {
            "team": key[0],
            "team_name": row[team_name] or "",
            "purpose": key[1],
            "requisitions": row["n"],
            "issued_cost": _money(row["cost"]),
            "returned_cost": ZERO,
            "cost": _money(row["cost"]),
        }
    returned = (
        StockReturnLine.objects.filter(
            stock_return__requisition__in=issued,
            stock_return__status=StockDocumentStatus.CONFIRMED,
        )
        .order_by()
        .values(f"stock_return__{team}", "stock_return__requisition__purpose")
        .annotate(v=Sum(F("quantity") * F("unit_cost"), output_field=MONEY))
    )
    for row in returned:
        key = (row[f"stock_return__{team}"], row["stock_return__requisition__purpose"])
        if key in groups:
            groups[key]["returned_cost"] = _money(row["v"])
            groups[key]["cost"] = _money(groups[key]["issued_cost"] - row["v"])
    return sorted(groups.values(), key=lambda g: (g["team_name"], g["purpose"]))


def requisitions_by_department(user, filters: Filters) -> dict:
    """Requisitions issued in the period, within the user's data scope (by requester)
    and the team filter, per department and purpose, with subtotals per department."""
    from crm.marketing.models import Requisition

    qs = restrict(Requisition.objects.filter(tenant_id=user.tenant_id), user, "requester")
    qs = _team_filter(qs, "requester", filters)
    if filters.date_from:
        qs = qs.filter(issued_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(issued_at__lt=_end(filters.date_to))
    rows = requisition_summary(qs)
    departments: dict[int | None, dict] = {}
    for r in rows:
        d = departments.setdefault(
            r["team"],
            {
                "team": r["team"],
                "team_name": r["team_name"],
                "requisitions": 0,
                "issued_cost": ZERO,
                "returned_cost": ZERO,
                "cost": ZERO,
            },
        )
        for key in ("requisitions", "issued_cost", "returned_cost", "cost"):
            d[key] += r[key]
    for r in rows:
        r["team_name"] = r["team_name"] or _("(no department)")
    for d in departments.values():
        d["team_name"] = d["team_name"] or _("(no department)")
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "team": filters.team_id,
        "rows": rows,
        "departments": sorted(departments.values(), key=lambda d: -d["cost"]),
        "totals": {
            key: sum((r[key] for r in rows), ZERO if key != "requisitions" else 0)
            for key in ("requisitions", "issued_cost", "returned_cost", "cost")
        },
    }


# --- event ROI ---------------------------------------------------------------------------


def event_roi(
    user,
    filters: Filters,
    *,
    type: str | None = None,
    limit: int | None = MAX_ROWS,
) -> dict:
    """Events starting in the period (the user's data scope by owner, unowned events
    included; team filter by owner): budget, expenses, goods, cost, leads,
    opportunities, won amount, cost per lead and ROI (%), with totals. One query for the
    events and the five of ``event_figures``."""
    qs = restrict(
        MarketingEvent.objects.filter(tenant_id=user.tenant_id),
        user,
        "owner",
        include_unowned=True,
    )
    qs = _team_filter(qs, "owner", filters)
    if filters.date_from:
        qs = qs.filter(starts_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(starts_on__lte=filters.date_to)
    if type:
        qs = qs.filter(type=type)
    events = list(
        qs.select_related("owner").order_by(F("starts_on").desc(nulls_last=True), "-id")[
            : (limit + 1) if limit else None
        ]
    )
    events, truncated = _capped(events, limit)
    figures = event_figures(events)
    rows = []
    sums = dict.fromkeys(("budget", "expense_cost", "goods_cost", "cost", "won_amount"), ZERO)
    counts = {"leads": 0, "opportunities": 0}
    for e in events:
        f = figures[e.pk]
        row = {
            "event": e.pk,
            "name": e.name,
            "type": e.type,
            "type_label": str(e.get_type_display()),
            "status": e.status,
            "status_label": str(e.get_status_display()),
            "starts_on": e.starts_on,
            "owner_name": e.owner.display_name if e.owner else "",
            "budget": _money(e.budget),
            **f,
            "roi_percent": _roi(f["won_amount"], f["cost"]),
        }
        rows.append(row)
        for key in sums:
            sums[key] += row[key]
        for key in counts:
            counts[key] += row[key]
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "team": filters.team_id,
        # The event types to filter by, labelled (the web app keeps no copy).
        "types": [{"value": v, "label": str(label)} for v, label in MarketingEvent.Type.choices],
        "rows": rows,
        "truncated": truncated,
        "totals": {
            "events": len(rows),
            **{k: _money(v) for k, v in sums.items()},
            **counts,
            "cost_per_lead": _ratio(sums["cost"], counts["leads"]),
            "roi_percent": _roi(sums["won_amount"], sums["cost"]),
        },
    }


# --- channel ROI --------------------------------------------------------------------------


def _won_customer_q():
    """A lead's customer counts as won when it has a won opportunity."""
    from crm.sales.models import Opportunity
    from workflows.opportunity import OpportunityStatus

    won = Opportunity.objects.filter(
        customer_id=OuterRef("customer_id"), status=OpportunityStatus.WON
    )
    return Q(Exists(won))


def channel_figures(placements: QuerySet) -> list[dict]:
    """Per advertising channel of ``placements``: their cost, the leads they produced,
    the won customers among those leads, cost per lead and per won customer. Two
    grouped queries."""
    from crm.customers.models import Lead

    placements = placements.order_by()
    cost = {
        row["channel_id"]: row
        for row in placements.values("channel_id", "channel__label").annotate(
            cost=Sum("cost"), placements=Count("id")
        )
    }
    leads = {
        row["ad_placement__channel_id"]: row
        for row in Lead.objects.filter(ad_placement__in=placements)
        .order_by()
        .values("ad_placement__channel_id")
        .annotate(
            n=Count("id"),
            won=Count("customer_id", distinct=True, filter=_won_customer_q()),
        )
    }
    out = []
    for channel_id, row in sorted(cost.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        total = _money(row["cost"])
        lead = leads.get(channel_id, {})
        n, won = lead.get("n", 0), lead.get("won", 0)
        out.append(
            {
                "channel": channel_id,
                "channel_label": row["channel__label"] or "",
                "placements": row["placements"],
                "cost": total,
                "leads": n,
                "won_customers": won,
                "cost_per_lead": _ratio(total, n),
                "cost_per_won_customer": _ratio(total, won),
            }
        )
    return out


def channel_roi(user, filters: Filters) -> dict:
    """Placements starting in the period, per channel (see ``channel_figures``), with
    the totals."""
    qs = AdPlacement.objects.filter(tenant_id=user.tenant_id)
    if filters.date_from:
        qs = qs.filter(starts_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(starts_on__lte=filters.date_to)
    rows = channel_figures(qs)
    for r in rows:
        r["channel_label"] = r["channel_label"] or _("(no channel)")
    cost = _money(sum((r["cost"] for r in rows), ZERO))
    leads = sum(r["leads"] for r in rows)
    won = sum(r["won_customers"] for r in rows)
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "rows": rows,
        "totals": {
            "placements": sum(r["placements"] for r in rows),
            "cost": cost,
            "leads": leads,
            "won_customers": won,
            "cost_per_lead": _ratio(cost, leads),
            "cost_per_won_customer": _ratio(cost, won),
        },
    }
