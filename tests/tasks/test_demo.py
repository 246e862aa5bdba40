"""The demo company of ``make run`` (issue 20 item 13) shows every module working:
a book of about 200 customers, leads in every state and some in the pool,
opportunities in every stage, quotes in several versions, contracts in every state
with payment plans, a reversed payment, receivables in each aging bucket,
complaints with SLA clocks running and one breached, follow-ups due today, every
demo user in a team with a leader, a filled workbench and notifications waiting.
Loading it twice adds nothing."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from crm.activities.models import Notification
from crm.core.models import Team, Tenant, User
from crm.customers.models import Contact, Customer, Lead
from crm.reports.selectors import BUCKETS, Filters, receivables_aging
from crm.sales.models import Contract, Opportunity, Payment, Quote
from crm.service.models import Complaint, FollowUp
from fixtures import demo
from tests.conftest import client_for
from workflows.contract import ContractStatus
from workflows.lead import LeadStatus
from workflows.opportunity import OpportunityStatus
from workflows.payment import PaymentStatus


def _counts(tenant) -> dict:
    models = (User, Team, Customer, Contact, Lead, Opportunity, Quote, Contract, Payment)
    return {
        m.__name__: m.objects.filter(tenant=tenant).count()
        for m in (*models, Complaint, FollowUp, Notification)
    }


def _states(model, tenant, field="status") -> set[str]:
    return set(model.objects.filter(tenant=tenant).values_list(field, flat=True))


@pytest.mark.django_db(transaction=True)
def test_the_demo_company_shows_every_module_working():
    started = time.monotonic()
    with transaction.atomic():  # as ``load_demo`` runs it; the approvers are told on commit
        demo.load()
    elapsed = time.monotonic() - started
    tenant = Tenant.objects.get(name=demo.DEMO_COMPANY)
    today = timezone.localdate()

    # The book of business: ~200 customers with contacts, some in the pool (公海).
    customers = Customer.objects.filter(tenant=tenant)
    assert 195 <= customers.count() <= 220
    assert not customers.annotate(n=Count("contacts")).filter(n=0).exists()
    assert set(customers.values_list("region", flat=True)) >= {"上海", "北京", "深圳", "成都"}
    assert customers.values("industry").distinct().count() >= 6
    assert customers.filter(status="pooled", owner__isnull=True).count() >= 5
    assert customers.filter(created_at__date__lt=today - dt.timedelta(days=90)).exists()

    # Leads in every state, some in the pool without an owner.
    assert _states(Lead, tenant) == set(LeadStatus.values)
    assert Lead.objects.filter(tenant=tenant, status="pooled", owner__isnull=True).count() >= 3

    # Opportunities in every stage; quotes in several versions; a quote and contract
    # waiting for approval.
    assert _states(Opportunity, tenant) == set(OpportunityStatus.values)
    per_stage = Opportunity.objects.filter(tenant=tenant).values("status").annotate(n=Count("id"))
    assert all(row["n"] >= 3 for row in per_stage), list(per_stage)
    assert Quote.objects.filter(tenant=tenant, number__gte=2).count() >= 2
    assert {"draft", "submitted", "approved", "sent", "accepted", "rejected"} <= _states(
        Quote, tenant
    )

    # Contracts in every state, each with its payment plan; lines and plan add up.
    assert _states(Contract, tenant) == set(ContractStatus.values)
    for contract in Contract.objects.filter(tenant=tenant).prefetch_related("installments"):
        plan = [i.amount for i in contract.installments.all()]
        assert plan and sum(plan) == contract.amount, contract.number

    # Payments: confirmed, a draft, and a reversal that put the money back as owed.
    payments = Payment.objects.filter(tenant=tenant)
    assert {"draft", "confirmed", "reversed"} <= _states(Payment, tenant)
    reversal = payments.get(reversal_of__isnull=False)
    assert reversal.amount == -reversal.reversal_of.amount
    assert reversal.reversal_of.status == PaymentStatus.REVERSED
    for contract in Contract.objects.filter(tenant=tenant):
        counted = payments.filter(contract=contract, status__in=["confirmed", "reversed"])
        assert contract.collected_amount == sum((p.amount for p in counted), 0), contract.number

    # Receivables in every aging bucket.
    admin = User.objects.get(username="demo")
    aging = receivables_aging(admin, Filters(), today)
    assert all(aging["totals"][bucket] > 0 for bucket in BUCKETS), aging["totals"]

    # Complaints: SLA clocks running, one breached (on record), one closed.
    complaints = Complaint.objects.filter(tenant=tenant)
    running = complaints.filter(status="received", acknowledge_due_at__gt=timezone.now())
    assert running.count() >= 2
    breached = complaints.filter(breached=True)
    assert breached.count() == 1 and breached.get().breaches.exists()
    assert {"received", "acknowledged", "investigating", "resolved", "closed"} <= _states(
        Complaint, tenant
    )

    # Every demo user in a team; every team with a leader.
    users = User.objects.filter(tenant=tenant, is_system=False)
    assert users.count() == 1 + len(demo.DEMO_USERS)
    assert not users.filter(team__isnull=True).exists()
    assert not Team.objects.filter(tenant=tenant, leader__isnull=True).exists()

    # The rep's morning: today's events, tasks, follow-ups due today, notifications.
    rep = User.objects.get(username="rep1")
    due = FollowUp.objects.filter(owner=rep, status="planned")
    assert any(timezone.localtime(f.due_at).date() == today for f in due)
    panels = client_for(rep).get("/api/v1/workbench/").json()["panels"]
    for name in ("events", "tasks", "follow_ups", "notifications"):
        assert panels[name]["count"] > 0, name
    assert Decimal(panels["figures"]["collected"]["value"]) >= 0

    # Notifications waiting: the manager is told what waits for his approval.
    manager = User.objects.get(username="manager")
    waiting = Notification.objects.filter(recipient=manager, read_at__isnull=True)
    assert waiting.count() >= 2
    approvals = client_for(manager).get("/api/v1/workbench/").json()["panels"]["approvals"]
    assert {"quote", "contract"} <= {r["kind"] for r in approvals["results"]}

    # Loading it again adds nothing.
    before = _counts(tenant)
    with transaction.atomic():
        demo.load()
    assert Tenant.objects.filter(name=demo.DEMO_COMPANY).count() == 1
    assert _counts(tenant) == before
    print(f"demo load {elapsed:.2f}s")
