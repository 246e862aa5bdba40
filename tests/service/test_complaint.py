"""The complaint machine: every transition and guard, SLA deadlines in working hours,
breaches recorded on late steps, edits that move the clock."""

from __future__ import annotations

import pytest

from crm.core.errors import GuardFailed, Invalid, InvalidTransition, PermissionRefused
from crm.service import services
from crm.service.models import ComplaintBreach
from tests.conftest import make_user
from tests.service.helpers import (
    BEFORE_NATIONAL_DAY,
    move,
    new_complaint,
    return_visit,
    sh,
)
from workflows.models import Reminder, TransitionLog

pytestmark = pytest.mark.django_db


def pending(obj) -> dict[str, Reminder]:
    return {
        r.rule: r
        for r in Reminder.objects.filter(object_id=obj.pk, status=Reminder.Status.PENDING)
        if r.content_type.model == type(obj)._meta.model_name
    }


def complete_visit(visit, actor, score=5):
    return move(visit, "complete", actor, outcome="客户认可处理结果", satisfaction=score)


# --- deadlines -------------------------------------------------------------------


def test_received_before_national_day_is_due_after_the_holiday(
    sla, admin, agent, leader, customer, clock
):
    c = new_complaint(admin, customer, owner=agent)
    assert c.status == "received"
    assert c.received_at == BEFORE_NATIONAL_DAY
    # 4 working hours: 16:00-18:00 on Wed 30 Sep, 1-7 Oct off, then 09:00-11:00 on Thu 8 Oct.
    assert c.acknowledge_due_at == sh(2026, 10, 8, 11)
    assert c.resolve_due_at is None  # the resolve clock starts on acknowledge
    rows = pending(c)
    assert {rule: (r.due_at, r.recipient_id) for rule, r in rows.items()} == {
        "complaint.ack_warning": (sh(2026, 10, 8, 10), agent.pk),  # 1 working hour before
        "complaint.ack_breach": (sh(2026, 10, 8, 11), leader.pk),  # the service lead
        # 2 working hours after the breach: 11:00-12:00, lunch, 13:30-14:30.
        "complaint.ack_escalation": (sh(2026, 10, 8, 14, 30), None),
    }


def test_severity_sets_the_clock(sla, admin, agent, customer, clock):
    c = new_complaint(admin, customer, owner=agent, severity="critical")
    # 1 working hour from Wed 30 Sep 16:00.
    assert c.acknowledge_due_at == sh(2026, 9, 30, 17)
    # A warning as long as the whole clock is pointless: only breach and escalation.
    assert set(pending(c)) == {"complaint.ack_breach", "complaint.ack_escalation"}


def test_tenant_day_off_moves_the_deadline(sla, admin, agent, customer, clock):
    services.workday_create(
        tenant=admin.tenant, actor=admin, date=sh(2026, 10, 8).date(), is_workday=False, note="团建"
    )
    c = new_complaint(admin, customer, owner=agent)
    # 8 Oct is the company's day off: 9 Oct (Fri) 09:00-11:00.
    assert c.acknowledge_due_at == sh(2026, 10, 9, 11)


def test_received_at_in_the_future_or_naive_is_refused(sla, admin, agent, customer, clock):
    with pytest.raises(Invalid) as exc:
        new_complaint(admin, customer, owner=agent, received_at=sh(2026, 10, 1, 9))
    assert "received_at" in exc.value.fields
    import datetime as dt

    with pytest.raises(Invalid) as exc:
        new_complaint(admin, customer, owner=agent, received_at=dt.datetime(2026, 9, 30, 9))
    assert "received_at" in exc.value.fields


def test_a_customer_is_required(sla, admin, clock):
    with pytest.raises(Invalid) as exc:
        services.complaint_create(tenant=admin.tenant, actor=admin, customer=None, description="x")
    assert list(exc.value.fields) == ["customer"]
    with pytest.raises(Invalid) as exc:
        services.ticket_create(tenant=admin.tenant, actor=admin, subject="x")
    assert list(exc.value.fields) == ["customer"]


