"""The permission matrix's request builders for the customer-service endpoints.

``tests/reliability/specs.py`` calls ``register(RESOURCES, ACTIONS, PATHS)``; kept
here so the service module's entries live with its tests.
"""

from __future__ import annotations

import datetime as dt


def _customer(ctx) -> int:
    """The company's first customer: a PUT repeats the create body, and a complaint's
    or a follow-up's customer cannot change."""
    from crm.customers.models import Customer

    first = Customer._base_manager.filter(tenant_id=ctx.tenant.pk).order_by("pk").first()
    return first.pk if first is not None else ctx.create("customer")


def _day(ctx) -> str:
    return (dt.date(2031, 1, 1) + dt.timedelta(days=int(ctx.unique("")))).isoformat()


def register(resources: dict, actions: dict, paths: dict) -> None:
    from tests.reliability.specs import ActionSpec, PathSpec

    resources.update(
        {
            "complaint": {
                "create": lambda ctx: {
                    "customer": _customer(ctx),
                    "description": "设备破损",
                    "severity": "high",
                },
                "update": lambda ctx: {"category": "product"},
            },
            "follow-up": {
                "create": lambda ctx: {
                    "customer": _customer(ctx),
                    "due_at": "2031-03-03T10:00:00+08:00",
                },
                "update": lambda ctx: {"subject": "回访"},
            },
            "ticket": {
                "create": lambda ctx: {
                    "customer": _customer(ctx),
                    "subject": "安装",
                    "owner": ctx.admin.pk,
                },
                "update": lambda ctx: {"priority": "high"},
            },
            "project": {
                "create": lambda ctx: {"customer": _customer(ctx), "name": "实施项目"},
                "update": lambda ctx: {"description": "二期"},
            },
            "feedback": {
                "create": lambda ctx: {"customer": _customer(ctx), "text": "服务很好"},
                "update": lambda ctx: {"handled": True},
            },
            "calendar-day": {
                "create": lambda ctx: {"date": _day(ctx), "is_workday": False},
                "update": lambda ctx: {"note": "团建"},
            },
        }
    )
    for basename, process, step, body in (
        ("complaint", "complaint", "acknowledge", {}),
        ("follow-up", "followup", "complete", {"outcome": "已沟通"}),
        ("ticket", "ticket", "start", {}),
        ("project", "project", "cancel", {"reason": "客户取消"}),
    ):
        actions[(basename, "transitions")] = ActionSpec(
            kwargs={"name": step},
            body=body,
            extra_codes=(f"transition:{process}.{step}",),
        )
    add_hours = {"start": "2026-09-30T16:00:00+08:00", "hours": "8"}
    paths.update(
        {
            "calendar-add-hours": {"get": PathSpec(code="calendar.view", body=add_hours)},
            "calendar-working-hours": {
                "get": PathSpec(code="calendar.view"),
                "patch": PathSpec(
                    code="settings.edit", body=lambda ctx: {"intervals": "09:00-12:00,13:00-17:00"}
                ),
            },
            "report-sla": {"get": PathSpec(code="service.reports")},
            "report-follow-ups": {"get": PathSpec(code="service.reports")},
            "report-satisfaction": {"get": PathSpec(code="service.reports")},
        }
    )
