"""Default role grants of customer service, escalation recipients, and tenant isolation
of the service collections."""

from __future__ import annotations

import pytest

from crm.core import services as core
from crm.core.models import Role
from crm.core.permissions import registry
from crm.service.selectors import escalation_recipients, team_leader_of
from tests.conftest import client_for, make_user
from tests.service.helpers import new_complaint, new_followup

pytestmark = pytest.mark.django_db

SERVICE_CODES = [
    c
    for c in registry.codes()
    if c.split(".")[0] in ("complaints", "followups", "tickets", "projects", "feedback")
    or c.startswith(
        (
            "transition:complaint.",
            "transition:followup.",
            "transition:ticket.",
            "transition:project.",
        )
    )
    or c == "service.reports"
]


def codes(admin, role: str) -> set[str]:
    return set(Role.objects.get(tenant=admin.tenant, name=role).permissions)


def test_every_process_step_has_a_code():
    for process, steps in {
        "complaint": ("acknowledge", "investigate", "resolve", "close", "reopen"),
        "followup": ("complete", "miss", "cancel", "reschedule"),
        "ticket": ("start", "resolve", "close", "reopen"),
        "project": ("start", "accept", "cancel"),
    }.items():
        for step in steps:
            assert f"transition:{process}.{step}" in registry


def test_default_role_grants(admin):
    service = codes(admin, "客服")
    assert set(SERVICE_CODES) - {"complaints.escalation"} <= service
    assert "complaints.escalation" not in service
    assert "calendar.view" in service and "calendar.edit" not in service

    rep = codes(admin, "销售代表")
    assert {"followups.view", "followups.create", "followups.edit"} <= rep
    assert {"transition:followup.complete", "transition:followup.reschedule"} <= rep
    assert "followups.delete" not in rep
    assert not {c for c in rep if c.startswith(("complaints.", "transition:complaint."))}

    manager = codes(admin, "销售经理")
    assert {"followups.delete", "complaints.view", "service.reports"} <= manager
    assert not {"complaints.edit", "transition:complaint.close"} & manager

    assert set(SERVICE_CODES) <= codes(admin, "管理员")
    assert not {c for c in codes(admin, "市场") if c in SERVICE_CODES}


def test_escalations_go_to_holders_of_the_code(admin, manager):
    assert [u.pk for u in escalation_recipients(admin.tenant)] == [admin.pk, manager.pk]
    # A tenant routes escalations to a 客服主管 role by giving it the code.
    head = core.role_create(
        tenant=admin.tenant,
        actor=admin,
        name="客服主管",
        permissions=["complaints.view", "complaints.escalation"],
        data_scope="all",
    )
    chief = make_user(admin, "客服主管", name="客服总监")
    assert chief.roles.get() == head
    assert chief.pk in [u.pk for u in escalation_recipients(admin.tenant)]
    core.user_deactivate(manager, tenant=admin.tenant, actor=admin)
    assert manager.pk not in [u.pk for u in escalation_recipients(admin.tenant)]


def test_service_lead_is_the_team_leader_or_the_parent_leader(admin, service_team, leader, agent):
    assert team_leader_of(agent) == leader
    assert team_leader_of(leader) is None  # a top team's leader has nobody above
    boss = make_user(admin, "管理员", name="总经理")
    top = core.team_create(tenant=admin.tenant, actor=admin, name="总部", leader=boss)
    core.team_update(service_team, tenant=admin.tenant, actor=admin, parent=top)
    leader.refresh_from_db()
    assert team_leader_of(leader) == boss
    assert team_leader_of(make_user(admin, "客服")) is None  # no team


def test_other_companies_ids_answer_404(sla, admin, other_admin, customer, clock):
    from crm.customers.services import customer_create

    theirs = customer_create(tenant=other_admin.tenant, actor=other_admin, name="别家")
    complaint = new_complaint(other_admin, theirs)
    followup = new_followup(other_admin, customer=theirs)
    me = client_for(admin)
    assert me.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert me.get("/api/v1/complaints/").json()["count"] == 0
    assert (
        me.post(
            f"/api/v1/complaints/{complaint.pk}/transitions/acknowledge/", {}, format="json"
        ).status_code
        == 404
    )
    assert me.get(f"/api/v1/follow-ups/{followup.pk}/").status_code == 404
    response = me.post(
        "/api/v1/complaints/",
        {"customer": theirs.pk, "description": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["customer"]


def test_service_agents_see_all_complaints_reps_see_none(sla, admin, agent, rep, customer, clock):
    new_complaint(admin, customer, owner=agent)
    new_complaint(admin, customer)
    assert client_for(make_user(admin, "客服")).get("/api/v1/complaints/").json()["count"] == 2
    assert client_for(rep).get("/api/v1/complaints/").status_code == 403


def test_a_follow_up_keeps_its_target(sla, admin, customer, clock):
    from crm.customers.services import customer_create

    followup = new_followup(admin, customer=customer)
    api = client_for(admin)
    other = customer_create(tenant=admin.tenant, actor=admin, name="另一家")
    response = api.patch(
        f"/api/v1/follow-ups/{followup.pk}/", {"customer": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["customer"]
    response = api.patch(
        f"/api/v1/follow-ups/{followup.pk}/",
        {"customer": customer.pk, "subject": "改主题"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["subject"] == "改主题"
