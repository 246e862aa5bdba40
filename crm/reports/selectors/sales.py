"""Sales report queries: aggregated in SQL, data-scope respecting, and with a
query count that does not depend on the number of rows.

Period semantics: the funnel counts opportunities *created* in the period;
won-by-owner and won-by-month count deals *closed as won* in the period;
receivables aging is computed *as of* a day (installments of active contracts,
by due date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.core.scoping import restrict, team_and_descendants
from crm.sales.conf import stage_probability
from crm.sales.models import Installment, Opportunity
from crm.sales.money import ZERO, money, weighted
from workflows.contract import ContractStatus, InstallmentStatus
from workflows.opportunity import PIPELINE, STAGE_RANK, OpportunityStatus


@dataclass
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    team_id: int | None = None


def _scoped(queryset: QuerySet, user, owner_field: str, filters: Filters) -> QuerySet:
    queryset = restrict(queryset.filter(tenant_id=user.tenant_id), user, owner_field)
    if filters.team_id is not None:
        teams = team_and_descendants(filters.team_id)
        queryset = queryset.filter(**{f"{owner_field}__team_id__in": teams})
    return queryset


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage with two places; None without a base."""
    if not denominator:
        return None
    return money(Decimal(numerator) * 100 / denominator)


def _name(full_name: str | None, username: str | None) -> str | None:
    return full_name or username


# --- funnel ---------------------------------------------------------------------


def funnel(user, filters: Filters) -> dict:
    """Count, amount and weighted amount per stage, and stage-to-stage conversion.

    Conversion from stage A to the next stage B is the share of opportunities
    that reached A and went on to reach B (``reached_rank`` keeps the furthest
    stage reached, so lost deals count for the stages they passed).
    """
    qs = _scoped(Opportunity.objects.all(), user, "owner", filters)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    by_stage = {
        row["status"]: row
        for row in qs.order_by().values("status").annotate(n=Count("id"), amount=Sum("amount"))
    }
    reached = qs.aggregate(
        **{
            f"r{rank}": Count("id", filter=Q(reached_rank__gte=rank))
            for rank in range(len(PIPELINE))
        }
    )
    tenant = user.tenant
    stages, total_count, total_amount, total_weighted = [], 0, ZERO, ZERO
    for stage, label in OpportunityStatus.choices:
        row = by_stage.get(stage, {})
        count, amount = row.get("n", 0), money(row.get("amount") or ZERO)
        probability = stage_probability(tenant, stage)
        weighted_amount = weighted(amount, probability)
        entry = {
            "status": stage,
            "label": str(label),
            "probability": probability,
            "count": count,
            "amount": amount,
            "weighted_amount": weighted_amount,
        }
        if stage in STAGE_RANK:
            rank = STAGE_RANK[stage]
            entry["reached"] = reached[f"r{rank}"]
            if rank + 1 < len(PIPELINE):
                entry["next_stage"] = PIPELINE[rank + 1]
                entry["conversion_rate"] = _percent(reached[f"r{rank + 1}"], reached[f"r{rank}"])
        stages.append(entry)
        total_count += count
        total_amount += amount
        total_weighted += weighted_amount
    won = by_stage.get(OpportunityStatus.WON, {}).get("n", 0)
    lost = by_stage.get(OpportunityStatus.LOST, {}).get("n", 0)
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "team": filters.team_id,
        "stages": stages,
        "totals": {
            "count": total_count,
            "amount": money(total_amount),
            "weighted_amount": money(total_weighted),
            "win_rate": _percent(won, won + lost),
        },
    }


# --- receivables aging ----------------------------------------------------------------

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


