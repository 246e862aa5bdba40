"""Shared by the link-scope tests (activities, attachments, marketing, service): two
sales teams with records of their own, and the answer a record out of sight gets.

A rep sees their own records; the leader of rep_a's team sees that team's; the
admin sees everything. A link to a record out of sight answers as an id that
does not exist (400, the field named), so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.core import services as core
from crm.core.models import User
from crm.customers.services import contact_create, customer_create
from crm.sales.services.opportunities import opportunity_create
from tests.conftest import make_user
from tests.customers.leads import new_lead


@dataclass
class People:
    admin: User
    leader: User
    rep_a: User  # in the leader's team
    rep_b: User  # another team
    records: dict  # (kind, owner key) -> record
    others: dict[str, User] = field(default_factory=dict)  # more owners, by key


def two_teams(admin, sales_team, rep, *, others: dict[str, User] | None = None) -> People:
    """rep ("a") in the leader's team and a rep of a second team ("b"), each owning a
    customer, a contact, a lead and an opportunity; ``others`` (key -> user) own a
    customer and a contact each."""
    tenant = admin.tenant
    other_team = core.team_create(tenant=tenant, actor=admin, name="销售二部")
    rep_b = make_user(admin, "销售代表", team=other_team, name="孙二部")
    records = {}
    for key, user in {"a": rep, "b": rep_b, **(others or {})}.items():
        customer = customer_create(tenant=tenant, actor=user, name=f"{key}的客户")
        records[("customer", key)] = customer
        records[("contact", key)] = contact_create(
            tenant=tenant, actor=user, customer=customer, name=f"{key}联系人"
        )
        if key in ("a", "b"):
            records[("lead", key)] = new_lead(admin, owner=user, company_name=f"{key}的线索")
            records[("opportunity", key)] = opportunity_create(
                tenant=tenant, actor=user, name=f"{key}的商机", customer=customer
            )
    return People(admin, sales_team.leader, rep, rep_b, records, dict(others or {}))


def reads_as_missing(message: str) -> None:
    """DRF's does_not_exist message, in either language."""
    assert "does not exist" in message or "不存在" in message, message


def refused_as_missing(response, field: str) -> str:
    """A 400 naming ``field`` alone, with the does_not_exist message; returns it."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == [field], body
    (message,) = body["fields"][field]
    reads_as_missing(message)
    return message
