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


def _register_issue14_factories() -> None:
    """Customer groups, lead forms, campaigns and their members."""
    from crm.customers.groups import customer_group_create
    from crm.customers.lead_forms import lead_form_create
    from crm.customers.models import CustomerGroup, LeadForm
    from crm.customers.services import customer_create
    from crm.marketing import campaigns
    from crm.marketing.models import Campaign, CampaignMember
    from tests.core.factories import factory, n

    @factory(CustomerGroup, payload=lambda admin: {"name": f"分组{n()}"})
    def make_group(admin):
        return customer_group_create(tenant=admin.tenant, actor=admin, name=f"分组{n()}")

    @factory(LeadForm, payload=lambda admin: {"name": f"表单{n()}", "shown_fields": ["need"]})
    def make_form(admin):
        return lead_form_create(tenant=admin.tenant, actor=admin, name=f"表单{n()}")

    @factory(Campaign, payload=lambda admin: {"name": f"战役{n()}", "budget": "100.00"})
    def make_campaign(admin):
        return campaigns.campaign_create(tenant=admin.tenant, actor=admin, name=f"战役{n()}")

    @factory(CampaignMember)
    def make_member(admin):
        campaign = make_campaign(admin)
        customer = customer_create(tenant=admin.tenant, actor=admin, name=f"目标客户{n()}")
        campaigns.add_members(
            tenant=admin.tenant,
            actor=admin,
            campaign=campaign,
            customers=type(customer).objects.filter(pk=customer.pk),
        )
        return CampaignMember.objects.get(campaign=campaign)


_register_walker_factories()
_register_issue14_factories()