def test_contact_must_belong_to_the_customer(sla, admin, agent, customer, contact, clock):
    from crm.customers.services import customer_create

    other = customer_create(tenant=admin.tenant, actor=admin, name="别的公司")
    with pytest.raises(Invalid) as exc:
        new_complaint(admin, other, owner=agent, contact=contact)
    assert list(exc.value.fields) == ["contact"]
    assert new_complaint(admin, customer, owner=agent, contact=contact).contact == contact


# --- transitions and guards ------------------------------------------------------------


def test_acknowledge_starts_the_resolve_clock_and_cancels_the_ack_ladder(
    sla, admin, agent, leader, customer, clock
):
    c = new_complaint(admin, customer, owner=agent)
    clock.set(sh(2026, 10, 8, 9, 30))
    c = move(c, "acknowledge", agent)
    assert c.status == "acknowledged"
    assert c.acknowledged_at == sh(2026, 10, 8, 9, 30)
    # Resolve within 16 working hours of receipt: 2 h on 30 Sep, 7.5 h on 8 Oct,
    # 6.5 h on Fri 9 Oct (09:00-12:00, 13:30-17:00).
    assert c.resolve_started_at == BEFORE_NATIONAL_DAY
    assert c.resolve_due_at == sh(2026, 10, 9, 17)
    assert not c.breached
    assert {rule: (r.due_at, r.recipient_id) for rule, r in pending(c).items()} == {
        "complaint.resolve_warning": (sh(2026, 10, 9, 16), agent.pk),
        "complaint.resolve_breach": (sh(2026, 10, 9, 17), leader.pk),
        # 2 working hours after Fri 17:00: 17:00-18:00, then Sat 10 Oct is a make-up workday.
        "complaint.resolve_escalation": (sh(2026, 10, 10, 10), None),
    }
    cancelled = Reminder.objects.filter(object_id=c.pk, status=Reminder.Status.CANCELLED)
    assert {r.rule for r in cancelled} == {
        "complaint.ack_warning",
        "complaint.ack_breach",
        "complaint.ack_escalation",
    }


def test_acknowledge_needs_an_owner(sla, admin, agent, customer, clock):
    c = new_complaint(admin, customer, owner=agent)
    services.complaint_update(c, tenant=admin.tenant, actor=admin, owner=None)
    with pytest.raises(GuardFailed) as exc:
        move(c, "acknowledge", admin)
    assert exc.value.reasons == ["Assign the complaint to an owner first."]
    with pytest.raises(GuardFailed) as exc:  # the default language
        move(c, "acknowledge", admin, lang="zh-hans")
    assert exc.value.reasons == ["请先为投诉指定负责人。"]


def test_late_acknowledge_records_the_breach(sla, admin, agent, customer, clock):
    c = new_complaint(admin, customer, owner=agent)
    clock.set(sh(2026, 10, 8, 11, 5))  # no worker ran: the step itself records it
    c = move(c, "acknowledge", agent)
    assert c.breached
    breach = ComplaintBreach.objects.get(complaint=c)
    assert (breach.kind, breach.due_at, breach.owner_id) == (
        "acknowledge",
        c.acknowledge_due_at,
        agent.pk,
    )


def test_investigate_keeps_the_deadline_and_a_fired_rung_does_not_fire_again(
    sla, admin, agent, customer, clock
):
    from workflows import reminders

    c = new_complaint(admin, customer, owner=agent)
    c = move(c, "acknowledge", agent)
    warning = pending(c)["complaint.resolve_warning"]
    assert reminders.deliver(warning.pk) == "sent"
    c = move(c, "investigate", agent)
    assert c.status == "investigating"
    assert c.resolve_due_at == sh(2026, 10, 9, 17)
    # The warning was sent in ``acknowledged``: it is not scheduled again.
    assert set(pending(c)) == {"complaint.resolve_breach", "complaint.resolve_escalation"}
    assert all(r.state == "investigating" for r in pending(c).values())


