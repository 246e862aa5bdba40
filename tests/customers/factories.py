"""Factories of the customer-resource models for the endpoint walkers (tenant
isolation, foreign keys in bodies): ``tests/core/factories.py`` imports this module."""

from __future__ import annotations


def _register_walker_factories() -> None:
    from crm.core.models import DictionaryItem
    from crm.customers.models import AssignmentRule, PoolLevelRule
    from crm.customers.rules_api import assignment_rule_create, pool_level_rule_create
    from tests.core.factories import factory, n

    @factory(
        AssignmentRule,
        payload=lambda admin: {"name": f"规则{n()}", "strategy": "user", "user": admin.pk},
    )
    def make_rule(admin):
        return assignment_rule_create(
            tenant=admin.tenant, actor=admin, name=f"规则{n()}", strategy="user", user=admin
        )

    def free_level(admin) -> DictionaryItem:
        taken = PoolLevelRule.objects.filter(tenant=admin.tenant).values("level_id")
        found = (
            DictionaryItem.objects.filter(tenant=admin.tenant, kind="level")
            .exclude(pk__in=taken)
            .first()
        )
        if found is None:
            found = DictionaryItem.objects.create(
                tenant=admin.tenant, kind="level", code=f"w{n()}", label=f"走查级别{n()}"
            )
        return found

    @factory(PoolLevelRule, payload=lambda admin: {"level": free_level(admin).pk, "idle_days": 45})
    def make_pool_level_rule(admin):
        return pool_level_rule_create(
            tenant=admin.tenant, actor=admin, level=free_level(admin), idle_days=60
        )


_register_walker_factories()
