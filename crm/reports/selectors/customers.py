"""Customer reports (客户报表): counts by level, industry, region, source and
owner; new customers per month with growth; customers idle for N days; the
public pool's inflow and outflow. Each is one or two grouped queries (plus the
team tree when a team is given), whatever the rows, and keeps the user's data scope.

Periods: the distributions, new customers and idle customers take customers
*created* in the period; pool flows count pool moves (``TransitionLog`` of the
customer process: ``release`` in, ``claim`` out) made in the period.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.scoping import team_and_descendants
from crm.customers.models import Customer
from crm.reports.selectors.sales import (
    DEFAULT_MONTHS,
    Filters,
    _day_start,
    _scoped,
    add_months,
    months_between,
)

DIMENSIONS = {
    # dimension: (grouped fields, label of a row)
    "level": (("level_id", "level__label"), lambda r: r["level__label"]),
    "industry": (("industry_id", "industry__label"), lambda r: r["industry__label"]),
    "source": (("source_id", "source__label"), lambda r: r["source__label"]),
    "region": (("region",), lambda r: r["region"]),
    "owner": (
        ("owner_id", "owner__full_name", "owner__username"),
        lambda r: r["owner__full_name"] or r["owner__username"],
    ),
}
MAX_IDLE_ROWS = 500


def _customers(user, filters: Filters):
    qs = _scoped(Customer.objects.all(), user, "owner", filters)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return qs.order_by()


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"))


def distribution(user, filters: Filters, by: str) -> dict:
    """Customers per level, industry, region, source or owner (one grouped query)."""
    fields, label_of = DIMENSIONS[by]
    rows = list(_customers(user, filters).values(*fields).annotate(count=Count("id")))
    total = sum(r["count"] for r in rows)
    out = [
        {
            "key": r[fields[0]],
            "label": label_of(r) or _("(none)"),
            "count": r["count"],
            "share": _share(r["count"], total),
        }
        for r in rows
    ]
    out.sort(key=lambda r: (-r["count"], str(r["label"])))
    return {
        "by": by,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "team": filters.team_id,
        "rows": out,
        "total": total,
    }


def new_period(filters: Filters, today: dt.date) -> tuple[dt.date, dt.date]:
    date_to = filters.date_to or max(today, filters.date_from or today)
    date_from = filters.date_from or add_months(date_to, 1 - DEFAULT_MONTHS)
    return date_from, date_to


def new_by_month(user, filters: Filters, *, today: dt.date | None = None) -> dict:
    """New customers per month, the growth on the month before (%) and the running
    total (two queries: the months, and the customers created before the period)."""
    date_from, date_to = new_period(filters, today or timezone.localdate())
    period = Filters(date_from=date_from, date_to=date_to, team_id=filters.team_id)
    counts = {
        (row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]): row["n"]
        for row in _customers(user, period)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
    }
    before = (
        _customers(user, Filters(team_id=filters.team_id))
        .filter(created_at__lt=_day_start(date_from))
        .count()
    )
    months, running, previous = [], before, None
    first = date_from.replace(day=1)
    for i in range(months_between(date_from, date_to)):
        month = add_months(first, i)
        n = counts.get(month, 0)
        running += n
        growth = None
        if previous:
            growth = (Decimal(n - previous) * 100 / previous).quantize(Decimal("0.01"))
        months.append(
            {"month": month.strftime("%Y-%m"), "count": n, "growth": growth, "total": running}
        )
        previous = n
    return {
        "date_from": date_from,
        "date_to": date_to,
        "team": filters.team_id,
        "months": months,
        "totals": {"count": sum(counts.values()), "before": before, "total": running},
    }


def idle(user, filters: Filters, days: int, *, now: dt.datetime | None = None) -> dict:
    """Owned customers without an activity or follow-up for ``days`` days (counted
    from the later of the last activity and the day the owner got them), the most
    idle first (at most 500 rows), and how many per owner (two queries)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    owned = Coalesce("owned_since", "created_at")
    qs = (
        _customers(user, filters)
        .filter(owner__isnull=False)
        .annotate(idle_since=Greatest(Coalesce("last_activity_at", owned), owned))
        .filter(idle_since__lt=since)
    )
    by_owner = list(
        qs.values("owner_id", "owner__full_name", "owner__username")
        .annotate(count=Count("id"))
        .order_by("-count", "owner_id")
    )
    rows = [
        {
            "id": c["id"],
            "name": c["name"],
            "owner": c["owner_id"],
            "owner_name": c["owner__full_name"] or c["owner__username"],
            "last_activity_at": c["last_activity_at"],
            "idle_since": c["idle_since"],
            "idle_days": (now - c["idle_since"]).days,
        }
        for c in qs.order_by("idle_since", "id").values(
            "id",
            "name",
            "owner_id",
            "owner__full_name",
            "owner__username",
            "last_activity_at",
            "idle_since",
        )[:MAX_IDLE_ROWS]
    ]
    return {
        "days": days,
        "team": filters.team_id,
        "total": sum(r["count"] for r in by_owner),
        "by_owner": [
            {
                "owner": r["owner_id"],
                "owner_name": r["owner__full_name"] or r["owner__username"],
                "count": r["count"],
            }
            for r in by_owner
        ],
        "rows": rows,
    }


def pool_flow(user, filters: Filters, *, today: dt.date | None = None) -> dict:
    """Customers into the public pool (released by their owner or returned
    automatically when idle) and out of it (claimed) per month, from the customer
    process's transition log (one grouped query). With a team: the moves made by
    its members (automatic returns have no actor and are left out)."""
    from workflows.models import TransitionLog

    date_from, date_to = new_period(filters, today or timezone.localdate())
    qs = TransitionLog.objects.filter(
        tenant_id=user.tenant_id,
        process="customer",
        transition__in=("release", "claim"),
        created_at__gte=_day_start(date_from),
        created_at__lt=_day_start(date_to + dt.timedelta(days=1)),
    )
    if filters.team_id is not None:
        qs = qs.filter(actor__team_id__in=team_and_descendants(filters.team_id))
    grouped = (
        qs.order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("month", "transition")
        .annotate(n=Count("id"), auto=Count("id", filter=Q(actor__isnull=True)))
    )
    cells: dict[tuple[dt.date, str], tuple[int, int]] = {}
    for row in grouped:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        cells[(month, row["transition"])] = (row["n"], row["auto"])
    months = []
    totals = {"inflow": 0, "inflow_auto": 0, "outflow": 0, "net": 0}
    first = date_from.replace(day=1)
    for i in range(months_between(date_from, date_to)):
        month = add_months(first, i)
        inflow, auto = cells.get((month, "release"), (0, 0))
        outflow = cells.get((month, "claim"), (0, 0))[0]
        entry = {
            "month": month.strftime("%Y-%m"),
            "inflow": inflow,
            "inflow_auto": auto,
            "inflow_released": inflow - auto,
            "outflow": outflow,
            "net": inflow - outflow,
        }
        months.append(entry)
        for key in totals:
            totals[key] += entry[key]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "team": filters.team_id,
        "months": months,
        "totals": totals,
    }
