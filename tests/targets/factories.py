"""Factories of sales targets for the endpoint walkers: ``tests/core/factories.py``
imports this module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def _month(k: int) -> dt.date:
    """A month of its own per target (2030 onwards)."""
    return dt.date(2030 + k // 12 % 160, k % 12 + 1, 1)


def _register_walker_factories() -> None:
    from crm.targets.models import SalesTarget
    from crm.targets.services import target_create
    from tests.core.factories import factory, n

    def payload(admin):
        return {
            "user": admin.pk,
            "period_kind": "month",
            "period_start": _month(n()).isoformat(),
            "measure": "collected",
            "amount": "1000.00",
        }

    @factory(SalesTarget, payload=payload)
    def make_target(admin):
        return target_create(
            tenant=admin.tenant,
            actor=admin,
            user=admin,
            period_kind="month",
            period_start=_month(n()),
            measure="won_amount",
            amount=Decimal("5000.00"),
        )


_register_walker_factories()
