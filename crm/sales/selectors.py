"""Reads for the sales module: list querysets, approval bands, approvers, the board."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum

from crm.core.models import User
from crm.sales.conf import stage_probability
from crm.sales.models import (
    ApprovalBand,
    Contract,
    ContractLine,
    Installment,
    Opportunity,
    Payment,
    Quote,
    QuoteLine,
)
from crm.sales.money import ZERO, money, weighted
from workflows.opportunity import OpportunityStatus

# The defaults every company starts with: up to 100,000 needs ``approve``,
# above that ``approve_large``.
DEFAULT_BANDS = [
    (Decimal("100000.00"), ApprovalBand.Permission.APPROVE),
    (None, ApprovalBand.Permission.APPROVE_LARGE),
]


def approval_bands(tenant) -> list[ApprovalBand]:
    """The tenant's bands, smallest limit first, the open band last.

    A read only: every company gets the defaults at sign-up (the sales app's
    sign-up seed, ``services.approval_bands_seed``) and companies created before
    that by a data migration; deleting the last band is refused. Should a tenant
    still have none, the defaults apply unsaved.
    """
    bands = list(ApprovalBand.objects.filter(tenant=tenant))
    if not bands:
        bands = [
            ApprovalBand(tenant=tenant, max_amount=limit, permission=code)
            for limit, code in DEFAULT_BANDS
        ]
    bands.sort(key=lambda b: (b.max_amount is None, b.max_amount or 0))
    return bands


def approval_band_for(tenant, amount) -> ApprovalBand:
    """The band an amount falls into; without an open band, the largest band applies."""
    bands = approval_bands(tenant)
    for band in bands:
        if band.max_amount is None or amount <= band.max_amount:
            return band
    return bands[-1]


def approver_for(contract) -> User | None:
    """Who is reminded of a waiting approval: the first of its approvers
    (``crm.sales.approvals``: the leader chain first, else the permission holders)."""
    from crm.sales.approvals import approvers_for

    approvers = approvers_for(contract)
    return approvers[0] if approvers else None


# --- list querysets (constant query counts) ------------------------------------


def opportunities_for_list(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    return queryset.select_related("customer", "contact", "owner", "source", "loss_reason")


def quotes_for_list(queryset: QuerySet[Quote]) -> QuerySet[Quote]:
    return queryset.select_related(
        "opportunity__customer", "created_by", "approved_by"
    ).prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product")))


def contracts_for_list(queryset: QuerySet[Contract]) -> QuerySet[Contract]:
    return queryset.select_related("customer", "opportunity", "owner").prefetch_related(
        Prefetch("lines", queryset=ContractLine.objects.select_related("product")),
        Prefetch("installments", queryset=Installment.objects.all()),
    )


def payments_for_list(queryset: QuerySet[Payment]) -> QuerySet[Payment]:
    return queryset.select_related("contract", "installment", "reversal")


def quote_versions(opportunity_ids) -> dict[int, list[Quote]]:
    """Every quote version of the given opportunities (历史报价), newest first."""
    out: dict[int, list[Quote]] = {}
    for quote in Quote.objects.filter(opportunity_id__in=list(opportunity_ids)).order_by(
        "opportunity_id", "-number"
    ):
        out.setdefault(quote.opportunity_id, []).append(quote)
    return out


# --- kanban ----------------------------------------------------------------------


def board(queryset: QuerySet[Opportunity], tenant, *, limit: int = 50) -> list[dict]:
    """Opportunities grouped by stage with count, amount and weighted totals.

    One aggregate query plus one query per stage for the cards (a constant).
    """
    totals = {
        row["status"]: row
        for row in queryset.order_by()
        .values("status")
        .annotate(n=Count("id"), amount=Sum("amount"))
    }
    columns = []
    for stage, label in OpportunityStatus.choices:
        row = totals.get(stage, {})
        amount = money(row.get("amount") or ZERO)
        probability = stage_probability(tenant, stage)
        cards = list(opportunities_for_list(queryset.filter(status=stage)).order_by("-id")[:limit])
        columns.append(
            {
                "status": stage,
                "label": str(label),
                "probability": probability,
                "count": row.get("n", 0),
                "amount": amount,
                "weighted_amount": weighted(amount, probability),
                "results": cards,
            }
        )
    return columns
