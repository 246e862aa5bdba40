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