def test_resolve_needs_a_resolution(sla, admin, agent, customer, clock):
    c = move(
        move(new_complaint(admin, customer, owner=agent), "acknowledge", agent),
        "investigate",
        agent,
    )
    with pytest.raises(GuardFailed) as exc:
        move(c, "resolve", agent)
    assert exc.value.reasons == ["Describe the resolution."]
    with pytest.raises(GuardFailed):
        move(c, "resolve", agent, resolution="   ")
    clock.set(sh(2026, 10, 9, 15))
    c = move(c, "resolve", agent, resolution="已补发新货并致歉")
    assert (c.status, c.resolution, c.resolved_at) == (
        "resolved",
        "已补发新货并致歉",
        sh(2026, 10, 9, 15),
    )
    assert not c.breached
    assert pending(c) == {}  # the resolve ladder stops


def test_late_resolve_records_the_resolve_breach(sla, admin, agent, customer, clock):
    c = move(
        move(new_complaint(admin, customer, owner=agent), "acknowledge", agent),
        "investigate",
        agent,
    )
    clock.set(sh(2026, 10, 12, 9))
    c = move(c, "resolve", agent, resolution="已处理")
    assert c.breached
    assert list(ComplaintBreach.objects.filter(complaint=c).values_list("kind", flat=True)) == [
        "resolve"
    ]


def _resolved(admin, agent, customer, clock):
    c = new_complaint(admin, customer, owner=agent)
    c = move(c, "acknowledge", agent)
    c = move(c, "investigate", agent)
    clock.set(sh(2026, 10, 9, 15))
    return move(c, "resolve", agent, resolution="已补发新货")


def test_close_needs_a_completed_return_visit_with_a_score(sla, admin, agent, customer, clock):
    c = _resolved(admin, agent, customer, clock)
    reason = "Complete a return visit with a satisfaction score (1-5) after the resolution first."
    with pytest.raises(GuardFailed) as exc:
        move(c, "close", agent)
    assert exc.value.reasons == [reason]
    visit = return_visit(admin, c, owner=agent)
    with pytest.raises(GuardFailed):  # planned is not enough
        move(c, "close", agent)
    clock.set(sh(2026, 10, 12, 10))
    complete_visit(visit, agent, score=4)
    clock.set(sh(2026, 10, 12, 11))
    c = move(c, "close", agent)
    assert (c.status, c.closed_at) == ("closed", sh(2026, 10, 12, 11))
    # Closed is final: no edits, no reopen.
    with pytest.raises(Invalid):
        services.complaint_update(c, tenant=admin.tenant, actor=admin, description="改")
    with pytest.raises(InvalidTransition):
        move(c, "reopen", agent, reason="x")


def test_a_plain_follow_up_or_an_old_return_visit_does_not_allow_close(
    sla, admin, agent, customer, clock
):
    c = _resolved(admin, agent, customer, clock)
    plain = services.followup_create(
        tenant=admin.tenant, actor=agent, kind="follow_up", complaint=c, due_at=sh(2026, 10, 12, 9)
    )
    clock.set(sh(2026, 10, 9, 16))
    move(plain, "complete", agent, outcome="电话沟通")
    visit = return_visit(admin, c, owner=agent)
    complete_visit(visit, agent)
    # Reopened and resolved again: the earlier return visit no longer counts.
    clock.set(sh(2026, 10, 9, 17))
    c = move(c, "reopen", agent, reason="客户反馈问题复现")
    clock.set(sh(2026, 10, 12, 9))
    c = move(c, "resolve", agent, resolution="更换整机")
    with pytest.raises(GuardFailed):
        move(c, "close", agent)
    clock.set(sh(2026, 10, 12, 10))
    complete_visit(return_visit(admin, c, owner=agent), agent, score=3)
    assert move(c, "close", agent).status == "closed"


