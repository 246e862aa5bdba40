"""Factories of sales targets for the endpoint walkers: ``tests/core/factories.py``
imports this module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def _register_walker_factories() -> None:
    from crm.targets.models import SalesTarget
    from crm.targets.services import target_create
    from tests.core.factories import factory, n

    def payload(admin):
        return {
            "user": admin.pk,
            "period_kind": "year",
            "period_start": f"{2100 + n() % 800}-01-01",
            "measure": "collected",
            "amount": "1000.00",
        }

    @factory(SalesTarget, payload=payload)
    def make_target(admin):
        return target_create(
            tenant=admin.tenant,
            actor=admin,
            user=admin,
            period_kind="year",
            period_start=dt.date(2100 + n() % 800, 1, 1),
            measure="won_amount",
            amount=Decimal("5000.00"),
        )


_register_walker_factories()
