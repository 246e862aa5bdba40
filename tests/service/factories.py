"""Factories of the service models for the endpoint walkers (tests/core/factories.py)."""

from __future__ import annotations

import datetime as dt

from crm.customers.models import Contact
from crm.customers.services import customer_create
from crm.service import services
from crm.service.models import (
    Complaint,
    CustomerProject,
    Feedback,
    FollowUp,
    ServiceTicket,
    TenantWorkday,
)
from tests.core.factories import factory, n
from tests.service.helpers import sh


def _customer(admin):
    return customer_create(tenant=admin.tenant, actor=admin, name=f"服务客户{n()}")


def _payload_customer(admin):
    """The customer of the tenant's first contact, if any: the walker pairs a payload
    with the tenant's first contact, and a complaint's contact must be its customer's."""
    first = Contact._base_manager.filter(tenant_id=admin.tenant_id).order_by("pk").first()
    return first.customer if first is not None else _customer(admin)


def _contract_customer(admin):
    """The customer of the tenant's first contract, if any: the walker pairs a ticket's
    or project's payload with that contract, and it must be of the record's customer."""
    from crm.sales.models import Contract

    first = Contract._base_manager.filter(tenant_id=admin.tenant_id).order_by("pk").first()
    return first.customer if first is not None else _customer(admin)


def _complaint_payload(admin):
    return {"customer": _payload_customer(admin).pk, "description": "投诉内容", "severity": "high"}


@factory(Complaint, payload=_complaint_payload)
def make_complaint(admin):
    return services.complaint_create(
        tenant=admin.tenant, actor=admin, customer=_customer(admin), description="投诉内容"
    )


def _followup_payload(admin):
    return {"customer": _customer(admin).pk, "due_at": "2030-01-07T10:00:00+08:00"}


@factory(FollowUp, payload=_followup_payload)
def make_followup(admin):
    return services.followup_create(
        tenant=admin.tenant, actor=admin, customer=_customer(admin), due_at=sh(2030, 1, 7, 10)
    )


def _ticket_payload(admin):
    return {"customer": _contract_customer(admin).pk, "subject": f"工单{n()}"}


@factory(ServiceTicket, payload=_ticket_payload)
def make_ticket(admin):
    return services.ticket_create(
        tenant=admin.tenant, actor=admin, customer=_customer(admin), subject=f"工单{n()}"
    )


def _project_payload(admin):
    return {"customer": _contract_customer(admin).pk, "name": f"项目{n()}"}


@factory(CustomerProject, payload=_project_payload)
def make_project(admin):
    return services.project_create(
        tenant=admin.tenant, actor=admin, customer=_customer(admin), name=f"项目{n()}"
    )


def _feedback_payload(admin):
    return {"customer": _payload_customer(admin).pk, "kind": "praise", "text": "服务很好"}


@factory(Feedback, payload=_feedback_payload)
def make_feedback(admin):
    return services.feedback_create(
        tenant=admin.tenant, actor=admin, customer=_customer(admin), text="服务很好"
    )


def _workday_payload(admin):
    return {"date": (dt.date(2030, 1, 1) + dt.timedelta(days=n())).isoformat(), "is_workday": False}


@factory(TenantWorkday, payload=_workday_payload)
def make_workday(admin):
    return services.workday_create(
        tenant=admin.tenant,
        actor=admin,
        date=dt.date(2031, 1, 1) + dt.timedelta(days=n()),
        is_workday=False,
    )
