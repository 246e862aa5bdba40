"""Each reminder rule fires once and is cancelled when its record's state changes."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from crm.activities.models import Notification
from crm.activities.services import activity_create
from crm.core.models import User
from crm.sales import services
from tasks.scheduler import tick
from tests.sales import factories as f
from tests.sales.factories import D
from workflows import reminders
from workflows.models import Reminder


@pytest.fixture
def manager(sales_team):
    return sales_team.leader


def rows(obj, rule=None):
    qs = Reminder.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).order_by("id")
    if rule:
        qs = qs.filter(rule=rule)
    return list(qs)


def deliver_all(obj, rule):
    return [reminders.deliver(r.pk) for r in rows(obj, rule) if r.status == "pending"]


def english(*users):
    """Reminders are written in the recipient's language; these tests read English."""
    User.objects.filter(pk__in=[u.pk for u in users]).update(language="en")


def notes(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# --- opportunity ----------------------------------------------------------------


def test_idle_reminder_fires_once_and_activity_pushes_it_back(rep):
    english(rep)
    opp = f.opportunity(rep)
    (idle,) = rows(opp, "opportunity.idle")
    assert idle.recipient == rep
    assert abs(idle.due_at - (opp.stage_changed_at + dt.timedelta(days=14))) < dt.timedelta(
        seconds=1
    )
    # An activity with the customer after the row was scheduled makes it stale.
    activity_create(
        tenant=rep.tenant,
        actor=rep,
        kind="call",
        subject="回访",
        customer=opp.customer,
        occurred_at=timezone.now() + dt.timedelta(days=3),
    )
    assert reminders.deliver(idle.pk) == "stale"
    successor = rows(opp, "opportunity.idle")[-1]
    assert successor.status == "pending" and successor.due_at > idle.due_at
    assert reminders.deliver(successor.pk) == "sent"
    assert reminders.deliver(successor.pk) == "done-already"
    assert notes(rep) == ["Opportunity “CRM 项目” has had no activity for 14 days"]


def test_opportunity_reminders_are_cancelled_on_state_change(rep):
    opp = f.opportunity(rep, expected_close_date=dt.date(2025, 1, 10))
    first = {r.rule: r for r in rows(opp)}
    assert set(first) == {"opportunity.idle", "opportunity.close_date_passed"}
    assert first["opportunity.close_date_passed"].due_at == timezone.make_aware(
        dt.datetime(2025, 1, 11, 9, 0)
    )
    opp = f.move(opp, "needs_defined", rep)
    states = [(r.rule, r.state, r.status) for r in rows(opp)]
    assert states == [
        ("opportunity.idle", "initial", "cancelled"),
        ("opportunity.close_date_passed", "initial", "cancelled"),
        ("opportunity.idle", "needs_defined", "pending"),
        ("opportunity.close_date_passed", "needs_defined", "pending"),
    ]
    f.move(opp, "lost", rep, reason="price")
    assert {r.status for r in rows(opp)} == {"cancelled"}
    assert reminders.deliver(rows(opp)[-1].pk) == "done-already"
    assert notes(rep) == []


def test_close_date_reminder_fires_once_and_follows_date_changes(rep):
    english(rep)
    opp = f.opportunity(rep, expected_close_date=dt.date(2025, 1, 10))
    opp = services.opportunity_update(
        opp, tenant=rep.tenant, actor=rep, expected_close_date=dt.date(2025, 2, 1)
    )
    live = [r for r in rows(opp, "opportunity.close_date_passed") if r.status == "pending"]
    assert [r.due_at for r in live] == [timezone.make_aware(dt.datetime(2025, 2, 2, 9, 0))]
    assert deliver_all(opp, "opportunity.close_date_passed") == ["sent"]
    assert deliver_all(opp, "opportunity.close_date_passed") == []
    assert notes(rep) == ["Opportunity “CRM 项目” is past its expected close date"]


# --- contract -------------------------------------------------------------------------


def test_approval_waiting_goes_to_the_approver_once_in_their_language(rep, manager):
    c = f.move(f.contract(rep, amount="5000.00"), "submit", rep)
    (waiting,) = rows(c, "contract.approval_waiting")
    assert waiting.recipient == manager  # the rep's team leader holds the band
    assert abs(waiting.due_at - (c.submitted_at + dt.timedelta(hours=24))) < dt.timedelta(seconds=1)
    assert reminders.deliver(waiting.pk) == "sent"
    assert reminders.deliver(waiting.pk) == "done-already"
    assert manager.language == "zh-hans"
    assert notes(manager) == [f"合同 {c.number} 等待您审批"]


def test_approval_waiting_is_cancelled_by_the_decision(rep, manager, admin):
    c = f.move(f.contract(rep, amount="500000.00"), "submit", rep)
    (waiting,) = rows(c, "contract.approval_waiting")
    assert waiting.recipient == admin  # the manager lacks approve_large; the admin has it
    f.move(c, "reject", admin, reason="金额过大")
    assert rows(c, "contract.approval_waiting")[0].status == "cancelled"
    assert notes(admin) == []


def test_renewal_reminder_on_signing_and_cancelled_on_termination(rep, manager):
    english(rep)
    c = f.active_contract(rep, manager, end=dt.date(2025, 12, 31))
    (renewal,) = rows(c, "contract.renewal")
    assert renewal.recipient == rep
    assert renewal.due_at == timezone.make_aware(dt.datetime(2025, 12, 1, 9, 0))
    f.move(c, "terminate", rep, reason="提前终止")
    assert rows(c, "contract.renewal")[0].status == "cancelled"
    c2 = f.active_contract(rep, manager)
    assert deliver_all(c2, "contract.renewal") == ["sent"]
    assert deliver_all(c2, "contract.renewal") == []
    assert notes(rep) == [f"Contract {c2.number} ends on 2025-12-31"]


def test_installment_reminders_start_at_signing_and_stop_when_collected(rep, manager):
    english(rep)
    plan = [(dt.date(2025, 3, 31), "100.00"), (dt.date(2025, 6, 30), "200.00")]
    draft = f.contract(rep, amount="300.00", plan=plan)
    inst1, inst2 = draft.installments.all()
    assert rows(inst1) == []  # nothing before the contract is signed
    c = f.move(f.move(f.move(draft, "submit", rep), "approve", manager), "sign", rep)
    soon, overdue = rows(inst1)
    assert (soon.rule, soon.due_at) == (
        "installment.due_soon",
        timezone.make_aware(dt.datetime(2025, 3, 28, 9, 0)),
    )
    assert (overdue.rule, overdue.due_at) == (
        "installment.overdue",
        timezone.make_aware(dt.datetime(2025, 4, 1, 9, 0)),
    )
    assert reminders.deliver(soon.pk) == "sent"
    assert reminders.deliver(soon.pk) == "done-already"
    f.confirmed_payment(c, rep, "100.00")
    assert [r.status for r in rows(inst1)] == ["sent", "cancelled"]
    # A reversal re-opens the installment and its reminders.
    p = f.confirmed_payment(c, rep, "200.00", seq=2)
    assert {r.status for r in rows(inst2)} == {"cancelled"}
    f.move(p, "reverse", rep, reason="退票")
    assert [r.status for r in rows(inst2)][-2:] == ["pending", "pending"]
    assert notes(rep) == [f"Installment 1 of contract {c.number} is due on 2025-03-31"]


# --- through the scheduler and a real worker ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_overdue_repeats_daily_once_per_day_via_scheduler_and_worker(worker):
    from tests.conftest import make_company, make_user

    admin = make_company()
    rep = make_user(admin, "销售代表", name="赵销售")
    english(rep)
    plan = [(dt.date(2025, 3, 31), "1000.00")]
    c = f.active_contract(rep, admin, amount="1000.00", plan=plan)
    (inst,) = c.installments.all()
    day1 = timezone.make_aware(dt.datetime(2025, 4, 1, 9, 0, 5))

    tick(now=day1)
    worker.drain()
    titles = notes(rep)
    assert titles.count(f"Installment 1 of contract {c.number} is overdue") == 1
    assert titles.count(f"Installment 1 of contract {c.number} is due on 2025-03-31") == 1

    tick(now=day1)  # the same moment again: nothing twice
    worker.drain()
    assert len(notes(rep)) == len(titles)

    tick(now=day1 + dt.timedelta(days=1))  # the next morning: one more
    worker.drain()
    assert notes(rep).count(f"Installment 1 of contract {c.number} is overdue") == 2

    f.confirmed_payment(c, rep, "1000.00")
    tick(now=day1 + dt.timedelta(days=5))
    worker.drain()
    assert notes(rep).count(f"Installment 1 of contract {c.number} is overdue") == 2
    assert {r.status for r in rows(inst) if r.rule == "installment.overdue"} == {
        "sent",
        "cancelled",
    }


@pytest.mark.django_db(transaction=True)
def test_opportunity_and_approval_reminders_via_scheduler_and_worker(worker):
    from tests.conftest import make_company, make_user

    admin = make_company()
    rep = make_user(admin, "销售代表", name="钱销售")
    english(rep, admin)
    opp = f.opportunity(rep, expected_close_date=timezone.localdate())
    c = f.move(f.contract(rep, amount="10.00"), "submit", rep)
    later = timezone.now() + dt.timedelta(days=15)

    tick(now=later)
    worker.drain()
    assert sorted(notes(rep)) == sorted(
        [
            "Opportunity “CRM 项目” has had no activity for 14 days",
            "Opportunity “CRM 项目” is past its expected close date",
        ]
    )
    # Told at submit (issue 20), reminded once the wait is over.
    assert notes(admin) == [f"Contract {c.number} is waiting for your approval"] * 2
    tick(now=later + dt.timedelta(days=30))
    worker.drain()
    assert len(notes(rep)) == 2 and len(notes(admin)) == 2
    assert opp.pk and D("10.00") == c.amount
