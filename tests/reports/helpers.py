"""Opportunities at a given stage for the report tests."""

from __future__ import annotations

from crm.sales.models import Opportunity
from tests.sales.factories import D

RANK = {"initial": 0, "needs_defined": 1, "proposal": 2, "negotiation": 3, "won": 4}


def opp(owner, cust, status, amount, *, reached=None, closed_on=None, created=None):
    o = Opportunity.objects.create(
        tenant=owner.tenant,
        name=f"{status}-{amount}",
        customer=cust,
        owner=owner,
        amount=D(amount),
        status=status,
        reached_rank=RANK.get(status, 0) if reached is None else reached,
        closed_on=closed_on,
    )
    if created:
        Opportunity.objects.filter(pk=o.pk).update(created_at=created)
    return o
