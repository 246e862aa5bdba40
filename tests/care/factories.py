"""Factories of the care models for the endpoint walkers (tenant isolation, foreign
keys in bodies): ``tests/core/factories.py`` imports this module."""

from __future__ import annotations


def _register_walker_factories() -> None:
    from crm.care.models import CareRule, ContactLunarBirthday
    from crm.care.services import care_rule_create, lunar_birthday_create
    from crm.customers.services import contact_create, customer_create
    from tests.core.factories import factory, n

    @factory(
        CareRule,
        payload=lambda admin: {"name": f"关怀{n()}", "occasion": "birthday", "days_before": 2},
    )
    def make_rule(admin):
        return care_rule_create(
            tenant=admin.tenant, actor=admin, name=f"关怀{n()}", occasion="birthday"
        )

    def free_contact(admin):
        customer = customer_create(
            tenant=admin.tenant, actor=admin, name=f"关怀客户{n()}", owner=admin
        )
        return contact_create(
            tenant=admin.tenant, actor=admin, customer=customer, name=f"联系人{n()}"
        )

    @factory(
        ContactLunarBirthday,
        payload=lambda admin: {"contact": free_contact(admin).pk, "month": 8, "day": 15},
    )
    def make_birthday(admin):
        return lunar_birthday_create(
            tenant=admin.tenant, actor=admin, contact=free_contact(admin), month=1, day=1
        )


_register_walker_factories()
