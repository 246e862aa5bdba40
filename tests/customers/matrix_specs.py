"""Permission-matrix entries for the customer-resource endpoints (issue 14), hooked
into ``tests/reliability/specs.py`` with one import line."""

from __future__ import annotations

from tests.reliability.specs import ACTIONS, RESOURCES, ActionSpec


def _free_level(ctx) -> int:
    from crm.core.models import DictionaryItem

    item = DictionaryItem.objects.create(
        tenant=ctx.tenant, kind="level", code=ctx.unique("lv"), label=ctx.unique("级别")
    )
    return item.pk


RESOURCES["assignment-rule"] = {
    "create": lambda ctx: {"name": ctx.unique("规则"), "strategy": "user", "user": ctx.admin.pk},
    "update": lambda ctx: {"order": 2},
}
RESOURCES["pool-level-rule"] = {
    "create": lambda ctx: {"level": _free_level(ctx), "idle_days": 45},
    "update": lambda ctx: {"idle_days": 50},
}
ACTIONS[("customer", "transitions")] = ActionSpec(
    kwargs={"name": "release"},
    body={"reason": "矩阵"},
    extra_codes=("transition:customer.release",),
)
ACTIONS[("customer", "bulk_transfer")] = ActionSpec(
    body=lambda ctx: {"ids": [], "owner": ctx.admin.pk, "reason": "矩阵"}
)
ACTIONS[("lead", "bulk_transfer")] = ActionSpec(
    body=lambda ctx: {"ids": [], "owner": ctx.admin.pk, "reason": "矩阵"}
)
# A dry run of an empty selection: the right and the route, nothing deleted.
for _basename in ("customer", "lead", "contact"):
    ACTIONS[(_basename, "bulk_delete")] = ActionSpec(body={"ids": [], "dry_run": True})


# --- groups, tags, lead forms, campaigns (issue 14 items 1, 4, 5) -----------------------


def _campaign_member(ctx, user) -> int:
    from crm.customers.models import Customer
    from crm.customers.services import customer_create
    from crm.marketing import campaigns
    from crm.marketing.models import Campaign, CampaignMember

    campaign = Campaign.objects.get(pk=ctx.create("campaign"))
    customer = customer_create(
        tenant=ctx.tenant, actor=ctx.admin, name=ctx.unique("目标"), owner=user
    )
    campaigns.add_members(
        tenant=ctx.tenant,
        actor=ctx.admin,
        campaign=campaign,
        customers=Customer.objects.filter(pk=customer.pk),
    )
    return CampaignMember.objects.get(campaign=campaign).pk


RESOURCES["customer-group"] = {
    "create": lambda ctx: {"name": ctx.unique("分组")},
    "update": lambda ctx: {"description": "矩阵"},
}
RESOURCES["lead-form"] = {
    "create": lambda ctx: {"name": ctx.unique("表单"), "shown_fields": ["contact_name"]},
    "update": lambda ctx: {"thank_you": "谢谢"},
}
RESOURCES["campaign"] = {
    "create": lambda ctx: {"name": ctx.unique("战役"), "budget": "1000.00"},
    "update": lambda ctx: {"cost": "10.00"},
}
RESOURCES["campaign-member"] = {
    "make": _campaign_member,
    # No POST (members come through the campaign's add-members): the body of a PUT.
    "create": lambda ctx: {"response": "contacted", "note": "矩阵"},
    "update": lambda ctx: {"note": "矩阵"},
}
ACTIONS[("customer", "bulk_label")] = ActionSpec(body={"ids": [], "add_tags": ["矩阵"]})
ACTIONS[("campaign", "transitions")] = ActionSpec(
    kwargs={"name": "start"}, body={}, extra_codes=("transition:campaign.start",)
)
ACTIONS[("campaign", "add_members")] = ActionSpec(
    body=lambda ctx: {"group": ctx.create("customer-group")}
)
