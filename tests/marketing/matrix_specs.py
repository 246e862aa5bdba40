"""Permission-matrix entries for the marketing endpoints (hooked into
``tests/reliability/specs.py`` with one import line)."""

from __future__ import annotations

from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, PathSpec


def _item(ctx) -> int:
    return ctx.create("stock-item")


def _lines(ctx, quantity="5") -> list[dict]:
    return [{"item": _item(ctx), "quantity": quantity}]


def _issued(ctx):
    """An issued requisition of the admin's (approved by another user) and its item."""
    from crm.core.models import Role
    from crm.marketing.models import StockItem
    from tests.conftest import make_user
    from tests.marketing.helpers import issued, receive

    item = StockItem.objects.get(pk=_item(ctx))
    receive(ctx.admin, [(item, 10)])
    approver = make_user(ctx.admin, Role.objects.get(tenant=ctx.tenant, name="管理员").name)
    return issued(ctx.admin, approver, ctx.admin, [(item, 4)]), item


def _return(ctx) -> dict:
    req, item = _issued(ctx)
    return {"requisition": req.pk, "lines": [{"item": item.pk, "quantity": "1"}]}


def _movement(ctx, user) -> int:
    from crm.marketing.models import StockItem, StockMovement
    from tests.marketing.helpers import receive

    doc = receive(ctx.admin, [(StockItem.objects.get(pk=_item(ctx)), 3)])
    return StockMovement.objects.get(document_kind="receipt", document_id=doc.pk).pk


RESOURCES.update(
    {
        "stock-item": {
            "create": lambda ctx: {
                "code": ctx.unique("G"),
                "name": "保温杯",
                "unit": "个",
                "unit_cost": "30.00",
            },
            "update": lambda ctx: {"low_stock_threshold": "5"},
        },
        "stock-movement": {"make": _movement},
        "stock-receipt": {
            "create": lambda ctx: {"supplier": "供应商", "lines": _lines(ctx)},
            "update": lambda ctx: {"supplier": "另一家"},
        },
        "stock-adjustment": {
            "create": lambda ctx: {"reason": "盘点", "lines": _lines(ctx, "2")},
            "update": lambda ctx: {"note": "备注"},
        },
        "requisition": {
            "create": lambda ctx: {"purpose": "展会赠品", "lines": _lines(ctx, "1")},
            "update": lambda ctx: {"purpose": "路演"},
        },
        "stock-return": {"create": _return, "update": lambda ctx: {"note": "备注"}},
        "marketing-event": {
            "create": lambda ctx: {"name": ctx.unique("展会"), "type": "exhibition"},
            "update": lambda ctx: {"place": "上海"},
        },
        "ad-placement": {
            "create": lambda ctx: {"name": ctx.unique("百度推广"), "cost": "100.00"},
            "update": lambda ctx: {"cost": "200.00"},
        },
    }
)

ACTIONS.update(
    {
        ("stock-receipt", "transitions"): ActionSpec(
            kwargs={"name": "confirm"}, body={}, extra_codes=("transition:stock_receipt.confirm",)
        ),
        ("stock-adjustment", "transitions"): ActionSpec(
            kwargs={"name": "confirm"},
            body={},
            extra_codes=("transition:stock_adjustment.confirm",),
        ),
        ("requisition", "transitions"): ActionSpec(
            kwargs={"name": "submit"}, body={}, extra_codes=("transition:requisition.submit",)
        ),
        ("stock-return", "transitions"): ActionSpec(
            kwargs={"name": "confirm"}, body={}, extra_codes=("transition:stock_return.confirm",)
        ),
        ("marketing-event", "transitions"): ActionSpec(
            kwargs={"name": "start"}, body={}, extra_codes=("transition:marketing_event.start",)
        ),
    }
)

# The marketing reports (/api/v1/reports/marketing/<report>/ and its export/).
for _name in ("stock-on-hand", "stock-movements", "requisitions", "event-roi", "channel-roi"):
    for _suffix in ("", "-export"):
        PATHS[f"report-marketing-{_name}{_suffix}"] = {"get": PathSpec(code="marketing.reports")}
