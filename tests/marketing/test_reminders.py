"""Requisition reminders through the scheduler and a real worker, each delivered once:
approval waiting past the working hours, low stock after an issue to the stock keeper."""

import datetime as dt

import pytest
from django.utils import timezone

from crm.activities.models import Notification
from crm.core.models import User
from tasks.scheduler import tick
from tests.marketing.helpers import issued, item, move, requisition
from workflows.models import Reminder
from workflows.requisition import APPROVAL_RULE, LOW_STOCK_RULE


def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


@pytest.mark.django_db(transaction=True)
def test_approval_and_low_stock_reminders_delivered_once(worker):
    from crm.core import services
    from tests.conftest import make_company, make_user

    admin = make_company()
    leader = make_user(admin, "销售经理", name="经理")
    team = services.team_create(tenant=admin.tenant, actor=admin, name="市场部", leader=leader)
    services.user_update(leader, tenant=admin.tenant, actor=admin, team=team)
    leader.refresh_from_db()
    marketer = make_user(admin, "市场", team=team)
    keeper = make_user(admin, "库管")
    User.objects.filter(pk__in=[leader.pk, keeper.pk]).update(language="en")

    gift = item(admin, "G1", "保温杯", stock=12, threshold="5")
    from crm.marketing.models import Requisition

    req = move(Requisition, requisition(marketer, [(gift, 1)]), "submit", marketer)
    (waiting,) = Reminder.objects.filter(object_id=req.pk, rule=APPROVAL_RULE)
    assert waiting.recipient_id == leader.pk and waiting.due_at > req.submitted_at
    later = waiting.due_at + dt.timedelta(seconds=5)
    tick(now=later)
    worker.drain()
    tick(now=later)
    worker.drain()
    assert titles(leader) == [f"Requisition {req.number} is waiting for your approval"]

    done = issued(marketer, leader, keeper, [(gift, 8)])
    (low,) = Reminder.objects.filter(object_id=done.pk, rule=LOW_STOCK_RULE)
    assert low.recipient_id == keeper.pk
    now = timezone.now() + dt.timedelta(seconds=5)
    tick(now=now)
    worker.drain()
    tick(now=now)
    worker.drain()
    assert titles(keeper) == [f"Low stock after requisition {done.number}"]
    body = Notification.objects.get(recipient=keeper).body
    assert "保温杯" in body and "4.00" in body
    # The first requisition's approval reminder was not sent again; an issue that leaves
    # enough stock schedules no low-stock reminder.
    assert Reminder.objects.get(pk=waiting.pk).status == "sent"
    receipt_ok = issued(marketer, leader, keeper, [(item(admin, "P1", "宣传册", stock=100), 1)])
    assert not Reminder.objects.filter(object_id=receipt_ok.pk, rule=LOW_STOCK_RULE).exists()
