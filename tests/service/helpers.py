"""Helpers for service tests: fixed Shanghai moments, records made through services,
moved through the engine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import translation

from crm.service import services
from crm.service.models import Complaint, FollowUp
from workflows.engine import transition

SH = ZoneInfo("Asia/Shanghai")
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)

#: Deterministic SLA settings for the tests (working hours).
SLA = {
    "complaint_ack_hours_normal": 4,
    "complaint_resolve_hours_normal": 16,
    "complaint_ack_hours_critical": 1,
    "complaint_resolve_hours_critical": 8,
    "complaint_warning_hours": 1,
    "complaint_escalation_hours": 2,
    "followup_reminder_hours": 2,
    "followup_grace_hours": 24,
}

#: Wednesday 30 Sep 2026 16:00, the last workday before the National Day week.
BEFORE_NATIONAL_DAY = dt.datetime(2026, 9, 30, 16, 0, tzinfo=SH)


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def move(obj, step: str, actor, *, lang: str = "en", **inputs):
    """Run one transition through the engine (refusals in ``lang``); returns the record."""
    with translation.override(lang):
        return transition(
            model=type(obj), pk=obj.pk, name=step, tenant=obj.tenant, actor=actor, inputs=inputs
        )


def new_complaint(admin, customer, *, owner=None, received_at=None, **data) -> Complaint:
    data.setdefault("description", "产品到货破损，要求换货")
    data.setdefault("severity", "normal")
    return services.complaint_create(
        tenant=admin.tenant,
        actor=owner or admin,
        customer=customer,
        owner=owner,
        received_at=received_at or BEFORE_NATIONAL_DAY,
        **data,
    )


def return_visit(admin, complaint, *, owner=None, due_at=None, **data) -> FollowUp:
    return services.followup_create(
        tenant=admin.tenant,
        actor=owner or admin,
        kind="return_visit",
        complaint=complaint,
        owner=owner,
        due_at=due_at or sh(2026, 10, 12, 10),
        **data,
    )


def new_followup(admin, *, owner=None, due_at=None, **target) -> FollowUp:
    target.setdefault("kind", "follow_up")
    return services.followup_create(
        tenant=admin.tenant,
        actor=owner or admin,
        owner=owner,
        due_at=due_at or sh(2026, 10, 12, 10),
        **target,
    )
