"""The SLA escalation ladder, delivered by a REAL dramatiq worker driven by
``tasks.scheduler.tick(now=...)``: warning -> service lead -> managers, in order,
once each, and nothing more once the complaint is acknowledged or resolved."""

from __future__ import annotations

import pytest

from crm.activities.models import Notification
from crm.service.models import ComplaintBreach
from tasks import scheduler
from tests.service.helpers import SECOND, move, new_complaint, sh
from workflows.models import Reminder

pytestmark = pytest.mark.django_db(transaction=True)


def inbox(complaint) -> list[tuple[int, str]]:
    """(recipient, title) of the notifications about the complaint, oldest first."""
    return [
        (n.recipient_id, n.title)
        for n in Notification.objects.filter(object_id=complaint.pk).order_by("id")
        if n.content_type.model == "complaint"
    ]


def run(worker, at) -> dict:
    ticked = scheduler.tick(now=at)
    worker.drain()
    return ticked


def test_ladder_fires_in_order_once_each(
    sla, admin, agent, leader, manager, customer, clock, worker
):
    c = new_complaint(admin, customer, owner=agent)
    assert c.acknowledge_due_at == sh(2026, 10, 8, 11)

    # During the National Day week nothing is due.
    assert run(worker, sh(2026, 10, 7, 23)) == {"due": 0, "stale": 0}
    assert inbox(c) == []

    # 1. Warning to the owner, one working hour before the deadline.
    clock.set(sh(2026, 10, 8, 10))
    assert run(worker, sh(2026, 10, 8, 10)) == {"due": 1, "stale": 0}
    assert [r for r, _ in inbox(c)] == [agent.pk]
    assert inbox(c)[0][1] == "“北京星河科技有限公司”的投诉即将超过确认时限"  # zh-hans
    assert run(worker, sh(2026, 10, 8, 10) + SECOND) == {"due": 0, "stale": 0}  # tick twice

    # 2. Breach: the service lead is told and the breach is recorded.
    clock.set(sh(2026, 10, 8, 11))
    assert run(worker, sh(2026, 10, 8, 11)) == {"due": 1, "stale": 0}
    assert [r for r, _ in inbox(c)] == [agent.pk, leader.pk]
    assert inbox(c)[1][1] == "“北京星河科技有限公司”的投诉已超过确认时限"
    c.refresh_from_db()
    assert c.breached
    breach = ComplaintBreach.objects.get(complaint=c)
    assert (breach.kind, breach.due_at, breach.owner_id, breach.escalated_at) == (
        "acknowledge",
        sh(2026, 10, 8, 11),
        agent.pk,
        None,
    )

    # 3. Two working hours later (over lunch): every holder of complaints.escalation.
    assert run(worker, sh(2026, 10, 8, 14, 29)) == {"due": 0, "stale": 0}
    clock.set(sh(2026, 10, 8, 14, 30))
    assert run(worker, sh(2026, 10, 8, 14, 30)) == {"due": 1, "stale": 0}
    recipients = [r for r, _ in inbox(c)]
    assert recipients[:2] == [agent.pk, leader.pk]
    assert sorted(recipients[2:]) == sorted([admin.pk, manager.pk])
    breach.refresh_from_db()
    assert breach.escalated_at == sh(2026, 10, 8, 14, 30)
    assert ComplaintBreach.objects.filter(complaint=c).count() == 1

    # Once each: later ticks deliver nothing more.
    for at in (sh(2026, 10, 8, 15), sh(2026, 10, 9, 9), sh(2026, 10, 20, 9)):
        assert run(worker, at) == {"due": 0, "stale": 0}
    assert len(inbox(c)) == 4
    assert Reminder.objects.filter(object_id=c.pk, status=Reminder.Status.SENT).count() == 3

    # Acknowledged late: the resolve clock's ladder starts, the ack breach stays single.
    clock.set(sh(2026, 10, 8, 15))
    c = move(c, "acknowledge", agent)
    assert ComplaintBreach.objects.filter(complaint=c).count() == 1


def test_acknowledging_stops_the_ladder(
    sla, admin, agent, leader, manager, customer, clock, worker
):
    c = new_complaint(admin, customer, owner=agent)
    clock.set(sh(2026, 10, 8, 10))
    run(worker, sh(2026, 10, 8, 10))
    assert [r for r, _ in inbox(c)] == [agent.pk]

    clock.set(sh(2026, 10, 8, 10, 30))
    c = move(c, "acknowledge", agent)  # on time
    for at in (sh(2026, 10, 8, 11), sh(2026, 10, 8, 14, 30), sh(2026, 10, 8, 18)):
        clock.set(at)
        assert run(worker, at)["due"] == 0
    assert [r for r, _ in inbox(c)] == [agent.pk]
    c.refresh_from_db()
    assert not c.breached
    assert not ComplaintBreach.objects.filter(complaint=c).exists()


def test_resolving_stops_the_resolve_ladder_after_the_breach(
    sla, admin, agent, leader, manager, customer, clock, worker
):
    c = new_complaint(admin, customer, owner=agent)
    clock.set(sh(2026, 10, 8, 9, 15))
    c = move(c, "acknowledge", agent)
    c = move(c, "investigate", agent)
    assert c.resolve_due_at == sh(2026, 10, 9, 17)

    for at in (sh(2026, 10, 9, 16), sh(2026, 10, 9, 17)):  # warning, then breach
        clock.set(at)
        assert run(worker, at)["due"] == 1
    assert [r for r, _ in inbox(c)] == [agent.pk, leader.pk]
    assert list(ComplaintBreach.objects.filter(complaint=c).values_list("kind", flat=True)) == [
        "resolve"
    ]

    clock.set(sh(2026, 10, 9, 17, 30))
    c = move(c, "resolve", agent, resolution="已补发")
    # The managers' rung (Sat 10 Oct 10:00, a make-up workday) no longer fires.
    for at in (sh(2026, 10, 10, 10), sh(2026, 10, 12, 10)):
        assert run(worker, at)["due"] == 0
    assert [r for r, _ in inbox(c)] == [agent.pk, leader.pk]
    breach = ComplaintBreach.objects.get(complaint=c)
    assert breach.escalated_at is None


def test_a_late_tick_still_records_one_breach_and_escalates_once(
    sla, admin, agent, leader, customer, clock, worker
):
    """The scheduler was down over the deadline: all three rungs are due at once."""
    c = new_complaint(admin, customer, owner=agent)
    clock.set(sh(2026, 10, 9, 9))
    assert run(worker, sh(2026, 10, 9, 9)) == {"due": 3, "stale": 0}
    assert sorted(r for r, _ in inbox(c)) == sorted([agent.pk, leader.pk, admin.pk])
    breach = ComplaintBreach.objects.get(complaint=c)
    assert breach.escalated_at is not None
    assert run(worker, sh(2026, 10, 9, 10)) == {"due": 0, "stale": 0}
    assert len(inbox(c)) == 3
