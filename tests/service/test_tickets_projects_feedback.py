"""Service tickets, customer projects and feedback: every transition and guard,
and the API around them."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.core.errors import GuardFailed, Invalid, InvalidTransition, PermissionRefused
from crm.service import services
from tests.conftest import client_for, make_user
from tests.service.helpers import move, sh

pytestmark = pytest.mark.django_db


# --- tickets ----------------------------------------------------------------------------


def new_ticket(admin, customer, **data):
    data.setdefault("subject", "打印机无法联网")
    return services.ticket_create(tenant=admin.tenant, actor=admin, customer=customer, **data)


def test_ticket_machine(admin, agent, customer, clock):
    t = new_ticket(admin, customer)
    assert (t.status, t.owner) == ("open", None)
    with pytest.raises(GuardFailed) as exc:
        move(t, "start", agent)
    assert exc.value.reasons == ["Assign the ticket to someone first."]
    services.ticket_update(t, tenant=admin.tenant, actor=admin, owner=agent)
    t = move(t, "start", agent)
    assert (t.status, t.started_at) == ("in_progress", clock())
    with pytest.raises(GuardFailed) as exc:
        move(t, "resolve", agent)
    assert exc.value.reasons == ["Describe the resolution."]
    clock.set(sh(2026, 10, 8, 10))
    t = move(t, "resolve", agent, resolution="更换网卡")
    assert (t.status, t.resolution, t.resolved_at) == ("resolved", "更换网卡", sh(2026, 10, 8, 10))
    with pytest.raises(GuardFailed) as exc:
        move(t, "reopen", agent)
    assert exc.value.reasons == ["Give the reason for reopening."]
    t = move(t, "reopen", agent, reason="再次断网")
    assert (t.status, t.resolved_at) == ("in_progress", None)
    t = move(move(t, "resolve", agent, resolution="更换路由器"), "close", agent)
    assert (t.status, t.closed_at) == ("closed", sh(2026, 10, 8, 10))
    for step in ("start", "resolve", "close", "reopen"):
        with pytest.raises(InvalidTransition):
            move(t, step, agent, resolution="x", reason="x")
    with pytest.raises(Invalid):
        services.ticket_update(t, tenant=admin.tenant, actor=admin, subject="改")


def test_ticket_wrong_state_and_permission(admin, agent, customer, rep):
    t = new_ticket(admin, customer, owner=agent)
    for step in ("resolve", "close", "reopen"):
        with pytest.raises(InvalidTransition):
            move(t, step, agent, resolution="x", reason="x")
    with pytest.raises(PermissionRefused):
        move(t, "start", rep)
    t = move(t, "start", agent)
    with pytest.raises(Invalid):  # only an open ticket may be deleted
        services.ticket_delete(t, tenant=admin.tenant, actor=admin)


def test_ticket_api(admin, agent, customer):
    api = client_for(agent)
    response = api.post(
        "/api/v1/tickets/",
        {"customer": customer.pk, "subject": "安装调试", "priority": "high", "owner": agent.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["priority_label"], body["customer_name"]) == (
        "open",
        "高",  # the agent's language, zh-hans
        customer.name,
    )
    pk = body["id"]
    detail = api.get(f"/api/v1/tickets/{pk}/").json()
    assert [t["name"] for t in detail["transitions"]] == ["start"]
    moved = api.post(f"/api/v1/tickets/{pk}/transitions/start/", {}, format="json")
    assert moved.json()["status"] == "in_progress"
    blocked = api.post(f"/api/v1/tickets/{pk}/transitions/resolve/", {}, format="json")
    assert blocked.status_code == 400
    assert blocked.json()["code"] == "guard_failed"
    moved = api.post(
        f"/api/v1/tickets/{pk}/transitions/resolve/", {"resolution": "已完成"}, format="json"
    )
    assert (moved.json()["status"], moved.json()["resolution"]) == ("resolved", "已完成")
    # The customer is fixed once the ticket exists (sending it unchanged is fine).
    from crm.customers.services import customer_create

    other = customer_create(tenant=admin.tenant, actor=admin, name="另一客户")
    refused = api.patch(f"/api/v1/tickets/{pk}/", {"customer": other.pk}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["customer"]
    same = api.patch(
        f"/api/v1/tickets/{pk}/", {"customer": customer.pk, "subject": "新主题"}, format="json"
    )
    assert same.status_code == 200, same.content
    assert (same.json()["customer"], same.json()["subject"]) == (customer.pk, "新主题")
    assert api.get("/api/v1/tickets/?search=xzt").json()["count"] == 1  # 新主题


# --- projects -------------------------------------------------------------------------------


def new_project(admin, customer, **data):
    data.setdefault("name", "CRM 实施项目")
    return services.project_create(tenant=admin.tenant, actor=admin, customer=customer, **data)


def test_project_machine(admin, agent, customer, clock):
    p = new_project(admin, customer)
    with pytest.raises(GuardFailed) as exc:
        move(p, "start", agent)
    assert exc.value.reasons == [
        "Assign the project to a project manager first.",
        "Enter the planned end date first.",
    ]
    services.project_update(
        p,
        tenant=admin.tenant,
        actor=admin,
        owner=agent,
        planned_start=dt.date(2026, 10, 8),
        planned_end=dt.date(2026, 12, 31),
    )
    p = move(p, "start", agent)
    assert (p.status, p.started_at) == ("running", clock())
    with pytest.raises(GuardFailed) as exc:
        move(p, "accept", agent)
    assert exc.value.reasons == ["Describe the customer's acceptance."]
    p = move(p, "accept", agent, note="客户签署验收单")
    assert (p.status, p.acceptance_note) == ("accepted", "客户签署验收单")
    for step in ("start", "accept", "cancel"):
        with pytest.raises(InvalidTransition):
            move(p, step, agent, note="x", reason="x")
    with pytest.raises(Invalid):
        services.project_update(p, tenant=admin.tenant, actor=admin, name="改")


def test_project_cancel_from_planned_or_running(admin, agent, customer):
    planned = new_project(admin, customer)
    with pytest.raises(GuardFailed) as exc:
        move(planned, "cancel", agent)
    assert exc.value.reasons == ["Give the reason for cancelling."]
    assert move(planned, "cancel", agent, reason="客户取消").cancel_reason == "客户取消"
    running = new_project(admin, customer, owner=agent, planned_end=dt.date(2026, 12, 1))
    running = move(running, "start", agent)
    with pytest.raises(Invalid):  # a started project is cancelled, not deleted
        services.project_delete(running, tenant=admin.tenant, actor=admin)
    assert move(running, "cancel", agent, reason="预算取消").status == "cancelled"


def test_project_dates_are_checked(admin, customer):
    with pytest.raises(Invalid) as exc:
        new_project(
            admin, customer, planned_start=dt.date(2026, 12, 1), planned_end=dt.date(2026, 11, 1)
        )
    assert list(exc.value.fields) == ["planned_end"]
    p = new_project(admin, customer, planned_start=dt.date(2026, 11, 1))
    with pytest.raises(Invalid):
        services.project_update(
            p, tenant=admin.tenant, actor=admin, planned_end=dt.date(2026, 10, 1)
        )


def test_project_api(admin, agent, customer):
    api = client_for(agent)
    response = api.post(
        "/api/v1/projects/",
        {
            "customer": customer.pk,
            "name": "二期实施",
            "owner": agent.pk,
            "planned_end": "2026-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    moved = api.post(f"/api/v1/projects/{pk}/transitions/start/", {}, format="json")
    assert moved.status_code == 200
    moved = api.post(
        f"/api/v1/projects/{pk}/transitions/accept/", {"note": "验收通过"}, format="json"
    )
    assert (moved.json()["status"], moved.json()["acceptance_note"]) == ("accepted", "验收通过")
    history = api.get(f"/api/v1/projects/{pk}/history/").json()
    assert [h["action"] for h in history if h["kind"] == "transition"] == ["accept", "start"]


# --- feedback ---------------------------------------------------------------------------------


def test_feedback_handled_flag(admin, agent, customer, contact, clock):
    api = client_for(agent)
    response = api.post(
        "/api/v1/feedback/",
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "kind": "suggestion",
            "text": "希望增加移动端",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["handled"], body["handled_at"], body["handled_by"]) == (False, None, None)
    clock.set(sh(2026, 10, 9, 9))
    handled = api.patch(f"/api/v1/feedback/{body['id']}/", {"handled": True}, format="json").json()
    assert (handled["handled"], handled["handled_by"], handled["handled_at"]) == (
        True,
        agent.pk,
        "2026-10-09T09:00:00+08:00",
    )
    reopened = api.patch(
        f"/api/v1/feedback/{body['id']}/", {"handled": False}, format="json"
    ).json()
    assert (reopened["handled_by"], reopened["handled_at"]) == (None, None)
    assert api.get("/api/v1/feedback/?handled=false").json()["count"] == 1
    assert api.get("/api/v1/feedback/?kind=praise").json()["count"] == 0


def test_feedback_validation(admin, customer, contact):
    from crm.customers.services import customer_create

    other = customer_create(tenant=admin.tenant, actor=admin, name="其他客户")
    api = client_for(admin)
    response = api.post(
        "/api/v1/feedback/",
        {"customer": other.pk, "contact": contact.pk, "text": "好"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["contact"]
    response = api.post("/api/v1/feedback/", {"customer": customer.pk, "text": "  "}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()["fields"]
    response = api.post(
        "/api/v1/feedback/", {"customer": customer.pk, "text": "好", "kind": "rant"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["kind"]


def test_marketing_has_no_service_records(admin, customer):
    marketer = client_for(make_user(admin, "市场"))
    for collection in ("complaints", "tickets", "projects", "feedback", "follow-ups"):
        assert marketer.get(f"/api/v1/{collection}/").status_code == 403, collection