def receivables_aging(user, filters: Filters, as_of: dt.date) -> dict:
    """Outstanding installment amounts of active contracts by days overdue, per
    customer and owner: current (not yet overdue), 1-30, 31-60, 61-90, 90+."""
    qs = _scoped(
        Installment.objects.filter(
            contract__status=ContractStatus.ACTIVE, status=InstallmentStatus.OPEN
        ),
        user,
        "contract__owner",
        filters,
    )
    if filters.date_from:
        qs = qs.filter(due_date__gte=filters.date_from)
    outstanding = ExpressionWrapper(
        F("amount") - F("collected_amount"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    day = dt.timedelta(days=1)
    ranges = {
        "current": Q(due_date__gte=as_of),
        "days_1_30": Q(due_date__lte=as_of - day, due_date__gte=as_of - 30 * day),
        "days_31_60": Q(due_date__lte=as_of - 31 * day, due_date__gte=as_of - 60 * day),
        "days_61_90": Q(due_date__lte=as_of - 61 * day, due_date__gte=as_of - 90 * day),
        "days_over_90": Q(due_date__lt=as_of - 90 * day),
    }
    rows_qs = (
        qs.order_by()
        .values(
            "contract__customer_id",
            "contract__customer__name",
            "contract__owner_id",
            "contract__owner__full_name",
            "contract__owner__username",
        )
        .annotate(**{name: Sum(outstanding, filter=q) for name, q in ranges.items()})
        .order_by("contract__customer__name", "contract__owner_id")
    )
    rows, totals = [], dict.fromkeys(BUCKETS, ZERO)
    for row in rows_qs:
        figures = {name: money(row[name] or ZERO) for name in BUCKETS}
        line_total = money(sum(figures.values(), ZERO))
        if not line_total:
            continue
        for name in BUCKETS:
            totals[name] += figures[name]
        rows.append(
            {
                "customer": row["contract__customer_id"],
                "customer_name": row["contract__customer__name"],
                "owner": row["contract__owner_id"],
                "owner_name": _name(
                    row["contract__owner__full_name"], row["contract__owner__username"]
                ),
                **figures,
                "total": line_total,
            }
        )
    totals = {name: money(value) for name, value in totals.items()}
    totals["total"] = money(sum(totals.values(), ZERO))
    return {"as_of": as_of, "team": filters.team_id, "rows": rows, "totals": totals}


# --- won amount per owner per month -------------------------------------------------


def won_by_owner(user, filters: Filters) -> dict:
    qs = _scoped(Opportunity.objects.filter(status=OpportunityStatus.WON), user, "owner", filters)
    if filters.date_from:
        qs = qs.filter(closed_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(closed_on__lte=filters.date_to)
    rows_qs = (
        qs.order_by()
        .annotate(month=TruncMonth("closed_on"))
        .values("owner_id", "owner__full_name", "owner__username", "month")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("owner_id", "month")
    )
    rows, count, amount = [], 0, ZERO
    for row in rows_qs:
        month = row["month"]
        value = money(row["amount"] or ZERO)
        rows.append(
            {
                "owner": row["owner_id"],
                "owner_name": _name(row["owner__full_name"], row["owner__username"]),
                "month": month.strftime("%Y-%m") if month else None,
                "count": row["n"],
                "amount": value,
            }
        )
        count += row["n"]
        amount += value
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "team": filters.team_id,
        "rows": rows,
        "totals": {"count": count, "amount": money(amount)},
    }


# --- won amount per month (all owners in scope) -----------------------------------------

#: The most months won-by-month lists (ten years).
MAX_MONTHS = 120
#: Months listed when no period is given (this month and the eleven before it).
DEFAULT_MONTHS = 12


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many calendar months ``first``..``last`` spans (both included)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def won_period(filters: Filters, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days won-by-month covers: the given period, else the last twelve months
    up to ``date_to`` (or today); a lone ``date_from`` runs to today."""
    date_to = filters.date_to or max(today, filters.date_from or today)
    date_from = filters.date_from or add_months(date_to, 1 - DEFAULT_MONTHS)
    return date_from, date_to


def won_by_month(user, filters: Filters, *, today: dt.date | None = None) -> dict:
    """Won deals (count, amount) per month of ``closed_on``, every month of the
    period listed in order (a month without a won deal shows zeros). One query."""
    date_from, date_to = won_period(filters, today or timezone.localdate())
    qs = _scoped(Opportunity.objects.filter(status=OpportunityStatus.WON), user, "owner", filters)
    qs = qs.filter(closed_on__gte=date_from, closed_on__lte=date_to)
    per_month = {
        _as_date(row["month"]): row
        for row in qs.order_by()
        .annotate(month=TruncMonth("closed_on"))
        .values("month")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("month")
    }
    months, count, amount = [], 0, ZERO
    first = month_start(date_from)
    for i in range(months_between(date_from, date_to)):
        month = add_months(first, i)
        row = per_month.get(month, {})
        value = money(row.get("amount") or ZERO)
        months.append({"month": month.strftime("%Y-%m"), "count": row.get("n", 0), "amount": value})
        count += row.get("n", 0)
        amount += value
    return {
        "date_from": date_from,
        "date_to": date_to,
        "team": filters.team_id,
        "months": months,
        "totals": {"count": count, "amount": money(amount)},
    }
