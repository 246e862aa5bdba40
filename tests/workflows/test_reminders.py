"""Lead reminders: scheduled on entering a state, cancelled on leaving, delivered once.

The delivery tests run a REAL dramatiq worker on the configured broker (the
in-process StubBroker, or Redis when REDIS_URL is set) and drive it with
``tasks.scheduler.tick(now=...)`` exactly as the scheduler loop does.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from crm.activities.models import Notification
from crm.activities.services import activity_create
from crm.core import services as core
from crm.core.models import AuditEntry
from crm.customers.models import Lead
from crm.customers.services import lead_delete, lead_update
from tasks import scheduler
from tasks.reminders import deliver_reminder
from tests.conftest import make_user
from tests.customers.leads import lead_in_state, log_call, move, new_lead
from workflows import reminders
from workflows.models import Reminder, TransitionLog

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
SETTINGS = {
    "lead_first_contact_sla_hours": 4,
    "lead_escalation_hours": 2,
    "pool_idle_days": 10,
    "pool_warning_days": 3,
}


@pytest.fixture
def configured(admin):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, **SETTINGS)
    admin.tenant.refresh_from_db()
    return admin.tenant


def rows(lead, **filters) -> dict[str, Reminder]:
    found = Reminder.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead), object_id=lead.pk, **filters
    ).order_by("id")
    return {r.rule: r for r in found}


def pending(lead) -> dict[str, Reminder]:
    return rows(lead, status=Reminder.Status.PENDING)


# --- scheduling -------------------------------------------------------------------


@pytest.mark.django_db
def test_entering_new_schedules_the_four_lead_rules(configured, admin, rep, sales_team):
    lead = new_lead(admin, owner=rep)
    start = lead.owned_since
    assert start is not None
    found = pending(lead)
    assert {rule: (r.state, r.recipient_id, r.due_at - start) for rule, r in found.items()} == {
        "lead.first_contact": ("new", rep.pk, 4 * HOUR),
        "lead.first_contact_escalation": ("new", sales_team.leader_id, 6 * HOUR),
        "lead.pool_warning": ("new", rep.pk, 7 * DAY),
        "lead.auto_pool": ("new", rep.pk, 10 * DAY),
    }
    assert all(r.tenant_id == admin.tenant_id for r in found.values())


@pytest.mark.django_db
def test_no_escalation_without_a_leader_and_no_warning_when_zero_days(configured, admin):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, pool_warning_days=0)
    admin.tenant.refresh_from_db()
    loner = make_user(admin, "销售代表")  # no team, so no leader to escalate to
    lead = new_lead(admin, owner=loner)
    assert set(pending(lead)) == {"lead.first_contact", "lead.auto_pool"}


@pytest.mark.django_db
def test_the_leader_is_not_escalated_to_about_his_own_lead(configured, admin, sales_team):
    lead = new_lead(admin, owner=sales_team.leader)
    assert "lead.first_contact_escalation" not in pending(lead)


@pytest.mark.django_db
def test_leaving_new_cancels_its_reminders_and_schedules_the_next_states(configured, admin, rep):
    lead = new_lead(admin, owner=rep)
    before = pending(lead)
    log_call(lead, rep)
    move(lead, "contact", rep)
    lead.refresh_from_db()
    for rule in before:
        before[rule].refresh_from_db()
        assert before[rule].status == Reminder.Status.CANCELLED, rule
    now_pending = pending(lead)
    assert set(now_pending) == {"lead.pool_warning", "lead.auto_pool"}
    assert {r.state for r in now_pending.values()} == {"contacted"}
    base = max(lead.last_activity_at, lead.owned_since)
    assert now_pending["lead.auto_pool"].due_at == base + 10 * DAY
    assert now_pending["lead.pool_warning"].due_at == base + 7 * DAY


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["converted", "disqualified", "pooled"])
def test_final_and_pooled_states_have_no_pending_reminders(configured, admin, state):
    lead = lead_in_state(admin, state, email="a@b.cn")
    assert pending(lead) == {}
    assert rows(lead)


@pytest.mark.django_db
def test_claim_schedules_the_new_state_for_the_claimer(configured, admin, rep):
    lead = lead_in_state(admin, "pooled")
    move(lead, "claim", rep)
    lead.refresh_from_db()
    found = pending(lead)
    assert set(found) == {
        "lead.first_contact",
        "lead.first_contact_escalation",
        "lead.pool_warning",
        "lead.auto_pool",
    }
    assert found["lead.first_contact"].recipient_id == rep.pk
    assert found["lead.first_contact"].due_at == lead.owned_since + 4 * HOUR


@pytest.mark.django_db
def test_logging_an_activity_pushes_back_the_pool_rules_only(configured, admin, rep):
    lead = new_lead(admin, owner=rep)
    before = pending(lead)
    later = lead.owned_since + 5 * DAY
    activity_create(
        tenant=admin.tenant, actor=rep, kind="visit", subject="拜访", lead=lead, occurred_at=later
    )
    after = pending(lead)
    assert after["lead.pool_warning"].due_at == later + 7 * DAY
    assert after["lead.auto_pool"].due_at == later + 10 * DAY
    assert after["lead.pool_warning"].pk != before["lead.pool_warning"].pk
    # the first-contact clock is not about activities but about the 'contact' step
    assert after["lead.first_contact"].pk == before["lead.first_contact"].pk
    cancelled = rows(lead, status=Reminder.Status.CANCELLED)
    assert set(cancelled) == {"lead.pool_warning", "lead.auto_pool"}
    # an older activity (back-dated) does not pull the clock forward
    activity_create(
        tenant=admin.tenant,
        actor=rep,
        kind="call",
        subject="补记",
        lead=lead,
        occurred_at=lead.owned_since + DAY,
    )
    assert pending(lead)["lead.auto_pool"].due_at == later + 10 * DAY


@pytest.mark.django_db
def test_owner_change_moves_the_reminders_to_the_new_owner(configured, admin, rep):
    lead = new_lead(admin, owner=admin)
    lead_update(lead, tenant=admin.tenant, actor=admin, owner=rep)
    found = pending(lead)
    assert {rule: r.recipient_id for rule, r in found.items()} == {
        "lead.first_contact": rep.pk,
        "lead.first_contact_escalation": rep.team.leader_id,
        "lead.pool_warning": rep.pk,
        "lead.auto_pool": rep.pk,
    }


@pytest.mark.django_db
def test_deleting_a_lead_cancels_its_reminders(configured, admin):
    lead = new_lead(admin)
    pk = lead.pk
    lead_delete(lead, tenant=admin.tenant, actor=admin)
    lead.pk = pk
    assert rows(lead) and not pending(lead)


@pytest.mark.django_db
def test_deliver_is_idempotent_without_a_worker(configured, admin, rep):
    lead = new_lead(admin, owner=rep)
    reminder = pending(lead)["lead.first_contact"]
    assert reminders.deliver(reminder.pk) == "sent"
    assert reminders.deliver(reminder.pk) == "done-already"
    assert reminders.deliver(987654321) == "missing"
    assert Notification.objects.filter(reminder=reminder).count() == 1


@pytest.mark.django_db
def test_a_reminder_of_a_state_left_is_cancelled_at_delivery(configured, admin, rep):
    lead = new_lead(admin, owner=rep)
    reminder = pending(lead)["lead.first_contact"]
    # the state moved without the engine (as a crashed writer could leave it)
    Lead.objects.filter(pk=lead.pk).update(status="contacted")
    assert reminders.deliver(reminder.pk) == "state-left"
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.CANCELLED
    assert not Notification.objects.exists()


# --- delivery by a real worker ---------------------------------------------------------


def due_of(lead, rule) -> dt.datetime:
    return pending(lead)[rule].due_at


@pytest.mark.django_db(transaction=True)
def test_due_reminder_gives_exactly_one_notification_and_one_email(configured, admin, rep, worker):
    lead = new_lead(admin, owner=rep, company_name="杭州青禾贸易有限公司")
    reminder = pending(lead)["lead.first_contact"]
    mail.outbox.clear()

    assert scheduler.tick(now=reminder.due_at - dt.timedelta(seconds=1)) == {"due": 0, "stale": 0}
    now = reminder.due_at + dt.timedelta(seconds=1)
    assert scheduler.tick(now=now) == {"due": 1, "stale": 0}
    assert scheduler.tick(now=now) == {"due": 0, "stale": 0}  # the tick runs twice
    worker.drain()
    deliver_reminder.send(reminder.pk)  # the message is delivered twice
    deliver_reminder.send(reminder.pk)
    worker.drain()
    assert scheduler.tick(now=now + dt.timedelta(minutes=5)) == {"due": 0, "stale": 0}
    worker.drain()

    notes = list(Notification.objects.filter(recipient=rep))
    assert len(notes) == 1
    note = notes[0]
    assert "杭州青禾贸易有限公司" in note.title
    assert note.link == f"/leads/{lead.pk}"
    assert (note.object_id, note.reminder_id, note.tenant_id) == (
        lead.pk,
        reminder.pk,
        lead.tenant_id,
    )
    assert note.emailed_at is not None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [rep.email]
    assert "杭州青禾贸易有限公司" in email.subject
    assert f"/leads/{lead.pk}" in email.body
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.attempts == 1 and reminder.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_notifications_are_listed_for_their_recipient(configured, admin, rep, worker):
    from tests.conftest import client_for

    lead = new_lead(admin, owner=rep)
    scheduler.tick(now=due_of(lead, "lead.first_contact") + HOUR / 60)
    worker.drain()
    mine = client_for(rep).get("/api/v1/notifications/").json()
    assert mine["count"] == 1
    assert mine["results"][0]["link"] == f"/leads/{lead.pk}"
    assert mine["results"][0]["read"] is False
    assert client_for(admin).get("/api/v1/notifications/").json()["count"] == 0
    assert client_for(rep).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    marked = client_for(rep).post("/api/v1/notifications/mark-read/", {}, format="json")
    assert marked.json() == {"marked": 1}
    assert client_for(rep).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


@pytest.mark.django_db(transaction=True)
def test_escalation_reaches_the_team_leader(configured, admin, rep, sales_team, worker):
    lead = new_lead(admin, owner=rep, company_name="深圳华创电子有限公司")
    scheduler.tick(now=due_of(lead, "lead.first_contact_escalation") + dt.timedelta(seconds=1))
    worker.drain()
    leader_notes = list(Notification.objects.filter(recipient=sales_team.leader))
    assert len(leader_notes) == 1
    assert "深圳华创电子有限公司" in leader_notes[0].title
    assert rep.display_name in leader_notes[0].title
    assert Notification.objects.filter(recipient=rep).count() == 1  # the owner's own reminder
    assert sorted(m.to[0] for m in mail.outbox) == sorted([rep.email, sales_team.leader.email])


@pytest.mark.django_db(transaction=True)
def test_a_lost_message_is_delivered_by_the_next_tick(configured, admin, rep, worker, settings):
    lead = new_lead(admin, owner=rep)
    reminder = pending(lead)["lead.first_contact"]
    now = reminder.due_at + HOUR
    # claimed by a tick long ago, but the message never reached a worker
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Reminder.Status.CLAIMED,
        claimed_at=now - dt.timedelta(seconds=settings.SCHEDULER_STALE_CLAIM_SECONDS + 5),
        attempts=1,
    )
    assert scheduler.tick(now=now) == {"due": 0, "stale": 1}
    worker.drain()
    assert Notification.objects.filter(reminder=reminder).count() == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 2)
    # a fresh claim is not stale yet
    other = pending(lead)["lead.first_contact_escalation"]
    Reminder.objects.filter(pk=other.pk).update(status="claimed", claimed_at=now)
    assert scheduler.tick(now=now + dt.timedelta(seconds=10)) == {"due": 0, "stale": 0}


@pytest.mark.django_db(transaction=True)
def test_auto_pool_returns_the_lead_as_the_system_and_tells_the_owner(
    configured, admin, rep, worker
):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, pool_warning_days=0)
    lead = new_lead(admin, owner=rep, company_name="成都天府软件有限公司")
    log_call(lead, rep)
    move(lead, "contact", rep)
    assert set(pending(lead)) == {"lead.auto_pool"}
    mail.outbox.clear()
    scheduler.tick(now=due_of(lead, "lead.auto_pool") + dt.timedelta(seconds=1))
    worker.drain()

    lead.refresh_from_db()
    assert (lead.status, lead.owner_id) == ("pooled", None)
    log = TransitionLog.objects.get(process="lead", object_id=lead.pk, transition="pool")
    assert (log.actor_id, log.source, log.target) == (None, "contacted", "pooled")
    audit = AuditEntry.objects.get(object_id=lead.pk, action="transition:pool")
    assert audit.actor_id is None
    notes = list(Notification.objects.filter(recipient=rep))
    assert len(notes) == 1
    assert "成都天府软件有限公司" in notes[0].title
    assert notes[0].link == f"/leads/{lead.pk}"
    assert [m.to for m in mail.outbox] == [[rep.email]]
    assert pending(lead) == {}


@pytest.mark.django_db(transaction=True)
def test_pool_warning_comes_first_then_the_return(configured, admin, rep, worker):
    lead = new_lead(admin, owner=rep)
    log_call(lead, rep)
    move(lead, "contact", rep)
    warning_due = due_of(lead, "lead.pool_warning")
    pool_due = due_of(lead, "lead.auto_pool")
    scheduler.tick(now=warning_due + dt.timedelta(seconds=1))
    worker.drain()
    lead.refresh_from_db()
    assert lead.status == "contacted"
    assert Notification.objects.filter(recipient=rep).count() == 1
    scheduler.tick(now=pool_due + dt.timedelta(seconds=1))
    worker.drain()
    lead.refresh_from_db()
    assert lead.status == "pooled"
    assert Notification.objects.filter(recipient=rep).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_stale_reminder_does_nothing(configured, admin, rep, worker):
    lead = new_lead(admin, owner=rep)
    log_call(lead, rep)
    move(lead, "contact", rep)
    old = pending(lead)["lead.auto_pool"]
    # an activity moved the idle clock but this row was not rescheduled (a race)
    later = timezone.now() + 3 * DAY
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=later)

    scheduler.tick(now=old.due_at + dt.timedelta(seconds=1))
    worker.drain()
    old.refresh_from_db()
    assert (old.status, old.note) == (Reminder.Status.CANCELLED, "stale")
    lead.refresh_from_db()
    assert (lead.status, lead.owner_id) == ("contacted", rep.pk)
    assert not Notification.objects.exists()
    assert not TransitionLog.objects.filter(
        process="lead", object_id=lead.pk, transition="pool"
    ).exists()
    successor = pending(lead)["lead.auto_pool"]
    assert successor.due_at == later + 10 * DAY
