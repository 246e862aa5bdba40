"""Many processes against one PostgreSQL and one Redis (issue 19): two web processes
(gunicorn), two worker processes (``rundramatiq``'s dramatiq) and two schedulers
(``manage.py run_scheduler``) run the lead, sales and reminder flows at once.

The clients alternate between the two web processes request by request; one lead
step is raced on both at the same moment. Reminders come from leads created over
HTTP (their first-contact reminder, made due) and from three waves of bulk rows;
the scheduler holding the loop is SIGKILLed after the first wave, so the other
one takes over. In the end every reminder is notified exactly once (0 lost, 0
duplicated), every transition is logged exactly once, and no request got a 5xx.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import dramatiq
import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from crm.activities.models import Notification
from crm.core import credentials
from crm.customers.models import Lead
from tasks.models import SchedulerLease
from tests.conftest import uses_postgres, uses_redis
from tests.reliability.helpers import FIRST_CONTACT, due_reminders, start_worker
from tests.scale.processes import (
    audit,
    close_db,
    free_port,
    kill_group,
    request,
    start_scheduler,
    start_web,
    transition_counts,
    wait_healthy,
)
from workflows.models import Reminder

N_LEADS = 12  # lead flow: created, call logged, contact raced on both web processes, qualified
N_IDLE = 10  # leads created over HTTP and left new: their first-contact reminder made due
N_SALES = 3  # lead -> opportunity -> quote -> contract -> payment -> completed
WAVES = 3
PER_WAVE = 400
DEADLINE = 75  # seconds for everything after the processes are up
SCHEDULER_ENV = {
    "SCHEDULER_LEASE_SECONDS": "3",
    "SCHEDULER_STALE_CLAIM_SECONDS": "8",
    "SCHEDULER_INTERVAL_SECONDS": "0.5",
    "SCHEDULER_BATCH_SIZE": "200",
}

needs_the_stack = pytest.mark.skipif(
    not (uses_postgres() and uses_redis()),
    reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL; CI sets both): the web, "
    "worker and scheduler processes share the test database and a real broker",
)


class Client:
    """Requests of one user, alternating between the web processes; every status kept."""

    turn = itertools.count()
    lock = threading.Lock()
    statuses: list[tuple[int, str, str]] = []

    def __init__(self, token: str, ports: list[int]):
        self.token, self.ports = token, ports

    def call(self, method, path, body=None, *, port=None, expect=(200,)):
        port = port or self.ports[next(self.turn) % len(self.ports)]
        status, data = request(port, method, path, self.token, body)
        with self.lock:
            self.statuses.append((status, method, path))
        assert status in expect, (method, path, port, status, data)
        return data

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body or {}, **kw)

    def step(self, kind: str, pk: int, name: str, body=None, **kw):
        return self.post(f"/api/v1/{kind}/{pk}/transitions/{name}/", body, **kw)


def _token(user) -> str:
    _token, key = credentials.issue_token(user=user, client="tests")
    return key


def lead_flow(rep: Client, i: int) -> tuple[int, list]:
    """Create, log a call, race ``contact`` on both web processes, qualify."""
    lead = rep.post(
        "/api/v1/leads/",
        {"company_name": f"多进程线索{i}", "mobile": f"1390000{i:04d}", "need": "CRM"},
        expect=(201,),
    )
    rep.post(
        "/api/v1/activities/",
        {"kind": "call", "subject": "电话", "lead": lead["id"]},
        expect=(201,),
    )
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def racer(port):
        barrier.wait()
        status, _ = request(
            port, "POST", f"/api/v1/leads/{lead['id']}/transitions/contact/", rep.token, {}
        )
        with rep.lock:
            rep.statuses.append((status, "POST", "contact race"))
        codes.append(status)

    threads = [threading.Thread(target=racer, args=(p,)) for p in rep.ports]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [200, 409], codes
    rep.step("leads", lead["id"], "qualify")
    return lead["id"], [("lead", lead["id"], "contact"), ("lead", lead["id"], "qualify")]


def idle_lead(rep: Client, i: int) -> int:
    lead = rep.post(
        "/api/v1/leads/",
        {"company_name": f"多进程待联系{i}", "mobile": f"1380000{i:04d}", "need": "CRM"},
        expect=(201,),
    )
    return lead["id"]


def sales_flow(rep: Client, manager: Client, product: int, i: int) -> list:
    """The happy path of tests/sales/test_done_when.py, one quote and one installment."""
    done = []
    lead = rep.post(
        "/api/v1/leads/",
        {
            "company_name": f"多进程客户{i}",
            "contact_name": "周敏",
            "mobile": f"1370000{i:04d}",
            "need": "CRM",
        },
        expect=(201,),
    )["id"]
    rep.post(
        "/api/v1/activities/", {"kind": "call", "subject": "电话", "lead": lead}, expect=(201,)
    )
    for step in ("contact", "qualify", "convert"):
        rep.step("leads", lead, step)
        done.append(("lead", lead, step))
    opp = rep.call("GET", f"/api/v1/opportunities/?lead={lead}")["results"][0]["id"]
    for stage in ("needs_defined", "proposal"):
        rep.step("opportunities", opp, stage)
        done.append(("opportunity", opp, stage))
    quote = rep.post(
        "/api/v1/quotes/",
        {"opportunity": opp, "lines": [{"product": product, "quantity": "10"}]},
        expect=(201,),
    )
    assert quote["total"] == "20000.00", quote
    for step, who in (("submit", rep), ("approve", manager), ("send", rep), ("accept", rep)):
        who.step("quotes", quote["id"], step)
        done.append(("quote", quote["id"], step))
    rep.call("PATCH", f"/api/v1/opportunities/{opp}/", {"amount": "20000.00"})
    rep.step("opportunities", opp, "negotiation")
    done.append(("opportunity", opp, "negotiation"))
    year = dt.date.today().year + 1
    contract = rep.post(
        "/api/v1/contracts/",
        {
            "opportunity": opp,
            "quote": quote["id"],
            "start_date": f"{year}-01-01",
            "end_date": f"{year}-12-31",
            "installments": [{"due_date": f"{year}-03-31", "amount": "20000.00"}],
        },
        expect=(201,),
    )["id"]
    for step, who in (("submit", rep), ("approve", manager), ("sign", rep)):
        who.step("contracts", contract, step)
        done.append(("contract", contract, step))
    rep.step("opportunities", opp, "won")
    done.append(("opportunity", opp, "won"))
    (installment,) = rep.call("GET", f"/api/v1/contracts/{contract}/")["installments"]
    payment = rep.post(
        "/api/v1/payments/",
        {
            "installment": installment["id"],
            "amount": "20000.00",
            "paid_at": dt.date.today().isoformat(),
        },
        expect=(201,),
    )["id"]
    rep.step("payments", payment, "confirm")
    done.append(("payment", payment, "confirm"))
    completed = rep.step("contracts", contract, "complete")
    assert completed["status"] == "completed", completed
    done.append(("contract", contract, "complete"))
    return done


def make_idle_leads_due(tenant, lead_ids: list[int]) -> list[int]:
    """Move the idle leads' ownership 30 days back and their first-contact reminders
    with it (as if the clock had run on): those are then due, and still valid."""
    past = timezone.now() - dt.timedelta(days=30)
    Lead.objects.filter(pk__in=lead_ids).update(owned_since=past, created_at=past)
    content_type = ContentType.objects.get_for_model(Lead)
    ids = []
    for lead in Lead.objects.filter(pk__in=lead_ids).select_related("tenant"):
        reminder = Reminder.objects.get(
            tenant=tenant,
            content_type=content_type,
            object_id=lead.pk,
            rule=FIRST_CONTACT.name,
            status=Reminder.Status.PENDING,
        )
        reminder.due_at = FIRST_CONTACT.due(lead)
        reminder.save(update_fields=["due_at"])
        ids.append(reminder.pk)
    return ids


def _sent(ids) -> int:
    return Reminder.objects.filter(pk__in=ids, status=Reminder.Status.SENT).count()


@needs_the_stack
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(240)
def test_two_of_each_process_lose_nothing_and_do_nothing_twice(admin, sales_team, rep, tmp_path):
    import tasks.actors  # noqa: F401 - the queues the schedulers enqueue on

    tenant = admin.tenant
    broker = dramatiq.get_broker()
    broker.flush_all()
    Client.statuses.clear()
    logs = []

    def log(name):
        logs.append(open(tmp_path / f"{name}.log", "w"))
        return logs[-1]

    ports = [free_port(), free_port()]
    procs = {
        "web1": start_web(ports[0], log=log("web1")),
        "web2": start_web(ports[1], log=log("web2")),
        "worker1": start_worker(threads=4, log=log("worker1")),
        "worker2": start_worker(threads=4, log=log("worker2")),
        "scheduler1": start_scheduler(log=log("scheduler1"), **SCHEDULER_ENV),
        "scheduler2": start_scheduler(log=log("scheduler2"), **SCHEDULER_ENV),
    }
    killed: list[str] = []
    try:
        for port, name in zip(ports, ("web1", "web2"), strict=True):
            wait_healthy(port, procs[name])
        started = time.monotonic()
        as_rep = Client(_token(rep), ports)
        as_manager = Client(_token(sales_team.leader), ports)
        as_admin = Client(_token(admin), ports)
        product = as_admin.post(
            "/api/v1/products/",
            {"code": "MP-STD", "name": "CRM 标准版", "unit": "套", "price": "2000.00"},
            expect=(201,),
        )["id"]

        with ThreadPoolExecutor(4) as pool:
            leads = [pool.submit(lead_flow, as_rep, i) for i in range(N_LEADS)]
            idle = [pool.submit(idle_lead, as_rep, i) for i in range(N_IDLE)]
            sales = [
                pool.submit(sales_flow, as_rep, as_manager, product, i) for i in range(N_SALES)
            ]
            # Reminder waves while the HTTP flows run.
            expected: list[int] = []
            for wave in range(WAVES):
                expected += due_reminders(admin, PER_WAVE)
                if wave == 0:
                    while _sent(expected) < 1:
                        assert time.monotonic() - started < DEADLINE, "no reminder delivered"
                        time.sleep(0.05)
                    holder = SchedulerLease.objects.get(name="loop").holder
                    pid = int(holder.split(":")[1])
                    (name,) = [n for n, p in procs.items() if p.pid == pid]
                    kill_group(procs[name])  # SIGKILL: no release of the lease
                    killed.append(name)
                time.sleep(1)
            lead_steps = [f.result() for f in leads]
            idle_ids = [f.result() for f in idle]
            sales_steps = [f.result() for f in sales]
        expected += make_idle_leads_due(tenant, idle_ids)

        while _sent(expected) < len(expected):
            assert time.monotonic() - started < DEADLINE, (
                f"only {_sent(expected)} of {len(expected)} reminders sent after {DEADLINE}s"
            )
            for name, proc in procs.items():
                assert name in killed or proc.poll() is None, f"{name} died on its own"
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        time.sleep(1.5)  # late duplicates, if any, would land now
        survivor = SchedulerLease.objects.get(name="loop").holder
    finally:
        for proc in procs.values():
            kill_group(proc)
        for handle in logs:
            handle.close()
        broker.flush_all()
        close_db()

    # No request failed on the server side.
    errors = [s for s in Client.statuses if s[0] >= 500]
    assert not errors, errors[:10]

    # The schedulers: the one holding the loop was killed, the other one took over.
    assert killed and killed[0].startswith("scheduler")
    other = "scheduler2" if killed[0] == "scheduler1" else "scheduler1"
    assert int(survivor.split(":")[1]) == procs[other].pid

    # Every transition applied exactly once.
    applied = [t for _lead, steps in lead_steps for t in steps]
    applied += [t for steps in sales_steps for t in steps]
    counts = transition_counts(tenant, applied)
    assert set(counts.values()) == {1}, {k: n for k, n in counts.items() if n != 1}

    # Every reminder notified exactly once; nothing due left behind.
    result = audit(tenant, expected, now=timezone.now() - dt.timedelta(seconds=3))
    assert len(expected) == WAVES * PER_WAVE + N_IDLE
    assert not result["lost"], f"{len(result['lost'])} reminders never notified"
    assert not result["duplicated"], f"{len(result['duplicated'])} reminders notified twice"
    assert not result["targets_twice"], result["targets_twice"][:10]
    assert not result["open_due"], f"{len(result['open_due'])} due reminders still open"
    assert not result["notified_not_sent"], result["notified_not_sent"][:10]
    assert not result["transitions_twice"], result["transitions_twice"][:10]
    notified = Notification.objects.filter(reminder_id__in=expected)
    assert notified.count() == len(expected)
    print(
        f"\n{len(Client.statuses)} requests over 2 web processes, {len(applied)} transitions, "
        f"{len(expected)} reminders delivered in {elapsed:.1f}s by 2 workers; {killed[0]} "
        f"killed after the first wave, {other} took over"
    )


@pytest.mark.django_db
def test_the_audit_counts_a_lost_and_a_duplicated_reminder(admin):
    """The counting above notices what it is there to notice."""
    ids = due_reminders(admin, 3)
    first, second, third = Reminder.objects.filter(pk__in=ids).order_by("pk")
    now = timezone.now()
    for reminder in (first, second):
        Reminder.objects.filter(pk=reminder.pk).update(status="sent", sent_at=now)
        Notification.objects.create(
            tenant=admin.tenant,
            recipient=admin,
            title="t",
            reminder=reminder,
            content_type_id=reminder.content_type_id,
            object_id=reminder.object_id,
        )
    clean = audit(admin.tenant, [first.pk, second.pk], now=now)
    # The third reminder is still pending although due: open, and lost once expected.
    assert clean.pop("open_due") == [third.pk]
    assert all(not v for v in clean.values()), clean
    assert audit(admin.tenant, ids, now=now)["lost"] == [third.pk]

    # A second reminder row for the first one's lead, notified too: a duplicate.
    twin = Reminder.objects.create(
        tenant=admin.tenant,
        content_type_id=first.content_type_id,
        object_id=first.object_id,
        rule=first.rule,
        state=first.state,
        due_at=first.due_at,
        recipient=admin,
        status="sent",
        sent_at=now,
    )
    Notification.objects.create(
        tenant=admin.tenant,
        recipient=admin,
        title="t",
        reminder=twin,
        content_type_id=first.content_type_id,
        object_id=first.object_id,
    )
    result = audit(admin.tenant, [first.pk, second.pk], now=now)
    assert result["targets_twice"] == [(first.content_type_id, first.object_id, first.rule)]

    # Two notifications of one reminder (to two recipients): a duplicate.
    Notification.objects.create(
        tenant=admin.tenant,
        recipient=_another_user(admin),
        title="t",
        reminder=second,
        content_type_id=second.content_type_id,
        object_id=second.object_id,
    )
    assert audit(admin.tenant, [second.pk], now=now)["duplicated"] == [second.pk]

    # A notification whose reminder is not sent; a transition logged twice.
    Notification.objects.create(
        tenant=admin.tenant,
        recipient=admin,
        title="t",
        reminder=third,
        content_type_id=third.content_type_id,
        object_id=third.object_id,
    )
    assert audit(admin.tenant, [], now=now)["notified_not_sent"] == [third.pk]
    from workflows.models import TransitionLog

    for _ in range(2):
        TransitionLog.objects.create(
            tenant=admin.tenant,
            content_type_id=first.content_type_id,
            object_id=first.object_id,
            process="lead",
            transition="contact",
            source="new",
            target="contacted",
        )
    assert audit(admin.tenant, [], now=now)["transitions_twice"] == [
        (first.content_type_id, first.object_id, "contact", "new")
    ]
    assert transition_counts(admin.tenant, [("lead", first.object_id, "contact")]) == {
        ("lead", first.object_id, "contact"): 2
    }


def _another_user(admin):
    from tests.conftest import make_user

    return make_user(admin, "销售代表")
