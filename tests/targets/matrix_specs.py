"""Permission-matrix entries for sales targets and the customer reports (issue 14),
hooked into ``tests/reliability/specs.py`` with one import line."""

from __future__ import annotations

from tests.reliability.specs import PATHS, RESOURCES, PathSpec


def _target(ctx) -> dict:
    k = int(ctx.unique(""))  # a period of its own per target
    return {
        "user": ctx.admin.pk,
        "period_kind": "month",
        "period_start": f"{2030 + k // 12 % 160}-{k % 12 + 1:02d}-01",
        "measure": "won_amount",
        "amount": "100000.00",
    }


RESOURCES["target"] = {"create": _target, "update": lambda ctx: {"amount": "120000.00"}}
PATHS["report-targets"] = {"get": PathSpec(code="targets.report")}
for _name in (
    "by-level",
    "by-industry",
    "by-region",
    "by-source",
    "by-owner",
    "new-by-month",
    "idle",
    "pool-flow",
):
    for _suffix in ("", "-export"):
        PATHS[f"report-customers-{_name}{_suffix}"] = {"get": PathSpec(code="reports.customers")}