def test_reopen_needs_a_reason_and_restarts_the_resolve_clock(sla, admin, agent, customer, clock):
    c = _resolved(admin, agent, customer, clock)
    with pytest.raises(GuardFailed) as exc:
        move(c, "reopen", agent)
    assert exc.value.reasons == ["Give the reason for reopening."]
    clock.set(sh(2026, 10, 12, 9))  # Monday
    c = move(c, "reopen", agent, reason="问题复现")
    assert (c.status, c.reopen_count, c.resolved_at) == ("investigating", 1, None)
    assert c.resolve_started_at == sh(2026, 10, 12, 9)
    # 16 working hours from Mon 09:00: 7.5 + 7.5 (Tue) + 1 on Wed.
    assert c.resolve_due_at == sh(2026, 10, 14, 10)
    assert set(pending(c)) == {
        "complaint.resolve_warning",
        "complaint.resolve_breach",
        "complaint.resolve_escalation",
    }
    log = TransitionLog.objects.filter(object_id=c.pk, process="complaint").order_by("id").last()
    assert (log.transition, log.source, log.target) == ("reopen", "resolved", "investigating")


@pytest.mark.parametrize(
    "state_steps, step",
    [
        ([], "investigate"),
        ([], "resolve"),
        ([], "close"),
        ([], "reopen"),
        (["acknowledge"], "acknowledge"),
        (["acknowledge"], "resolve"),
        (["acknowledge"], "close"),
        (["acknowledge", "investigate"], "close"),
        (["acknowledge", "investigate"], "reopen"),
    ],
)
def test_steps_from_the_wrong_state_are_refused(
    sla, admin, agent, customer, clock, state_steps, step
):
    c = new_complaint(admin, customer, owner=agent)
    for s in state_steps:
        c = move(c, s, agent)
    with pytest.raises(InvalidTransition):
        move(c, step, agent, resolution="x", reason="x")


def test_a_sales_rep_cannot_move_a_complaint(sla, admin, agent, customer, rep, clock):
    c = new_complaint(admin, customer, owner=agent)
    with pytest.raises(PermissionRefused):
        move(c, "acknowledge", rep)


# --- edits --------------------------------------------------------------------------


def test_new_severity_recomputes_the_running_deadline_and_reschedules(
    sla, admin, agent, customer, clock
):
    c = new_complaint(admin, customer, owner=agent)
    services.complaint_update(c, tenant=admin.tenant, actor=admin, severity="critical")
    c.refresh_from_db()
    assert c.acknowledge_due_at == sh(2026, 9, 30, 17)
    assert {r: x.due_at for r, x in pending(c).items()} == {
        "complaint.ack_breach": sh(2026, 9, 30, 17),
        "complaint.ack_escalation": sh(2026, 10, 8, 10),  # 17:00-18:00, then 09:00-10:00
    }
    c = move(c, "acknowledge", agent)
    assert c.resolve_due_at == sh(2026, 10, 8, 16, 30)  # 8 h: 2 + 3 + 3 h
    services.complaint_update(c, tenant=admin.tenant, actor=admin, severity="normal")
    c.refresh_from_db()
    assert c.resolve_due_at == sh(2026, 10, 9, 17)
    assert pending(c)["complaint.resolve_breach"].due_at == sh(2026, 10, 9, 17)


def test_new_owner_moves_the_reminders_to_the_new_owner(sla, admin, agent, customer, clock):
    c = new_complaint(admin, customer, owner=agent)
    other = make_user(admin, "客服", name="李客服")
    services.complaint_update(c, tenant=admin.tenant, actor=admin, owner=other)
    assert pending(c)["complaint.ack_warning"].recipient_id == other.pk
    # ``other`` has no team: no service lead to escalate to, but the breach is still recorded.
    assert pending(c)["complaint.ack_breach"].recipient_id is None


def test_only_a_received_complaint_can_be_deleted(sla, admin, agent, customer, clock):
    c = new_complaint(admin, customer, owner=agent)
    c = move(c, "acknowledge", agent)
    with pytest.raises(Invalid):
        services.complaint_delete(c, tenant=admin.tenant, actor=admin)
    fresh = new_complaint(admin, customer, owner=agent)
    services.complaint_delete(fresh, tenant=admin.tenant, actor=admin)
    assert not Reminder.objects.filter(object_id=fresh.pk, status=Reminder.Status.PENDING).exists()
