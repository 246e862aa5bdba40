"""Permission-matrix entries for the sales and report endpoints.

``tests/reliability/specs.py`` (not owned by the sales module) holds the
matrix's RESOURCES / ACTIONS / PATHS; importing this module adds the sales
entries to them. Hook it in with one line at the end of that file::

    import tests.sales.matrix_specs  # noqa: E402,F401

(or run ``pytest -p tests.sales.matrix_specs tests/reliability``).
"""

from __future__ import annotations

import datetime as dt

from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, PathSpec


def _product(ctx) -> int:
    return ctx.create("product")


def _lines(ctx) -> list[dict]:
    return [{"product": _product(ctx), "quantity": "2", "unit_price": "50.00"}]


def _contract(ctx) -> dict:
    return {
        "customer": ctx.create("customer"),
        "lines": _lines(ctx),
        "installments": [{"due_date": "2025-06-30", "amount": "100.00"}],
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
    }


def _payment(ctx) -> dict:
    from crm.core.models import Role
    from tests.conftest import make_user
    from tests.sales import factories as f

    approver = make_user(ctx.admin, Role.objects.get(tenant=ctx.tenant, name="管理员").name)
    contract = f.active_contract(
        ctx.admin, approver, amount="100.00", plan=[(dt.date(2025, 6, 30), "100.00")]
    )
    return {"installment": contract.installments.get().pk, "amount": "40.00"}


RESOURCES.update(
    {
        "product": {
            "create": lambda ctx: {
                "code": ctx.unique("P"),
                "name": "CRM 标准版",
                "unit": "套",
                "price": "100.00",
            },
            "update": lambda ctx: {"price": "120.00"},
        },
        "opportunity": {
            "create": lambda ctx: {"name": "矩阵机会", "customer": ctx.create("customer")},
            "update": lambda ctx: {"amount": "5000.00"},
        },
        "requirement": {
            "create": lambda ctx: {"opportunity": ctx.create("opportunity"), "description": "需求"},
            "update": lambda ctx: {"priority": "high"},
        },
        "solution": {
            "create": lambda ctx: {"opportunity": ctx.create("opportunity"), "title": "方案"},
            "update": lambda ctx: {"description": "细节"},
        },
        "quote": {
            "create": lambda ctx: {"opportunity": ctx.create("opportunity"), "lines": _lines(ctx)},
            "update": lambda ctx: {"note": "备注"},
        },
        "contract": {"create": _contract, "update": lambda ctx: {"title": "年度合同"}},
        "payment": {"create": _payment, "update": lambda ctx: {"reference": "BANK-1"}},
        "approval-band": {
            "create": lambda ctx: {
                "max_amount": f"{int(ctx.unique('')) * 10 + 7}.00",
                "permission": "sales.contract.approve",
            },
        },
    }
)

ACTIONS.update(
    {
        ("opportunity", "transitions"): ActionSpec(
            kwargs={"name": "needs_defined"},
            body={},
            extra_codes=("transition:opportunity.needs_defined",),
        ),
        ("quote", "transitions"): ActionSpec(
            kwargs={"name": "submit"}, body={}, extra_codes=("transition:quote.submit",)
        ),
        ("contract", "transitions"): ActionSpec(
            kwargs={"name": "submit"}, body={}, extra_codes=("transition:contract.submit",)
        ),
        ("payment", "transitions"): ActionSpec(
            kwargs={"name": "confirm"}, body={}, extra_codes=("transition:payment.confirm",)
        ),
    }
)

PATHS.update(
    {
        name: {"get": PathSpec(code="reports.sales")}
        for name in (
            "report-funnel",
            "report-receivables-aging",
            "report-won-by-owner",
            "report-won-by-month",
        )
    }
)
