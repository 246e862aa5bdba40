"""Helpers for lead tests: leads in a given state, made through services and the engine."""

from __future__ import annotations

from crm.activities.services import activity_create
from crm.core import services as core
from crm.core.models import Role
from crm.core.permissions import registry
from crm.customers.models import Lead
from crm.customers.services import lead_create
from workflows.engine import transition

# The steps that lead from ``new`` to each state, and the inputs they need.
PATHS = {
    "new": [],
    "contacted": ["contact"],
    "qualified": ["contact", "qualify"],
    "converted": ["contact", "qualify", "convert"],
    "disqualified": ["disqualify"],
    "pooled": ["pool"],
}
INPUTS = {"disqualify": {"reason": "没有需求"}}


def new_lead(admin, *, owner=None, **data) -> Lead:
    data.setdefault("company_name", "上海测试科技有限公司")
    data.setdefault("contact_name", "张三")
    data.setdefault("mobile", "+8613812345678")
    data.setdefault("need", "需要一套 CRM")
    return lead_create(tenant=admin.tenant, actor=owner or admin, owner=owner, **data)


def log_call(lead: Lead, actor, **data) -> None:
    activity_create(
        tenant=lead.tenant, actor=actor, kind="call", subject=data.pop("subject", "电话"), lead=lead
    )


def move(lead: Lead, step: str, actor, **inputs) -> Lead:
    return transition(
        model=Lead,
        pk=lead.pk,
        name=step,
        tenant=lead.tenant,
        actor=actor,
        inputs={**INPUTS.get(step, {}), **inputs},
    )


def lead_in_state(admin, state: str, *, owner=None, **data) -> Lead:
    """A lead of ``owner`` (default admin) moved into ``state`` by the admin."""
    lead = new_lead(admin, owner=owner, **data)
    for step in PATHS[state]:
        if step == "contact":
            log_call(lead, owner or admin)
        lead = move(lead, step, admin)
    lead.refresh_from_db()
    assert lead.status == state
    return lead


def role_without(admin, *codes: str, name: str | None = None) -> Role:
    """A role holding every permission code except ``codes`` (data scope: all)."""
    return core.role_create(
        tenant=admin.tenant,
        actor=admin,
        name=name or f"缺少{'+'.join(codes)}",
        permissions=[c for c in registry.codes() if c not in codes],
        data_scope="all",
    )
