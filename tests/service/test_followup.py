"""Follow-ups and return visits: quick create on any record, every transition and
guard, reminders, and the worker's auto-miss (exactly once, even with two ticks)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections

from crm.activities.models import Notification
from crm.core.errors import GuardFailed, Invalid, InvalidTransition
from crm.customers.services import customer_create
from crm.service import services
from crm.service.models import TARGET_FIELDS, FollowUp
from tasks import scheduler
from tests.conftest import client_for, make_user, uses_postgres
from tests.customers.leads import new_lead
from tests.service.helpers import HOUR, SECOND, move, new_complaint, new_followup, sh
from workflows.models import Reminder, TransitionLog

DUE = sh(2026, 10, 12, 10)


def pending(obj) -> dict[str, Reminder]:
    return {
        r.rule: r
        for r in Reminder.objects.filter(object_id=obj.pk, status=Reminder.Status.PENDING)
        if r.content_type.model == "followup"
    }


# --- quick create --------------------------------------------------------------------


@pytest.mark.django_db
def test_quick_create_on_each_kind_of_record_is_one_call(sla, admin, agent, customer, clock):
    lead = new_lead(admin)
    complaint = new_complaint(admin, customer, owner=agent)
    api = client_for(agent)
    for target, pk in (("customer", customer.pk), ("complaint", complaint.pk)):
        response = api.post(
            "/api/v1/follow-ups/",
            {target: pk, "kind": "return_visit", "due_at": "2026-10-12T10:00:00+08:00"},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["target_type"], body[target], body["owner"]) == (target, pk, agent.pk)
        assert body["status"] == "planned"
        assert body["target_name"] == "北京星河科技有限公司"
    response = client_for(admin).post(
        "/api/v1/follow-ups/",
        {"lead": lead.pk, "subject": "二次电话", "due_at": "2026-10-12T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["target_name"] == lead.company_name
    assert response.json()["kind"] == "follow_up"
    # Listing a record's follow-ups.
    listed = api.get(f"/api/v1/follow-ups/?complaint={complaint.pk}").json()
    assert [row["complaint"] for row in listed["results"]] == [complaint.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "targets",
    [{}, {"customer": "C", "lead": "L"}],
    ids=["none", "two"],
)
def test_quick_create_needs_exactly_one_target(sla, admin, customer, clock, targets):
    lead = new_lead(admin)
    ids = {"C": customer.pk, "L": lead.pk}
    body = {k: ids[v] for k, v in targets.items()}
    response = client_for(admin).post(
        "/api/v1/follow-ups/", {**body, "due_at": "2026-10-12T10:00:00+08:00"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == (set(body) or set(TARGET_FIELDS))


@pytest.mark.django_db
def test_service_refuses_zero_or_two_targets_and_bad_kinds(sla, admin, customer, clock):
    lead = new_lead(admin)
    with pytest.raises(Invalid) as exc:
        services.followup_create(tenant=admin.tenant, actor=admin, due_at=DUE)
    assert set(exc.value.fields) == set(TARGET_FIELDS)
    with pytest.raises(Invalid) as exc:
        services.followup_create(
            tenant=admin.tenant, actor=admin, due_at=DUE, lead=lead, customer=customer
        )
    assert set(exc.value.fields) == {"lead", "customer"}
    with pytest.raises(Invalid) as exc:  # a return visit goes to a customer or a complaint
        services.followup_create(
            tenant=admin.tenant, actor=admin, due_at=DUE, lead=lead, kind="return_visit"
        )
    assert list(exc.value.fields) == ["lead"]
    with pytest.raises(Invalid) as exc:
        services.followup_create(
            tenant=admin.tenant, actor=admin, due_at=dt.datetime(2026, 10, 12, 10), lead=lead
        )
    assert list(exc.value.fields) == ["due_at"]


@pytest.mark.django_db
def test_targets_of_another_company_or_outside_the_scope_are_unknown(
    sla, admin, other_admin, rep, customer, clock
):
    foreign = customer_create(tenant=other_admin.tenant, actor=other_admin, name="别家客户")
    body = {"due_at": "2026-10-12T10:00:00+08:00"}
    response = client_for(admin).post(
        "/api/v1/follow-ups/", {**body, "customer": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["customer"]
    # A sales rep (own records only) cannot attach a follow-up to the admin's customer...
    response = client_for(rep).post(
        "/api/v1/follow-ups/", {**body, "customer": customer.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["customer"]
    # ... but can to their own.
    mine = customer_create(tenant=admin.tenant, actor=rep, name="我的客户")
    response = client_for(rep).post(
        "/api/v1/follow-ups/", {**body, "customer": mine.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    with pytest.raises(Invalid):  # the service checks the tenant too
        services.followup_create(tenant=admin.tenant, actor=admin, due_at=DUE, customer=foreign)


@pytest.mark.django_db
def test_creating_schedules_the_reminders(sla, admin, agent, leader, customer, clock):
    f = new_followup(admin, owner=agent, customer=customer, due_at=DUE)
    assert {r: (x.due_at, x.recipient_id) for r, x in pending(f).items()} == {
        "followup.due_soon": (DUE - 2 * HOUR, agent.pk),
        "followup.auto_miss": (DUE + 24 * HOUR, leader.pk),
    }
    services.followup_update(
        f, tenant=admin.tenant, actor=admin, due_at=DUE + 48 * HOUR, subject="改期"
    )
    assert {r: x.due_at for r, x in pending(f).items()} == {
        "followup.due_soon": DUE + 46 * HOUR,
        "followup.auto_miss": DUE + 72 * HOUR,
    }


# --- transitions and guards ------------------------------------------------------------


@pytest.mark.django_db
def test_complete_needs_an_outcome(sla, admin, agent, customer, clock):
    f = new_followup(admin, owner=agent, customer=customer)
    with pytest.raises(GuardFailed) as exc:
        move(f, "complete", agent)
    assert exc.value.reasons == ["Write down the outcome."]
    f = move(f, "complete", agent, outcome="客户计划下月采购")
    assert (f.status, f.outcome, f.satisfaction, f.done_at) == (
        "done",
        "客户计划下月采购",
        None,
        clock(),
    )
    assert pending(f) == {}


@pytest.mark.django_db
def test_a_return_visit_needs_a_score_from_1_to_5(sla, admin, agent, customer, clock):
    f = new_followup(admin, owner=agent, customer=customer, kind="return_visit")
    with pytest.raises(GuardFailed) as exc:
        move(f, "complete", agent, outcome="满意")
    assert exc.value.reasons == ["Give the customer's satisfaction score (1-5) for a return visit."]
    for bad in (0, 6, True, "5"):
        with pytest.raises(GuardFailed) as exc:
            move(f, "complete", agent, outcome="满意", satisfaction=bad)
        assert exc.value.reasons == ["The satisfaction score must be a whole number from 1 to 5."]
    f = move(f, "complete", agent, outcome="满意", satisfaction=5)
    assert (f.status, f.satisfaction) == ("done", 5)


@pytest.mark.django_db
def test_score_through_the_api(sla, admin, agent, customer, clock):
    f = new_followup(admin, owner=agent, customer=customer, kind="return_visit")
    api = client_for(agent)
    url = f"/api/v1/follow-ups/{f.pk}/transitions/complete/"
    detail = api.get(f"/api/v1/follow-ups/{f.pk}/").json()
    complete = next(t for t in detail["transitions"] if t["name"] == "complete")
    assert complete["allowed"]
    assert [(i["name"], i["required"]) for i in complete["inputs"]] == [
        ("outcome", True),
        ("satisfaction", False),
    ]
    assert [c["value"] for c in complete["inputs"][1]["choices"]] == [5, 4, 3, 2, 1]
    for bad in (9, "abc", True, 2.5):
        response = api.post(url, {"outcome": "好", "satisfaction": bad}, format="json")
        assert response.status_code == 400, bad
        assert list(response.json()["fields"]) == ["satisfaction"]
    response = api.post(url, {"outcome": "好"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "guard_failed"
    response = api.post(url, {"outcome": 5, "satisfaction": 4}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["outcome"]
    response = api.post(url, {"outcome": "满意", "satisfaction": "4"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["satisfaction"]) == ("done", 4)


@pytest.mark.django_db
def test_miss_cancel_and_reschedule(sla, admin, agent, leader, customer, clock):
    f = new_followup(admin, owner=agent, customer=customer)
    with pytest.raises(InvalidTransition):
        move(f, "reschedule", agent, due_at=DUE + HOUR)
    clock.set(DUE + HOUR)
    f = move(f, "miss", agent)
    assert (f.status, f.missed_at) == ("missed", DUE + HOUR)
    assert pending(f) == {}
    with pytest.raises(GuardFailed) as exc:
        move(f, "reschedule", agent)
    assert exc.value.reasons == ["Give the new due date."]
    with pytest.raises(GuardFailed) as exc:
        move(f, "reschedule", agent, due_at=DUE)  # in the past
    assert exc.value.reasons == ["The new due date must be in the future."]
    with pytest.raises(GuardFailed) as exc:
        move(f, "reschedule", agent, due_at=dt.datetime(2026, 10, 20, 10))
    assert exc.value.reasons == ["Give the new due date as a date and time with its time zone."]
    new_due = sh(2026, 10, 14, 15)
    f = move(f, "reschedule", agent, due_at=new_due)
    assert (f.status, f.due_at, f.missed_at, f.reschedule_count) == ("planned", new_due, None, 1)
    assert {r: x.due_at for r, x in pending(f).items()} == {
        "followup.due_soon": new_due - 2 * HOUR,
        "followup.auto_miss": new_due + 24 * HOUR,
    }
    f = move(f, "cancel", agent, reason="客户已失联")
    assert f.status == "cancelled"
    assert pending(f) == {}
    for step in ("complete", "miss", "cancel", "reschedule"):
        with pytest.raises(InvalidTransition):
            move(f, step, agent, outcome="x", due_at=new_due)


@pytest.mark.django_db
def test_reschedule_through_the_api(sla, admin, agent, customer, clock):
    f = new_followup(admin, owner=agent, customer=customer)
    move(f, "miss", agent)
    url = f"/api/v1/follow-ups/{f.pk}/transitions/reschedule/"
    api = client_for(agent)
    response = api.post(url, {"due_at": "tomorrow"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["due_at"]
    # Year 9999 passed the old check and overflowed when the grace hours were added.
    response = api.post(url, {"due_at": "9999-12-31T23:00:00+08:00"}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["due_at"]
    response = api.post(url, {"due_at": "2026-10-20T09:30:00+08:00"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["due_at"] == "2026-10-20T09:30:00+08:00"


@pytest.mark.django_db
def test_only_a_planned_follow_up_is_edited_and_a_done_one_is_kept(
    sla, admin, agent, customer, clock
):
    f = new_followup(admin, owner=agent, customer=customer)
    f = move(f, "complete", agent, outcome="完成")
    with pytest.raises(Invalid):
        services.followup_update(f, tenant=admin.tenant, actor=admin, subject="改")
    with pytest.raises(Invalid):
        services.followup_delete(f, tenant=admin.tenant, actor=admin)
    with pytest.raises(Invalid):  # outcome and score move only through ``complete``
        services.followup_update(
            new_followup(admin, owner=agent, customer=customer),
            tenant=admin.tenant,
            actor=admin,
            outcome="x",
        )


@pytest.mark.django_db
def test_sales_roles_have_follow_ups_but_reps_cannot_delete(sla, admin, rep, clock):
    lead = new_lead(admin, owner=rep)
    api = client_for(rep)
    response = api.post(
        "/api/v1/follow-ups/",
        {"lead": lead.pk, "due_at": "2026-10-12T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    moved = api.post(
        f"/api/v1/follow-ups/{pk}/transitions/complete/", {"outcome": "已沟通"}, format="json"
    )
    assert moved.status_code == 200
    assert api.delete(f"/api/v1/follow-ups/{pk}/").status_code == 403


# --- the worker ----------------------------------------------------------------------


def _missed_notifications(f) -> list[int]:
    return [
        n.recipient_id
        for n in Notification.objects.filter(object_id=f.pk).order_by("id")
        if n.content_type.model == "followup" and n.reminder.rule == "followup.auto_miss"
    ]


@pytest.mark.django_db(transaction=True)
def test_overdue_follow_up_becomes_missed_and_the_leader_is_told(
    sla, admin, agent, leader, customer, clock, worker
):
    f = new_followup(admin, owner=agent, customer=customer, due_at=DUE)
    assert scheduler.tick(now=DUE - 2 * HOUR) == {"due": 1, "stale": 0}  # due soon
    worker.drain()
    assert [n.recipient_id for n in Notification.objects.filter(object_id=f.pk)] == [agent.pk]
    assert scheduler.tick(now=DUE + 24 * HOUR - SECOND) == {"due": 0, "stale": 0}
    clock.set(DUE + 24 * HOUR)
    assert scheduler.tick(now=DUE + 24 * HOUR) == {"due": 1, "stale": 0}
    worker.drain()
    f.refresh_from_db()
    assert (f.status, f.missed_at) == ("missed", DUE + 24 * HOUR)
    log = TransitionLog.objects.get(object_id=f.pk, process="followup")
    assert (log.transition, log.actor_id) == ("miss", None)  # the system actor
    assert _missed_notifications(f) == [leader.pk]
    assert scheduler.tick(now=DUE + 48 * HOUR) == {"due": 0, "stale": 0}


@pytest.mark.django_db(transaction=True)
def test_completed_in_time_is_not_missed(sla, admin, agent, customer, clock, worker):
    f = new_followup(admin, owner=agent, customer=customer, due_at=DUE)
    move(f, "complete", agent, outcome="按时完成")
    assert scheduler.tick(now=DUE + 30 * HOUR) == {"due": 0, "stale": 0}
    worker.drain()
    f.refresh_from_db()
    assert f.status == "done"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_move_it_exactly_once(
    sla, admin, agent, leader, customer, clock, worker
):
    """On PostgreSQL two threads tick at the same moment (FOR UPDATE SKIP LOCKED);
    SQLite's shared-cache test database refuses concurrent table locks instead of
    waiting, so there the two ticks run back to back while the worker is paused."""
    followups = [new_followup(admin, owner=agent, customer=customer, due_at=DUE) for _ in range(5)]
    Reminder.objects.filter(rule="followup.due_soon").update(status=Reminder.Status.CANCELLED)
    at = DUE + 25 * HOUR
    clock.set(at)
    results, errors = [], []
    if uses_postgres():
        barrier = threading.Barrier(2)

        def tick():
            try:
                barrier.wait(timeout=10)
                results.append(scheduler.tick(now=at))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                close_old_connections()

        threads = [threading.Thread(target=tick) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    else:
        worker.worker.pause()
        try:
            results = [scheduler.tick(now=at), scheduler.tick(now=at)]
        finally:
            worker.worker.resume()
    assert errors == []
    assert len(results) == 2
    # Every due row was claimed by exactly one of the two ticks.
    assert sum(r["due"] for r in results) == len(followups)
    worker.drain()
    for f in followups:
        f.refresh_from_db()
        assert f.status == "missed"
        assert TransitionLog.objects.filter(object_id=f.pk, process="followup").count() == 1
        assert _missed_notifications(f) == [leader.pk]
    # A redelivered message (at-least-once broker) changes nothing either.
    from workflows import reminders

    row = Reminder.objects.filter(rule="followup.auto_miss").first()
    assert reminders.deliver(row.pk) == "done-already"
    assert FollowUp.objects.filter(status="missed").count() == len(followups)
    assert TransitionLog.objects.filter(process="followup").count() == len(followups)


@pytest.mark.django_db
def test_reminder_delivery_twice_moves_once_without_a_worker(sla, admin, agent, customer, clock):
    from workflows import reminders

    f = new_followup(admin, owner=agent, customer=customer, due_at=DUE)
    row = pending(f)["followup.auto_miss"]
    clock.set(row.due_at)
    assert reminders.deliver(row.pk) == "sent"
    assert reminders.deliver(row.pk) == "done-already"
    f.refresh_from_db()
    assert f.status == "missed"
    assert TransitionLog.objects.filter(object_id=f.pk, process="followup").count() == 1


@pytest.mark.django_db
def test_no_leader_means_missed_without_a_message(sla, admin, customer, clock):
    loner = make_user(admin, "销售代表")
    f = new_followup(
        admin,
        owner=loner,
        customer=customer_create(tenant=admin.tenant, actor=loner, name="独立客户"),
    )
    row = pending(f)["followup.auto_miss"]
    assert row.recipient_id is None
    from workflows import reminders

    assert reminders.deliver(row.pk) == "sent"
    f.refresh_from_db()
    assert f.status == "missed"
    assert not Notification.objects.filter(object_id=f.pk).exists()
