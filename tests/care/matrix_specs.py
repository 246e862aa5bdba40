"""Permission-matrix entries for customer care (issue 14), hooked into
``tests/reliability/specs.py`` with one import line."""

from __future__ import annotations

from tests.reliability.specs import PATHS, RESOURCES, PathSpec


def _contact_without_birthday(ctx) -> int:
    customer = ctx.create("customer")
    response = ctx.api.post(
        "/api/v1/contacts/", {"customer": customer, "name": ctx.unique("联系人")}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


RESOURCES["care-rule"] = {
    "create": lambda ctx: {"name": ctx.unique("关怀"), "occasion": "birthday", "days_before": 3},
    "update": lambda ctx: {"days_before": 5},
}
RESOURCES["contact-birthday"] = {
    "create": lambda ctx: {"contact": _contact_without_birthday(ctx), "month": 8, "day": 15},
    "update": lambda ctx: {"leap": True},
}
PATHS["care-upcoming"] = {"get": PathSpec(code="care.calendar")}
