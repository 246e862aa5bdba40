"""Bulk transfer of leads and customers: one request, one transaction, a query
count that does not grow with the rows (only the 1,000-row insert batches), an
audit entry per row, reminders re-planned for the new owner, related open
opportunities and planned follow-ups moved on request, old and new owners told
after commit. The timing of 5,000 customers is printed (``-s``) for the report."""

from __future__ import annotations

import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.activities.models import Notification
from crm.core.models import AuditEntry
from crm.customers.models import Customer, Lead
from crm.customers.services import customer_create
from tests.conftest import client_for, make_user, uses_postgres
from tests.customers.leads import new_lead
from workflows import reminders
from workflows.models import Reminder

pytestmark = pytest.mark.django_db


def _bulk_customers(admin, owner, n: int, prefix: str = "客户") -> list[int]:
    now = timezone.now()
    made = Customer.objects.bulk_create(
        [
            Customer(tenant=admin.tenant, name=f"{prefix}{i}", owner=owner, owned_since=now)
            for i in range(n)
        ],
        batch_size=2000,
    )
    ids = [c.pk for c in made]
    reminders.schedule_many(Customer, tenant=admin.tenant, created=ids)
    return ids


def _transfer(client, ids, owner, on_commit):
    body = {"ids": ids, "owner": owner.pk, "reason": "离职交接"}
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        with on_commit(execute=True):
            response = client.post("/api/v1/customers/bulk-transfer/", body, format="json")
        elapsed = time.perf_counter() - started
    return response, len(ctx.captured_queries), elapsed


def test_5000_customers_in_one_request_at_a_bounded_query_count(
    admin, rep, sales_team, django_capture_on_commit_callbacks
):
    other = make_user(admin, "销售代表", team=sales_team)
    client = client_for(admin)
    few = _bulk_customers(admin, rep, 20, "小")
    response, small, _ = _transfer(client, few, other, django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.content
    assert response.json()["transferred"] == 20

    many = _bulk_customers(admin, rep, 5000)
    response, big, elapsed = _transfer(client, many, other, django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.content
    assert response.json() == {"transferred": 5000, "opportunities": 0, "followups": 0}
    print(f"\nbulk transfer of 5,000 customers: {big} queries, {elapsed:.2f} s (20 rows: {small})")
    # Only the batched inserts grow: 10,000 reminders in batches of 1,000 and
    # 5,000 audit entries in batches of 2,000.
    # (the after-commit notifications and their e-mails are counted too)
    if uses_postgres():  # SQLite splits each bulk insert at its 999 parameters
        assert big <= small + 9 + 2
    assert Customer.objects.filter(pk__in=many, owner=other).count() == 5000
    ct = ContentType.objects.get_for_model(Customer)
    assert (
        AuditEntry.objects.filter(content_type=ct, object_id__in=many, action="transfer").count()
        == 5000
    )
    pending = Reminder.objects.filter(
        content_type=ct, object_id__in=many, status=Reminder.Status.PENDING
    )
    assert set(pending.values_list("recipient_id", flat=True)) == {other.pk}
    assert pending.count() == 10_000
    # one notification to the old owner, one to the new, per request
    assert Notification.objects.filter(recipient=rep).count() == 2
    assert Notification.objects.filter(recipient=other).count() == 2


def test_by_the_current_filter_and_moving_related_records(admin, rep, sales_team):
    from crm.sales.services import opportunity_create
    from crm.service.services import followup_create

    other = make_user(admin, "销售代表", team=sales_team)
    tenant = admin.tenant
    mine = customer_create(tenant=tenant, actor=admin, name="华东机电", region="华东", owner=rep)
    kept = customer_create(tenant=tenant, actor=admin, name="华北机电", region="华北", owner=rep)
    opportunity = opportunity_create(
        tenant=tenant, actor=rep, name="机床采购", customer=mine, owner=rep
    )
    followup = followup_create(
        tenant=tenant,
        actor=rep,
        customer=mine,
        owner=rep,
        subject="回访",
        due_at=timezone.now() + timezone.timedelta(days=2),
    )
    response = client_for(admin).post(
        "/api/v1/customers/bulk-transfer/?region=华东",
        {
            "owner": other.pk,
            "reason": "区域调整",
            "move_open_opportunities": True,
            "move_followups": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"transferred": 1, "opportunities": 1, "followups": 1}
    mine.refresh_from_db()
    kept.refresh_from_db()
    opportunity.refresh_from_db()
    followup.refresh_from_db()
    assert (mine.owner_id, kept.owner_id) == (other.pk, rep.pk)
    assert (opportunity.owner_id, followup.owner_id) == (other.pk, other.pk)
    entry = AuditEntry.objects.get(object_id=mine.pk, action="transfer")
    assert entry.changes == {"owner": [rep.pk, other.pk], "reason": "区域调整"}


def test_leads_transfer_and_refusals(admin, rep, sales_team, other_admin):
    other = make_user(admin, "销售代表", team=sales_team)
    lead = new_lead(admin, owner=rep)
    client = client_for(admin)
    url = "/api/v1/leads/bulk-transfer/?lang=en"
    no_reason = client.post(url, {"ids": [lead.pk], "owner": other.pk}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    stranger = client.post(
        url, {"ids": [lead.pk], "owner": other_admin.pk, "reason": "x"}, format="json"
    )
    assert stranger.status_code == 400 and "owner" in stranger.json()["fields"]
    unknown = client.post(
        url, {"ids": [lead.pk, 987654321], "owner": other.pk, "reason": "x"}, format="json"
    )
    assert unknown.status_code == 400 and "ids" in unknown.json()["fields"]
    done = client.post(url, {"ids": [lead.pk], "owner": other.pk, "reason": "调整"}, format="json")
    assert done.status_code == 200, done.content
    lead.refresh_from_db()
    assert lead.owner_id == other.pk
    assert Lead.objects.get(pk=lead.pk).version == 2
    # a rep may not transfer what it cannot see: another rep's lead is unknown to it
    outsider = make_user(admin, "销售代表")
    refused = client_for(outsider).post(
        url, {"ids": [lead.pk], "owner": outsider.pk, "reason": "抢"}, format="json"
    )
    assert refused.status_code == 400 and "ids" in refused.json()["fields"]
