"""Reminders reach people on the channels they chose: an overdue lead's reminder
arrives at the WeCom robot (a local recording server, real HTTP) through the real
scheduler tick and a real worker; retries wait in the database, not in Redis."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from crm.core import services as core
from crm.messaging import preferences, services
from crm.messaging.models import Delivery
from tasks import scheduler
from tasks.notifications import send_notification_email
from tests.customers.leads import new_lead
from workflows.models import Reminder

SH = ZoneInfo("Asia/Shanghai")
KEY = "wecom-robot-key-123"


@pytest.fixture
def configured(admin):
    core.tenant_settings_update(
        tenant=admin.tenant,
        actor=admin,
        lead_first_contact_sla_hours=4,
        lead_escalation_hours=2,
        pool_idle_days=10,
        pool_warning_days=3,
        # No quiet hours in these tests (their own test below holds a message).
        messaging_quiet_start_hour=0,
        messaging_quiet_end_hour=0,
    )
    admin.tenant.refresh_from_db()
    return admin.tenant


def _robots(admin, url):
    wecom = services.channel_create(
        tenant=admin.tenant, actor=admin, kind="wecom", name="销售群", endpoint=url, secret=KEY
    )
    services.channel_create(
        tenant=admin.tenant,
        actor=admin,
        kind="dingtalk",
        name="钉钉群",
        endpoint=url + "/robot/send",
        secret="SEC-ding",
    )
    return wecom


def _overdue_reminder(admin, rep):
    lead = new_lead(admin, owner=rep, company_name="杭州青禾贸易有限公司")
    reminder = Reminder.objects.get(object_id=lead.pk, rule="lead.first_contact")
    return lead, reminder


@pytest.mark.django_db(transaction=True)
def test_overdue_lead_reminder_reaches_the_wecom_robot_the_rep_chose(
    configured, admin, rep, worker, recorder
):
    wecom = _robots(admin, recorder.url)
    preferences.preferences_set(
        user=rep, tenant=admin.tenant, values={"reminder": ["wecom", "in_app"]}
    )
    _lead, reminder = _overdue_reminder(admin, rep)
    mail.outbox.clear()
    now = reminder.due_at + dt.timedelta(seconds=1)
    assert scheduler.tick(now=now) == {"due": 1, "stale": 0}
    worker.drain()

    (request,) = recorder.requests  # the WeCom robot only (not DingTalk, not e-mail)
    assert request.query["key"] == [KEY]
    payload = request.json()
    assert payload["msgtype"] == "text"
    assert "杭州青禾贸易有限公司" in payload["text"]["content"]
    assert mail.outbox == []
    delivery = Delivery.objects.get(recipient_user=rep)
    assert (delivery.channel_id, delivery.status, delivery.event) == (wecom.pk, "sent", "reminder")
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT

    # The notification's message delivered again routes nothing twice.
    from crm.activities.models import Notification

    note = Notification.objects.get(recipient=rep, reminder=reminder)
    send_notification_email.send(note.pk)
    worker.drain()
    assert len(recorder.requests) == 1 and Delivery.objects.filter(recipient_user=rep).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_escalation_goes_by_the_leaders_choice_and_email_stays_the_default(
    configured, admin, rep, sales_team, worker, recorder
):
    _robots(admin, recorder.url)
    leader = sales_team.leader
    preferences.preferences_set(
        user=leader, tenant=admin.tenant, values={"escalation": ["dingtalk"]}
    )
    lead = new_lead(admin, owner=rep, company_name="宁波海曙贸易")
    rows = {r.rule: r for r in Reminder.objects.filter(object_id=lead.pk)}
    mail.outbox.clear()
    scheduler.tick(now=rows["lead.first_contact_escalation"].due_at + dt.timedelta(seconds=1))
    worker.drain()
    paths = sorted(r.path for r in recorder.requests)
    assert paths == ["/robot/send"]  # the leader's DingTalk, signed
    (ding,) = recorder.requests
    assert {"timestamp", "sign"} <= set(ding.query)
    assert Delivery.objects.get(recipient_user=leader).event == "escalation"
    # The rep kept the default (in-app + e-mail, no e-mail channel): plain e-mail.
    assert [m.to for m in mail.outbox] == [[rep.email]]


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_from_the_database_by_the_scheduler(
    configured, admin, rep, worker, recorder
):
    _robots(admin, recorder.url)
    preferences.preferences_set(user=rep, tenant=admin.tenant, values={"reminder": ["wecom"]})
    recorder.answers = [(502, "bad gateway")]
    _lead, reminder = _overdue_reminder(admin, rep)
    scheduler.tick(now=reminder.due_at + dt.timedelta(seconds=1))
    worker.drain()
    delivery = Delivery.objects.get(recipient_user=rep)
    assert delivery.status == "queued" and delivery.attempts == 1
    assert delivery.claimed_at is None and delivery.next_attempt_at > timezone.now()
    assert len(recorder.requests) == 1
    # Nothing waits in the broker: only the scheduler's pass hands it over, when due.
    assert services.hand_due() == 0
    assert services.hand_due(now=delivery.next_attempt_at + dt.timedelta(seconds=1)) == 1
    worker.drain()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len(recorder.requests) == 2


@pytest.mark.django_db(transaction=True)
def test_quiet_hours_hold_the_robot_message_until_they_end(admin, rep, worker, recorder):
    # A quiet window from the hour before now to two hours on: it holds now, at any
    # time of day the test runs (a fixed end at 8 o'clock held nothing from 8 to 10),
    # and still when the clock turns an hour during the test.
    hour = timezone.now().astimezone(SH).hour
    end = (hour + 2) % 24
    core.tenant_settings_update(
        tenant=admin.tenant,
        actor=admin,
        lead_first_contact_sla_hours=4,
        messaging_quiet_start_hour=(hour + 23) % 24,
        messaging_quiet_end_hour=end,
    )
    admin.tenant.refresh_from_db()
    _robots(admin, recorder.url)
    preferences.preferences_set(user=rep, tenant=admin.tenant, values={"reminder": ["wecom"]})
    _lead, reminder = _overdue_reminder(admin, rep)
    scheduler.tick(now=reminder.due_at + dt.timedelta(seconds=1))
    worker.drain()
    delivery = Delivery.objects.get(recipient_user=rep)
    assert preferences.hold_until(admin.tenant, "wecom", "reminder") is not None
    assert recorder.requests == [] and delivery.status == "queued"
    held = delivery.next_attempt_at.astimezone(SH)
    assert (held.hour, held.minute) == (end, 0) and held > timezone.now()
    assert services.hand_due(now=delivery.next_attempt_at - dt.timedelta(seconds=1)) == 0
    assert services.hand_due(now=delivery.next_attempt_at + dt.timedelta(seconds=1)) == 1
    worker.drain()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(recorder.requests) == 1
