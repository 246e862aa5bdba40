"""List endpoints of customer service: the query count does not grow with the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.customers.services import contact_create
from crm.service import services
from tests.conftest import client_for
from tests.customers.leads import new_lead
from tests.service.helpers import new_complaint, new_followup, sh

pytestmark = pytest.mark.django_db


def _add_rows(admin, agent, customer, n: int) -> None:
    for i in range(n):
        contact = contact_create(
            tenant=admin.tenant, actor=admin, customer=customer, name=f"联系人{i}"
        )
        complaint = new_complaint(admin, customer, owner=agent, contact=contact)
        new_followup(admin, owner=agent, complaint=complaint)
        new_followup(admin, owner=agent, customer=customer)
        new_followup(admin, owner=agent, lead=new_lead(admin, owner=agent))
        services.ticket_create(
            tenant=admin.tenant, actor=admin, customer=customer, subject=f"工单{i}", owner=agent
        )
        services.project_create(
            tenant=admin.tenant, actor=admin, customer=customer, name=f"项目{i}", owner=agent
        )
        services.feedback_create(
            tenant=admin.tenant, actor=admin, customer=customer, contact=contact, text=f"意见{i}"
        )


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "collection", ["complaints", "follow-ups", "tickets", "projects", "feedback"]
)
def test_list_queries_do_not_grow_with_rows(sla, admin, agent, customer, clock, collection):
    api = client_for(agent)
    url = f"/api/v1/{collection}/?page_size=50"
    _add_rows(admin, agent, customer, 2)
    few = _count(api, url)
    _add_rows(admin, agent, customer, 6)
    assert api.get(url).json()["count"] >= 8
    assert _count(api, url) == few


def test_detail_shows_deadlines_transitions_and_breaches(sla, admin, agent, customer, clock):
    complaint = new_complaint(admin, customer, owner=agent)
    body = client_for(agent).get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert body["acknowledge_due_at"] == sh(2026, 10, 8, 11).isoformat()
    assert [(t["name"], t["allowed"]) for t in body["transitions"]] == [("acknowledge", True)]
    assert body["breaches"] == [] and body["calendar_warnings"] == []
    # The state says what waits ("待受理"), the step what to do ("受理"): issue 20.
    assert body["status_label"] == "待受理" and body["severity_label"] == "普通"
    assert [t["label"] for t in body["transitions"]] == ["受理"]
